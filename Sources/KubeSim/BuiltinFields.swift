import Unstructured

/// The fields of the built-in kinds KubeSim serves (k8s.io/api v1.31), for `fieldValidation`: which members of
/// a request body the API server's decoder knows. Objects listed here report unknown members; `open` parts
/// (volume sources, probes, affinity, statuses, …) accept anything — a typo there is not caught, one level up
/// it is.
indirect enum FieldSchema: Sendable {
    /// A JSON object with these members.
    case object([String: FieldSchema])
    /// A map from any key to values of the schema.
    case map(FieldSchema)
    /// A list of values of the schema.
    case array(FieldSchema)
    /// A scalar or a part whose members are not checked.
    case open

    /// The dotted paths (`spec.containers[0].imagePullPolcy`) of members `value` has that the schema does not
    /// know, in document order. Keys of strategic-merge-patch directives (`$patch`, `$setElementOrder/…`,
    /// `$retainKeys`, `$deleteFromPrimitiveList/…`) are not fields and are skipped.
    func unknownFields(in value: JSONValue, path: String = "") -> [String] {
        switch (self, value) {
        case (.object(let fields), .object(let members)):
            var unknown: [String] = []
            for (key, member) in members where !key.hasPrefix("$") {
                let at = path.isEmpty ? key : "\(path).\(key)"
                if let field = fields[key] {
                    unknown += field.unknownFields(in: member, path: at)
                } else {
                    unknown.append(at)
                }
            }
            return unknown
        case (.map(let values), .object(let members)):
            return members.flatMap { key, member in values.unknownFields(in: member, path: "\(path)[\(key)]") }
        case (.array(let items), .array(let elements)):
            return elements.enumerated().flatMap { index, element in items.unknownFields(in: element, path: "\(path)[\(index)]") }
        default:
            return []
        }
    }

    /// `value` without the members the schema does not know: what the API server's decoder keeps of a body.
    func pruned(_ value: JSONValue) -> JSONValue {
        switch (self, value) {
        case (.object(let fields), .object(let members)):
            var kept = JSONObject()
            for (key, member) in members {
                if let field = fields[key] { kept[key] = field.pruned(member) }
            }
            return .object(kept)
        case (.map(let values), .object(let members)):
            return .object(members.mapValues { values.pruned($0) })
        case (.array(let items), .array(let elements)):
            return .array(elements.map { items.pruned($0) })
        default:
            return value
        }
    }

    /// An object whose listed members are scalars or unchecked.
    static func fields(_ names: String..., plus more: [String: FieldSchema] = [:]) -> FieldSchema {
        var all = more
        for name in names where all[name] == nil { all[name] = .open }
        return .object(all)
    }
}

