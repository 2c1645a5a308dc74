import Unstructured

/// Validation of the other built-in kinds clients write (pkg/apis/core/validation events.go and
/// validation.go, pkg/apis/coordination/validation): events.k8s.io Events, Leases, Secrets, and the parts of
/// a Node an update may not change.
enum ResourceValidation {
    /// events.k8s.io/v1 limits (core/validation/events.go), in bytes.
    static let reportingInstanceLimit = 128
    static let actionLimit = 128
    static let reasonLimit = 128
    static let noteLimit = 1024

    /// The checks of a create.
    static func validateCreate(_ info: ResourceInfo, _ obj: JSONValue) -> [FieldProblem] {
        switch (info.group, info.kind) {
        case ("events.k8s.io", "Event"): return event(obj)
        default: return validate(info, obj)
        }
    }

    /// The checks of a create or an update of the main resource.
    static func validate(_ info: ResourceInfo, _ obj: JSONValue) -> [FieldProblem] {
        switch (info.group, info.kind) {
        case ("coordination.k8s.io", "Lease"): return lease(obj)
        case ("", "Secret"), ("", "ConfigMap"): return dataKeys(obj)
        case (AuthResources.rbacGroup, _): return RBACValidation.validate(info, obj)
        default: return []
        }
    }

    /// The immutability checks of an update.
    static func validateUpdate(_ info: ResourceInfo, _ new: JSONValue, old: JSONValue) -> [FieldProblem] {
        switch (info.group, info.kind) {
        case (AuthResources.rbacGroup, "RoleBinding"), (AuthResources.rbacGroup, "ClusterRoleBinding"):
            return RBACValidation.validateBindingUpdate(new, old: old)
        case ("", "Secret"):
            let type = new["type"]?.stringValue ?? "Opaque"
            if type != (old["type"]?.stringValue ?? "Opaque") {
                return [.invalid("type", value: .string(type), "field is immutable")]
            }
            return []
        case ("", "Node"):
            // ValidateNodeUpdate: pod CIDRs may only go from unset to set.
            let before = old[path: ["spec", "podCIDRs"]]?.arrayValue ?? []
            if !before.isEmpty, new[path: ["spec", "podCIDRs"]]?.arrayValue ?? [] != before {
                return [.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid")]
            }
            return []
        default:
            return []
        }
    }

    /// `ValidateEventCreate` for events.k8s.io/v1: the reporting fields, action and reason present and short,
    /// `eventTime` set, type Normal or Warning, a note of at most 1 KiB, a series counted from 2, and none of the
    /// legacy core/v1 fields.
    static func event(_ obj: JSONValue) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func text(_ key: String) -> String { obj[key]?.stringValue ?? "" }
        let controller = text("reportingController")
        if controller.isEmpty {
            problems.append(.required("reportingController"))
        } else if (try? LabelSelector.validateKey(controller)) == nil {
            problems.append(
                .invalid(
                    "reportingController", value: .string(controller), NameValidation.qualifiedNamePartMessage))
        }
        for (key, limit) in [("reportingInstance", reportingInstanceLimit), ("action", actionLimit), ("reason", reasonLimit)] {
            let value = text(key)
            if value.isEmpty { problems.append(.required(key)) }
            if value.utf8.count > limit { problems.append(.invalid(key, value: "", "can have at most \(limit) characters")) }
        }
        if text("note").utf8.count > noteLimit {
            problems.append(.invalid("note", value: "", "can have at most \(noteLimit) characters"))
        }
        if let series = obj["series"], !series.isNull {
            if (series["count"]?.intValue ?? 0) < 2 {
                problems.append(.invalid("series.count", value: "", "should be at least 2"))
            }
            if (series["lastObservedTime"]?.stringValue ?? "").isEmpty {
                problems.append(.required("series.lastObservedTime"))
            }
        }
        if text("eventTime").isEmpty { problems.append(.required("eventTime")) }
        let type = text("type")
        if type != "Normal" && type != "Warning" {
            problems.append(.invalid("type", value: "", "has invalid value: \(type)"))
        }
        for key in ["deprecatedFirstTimestamp", "deprecatedLastTimestamp"] where !text(key).isEmpty {
            problems.append(.invalid(key, value: "", "needs to be unset"))
        }
        if (obj["deprecatedCount"]?.intValue ?? 0) != 0 {
            problems.append(.invalid("deprecatedCount", value: "", "needs to be unset"))
        }
        if let source = obj["deprecatedSource"]?.objectValue, source.values.contains(where: { !($0.stringValue ?? "").isEmpty }) {
            problems.append(.invalid("deprecatedSource", value: "", "needs to be unset"))
        }
        return problems
    }

    /// `ValidateLeaseSpec`: a positive duration, non-negative transitions.
    static func lease(_ obj: JSONValue) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if let duration = obj[path: ["spec", "leaseDurationSeconds"]]?.intValue, duration <= 0 {
            problems.append(.invalid("spec.leaseDurationSeconds", value: .int(duration), "must be greater than 0"))
        }
        if let transitions = obj[path: ["spec", "leaseTransitions"]]?.intValue, transitions < 0 {
            problems.append(.invalid("spec.leaseTransitions", value: .int(transitions), "must be greater than or equal to 0"))
        }
        return problems
    }

    /// Keys of `data` (and `stringData`, `binaryData`) of Secrets and ConfigMaps: `IsConfigMapKey`.
    static func dataKeys(_ obj: JSONValue) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        for field in ["data", "stringData", "binaryData"] {
            for key in (obj[field]?.objectValue ?? [:]).keys where !isConfigKey(key) {
                problems.append(
                    .invalid(
                        "\(field)[\(key)]", value: .string(key),
                        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                            + "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"))
            }
        }
        return problems
    }

    static func isConfigKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 253 && key != "." && key != ".."
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
    }

    /// `ValidateDeleteOptions`: `orphanDependents` and `propagationPolicy` are exclusive, and the policy is one of
    /// the three known.
    static func deleteOptions(orphanDependents: Bool?, propagationPolicy: String?) -> APIError? {
        var problems: [FieldProblem] = []
        if orphanDependents != nil, let policy = propagationPolicy {
            problems.append(
                .invalid("propagationPolicy", value: .string(policy), "orphanDependents and deletionPropagation cannot be both set"))
        }
        if let policy = propagationPolicy, !["Orphan", "Background", "Foreground"].contains(policy) {
            problems.append(.notSupported("propagationPolicy", value: policy, supported: ["Foreground", "Background", "Orphan", "nil"]))
        }
        guard !problems.isEmpty else { return nil }
        return APIError.invalid(kind: "DeleteOptions", group: "meta.k8s.io", name: "", errors: problems)
    }
}
