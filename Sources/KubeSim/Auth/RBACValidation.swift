import Unstructured

/// Defaulting and validation of RBAC objects (pkg/apis/rbac/v1 defaults.go, pkg/apis/rbac/validation).
enum RBACValidation {
    static let group = AuthResources.rbacGroup

    /// SetDefaults_Subject and the roleRef default: users and groups are in `rbac.authorization.k8s.io`, a
    /// binding's roleRef too.
    static func applyDefaults(_ obj: inout JSONValue) {
        guard obj["roleRef"] != nil || obj["subjects"] != nil else { return }
        if (obj[path: ["roleRef", "apiGroup"]]?.stringValue ?? "").isEmpty, obj["roleRef"]?.objectValue != nil {
            obj[path: ["roleRef", "apiGroup"]] = .string(group)
        }
        if var subjects = obj["subjects"]?.arrayValue {
            for i in subjects.indices where (subjects[i]["apiGroup"]?.stringValue ?? "").isEmpty {
                switch subjects[i]["kind"]?.stringValue {
                case "User", "Group": subjects[i]["apiGroup"] = .string(group)
                case "ServiceAccount": subjects[i]["apiGroup"] = ""
                default: break
                }
            }
            obj["subjects"] = .array(subjects)
        }
    }

    /// The checks of a create or update.
    static func validate(_ info: ResourceInfo, _ obj: JSONValue) -> [FieldProblem] {
        switch info.kind {
        case "Role", "ClusterRole":
            return (obj["rules"]?.arrayValue ?? []).enumerated().flatMap { i, rule in
                policyRule(rule, namespaced: info.kind == "Role", path: "rules[\(i)]")
            }
        case "RoleBinding": return binding(obj, kinds: ["Role", "ClusterRole"], namespaced: true)
        case "ClusterRoleBinding": return binding(obj, kinds: ["ClusterRole"], namespaced: false)
        default: return []
        }
    }

    /// ValidatePolicyRule.
    static func policyRule(_ rule: JSONValue, namespaced: Bool, path: String) -> [FieldProblem] {
        func list(_ key: String) -> [String] { rule[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var problems: [FieldProblem] = []
        if list("verbs").isEmpty { problems.append(.required("\(path).verbs", "verbs must contain at least one value")) }
        let urls = list("nonResourceURLs")
        if !urls.isEmpty {
            let value = JSONValue.string("[" + urls.joined(separator: " ") + "]")
            if namespaced {
                problems.append(
                    .invalid("\(path).nonResourceURLs", value: value, "namespaced rules cannot apply to non-resource URLs"))
            }
            if !list("apiGroups").isEmpty || !list("resources").isEmpty || !list("resourceNames").isEmpty {
                problems.append(
                    .invalid(
                        "\(path).nonResourceURLs", value: value,
                        "rules cannot apply to both regular resources and non-resource URLs"))
            }
            return problems
        }
        if list("apiGroups").isEmpty {
            problems.append(.required("\(path).apiGroups", "resource rules must supply at least one api group"))
        }
        if list("resources").isEmpty {
            problems.append(.required("\(path).resources", "resource rules must supply at least one resource"))
        }
        return problems
    }

    /// ValidateRoleBinding / ValidateClusterRoleBinding.
    static func binding(_ obj: JSONValue, kinds: [String], namespaced: Bool) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        let apiGroup = obj[path: ["roleRef", "apiGroup"]]?.stringValue ?? ""
        if apiGroup != group { problems.append(.notSupported("roleRef.apiGroup", value: apiGroup, supported: [group])) }
        let kind = obj[path: ["roleRef", "kind"]]?.stringValue ?? ""
        if !kinds.contains(kind) { problems.append(.notSupported("roleRef.kind", value: kind, supported: kinds)) }
        let name = obj[path: ["roleRef", "name"]]?.stringValue ?? ""
        if name.isEmpty {
            problems.append(.required("roleRef.name"))
        } else if let problem = NameValidation.check(name, rule: .pathSegment) {
            problems.append(.invalid("roleRef.name", value: .string(name), problem))
        }
        for (i, subject) in (obj["subjects"]?.arrayValue ?? []).enumerated() {
            let path = "subjects[\(i)]"
            let subjectName = subject["name"]?.stringValue ?? ""
            let subjectGroup = subject["apiGroup"]?.stringValue ?? ""
            if subjectName.isEmpty { problems.append(.required("\(path).name")) }
            switch subject["kind"]?.stringValue ?? "" {
            case "ServiceAccount":
                if !subjectName.isEmpty, let problem = NameValidation.check(subjectName, rule: .subdomain) {
                    problems.append(.invalid("\(path).name", value: .string(subjectName), problem))
                }
                if !subjectGroup.isEmpty {
                    problems.append(.notSupported("\(path).apiGroup", value: subjectGroup, supported: [""]))
                }
                if !namespaced && (subject["namespace"]?.stringValue ?? "").isEmpty {
                    problems.append(.required("\(path).namespace"))
                }
            case "User", "Group":
                if subjectGroup != group {
                    problems.append(.notSupported("\(path).apiGroup", value: subjectGroup, supported: [group]))
                }
            case let other:
                problems.append(
                    .notSupported("\(path).kind", value: other, supported: ["ServiceAccount", "User", "Group"]))
            }
        }
        return problems
    }

    /// ValidateRoleBindingUpdate: the roleRef cannot change.
    static func validateBindingUpdate(_ new: JSONValue, old: JSONValue) -> [FieldProblem] {
        let fields = ["apiGroup", "kind", "name"]
        let changed = fields.contains { new[path: ["roleRef", $0]]?.stringValue != old[path: ["roleRef", $0]]?.stringValue }
        guard changed else { return [] }
        let ref = new["roleRef"] ?? [:]
        let shown = "rbac.RoleRef{APIGroup:\"\(ref["apiGroup"]?.stringValue ?? "")\", Kind:\"\(ref["kind"]?.stringValue ?? "")\", Name:\"\(ref["name"]?.stringValue ?? "")\"}"
        return [FieldProblem(reason: "FieldValueInvalid", field: "roleRef", body: "Invalid value: \(shown): cannot change roleRef")]
    }
}
