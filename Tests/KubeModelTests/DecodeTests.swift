import Foundation
import Testing
import Unstructured

@testable import KubeModel

@Suite("Decoding API objects")
struct DecodeTests {
    @Test("a pod with probes, volumes and a projected service-account token")
    func pod() throws {
        let pod = try decode(Pod.self, Fixtures.pod)
        #expect(pod.apiVersion == "v1")
        #expect(pod.kind == "Pod")
        #expect(pod.metadata.name == "redis-0")
        #expect(pod.metadata.generateName == "redis-")
        #expect(pod.metadata.creationTimestamp == Time(rfc3339: "2025-03-14T09:26:53Z"))
        #expect(pod.metadata.labels?["statefulset.kubernetes.io/pod-name"] == "redis-0")
        #expect(pod.metadata.controllerReference?.kind == "StatefulSet")
        #expect(pod.metadata.controllerReference?.blockOwnerDeletion == true)
        #expect(pod.metadata.managedFields?.first?["manager"] == "kube-controller-manager")

        let spec = try #require(pod.spec)
        #expect(spec.containers.map(\.name) == ["redis", "exporter"])
        let redis = spec.containers[0]
        #expect(redis.command == ["redis-server"])
        #expect(redis.args == ["--appendonly", "yes"])
        #expect(redis.env?[0] == EnvVar(name: "REDIS_PORT", value: "6379"))
        #expect(redis.env?[1].valueFrom?[path: ["fieldRef", "fieldPath"]] == "metadata.name")
        #expect(redis.ports?.first == ContainerPort(name: "redis", containerPort: 6379, protocol: "TCP"))
        #expect(redis.resources?.requests?["memory"] == Quantity("512Mi"))
        #expect(redis.resources?.limits?["cpu"] == Quantity(1))
        #expect(redis.volumeMounts?.last?.readOnly == true)
        #expect(redis.livenessProbe?.exec?.command == ["redis-cli", "ping"])
        #expect(redis.livenessProbe?.initialDelaySeconds == 15)
        #expect(redis.readinessProbe?.tcpSocket?.port == .string("redis"))
        #expect(redis.startupProbe?.httpGet?.port == .int(8080))
        #expect(redis.startupProbe?.httpGet?.path == "/healthz")
        #expect(redis.startupProbe?.failureThreshold == 30)
        #expect(redis.securityContext?["runAsUser"] == 999)
        #expect(redis.imagePullPolicy == "IfNotPresent")
        #expect(spec.initContainers?.first?.name == "init-perms")

        let volumes = try #require(spec.volumes)
        #expect(volumes.map(\.name) == ["data", "kube-api-access-x7k2p", "scratch", "exotic"])
        #expect(volumes[0].claimName == "data-redis-0")
        #expect(volumes[0].sourceKind == "persistentVolumeClaim")
        #expect(volumes[1].projected?["sources"]?.arrayValue?.count == 3)
        #expect(volumes[1].projected?["defaultMode"] == 420)
        #expect(volumes[2].emptyDir?["sizeLimit"] == "1Gi")
        #expect(volumes[3].source["csi"]?["driver"] == "example.csi.io")

        #expect(spec.nodeName == "worker-1")
        #expect(spec.nodeSelector == ["kubernetes.io/os": "linux"])
        #expect(spec.serviceAccountName == "default")
        #expect(spec.hostname == "redis-0")
        #expect(spec.subdomain == "redis")
        #expect(spec.terminationGracePeriodSeconds == 30)
        #expect(spec.priority == 0)
        #expect(spec.schedulerName == "default-scheduler")
        #expect(spec.restartPolicy == "Always")
        #expect(spec.tolerations?.count == 2)
        #expect(spec.tolerations?.first?.tolerationSeconds == 300)
        #expect(spec.tolerations?.first?.operator == .exists)
        let preferred = try #require(spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
        #expect(preferred.first?.weight == 50)
        #expect(preferred.first?.preference.matchExpressions?.first?.values == ["eu-1a"])
        #expect(spec.affinity?.podAntiAffinity?["preferredDuringSchedulingIgnoredDuringExecution"] != nil)

        let status = try #require(pod.status)
        #expect(status.phase == .running)
        #expect(pod.isReady)
        #expect(!pod.isTerminal)
        #expect(status.condition(.podScheduled)?.lastTransitionTime == Time(rfc3339: "2025-03-14T09:26:53Z"))
        #expect(status.condition(.ready)?.lastProbeTime == nil)
        #expect(status.podIP == "10.244.1.17")
        #expect(status.podIPs?.map(\.ip) == ["10.244.1.17", "fd00:10:244:1::11"])
        #expect(status.hostIP == "10.0.0.11")
        #expect(status.qosClass == "Burstable")
        #expect(status.startTime?.rfc3339String == "2025-03-14T09:26:53Z")
        let redisStatus = try #require(status.containerStatus(named: "redis"))
        #expect(redisStatus.ready)
        #expect(redisStatus.restartCount == 1)
        #expect(redisStatus.started == true)
        #expect(redisStatus.containerID == "containerd://4c1f0e0b7d2a")
        #expect(redisStatus.state?.running?.startedAt == Time(rfc3339: "2025-03-14T09:27:02Z"))
        #expect(redisStatus.lastState?.terminated?.exitCode == 137)
        #expect(redisStatus.lastState?.terminated?.reason == "OOMKilled")
        let exporter = try #require(status.containerStatus(named: "exporter"))
        #expect(exporter.state?.waiting?.reason == "ImagePullBackOff")
        #expect(exporter.lastState == ContainerState())
    }

