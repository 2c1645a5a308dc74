import Unstructured

/// The parts of the built-in types' validation that clients most often run into: metadata label syntax and
/// immutable spec fields of pods, statefulsets, deployments, replicasets and jobs (pkg/apis/*/validation).
enum BuiltinValidation {
    static let podUpdateMessage =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
        + "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
        + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
    static let statefulSetUpdateMessage =
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
        + "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"

    /// Label keys and values (metav1validation.ValidateLabels).
    static func validateMetadata(_ obj: JSONValue) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        for (key, value) in obj[path: ["metadata", "labels"]]?.objectValue ?? [:] {
            if (try? LabelSelector.validateKey(key)) == nil {
                problems.append(
                    .invalid(
                        "metadata.labels", value: .string(key), NameValidation.qualifiedNamePartMessage))
            }
            guard let v = value.stringValue else {
                problems.append(.invalid("metadata.labels", value: value, "label values must be strings"))
                continue
            }
            if (try? LabelSelector.validateValue(v, key: key)) == nil {
                problems.append(
                    .invalid(
                        "metadata.labels", value: .string(v),
                        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
                            + "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                            + "'my_value',  or '12345', regex used for validation is "
                            + "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
            }
        }
        return problems
    }

    /// Immutable-field checks of an update of the main resource.
    static func validateUpdate(_ info: ResourceInfo, _ new: JSONValue, old: JSONValue) -> [FieldProblem] {
        guard !info.isCustom else { return [] }
        switch (info.group, info.kind) {
        case ("", "Pod"):
            var a = old["spec"] ?? [:]
            var b = new["spec"] ?? [:]
            for path in [["activeDeadlineSeconds"], ["tolerations"], ["terminationGracePeriodSeconds"],
                ["schedulingGates"]] {
                a[path: path] = nil
                b[path: path] = nil
            }
            for field in ["containers", "initContainers"] {
                for spec in [0, 1] {
                    var s = spec == 0 ? a : b
                    if var list = s[field]?.arrayValue {
                        for i in list.indices { list[i]["image"] = nil }
                        s[field] = .array(list)
                    }
                    if spec == 0 { a = s } else { b = s }
                }
            }
            return a == b ? [] : [.forbidden("spec", podUpdateMessage)]
        case ("apps", "StatefulSet"):
            var a = old["spec"] ?? [:]
            var b = new["spec"] ?? [:]
            for key in ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                "persistentVolumeClaimRetentionPolicy", "minReadySeconds"] {
                a[key] = nil
                b[key] = nil
            }
            return a == b ? [] : [.forbidden("spec", statefulSetUpdateMessage)]
        case ("apps", "Deployment"), ("apps", "ReplicaSet"):
            let a = old[path: ["spec", "selector"]]
            let b = new[path: ["spec", "selector"]]
            if a != b {
                return [.invalid("spec.selector", value: .string(b?.jsonString() ?? "null"), "field is immutable")]
            }
            return []
        case ("batch", "Job"):
            if old[path: ["spec", "selector"]] != new[path: ["spec", "selector"]] {
                return [.invalid("spec.selector", value: .string("..."), "field is immutable")]
            }
            if old[path: ["spec", "template"]] != new[path: ["spec", "template"]] {
                return [.invalid("spec.template", value: .string("..."), "field is immutable")]
            }
            return []
        default:
            return []
        }
    }
}
