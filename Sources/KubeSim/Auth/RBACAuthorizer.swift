import Unstructured

/// What an authorizer is asked: authorizer.Attributes of k8s.io/apiserver, as a SubjectAccessReview spec gives
/// them.
struct AuthorizationAttributes: Sendable {
    var user: String
    var groups: [String]
    /// A resource request: namespace, verb, group, resource, subresource, name.
    var resource: Resource?
    /// A non-resource request: path and verb.
    var nonResource: (path: String, verb: String)?

    struct Resource: Sendable {
        var namespace: String
        var verb: String
        var group: String
        var resource: String
        var subresource: String
        var name: String
    }

    var verb: String { resource?.verb ?? nonResource?.verb ?? "" }
}

/// An authorizer's decision (authorizer.Decision with its reason and error).
struct AuthorizationDecision: Sendable, Equatable {
    var allowed: Bool
    var reason: String
    var evaluationError: String
}

/// RBAC as kube-apiserver's authorizer chain evaluates it (plugin/pkg/auth/authorizer/rbac, and the
/// privileged-group authorizer in front of it), over the stored Roles, ClusterRoles and bindings.
///
/// - `system:masters` is allowed everything (reason empty, as `authorizerfactory.NewPrivilegedGroups`).
/// - ClusterRoleBindings apply in every namespace and to non-resource URLs; RoleBindings only to resource
///   requests in their own namespace, granting a Role of that namespace or a ClusterRole's rules there.
/// - Subjects: `User` by name, `Group` by membership, `ServiceAccount` as `system:serviceaccount:<ns>:<name>`
///   (a RoleBinding's subject without a namespace means the binding's).
/// - Rules: verbs (`*`), apiGroups (`*`), resources (`*`, `resource/subresource`, `*/subresource`),
///   resourceNames (a rule with names never matches a request without one), nonResourceURLs (`*`, exact, or a
///   prefix ending in `*`).
/// - Allowed: `RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to User "u"`. Otherwise no opinion:
///   `allowed: false`, reason empty, or `RBAC: <errors>` when a bound role does not exist.
///
/// https://kubernetes.io/docs/reference/access-authn-authz/rbac/
struct RBACAuthorizer {
    var clusterRoles: [String: JSONValue]
    /// "namespace/name" → Role.
    var roles: [String: JSONValue]
    var clusterRoleBindings: [JSONValue]
    var roleBindings: [JSONValue]

    static let privilegedGroup = "system:masters"

    func authorize(_ a: AuthorizationAttributes) -> AuthorizationDecision {
        if a.groups.contains(Self.privilegedGroup) {
            return AuthorizationDecision(allowed: true, reason: "", evaluationError: "")
        }
        var errors: [String] = []
        for binding in clusterRoleBindings.sorted(by: { $0.metaName < $1.metaName }) {
            guard let subject = appliesTo(a, binding["subjects"]?.arrayValue ?? [], namespace: "") else { continue }
            switch rules(binding["roleRef"] ?? [:], namespace: "") {
            case .failure(let e): errors.append(e.message)
            case .success(let rules):
                if rules.contains(where: { Self.ruleAllows(a, $0) }) {
                    return allowed(
                        "ClusterRoleBinding \(Self.quoted(binding.metaName))", binding, subject, namespace: "")
                }
            }
        }
        if let r = a.resource, !r.namespace.isEmpty {
            for binding in roleBindings.filter({ $0.metaNamespace == r.namespace }).sorted(by: { $0.metaName < $1.metaName }) {
                let ns = binding.metaNamespace
                guard let subject = appliesTo(a, binding["subjects"]?.arrayValue ?? [], namespace: ns) else { continue }
                switch rules(binding["roleRef"] ?? [:], namespace: ns) {
                case .failure(let e): errors.append(e.message)
                case .success(let rules):
                    if rules.contains(where: { Self.ruleAllows(a, $0) }) {
                        return allowed(
                            "RoleBinding \(Self.quoted(binding.metaName + "/" + ns))", binding, subject, namespace: ns)
                    }
                }
            }
        }
        let reason: String
        switch errors.count {
        case 0: reason = ""
        case 1: reason = "RBAC: \(errors[0])"
        default: reason = "RBAC: [\(errors.joined(separator: ", "))]"
        }
        return AuthorizationDecision(allowed: false, reason: reason, evaluationError: "")
    }

    private func allowed(_ source: String, _ binding: JSONValue, _ subject: JSONValue, namespace: String)
        -> AuthorizationDecision
    {
        let kind = binding[path: ["roleRef", "kind"]]?.stringValue ?? ""
        let role = binding[path: ["roleRef", "name"]]?.stringValue ?? ""
        return AuthorizationDecision(
            allowed: true,
            reason: "RBAC: allowed by \(source) of \(kind) \(Self.quoted(role)) to \(Self.describe(subject, namespace))",
            evaluationError: "")
    }