    @Test("pod requests: containers summed, init containers maxed, sidecars added")
    func totalRequests() throws {
        let pod = try decode(Pod.self, Fixtures.pod)
        // Containers: cpu 250m + 50m = 300m, memory 512Mi + 64Mi = 576Mi; init needs 500m cpu, 32Mi memory.
        #expect(pod.totalRequests == ["cpu": Quantity("500m"), "memory": Quantity("576Mi")])

        func container(_ name: String, cpu: String, memory: String, sidecar: Bool = false) -> Container {
            Container(
                name: name,
                resources: ResourceRequirements(requests: ["cpu": Quantity(stringLiteral: cpu),
                                                           "memory": Quantity(stringLiteral: memory)]),
                restartPolicy: sidecar ? "Always" : nil)
        }
        var spec = PodSpec(
            containers: [container("app", cpu: "1", memory: "1Gi")],
            initContainers: [
                container("init-1", cpu: "2", memory: "100Mi"),
                container("proxy", cpu: "100m", memory: "200Mi", sidecar: true),
                container("init-2", cpu: "1950m", memory: "100Mi"),
            ],
            overhead: ["cpu": "10m"])
        // Sidecar adds to the sum (1100m, 1224Mi); init-2 runs next to the sidecar (2050m) and beats init-1 (2).
        #expect(spec.totalRequests == ["cpu": Quantity("2060m"), "memory": Quantity("1224Mi")])
        spec.resources = ResourceRequirements(requests: ["memory": "4Gi"])
        #expect(spec.totalRequests["memory"] == Quantity("4Gi"))
        #expect(spec.allContainers.map(\.name) == ["init-1", "proxy", "init-2", "app"])
    }