/// The schemas of the built-in kinds.
enum BuiltinFields {
    static let objectMeta = FieldSchema.fields(
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields")

    static let labelSelector = FieldSchema.fields(
        "matchLabels", plus: ["matchExpressions": .array(.fields("key", "operator", "values"))])

    static let container = FieldSchema.fields(
        "name", "image", "command", "args", "workingDir", "envFrom", "resizePolicy", "restartPolicy",
        "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
        "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
        plus: [
            "ports": .array(.fields("containerPort", "hostPort", "hostIP", "name", "protocol")),
            "env": .array(.fields("name", "value", "valueFrom")),
            "resources": .fields("limits", "requests", "claims"),
            "volumeMounts": .array(
                .fields("name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation", "subPathExpr")),
        ])

    static let volume = FieldSchema.fields(
        "name", "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs",
        "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker",
        "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk",
        "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image")

    static let podSpec = FieldSchema.fields(
        "restartPolicy", "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
        "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID",
        "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname", "subdomain",
        "affinity", "schedulerName", "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
        "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
        "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims", "resources",
        "ephemeralContainers",
        plus: [
            "containers": .array(container), "initContainers": .array(container), "volumes": .array(volume),
            "tolerations": .array(.fields("key", "operator", "value", "effect", "tolerationSeconds")),
        ])

    static let podTemplate = FieldSchema.fields(plus: ["metadata": objectMeta, "spec": podSpec])

    /// The members of `spec` of each kind (nil: `spec` is not checked).
    static func kindFields(_ group: String, _ kind: String) -> [String: FieldSchema]? {
        switch (group, kind) {
        case ("", "Pod"): return ["spec": podSpec, "status": .open]
        case ("", "Node"):
            return [
                "spec": .fields(
                    "podCIDR", "podCIDRs", "providerID", "unschedulable", "configSource", "externalID",
                    plus: ["taints": .array(.fields("key", "value", "effect", "timeAdded"))]),
                "status": .open,
            ]
        case ("", "Namespace"): return ["spec": .fields("finalizers"), "status": .open]
        case ("", "ConfigMap"): return ["data": .open, "binaryData": .open, "immutable": .open]
        case ("", "Secret"): return ["data": .open, "stringData": .open, "type": .open, "immutable": .open]
        case ("", "ServiceAccount"):
            return ["secrets": .open, "imagePullSecrets": .open, "automountServiceAccountToken": .open]
        case ("", "Service"):
            return [
                "spec": .fields(
                    "ports", "selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity",
                    "loadBalancerIP", "loadBalancerSourceRanges", "externalName", "externalTrafficPolicy",
                    "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinityConfig", "ipFamilies",
                    "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass", "internalTrafficPolicy",
                    "trafficDistribution"),
                "status": .open,
            ]
        case ("", "Event"):
            var fields: [String: FieldSchema] = [:]
            for name in [
                "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type",
                "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance",
            ] { fields[name] = .open }
            return fields
        case ("events.k8s.io", "Event"):
            var fields: [String: FieldSchema] = ["series": .fields("count", "lastObservedTime")]
            for name in [
                "eventTime", "reportingController", "reportingInstance", "action", "reason", "regarding", "related",
                "note", "type", "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp",
                "deprecatedCount",
            ] { fields[name] = .open }
            return fields
        case ("coordination.k8s.io", "Lease"):
            return [
                "spec": .fields(
                    "holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime", "leaseTransitions", "strategy",
                    "preferredHolder")
            ]
        case ("apps", "StatefulSet"):
            return [
                "spec": .fields(
                    "replicas", "volumeClaimTemplates", "serviceName", "podManagementPolicy", "updateStrategy",
                    "revisionHistoryLimit", "minReadySeconds", "persistentVolumeClaimRetentionPolicy", "ordinals",
                    plus: ["selector": labelSelector, "template": podTemplate]),
                "status": .open,
            ]
        case ("apps", "ReplicaSet"):
            return [
                "spec": .fields("replicas", "minReadySeconds", plus: ["selector": labelSelector, "template": podTemplate]),
                "status": .open,
            ]
        case ("apps", "Deployment"):
            return [
                "spec": .fields(
                    "replicas", "strategy", "minReadySeconds", "revisionHistoryLimit", "paused", "progressDeadlineSeconds",
                    plus: ["selector": labelSelector, "template": podTemplate]),
                "status": .open,
            ]
        case ("apps", "ControllerRevision"): return ["data": .open, "revision": .open]
        case ("batch", "Job"):
            return [
                "spec": .fields(
                    "parallelism", "completions", "activeDeadlineSeconds", "podFailurePolicy", "successPolicy",
                    "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "manualSelector",
                    "ttlSecondsAfterFinished", "completionMode", "suspend", "podReplacementPolicy", "managedBy",
                    plus: ["selector": labelSelector, "template": podTemplate]),
                "status": .open,
            ]
        case ("policy", "PodDisruptionBudget"):
            return [
                "spec": .fields("minAvailable", "maxUnavailable", "unhealthyPodEvictionPolicy", plus: ["selector": labelSelector]),
                "status": .open,
            ]
        case ("admissionregistration.k8s.io", _): return ["webhooks": .open]
        case ("", "PersistentVolumeClaim"), ("", "ResourceQuota"), ("apiextensions.k8s.io", "CustomResourceDefinition"):
            return ["spec": .open, "status": .open]
        default: return nil
        }
    }

    /// The schema of a whole object of a built-in kind; nil for kinds not described (nothing is reported).
    static func schema(_ info: ResourceInfo) -> FieldSchema? {
        guard !info.isCustom, let fields = kindFields(info.group, info.kind) else { return nil }
        var all = fields
        all["apiVersion"] = .open
        all["kind"] = .open
        all["metadata"] = objectMeta
        return .object(all)
    }
}