    /// `User "alice"`, `ServiceAccount "name/namespace"` (describeSubject).
    static func describe(_ subject: JSONValue, _ bindingNamespace: String) -> String {
        let kind = subject["kind"]?.stringValue ?? ""
        let name = subject["name"]?.stringValue ?? ""
        if kind == "ServiceAccount" {
            let ns = subject["namespace"]?.stringValue ?? ""
            return "\(kind) \(quoted(name + "/" + (ns.isEmpty ? bindingNamespace : ns)))"
        }
        return "\(kind) \(quoted(name))"
    }

    /// The first subject that names the user, one of its groups, or its ServiceAccount.
    private func appliesTo(_ a: AuthorizationAttributes, _ subjects: [JSONValue], namespace: String) -> JSONValue? {
        subjects.first { s in
            let name = s["name"]?.stringValue ?? ""
            switch s["kind"]?.stringValue {
            case "User": return a.user == name
            case "Group": return a.groups.contains(name)
            case "ServiceAccount":
                let explicit = s["namespace"]?.stringValue ?? ""
                let ns = explicit.isEmpty ? namespace : explicit
                return !ns.isEmpty && a.user == "system:serviceaccount:\(ns):\(name)"
            default: return false
            }
        }
    }

    private struct RoleError: Error { var message: String }

    /// The rules a roleRef grants (GetRoleReferenceRules).
    private func rules(_ ref: JSONValue, namespace: String) -> Result<[JSONValue], RoleError> {
        let name = ref["name"]?.stringValue ?? ""
        switch ref["kind"]?.stringValue ?? "" {
        case "Role":
            guard let role = roles["\(namespace)/\(name)"] else {
                return .failure(RoleError(message: "role.rbac.authorization.k8s.io \(Self.quoted(name)) not found"))
            }
            return .success(role["rules"]?.arrayValue ?? [])
        case "ClusterRole":
            guard let role = clusterRoles[name] else {
                return .failure(
                    RoleError(message: "clusterrole.rbac.authorization.k8s.io \(Self.quoted(name)) not found"))
            }
            return .success(role["rules"]?.arrayValue ?? [])
        case let kind:
            return .failure(RoleError(message: "unsupported role reference kind: \(Self.quoted(kind))"))
        }
    }

    /// RuleAllows of plugin/pkg/auth/authorizer/rbac.
    static func ruleAllows(_ a: AuthorizationAttributes, _ rule: JSONValue) -> Bool {
        let verbs = strings(rule["verbs"])
        guard verbs.contains("*") || verbs.contains(a.verb) else { return false }
        if let r = a.resource {
            let groups = strings(rule["apiGroups"])
            guard groups.contains("*") || groups.contains(r.group) else { return false }
            let combined = r.subresource.isEmpty ? r.resource : "\(r.resource)/\(r.subresource)"
            let resourceMatches = strings(rule["resources"]).contains { ruleResource in
                if ruleResource == "*" || ruleResource == combined { return true }
                return !r.subresource.isEmpty && ruleResource == "*/\(r.subresource)"
            }
            guard resourceMatches else { return false }
            let names = strings(rule["resourceNames"])
            return names.isEmpty || names.contains(r.name)
        }
        guard let path = a.nonResource?.path else { return false }
        return strings(rule["nonResourceURLs"]).contains { url in
            if url == "*" || url == path { return true }
            return url.hasSuffix("*") && path.hasPrefix(String(url.dropLast()))
        }
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    static func quoted(_ s: String) -> String { "\"\(s)\"" }
}

extension KubeSimCore {
    /// An RBAC authorizer over the stored roles and bindings, as they are now.
    func rbacAuthorizer() -> RBACAuthorizer {
        store.state.withLock { s in
            func all(_ info: ResourceInfo) -> [JSONValue] {
                (s.buckets[info.id]?.objects.values).map { $0.map(\.value) } ?? []
            }
            var clusterRoles: [String: JSONValue] = [:]
            for role in all(AuthResources.clusterRoles) { clusterRoles[role.metaName] = role }
            var roles: [String: JSONValue] = [:]
            for role in all(AuthResources.roles) { roles["\(role.metaNamespace)/\(role.metaName)"] = role }
            return RBACAuthorizer(
                clusterRoles: clusterRoles, roles: roles,
                clusterRoleBindings: all(AuthResources.clusterRoleBindings),
                roleBindings: all(AuthResources.roleBindings))
        }
    }
}