    @Test("a node with taints and nodeInfo")
    func node() throws {
        let node = try decode(Node.self, Fixtures.node)
        #expect(node.metadata.name == "worker-1")
        #expect(node.metadata.namespace == nil)
        #expect(node.isReady)
        #expect(node.isUnschedulable)
        #expect(node.spec?.podCIDR == "10.244.1.0/24")
        #expect(node.spec?.providerID == "kind://docker/kind/worker-1")
        #expect(node.taints.count == 2)
        #expect(node.taints[0] == Taint(key: "dedicated", value: "storage", effect: .noSchedule))
        #expect(node.taints[1].timeAdded == Time(rfc3339: "2025-03-14T10:00:00Z"))
        let status = try #require(node.status)
        #expect(status.capacity?["cpu"] == Quantity(4))
        #expect(status.allocatable?["cpu"] == Quantity(milli: 3800))
        #expect(status.allocatable?["memory"] == Quantity(15_928_852 * 1024))
        #expect(status.capacity?["pods"]?.value == 110)
        #expect(status.conditions?.first { $0.type == .memoryPressure }?.status == .false)
        #expect(status.conditions?.last?.lastHeartbeatTime == Time(rfc3339: "2025-03-14T09:59:00Z"))
        #expect(node.address(ofType: "InternalIP") == "10.0.0.11")
        #expect(status.daemonEndpoints?.kubeletEndpoint?.port == 10250)
        #expect(status.nodeInfo?.kubeletVersion == "v1.32.2")
        #expect(status.nodeInfo?.containerRuntimeVersion == "containerd://1.7.24")
        #expect(status.nodeInfo?.kernelVersion == "6.8.0-52-generic")
        #expect(status.nodeInfo?.architecture == "amd64")
        #expect(status.nodeInfo?.operatingSystem == "linux")
        #expect(status.images?.first?.sizeBytes == 40_123_456)
        // The daemon port is written back under its capitalised key.
        let encoded = String(decoding: try JSONEncoder().encode(status.daemonEndpoints), as: UTF8.self)
        #expect(encoded == #"{"kubeletEndpoint":{"Port":10250}}"#)
    }

    @Test("a stateful set")
    func statefulSet() throws {
        let set = try decode(StatefulSet.self, Fixtures.statefulSet)
        #expect(StatefulSet.apiVersion == "apps/v1")
        let spec = try #require(set.spec)
        #expect(spec.replicas == 3)
        #expect(spec.serviceName == "redis")
        #expect(spec.selector.matchLabels == ["app": "redis"])
        #expect(spec.template.metadata?.labels == ["app": "redis"])
        #expect(spec.template.metadata?.creationTimestamp == nil)
        #expect(spec.template.spec?.containers.first?.image == "redis:7.2")
        #expect(spec.podManagementPolicy == "OrderedReady")
        #expect(spec.updateStrategy?.type == "RollingUpdate")
        #expect(spec.updateStrategy?.rollingUpdate?.partition == 0)
        #expect(spec.revisionHistoryLimit == 10)
        #expect(spec.persistentVolumeClaimRetentionPolicy?.whenScaled == "Delete")
        let claim = try #require(spec.volumeClaimTemplates?.first)
        #expect(claim.metadata.name == "data")
        #expect(claim.spec?.accessModes == ["ReadWriteOnce"])
        #expect(claim.spec?.resources?.requests?["storage"] == Quantity("10Gi"))
        #expect(claim.spec?.storageClassName == "standard")
        #expect(claim.status?.phase == "Pending")
        let status = try #require(set.status)
        #expect(status.replicas == 3)
        #expect(status.readyReplicas == 2)
        #expect(status.currentReplicas == 3)
        #expect(status.updatedReplicas == 3)
        #expect(status.availableReplicas == 2)
        #expect(status.currentRevision == "redis-6b8f9c7d5d")
        #expect(status.updateRevision == status.currentRevision)
        #expect(status.observedGeneration == set.metadata.generation)
        #expect(status.collisionCount == 0)
    }

    @Test("a finished job with conditions")
    func job() throws {
        let job = try decode(Job.self, Fixtures.job)
        let spec = try #require(job.spec)
        #expect(spec.parallelism == 1)
        #expect(spec.completions == 1)
        #expect(spec.backoffLimit == 2)
        #expect(spec.activeDeadlineSeconds == 600)
        #expect(spec.ttlSecondsAfterFinished == 3600)
        #expect(spec.manualSelector == false)
        #expect(spec.template.spec?.restartPolicy == "Never")
        #expect(spec.selector?.matchLabels?.count == 1)
        let status = try #require(job.status)
        #expect(status.succeeded == 1)
        #expect(status.active == nil)
        #expect(status.failed == nil)
        #expect(status.startTime == Time(rfc3339: "2025-03-14T11:00:00Z"))
        #expect(status.completionTime == Time(rfc3339: "2025-03-14T11:00:42Z"))
        #expect(status.conditions?.map(\.type) == ["SuccessCriteriaMet", .complete])
        #expect(status.conditions?.last?.reason == "CompletionsReached")
        #expect(job.isComplete)
        #expect(!job.isFailed)
        #expect(job.isFinished)
    }

