/// Patch strategies and merge keys per field path, as the Go struct tags of the built-in kinds declare them
/// (`patchStrategy:"merge" patchMergeKey:"name"`). Fields without an entry use the defaults: objects merge,
/// lists replace.
public struct StrategicMergeSchema: Sendable {
    /// How one field is patched.
    struct Field: Sendable {
        /// `merge` lists merge (by `mergeKey`, or as a set of primitives when it is nil); `replace` lists and
        /// objects are replaced wholesale.
        enum Strategy: Sendable {
            case merge
            case replace
        }

        var strategy: Strategy
        var mergeKey: String?
        /// The schema of the field's object value, or of the elements of a list of objects.
        var schema: StrategicMergeSchema?
    }

    var fields: [String: Field]

    init(_ fields: [String: Field] = [:]) {
        self.fields = fields
    }

    func field(_ name: String) -> Field? {
        fields[name]
    }

    /// The schema for a built-in kind, or nil for a kind the server does not know (custom resources),
    /// which the real API server rejects with 415 Unsupported Media Type.
    public static func forKind(group: String, kind: String) -> StrategicMergeSchema? {
        if let known = BuiltinPatchSchemas.byKind[BuiltinPatchSchemas.Key(group: group, kind: kind)] {
            return known
        }
        if BuiltinPatchSchemas.builtinGroups.contains(group) {
            return BuiltinPatchSchemas.object()
        }
        return nil
    }
}

/// The strategic-merge metadata of the built-in kinds KubeSim serves.
enum BuiltinPatchSchemas {
    struct Key: Hashable {
        var group: String
        var kind: String
    }

    typealias Field = StrategicMergeSchema.Field

    static func merge(_ key: String?, _ schema: StrategicMergeSchema? = nil) -> Field {
        Field(strategy: .merge, mergeKey: key, schema: schema)
    }

    static func nested(_ schema: StrategicMergeSchema) -> Field {
        Field(strategy: .merge, mergeKey: nil, schema: schema)
    }

    static let atomic = Field(strategy: .replace, mergeKey: nil, schema: nil)

    static let objectMeta = StrategicMergeSchema([
        "finalizers": merge(nil),
        "ownerReferences": merge("uid"),
    ])

    /// A kind with only ObjectMeta rules, plus extra top-level fields.
    static func object(_ extra: [String: Field] = [:]) -> StrategicMergeSchema {
        var fields: [String: Field] = ["metadata": nested(objectMeta)]
        fields.merge(extra) { _, new in new }
        return StrategicMergeSchema(fields)
    }

    static let conditionsByType: [String: Field] = ["conditions": merge("type")]

    static let container = StrategicMergeSchema([
        "env": merge("name"),
        "envFrom": atomic,
        "ports": merge("containerPort"),
        "volumeMounts": merge("mountPath"),
        "volumeDevices": merge("devicePath"),
        "resizePolicy": atomic,
    ])

    static let podSpec = StrategicMergeSchema([
        "containers": merge("name", container),
        "initContainers": merge("name", container),
        "ephemeralContainers": merge("name", container),
        "volumes": merge("name"),
        "imagePullSecrets": merge("name"),
        "hostAliases": merge("ip"),
        "topologySpreadConstraints": merge("topologyKey"),
        "schedulingGates": merge("name"),
        "resourceClaims": merge("name"),
        "tolerations": atomic,
        "readinessGates": atomic,
    ])

    static let podStatus = StrategicMergeSchema([
        "conditions": merge("type"),
        "podIPs": merge("ip"),
        "hostIPs": merge("ip"),
        "containerStatuses": atomic,
        "initContainerStatuses": atomic,
        "ephemeralContainerStatuses": atomic,
    ])

    static let podTemplateSpec = StrategicMergeSchema([
        "metadata": nested(objectMeta),
        "spec": nested(podSpec),
    ])

    /// A workload whose `spec.template` is a pod template and whose status has typed conditions.
    static func workload(_ specExtra: [String: Field] = [:]) -> StrategicMergeSchema {
        var spec: [String: Field] = ["template": nested(podTemplateSpec)]
        spec.merge(specExtra) { _, new in new }
        return object([
            "spec": nested(StrategicMergeSchema(spec)),
            "status": nested(StrategicMergeSchema(conditionsByType)),
        ])
    }

    static let byKind: [Key: StrategicMergeSchema] = {
        let withConditions = object(["status": nested(StrategicMergeSchema(conditionsByType))])
        let job = workload()
        return [
            Key(group: "", kind: "Pod"): object([
                "spec": nested(podSpec),
                "status": nested(podStatus),
            ]),
            Key(group: "", kind: "PodTemplate"): object(["template": nested(podTemplateSpec)]),
            Key(group: "", kind: "ReplicationController"): workload(),
            Key(group: "", kind: "Node"): object([
                "spec": nested(StrategicMergeSchema(["taints": atomic, "podCIDRs": merge(nil)])),
                "status": nested(
                    StrategicMergeSchema([
                        "conditions": merge("type"),
                        "addresses": merge("type"),
                        "images": atomic,
                        "volumesAttached": atomic,
                        "volumesInUse": atomic,
                    ])
                ),
            ]),
            Key(group: "", kind: "Namespace"): object([
                "spec": nested(StrategicMergeSchema(["finalizers": atomic])),
                "status": nested(StrategicMergeSchema(conditionsByType)),
            ]),
            Key(group: "", kind: "Service"): object([
                "spec": nested(StrategicMergeSchema(["ports": merge("port")])),
                "status": nested(StrategicMergeSchema(conditionsByType)),
            ]),
            Key(group: "", kind: "PersistentVolumeClaim"): withConditions,
            Key(group: "", kind: "Secret"): object(),
            Key(group: "", kind: "ConfigMap"): object(),
            Key(group: "", kind: "Event"): object(),
            Key(group: "events.k8s.io", kind: "Event"): object(),
            Key(group: "coordination.k8s.io", kind: "Lease"): object(),
            Key(group: "policy", kind: "PodDisruptionBudget"): withConditions,
            Key(group: "apps", kind: "Deployment"): workload(["strategy": nested(StrategicMergeSchema())]),
            Key(group: "apps", kind: "StatefulSet"): workload(["volumeClaimTemplates": atomic]),
            Key(group: "apps", kind: "ReplicaSet"): workload(),
            Key(group: "apps", kind: "DaemonSet"): workload(),
            Key(group: "batch", kind: "Job"): job,
            Key(group: "batch", kind: "CronJob"): object([
                "spec": nested(
                    StrategicMergeSchema([
                        "jobTemplate": nested(
                            StrategicMergeSchema([
                                "metadata": nested(objectMeta),
                                "spec": job.fields["spec"]!,
                            ])
                        )
                    ])
                )
            ]),
        ]
    }()

    /// API groups served by a real kube-apiserver; any other group belongs to a custom resource.
    static let builtinGroups: Set<String> = [
        "", "apps", "batch", "policy", "autoscaling", "coordination.k8s.io", "events.k8s.io",
        "rbac.authorization.k8s.io", "networking.k8s.io", "storage.k8s.io", "apiextensions.k8s.io",
        "admissionregistration.k8s.io", "apiregistration.k8s.io", "certificates.k8s.io", "discovery.k8s.io",
        "node.k8s.io", "scheduling.k8s.io", "flowcontrol.apiserver.k8s.io", "authentication.k8s.io",
        "authorization.k8s.io", "resource.k8s.io", "storagemigration.k8s.io", "internal.apiserver.k8s.io",
    ]
}
