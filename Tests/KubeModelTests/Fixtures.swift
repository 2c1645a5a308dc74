import Foundation

/// JSON documents modelled on `kubectl get … -o json` output.
enum Fixtures {
    static let pod = #"""
    {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {
                "ms2m.io/checkpoint": "true"
            },
            "creationTimestamp": "2025-03-14T09:26:53Z",
            "generateName": "redis-",
            "labels": {
                "app": "redis",
                "apps.kubernetes.io/pod-index": "0",
                "controller-revision-hash": "redis-6b8f9c7d5d",
                "statefulset.kubernetes.io/pod-name": "redis-0"
            },
            "name": "redis-0",
            "namespace": "default",
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": true,
                    "controller": true,
                    "kind": "StatefulSet",
                    "name": "redis",
                    "uid": "5d2c0b4e-8a1f-4f0e-9a43-0c6f1c7a9b10"
                }
            ],
            "managedFields": [
                {
                    "apiVersion": "v1",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}},
                    "manager": "kube-controller-manager",
                    "operation": "Update",
                    "time": "2025-03-14T09:26:53Z"
                }
            ],
            "resourceVersion": "184467",
            "uid": "0f6e2f5a-1c3b-4d59-8f7e-2b9c4a1d6e33"
        },
        "spec": {
            "containers": [
                {
                    "args": ["--appendonly", "yes"],
                    "command": ["redis-server"],
                    "env": [
                        {"name": "REDIS_PORT", "value": "6379"},
                        {
                            "name": "POD_NAME",
                            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}
                        }
                    ],
                    "image": "redis:7.2",
                    "imagePullPolicy": "IfNotPresent",
                    "livenessProbe": {
                        "exec": {"command": ["redis-cli", "ping"]},
                        "failureThreshold": 3,
                        "initialDelaySeconds": 15,
                        "periodSeconds": 10,
                        "successThreshold": 1,
                        "timeoutSeconds": 5
                    },
                    "name": "redis",
                    "ports": [{"containerPort": 6379, "name": "redis", "protocol": "TCP"}],
                    "readinessProbe": {
                        "failureThreshold": 3,
                        "periodSeconds": 5,
                        "successThreshold": 1,
                        "tcpSocket": {"port": "redis"},
                        "timeoutSeconds": 1
                    },
                    "resources": {
                        "limits": {"cpu": "1", "memory": "1Gi"},
                        "requests": {"cpu": "250m", "memory": "512Mi"}
                    },
                    "securityContext": {"allowPrivilegeEscalation": false, "runAsUser": 999},
                    "startupProbe": {
                        "failureThreshold": 30,
                        "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                        "periodSeconds": 2,
                        "successThreshold": 1,
                        "timeoutSeconds": 1
                    },
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "volumeMounts": [
                        {"mountPath": "/data", "name": "data"},
                        {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                         "name": "kube-api-access-x7k2p", "readOnly": true}
                    ]
                },
                {
                    "image": "oliver006/redis_exporter:v1.62.0",
                    "name": "exporter",
                    "ports": [{"containerPort": 9121, "name": "metrics", "protocol": "TCP"}],
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}
                }
            ],
            "initContainers": [
                {
                    "command": ["sh", "-c", "chown -R 999:999 /data"],
                    "image": "busybox:1.36",
                    "name": "init-perms",
                    "resources": {"requests": {"cpu": "500m", "memory": "32Mi"}},
                    "volumeMounts": [{"mountPath": "/data", "name": "data"}]
                }
            ],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": true,
            "hostname": "redis-0",
            "nodeName": "worker-1",
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchExpressions": [{"key": "node-role.kubernetes.io/storage", "operator": "Exists"}]}
                        ]
                    },
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 50,
                            "preference": {
                                "matchExpressions": [
                                    {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eu-1a"]}
                                ]
                            }
                        }
                    ]
                },
                "podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "podAffinityTerm": {
                                "labelSelector": {"matchLabels": {"app": "redis"}},
                                "topologyKey": "kubernetes.io/hostname"
                            },
                            "weight": 100
                        }
                    ]
                }
            },
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {"fsGroup": 999},
            "serviceAccount": "default",
            "serviceAccountName": "default",
            "subdomain": "redis",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
                 "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
                 "tolerationSeconds": 300}
            ],
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "data-redis-0"}},
                {
                    "name": "kube-api-access-x7k2p",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1",
                                "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}
                        ]
                    }
                },
                {"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}},
                {"name": "exotic", "csi": {"driver": "example.csi.io", "volumeAttributes": {"a": "b"}}}
            ]
        },
        "status": {
            "conditions": [
                {"lastProbeTime": null, "lastTransitionTime": "2025-03-14T09:26:55Z", "status": "True",
                 "type": "PodReadyToStartContainers"},
                {"lastProbeTime": null, "lastTransitionTime": "2025-03-14T09:26:56Z", "status": "True",
                 "type": "Initialized"},
                {"lastProbeTime": null, "lastTransitionTime": "2025-03-14T09:27:12Z", "status": "True",
                 "type": "Ready"},
                {"lastProbeTime": null, "lastTransitionTime": "2025-03-14T09:27:12Z", "status": "True",
                 "type": "ContainersReady"},
                {"lastProbeTime": null, "lastTransitionTime": "2025-03-14T09:26:53Z", "status": "True",
                 "type": "PodScheduled"}
            ],
            "containerStatuses": [
                {
                    "containerID": "containerd://4c1f0e0b7d2a",
                    "image": "docker.io/library/redis:7.2",
                    "imageID": "docker.io/library/redis@sha256:0123abcd",
                    "lastState": {
                        "terminated": {
                            "containerID": "containerd://11aa22bb",
                            "exitCode": 137,
                            "finishedAt": "2025-03-14T09:27:01Z",
                            "reason": "OOMKilled",
                            "startedAt": "2025-03-14T09:26:57Z"
                        }
                    },
                    "name": "redis",
                    "ready": true,
                    "restartCount": 1,
                    "started": true,
                    "state": {"running": {"startedAt": "2025-03-14T09:27:02Z"}}
                },
                {
                    "image": "docker.io/oliver006/redis_exporter:v1.62.0",
                    "imageID": "",
                    "lastState": {},
                    "name": "exporter",
                    "ready": false,
                    "restartCount": 0,
                    "started": false,
                    "state": {"waiting": {"message": "Back-off pulling image", "reason": "ImagePullBackOff"}}
                }
            ],
            "hostIP": "10.0.0.11",
            "hostIPs": [{"ip": "10.0.0.11"}],
            "phase": "Running",
            "podIP": "10.244.1.17",
            "podIPs": [{"ip": "10.244.1.17"}, {"ip": "fd00:10:244:1::11"}],
            "qosClass": "Burstable",
            "startTime": "2025-03-14T09:26:53Z"
        }
    }
    """#

    static let node = #"""
    {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
            "creationTimestamp": "2025-01-02T08:00:00Z",
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": "worker-1",
                "kubernetes.io/os": "linux",
                "node-role.kubernetes.io/storage": "",
                "topology.kubernetes.io/zone": "eu-1a"
            },
            "name": "worker-1",
            "resourceVersion": "190001",
            "uid": "a7c1d9e2-3b4f-4e6a-8d0c-1f2e3d4c5b6a"
        },
        "spec": {
            "podCIDR": "10.244.1.0/24",
            "podCIDRs": ["10.244.1.0/24"],
            "providerID": "kind://docker/kind/worker-1",
            "taints": [
                {"effect": "NoSchedule", "key": "dedicated", "value": "storage"},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "timeAdded": "2025-03-14T10:00:00Z"}
            ],
            "unschedulable": true
        },
        "status": {
            "addresses": [
                {"address": "10.0.0.11", "type": "InternalIP"},
                {"address": "worker-1", "type": "Hostname"}
            ],
            "allocatable": {
                "cpu": "3800m",
                "ephemeral-storage": "95551679124",
                "hugepages-2Mi": "0",
                "memory": "15928852Ki",
                "pods": "110"
            },
            "capacity": {
                "cpu": "4",
                "ephemeral-storage": "103681300Ki",
                "hugepages-2Mi": "0",
                "memory": "16391700Ki",
                "pods": "110"
            },
            "conditions": [
                {
                    "lastHeartbeatTime": "2025-03-14T09:59:00Z",
                    "lastTransitionTime": "2025-01-02T08:00:00Z",
                    "message": "kubelet has sufficient memory available",
                    "reason": "KubeletHasSufficientMemory",
                    "status": "False",
                    "type": "MemoryPressure"
                },
                {
                    "lastHeartbeatTime": "2025-03-14T09:59:00Z",
                    "lastTransitionTime": "2025-01-02T08:00:30Z",
                    "message": "kubelet is posting ready status",
                    "reason": "KubeletReady",
                    "status": "True",
                    "type": "Ready"
                }
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": [
                {"names": ["docker.io/library/redis@sha256:0123abcd", "docker.io/library/redis:7.2"],
                 "sizeBytes": 40123456}
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": "6f0b2c1e-7d3a-4a8b-9c2d-0e1f2a3b4c5d",
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.8.0-52-generic",
                "kubeProxyVersion": "",
                "kubeletVersion": "v1.32.2",
                "machineID": "0d5e8f7a6b4c4d3e9f1a2b3c4d5e6f70",
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": "4c4c4544-0042-3510-8051-b4c04f4d3232"
            },
            "runtimeHandlers": [{"features": {"recursiveReadOnlyMounts": true}, "name": "runc"}]
        }
    }
    """#

    static let statefulSet = #"""
    {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "creationTimestamp": "2025-03-14T09:26:50Z",
            "generation": 3,
            "labels": {"app": "redis"},
            "name": "redis",
            "namespace": "default",
            "resourceVersion": "184500",
            "uid": "5d2c0b4e-8a1f-4f0e-9a43-0c6f1c7a9b10"
        },
        "spec": {
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Delete"},
            "podManagementPolicy": "OrderedReady",
            "replicas": 3,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "redis"}},
            "serviceName": "redis",
            "template": {
                "metadata": {"creationTimestamp": null, "labels": {"app": "redis"}},
                "spec": {
                    "containers": [
                        {
                            "image": "redis:7.2",
                            "name": "redis",
                            "ports": [{"containerPort": 6379, "name": "redis", "protocol": "TCP"}],
                            "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}},
                            "volumeMounts": [{"mountPath": "/data", "name": "data"}]
                        }
                    ],
                    "dnsPolicy": "ClusterFirst",
                    "restartPolicy": "Always",
                    "terminationGracePeriodSeconds": 30
                }
            },
            "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
            "volumeClaimTemplates": [
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {"creationTimestamp": null, "name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "10Gi"}},
                        "storageClassName": "standard",
                        "volumeMode": "Filesystem"
                    },
                    "status": {"phase": "Pending"}
                }
            ]
        },
        "status": {
            "availableReplicas": 2,
            "collisionCount": 0,
            "currentReplicas": 3,
            "currentRevision": "redis-6b8f9c7d5d",
            "observedGeneration": 3,
            "readyReplicas": 2,
            "replicas": 3,
            "updateRevision": "redis-6b8f9c7d5d",
            "updatedReplicas": 3
        }
    }
    """#

    static let job = #"""
    {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "creationTimestamp": "2025-03-14T11:00:00Z",
            "generation": 1,
            "labels": {"ms2m.io/migration": "redis-0"},
            "name": "checkpoint-redis-0",
            "namespace": "default",
            "resourceVersion": "200123",
            "uid": "9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4"
        },
        "spec": {
            "activeDeadlineSeconds": 600,
            "backoffLimit": 2,
            "completionMode": "NonIndexed",
            "completions": 1,
            "manualSelector": false,
            "parallelism": 1,
            "podReplacementPolicy": "TerminatingOrFailed",
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4"}},
            "suspend": false,
            "template": {
                "metadata": {
                    "labels": {
                        "batch.kubernetes.io/controller-uid": "9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4",
                        "batch.kubernetes.io/job-name": "checkpoint-redis-0"
                    }
                },
                "spec": {
                    "containers": [
                        {"command": ["/bin/checkpoint", "--pod", "redis-0"], "image": "ms2m/agent:0.3",
                         "name": "agent"}
                    ],
                    "restartPolicy": "Never"
                }
            },
            "ttlSecondsAfterFinished": 3600
        },
        "status": {
            "completionTime": "2025-03-14T11:00:42Z",
            "conditions": [
                {
                    "lastProbeTime": "2025-03-14T11:00:42Z",
                    "lastTransitionTime": "2025-03-14T11:00:42Z",
                    "message": "Reached expected number of succeeded pods",
                    "reason": "CompletionsReached",
                    "status": "True",
                    "type": "SuccessCriteriaMet"
                },
                {
                    "lastProbeTime": "2025-03-14T11:00:42Z",
                    "lastTransitionTime": "2025-03-14T11:00:42Z",
                    "message": "Reached expected number of succeeded pods",
                    "reason": "CompletionsReached",
                    "status": "True",
                    "type": "Complete"
                }
            ],
            "ready": 0,
            "startTime": "2025-03-14T11:00:00Z",
            "succeeded": 1,
            "terminating": 0,
            "uncountedTerminatedPods": {}
        }
    }
    """#

    static let conflict = #"""
    {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Operation cannot be fulfilled on pods \"redis-0\": the object has been modified; \#
    please apply your changes to the latest version and try again",
        "reason": "Conflict",
        "details": {
            "name": "redis-0",
            "kind": "pods"
        },
        "code": 409
    }
    """#

    static let invalid = #"""
    {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "StatefulSet.apps \"redis\" is invalid: spec.replicas: \#
    Invalid value: -1: must be greater than or equal to 0",
        "reason": "Invalid",
        "details": {
            "name": "redis",
            "group": "apps",
            "kind": "StatefulSet",
            "causes": [
                {
                    "reason": "FieldValueInvalid",
                    "message": "Invalid value: -1: must be greater than or equal to 0",
                    "field": "spec.replicas"
                }
            ]
        },
        "code": 422
    }
    """#

    static let crd = #"""
    {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "creationTimestamp": "2025-03-01T12:00:00Z",
            "generation": 1,
            "name": "migrations.ms2m.io",
            "resourceVersion": "1500",
            "uid": "c0ffee00-1111-2222-3333-444455556666"
        },
        "spec": {
            "conversion": {"strategy": "None"},
            "group": "ms2m.io",
            "names": {
                "categories": ["all"],
                "kind": "Migration",
                "listKind": "MigrationList",
                "plural": "migrations",
                "shortNames": ["mig"],
                "singular": "migration"
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "additionalPrinterColumns": [
                        {"jsonPath": ".status.phase", "name": "Phase", "type": "string"},
                        {"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date"},
                        {"jsonPath": ".spec.replicas", "name": "Replicas", "type": "integer", "priority": 1}
                    ],
                    "name": "v1alpha1",
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {
                                        "podName": {"type": "string"},
                                        "replicas": {"type": "integer", "minimum": 0}
                                    },
                                    "required": ["podName"]
                                },
                                "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                            }
                        }
                    },
                    "served": true,
                    "storage": true,
                    "subresources": {
                        "scale": {
                            "labelSelectorPath": ".status.selector",
                            "specReplicasPath": ".spec.replicas",
                            "statusReplicasPath": ".status.replicas"
                        },
                        "status": {}
                    }
                }
            ]
        },
        "status": {
            "acceptedNames": {
                "categories": ["all"],
                "kind": "Migration",
                "listKind": "MigrationList",
                "plural": "migrations",
                "shortNames": ["mig"],
                "singular": "migration"
            },
            "conditions": [
                {
                    "lastTransitionTime": "2025-03-01T12:00:00Z",
                    "message": "no conflicts found",
                    "reason": "NoConflicts",
                    "status": "True",
                    "type": "NamesAccepted"
                },
                {
                    "lastTransitionTime": "2025-03-01T12:00:01Z",
                    "message": "the initial names have been accepted",
                    "reason": "InitialNamesAccepted",
                    "status": "True",
                    "type": "Established"
                }
            ],
            "storedVersions": ["v1alpha1"]
        }
    }
    """#

    static let podList = #"""
    {
        "apiVersion": "v1",
        "kind": "PodList",
        "metadata": {"continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTg0NDY3fQ", "remainingItemCount": 7,
                     "resourceVersion": "184467"},
        "items": [
            {"metadata": {"name": "a", "namespace": "default"}, "spec": {"containers": [{"name": "c"}]}},
            {"metadata": {"name": "b", "namespace": "default"}, "spec": {"containers": [{"name": "c"}]},
             "status": {"phase": "Pending"}}
        ]
    }
    """#

    static let lease = #"""
    {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "ms2m-leader", "namespace": "ms2m-system", "resourceVersion": "77"},
        "spec": {
            "acquireTime": "2025-03-14T09:00:00.000000Z",
            "holderIdentity": "ms2m-controller-7d9f_3b2a",
            "leaseDurationSeconds": 15,
            "leaseTransitions": 4,
            "renewTime": "2025-03-14T09:30:10.123456Z"
        }
    }
    """#

    static let event = #"""
    {
        "action": "Checkpoint",
        "apiVersion": "events.k8s.io/v1",
        "eventTime": "2025-03-14T11:00:01.500000Z",
        "kind": "Event",
        "metadata": {"name": "redis-0.182c4a1b2c3d4e5f", "namespace": "default"},
        "note": "Checkpointed container redis in 1.2s",
        "reason": "Checkpointed",
        "regarding": {"apiVersion": "v1", "kind": "Pod", "name": "redis-0", "namespace": "default",
                      "uid": "0f6e2f5a-1c3b-4d59-8f7e-2b9c4a1d6e33", "fieldPath": "spec.containers{redis}"},
        "reportingController": "ms2m.io/migration-controller",
        "reportingInstance": "ms2m-controller-7d9f",
        "series": {"count": 2, "lastObservedTime": "2025-03-14T11:00:05.250000Z"},
        "type": "Normal"
    }
    """#

    static let coreEvent = #"""
    {
        "apiVersion": "v1",
        "count": 3,
        "eventTime": null,
        "firstTimestamp": "2025-03-14T09:26:57Z",
        "involvedObject": {"apiVersion": "v1", "fieldPath": "spec.containers{redis}", "kind": "Pod",
                           "name": "redis-0", "namespace": "default", "resourceVersion": "184400",
                           "uid": "0f6e2f5a-1c3b-4d59-8f7e-2b9c4a1d6e33"},
        "kind": "Event",
        "lastTimestamp": "2025-03-14T09:27:01Z",
        "message": "Back-off restarting failed container redis in pod redis-0_default",
        "metadata": {"name": "redis-0.182c4a1b00000000", "namespace": "default"},
        "reason": "BackOff",
        "reportingComponent": "kubelet",
        "reportingInstance": "worker-1",
        "source": {"component": "kubelet", "host": "worker-1"},
        "type": "Warning"
    }
    """#

    static let pdb = #"""
    {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "redis", "namespace": "default", "generation": 1},
        "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "redis"}}},
        "status": {
            "conditions": [
                {"lastTransitionTime": "2025-03-14T09:27:12Z", "message": "", "observedGeneration": 1,
                 "reason": "SufficientPods", "status": "True", "type": "DisruptionAllowed"}
            ],
            "currentHealthy": 3,
            "desiredHealthy": 2,
            "disruptionsAllowed": 1,
            "expectedPods": 3,
            "observedGeneration": 1
        }
    }
    """#
}

/// Decodes a JSON string with Foundation's decoder.
func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}

/// Encodes then decodes a value.
func roundTrip<T: Codable>(_ value: T) throws -> T {
    try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
}

/// Encodes a value to a JSON object tree, for checking which keys are written.
func encodeToObject<T: Encodable>(_ value: T) throws -> [String: Any] {
    let data = try JSONEncoder().encode(value)
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}