    @Test("a 409 Conflict and a 422 Invalid status body")
    func status() throws {
        let conflict = try decode(Status.self, Fixtures.conflict)
        #expect(conflict.code == 409)
        #expect(conflict.reason == .conflict)
        #expect(conflict.status == "Failure")
        #expect(!conflict.isSuccess)
        #expect(conflict.details?.name == "redis-0")
        #expect(conflict.details?.kind == "pods")
        #expect(conflict.message?.hasPrefix("Operation cannot be fulfilled on pods \"redis-0\"") == true)
        #expect(conflict.message?.contains("modified; please apply") == true)
        let invalid = try decode(Status.self, Fixtures.invalid)
        #expect(invalid.code == 422)
        #expect(invalid.reason == .invalid)
        #expect(invalid.details?.group == "apps")
        #expect(invalid.details?.causes?.first == StatusCause(
            reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0",
            field: "spec.replicas"))
        let error: any Error = invalid
        #expect(error is Status)
    }

    @Test("a custom resource definition")
    func crd() throws {
        let crd = try decode(CustomResourceDefinition.self, Fixtures.crd)
        #expect(!CustomResourceDefinition.isNamespaced)
        #expect(CustomResourceDefinition.gvr.basePath == "/apis/apiextensions.k8s.io/v1")
        let spec = try #require(crd.spec)
        #expect(spec.group == "ms2m.io")
        #expect(spec.scope == .namespaced)
        #expect(spec.names.kind == "Migration")
        #expect(spec.names.plural == "migrations")
        #expect(spec.names.shortNames == ["mig"])
        #expect(spec.names.categories == ["all"])
        #expect(spec.conversion?["strategy"] == "None")
        let version = try #require(spec.versions.first)
        #expect(version.name == "v1alpha1")
        #expect(version.served && version.storage)
        #expect(version.schema?.openAPIV3Schema?[path: ["properties", "spec", "required"]] == ["podName"])
        #expect(version.subresources?.status == .object([:]))
        #expect(version.subresources?.scale?.labelSelectorPath == ".status.selector")
        #expect(version.subresources?.scale?.specReplicasPath == ".spec.replicas")
        #expect(version.additionalPrinterColumns?.map(\.name) == ["Phase", "Age", "Replicas"])
        #expect(version.additionalPrinterColumns?.last?.priority == 1)
        #expect(crd.status?.storedVersions == ["v1alpha1"])
        #expect(crd.status?.acceptedNames?["kind"] == "Migration")
        #expect(crd.isEstablished)
        // The empty status subresource is written back as {}.
        let encoded = try encodeToObject(try #require(version.subresources))
        #expect((encoded["status"] as? [String: Any])?.isEmpty == true)
    }

    @Test("a list fills in its items' apiVersion and kind")
    func list() throws {
        let list = try decode(ObjectList<Pod>.self, Fixtures.podList)
        #expect(list.kind == "PodList")
        #expect(list.metadata.continueToken == "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTg0NDY3fQ")
        #expect(list.metadata.remainingItemCount == 7)
        #expect(list.metadata.resourceVersion == "184467")
        #expect(list.items.map(\.metadata.name) == ["a", "b"])
        #expect(list.items.allSatisfy { $0.apiVersion == "v1" && $0.kind == "Pod" })
        #expect(list.items[1].status?.phase == .pending)
        let empty = try decode(ObjectList<Node>.self, #"{"apiVersion": "v1", "kind": "NodeList", "metadata": {}}"#)
        #expect(empty.items.isEmpty)
        let encoded = try encodeToObject(list)
        #expect((encoded["metadata"] as? [String: Any])?["continue"] as? String == list.metadata.continueToken)
    }

    @Test("a lease with micro times")
    func lease() throws {
        let lease = try decode(Lease.self, Fixtures.lease)
        let spec = try #require(lease.spec)
        #expect(spec.holderIdentity == "ms2m-controller-7d9f_3b2a")
        #expect(spec.leaseDurationSeconds == 15)
        #expect(spec.leaseTransitions == 4)
        #expect(spec.renewTime?.rfc3339String == "2025-03-14T09:30:10.123456Z")
        let renewed = try #require(spec.renewTime)
        #expect(!lease.isExpired(at: renewed.adding(seconds: 14.9)))
        #expect(lease.isExpired(at: renewed.adding(seconds: 15.1)))
        #expect(Lease().isExpired())
    }

    @Test("events in both API groups")
    func events() throws {
        let event = try decode(Event.self, Fixtures.event)
        #expect(Event.apiVersion == "events.k8s.io/v1")
        #expect(event.eventTime?.rfc3339String == "2025-03-14T11:00:01.500000Z")
        #expect(event.series?.count == 2)
        #expect(event.series?.lastObservedTime.microsecondsSinceEpoch == 1_741_950_005_250_000)
        #expect(event.regarding?.fieldPath == "spec.containers{redis}")
        #expect(event.reportingController == "ms2m.io/migration-controller")
        #expect(event.type == .normal)
        #expect(event.note == "Checkpointed container redis in 1.2s")

        let core = try decode(CoreEvent.self, Fixtures.coreEvent)
        #expect(CoreEvent.apiVersion == "v1")
        #expect(CoreEvent.kind == "Event")
        #expect(CoreEvent.plural == "events")
        #expect(core.eventTime == nil)
        #expect(core.involvedObject.name == "redis-0")
        #expect(core.involvedObject.resourceVersion == "184400")
        #expect(core.type == .warning)
        #expect(core.count == 3)
        #expect(core.source?.host == "worker-1")
        #expect(core.firstTimestamp! < core.lastTimestamp!)
    }

    @Test("a pod disruption budget")
    func pdb() throws {
        let pdb = try decode(PodDisruptionBudget.self, Fixtures.pdb)
        #expect(pdb.spec?.minAvailable == "50%")
        #expect(pdb.spec?.minAvailable?.scaledValue(total: 3, roundUp: true) == 2)
        #expect(pdb.spec?.maxUnavailable == nil)
        #expect(pdb.status?.disruptionsAllowed == 1)
        #expect(pdb.status?.expectedPods == 3)
        #expect(pdb.status?.conditions?.isTrue("DisruptionAllowed") == true)
    }

    @Test("unknown fields and enum values are tolerated")
    func tolerant() throws {
        let json = #"""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "futureField": 1},
         "spec": {"containers": [{"name": "c", "futureKnob": {"a": [1, 2]}}], "newThing": true},
         "status": {"phase": "Hibernating", "conditions": [{"type": "Checkpointed", "status": "True"}]}}
        """#
        let pod = try decode(Pod.self, json)
        #expect(pod.status?.phase == "Hibernating")
        #expect(pod.status?.conditions?.first?.type == "Checkpointed")
        #expect(!pod.isReady)
        // apiVersion, kind and metadata may be absent; the type's values fill in.
        let bare = try decode(ConfigMap.self, #"{"data": {"k": "v"}}"#)
        #expect(bare.apiVersion == "v1")
        #expect(bare.kind == "ConfigMap")
        #expect(bare.metadata == ObjectMeta())
        #expect(bare.data == ["k": "v"])
        // Members Kubernetes always writes (replicas, restartCount, …) default to zero when missing, as in Go.
        let status = try decode(StatefulSetStatus.self, "{}")
        #expect(status.replicas == 0)
        let container = try decode(ContainerStatus.self, #"{"name": "c"}"#)
        #expect(!container.ready && container.restartCount == 0)
        #expect(try decode(PodSpec.self, "{}").containers.isEmpty)
    }
}
