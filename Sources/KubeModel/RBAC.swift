/// RBAC objects (rbac.authorization.k8s.io/v1).
///
/// https://kubernetes.io/docs/reference/access-authn-authz/rbac/

/// A namespaced set of permissions (rbac.authorization.k8s.io/v1 `Role`).
public struct Role: KubernetesObject, Hashable {
    public static let group = "rbac.authorization.k8s.io"
    public static let version = "v1"
    public static let kind = "Role"
    public static let plural = "roles"
    public static let isNamespaced = true

    /// The API version; `rbac.authorization.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `Role`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The permissions.
    public var rules: [PolicyRule]?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Role.apiVersion,
        kind: String? = Role.kind,
        metadata: ObjectMeta = ObjectMeta(),
        rules: [PolicyRule]? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.rules = rules
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, rules
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Role.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Role.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.rules = try c.decodeIfPresent([PolicyRule].self, forKey: .rules)
    }
}

/// A cluster-wide set of permissions (rbac.authorization.k8s.io/v1 `ClusterRole`); bound cluster-wide by a
/// ClusterRoleBinding or within one namespace by a RoleBinding.
public struct ClusterRole: KubernetesObject, Hashable {
    public static let group = "rbac.authorization.k8s.io"
    public static let version = "v1"
    public static let kind = "ClusterRole"
    public static let plural = "clusterroles"
    public static let isNamespaced = false

    /// The API version; `rbac.authorization.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `ClusterRole`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The permissions.
    public var rules: [PolicyRule]?
    /// Selects other ClusterRoles whose rules the controller manager copies into `rules`.
    public var aggregationRule: AggregationRule?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = ClusterRole.apiVersion,
        kind: String? = ClusterRole.kind,
        metadata: ObjectMeta = ObjectMeta(),
        rules: [PolicyRule]? = nil,
        aggregationRule: AggregationRule? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.rules = rules
        self.aggregationRule = aggregationRule
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, rules, aggregationRule
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ClusterRole.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ClusterRole.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.rules = try c.decodeIfPresent([PolicyRule].self, forKey: .rules)
        self.aggregationRule = try c.decodeIfPresent(AggregationRule.self, forKey: .aggregationRule)
    }
}

/// Grants a Role's or a ClusterRole's permissions to subjects within one namespace
/// (rbac.authorization.k8s.io/v1 `RoleBinding`).
public struct RoleBinding: KubernetesObject, Hashable {
    public static let group = "rbac.authorization.k8s.io"
    public static let version = "v1"
    public static let kind = "RoleBinding"
    public static let plural = "rolebindings"
    public static let isNamespaced = true

    /// The API version; `rbac.authorization.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `RoleBinding`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// Who is granted the role.
    public var subjects: [Subject]?
    /// The role granted; immutable.
    public var roleRef: RoleRef

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = RoleBinding.apiVersion,
        kind: String? = RoleBinding.kind,
        metadata: ObjectMeta = ObjectMeta(),
        subjects: [Subject]? = nil,
        roleRef: RoleRef
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, subjects, roleRef
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? RoleBinding.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? RoleBinding.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.subjects = try c.decodeIfPresent([Subject].self, forKey: .subjects)
        self.roleRef = try c.decodeIfPresent(RoleRef.self, forKey: .roleRef) ?? RoleRef()
    }
}

/// Grants a ClusterRole's permissions to subjects in every namespace (rbac.authorization.k8s.io/v1
/// `ClusterRoleBinding`).
public struct ClusterRoleBinding: KubernetesObject, Hashable {
    public static let group = "rbac.authorization.k8s.io"
    public static let version = "v1"
    public static let kind = "ClusterRoleBinding"
    public static let plural = "clusterrolebindings"
    public static let isNamespaced = false

    /// The API version; `rbac.authorization.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `ClusterRoleBinding`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// Who is granted the role.
    public var subjects: [Subject]?
    /// The ClusterRole granted; immutable.
    public var roleRef: RoleRef

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = ClusterRoleBinding.apiVersion,
        kind: String? = ClusterRoleBinding.kind,
        metadata: ObjectMeta = ObjectMeta(),
        subjects: [Subject]? = nil,
        roleRef: RoleRef
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, subjects, roleRef
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ClusterRoleBinding.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ClusterRoleBinding.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.subjects = try c.decodeIfPresent([Subject].self, forKey: .subjects)
        self.roleRef = try c.decodeIfPresent(RoleRef.self, forKey: .roleRef) ?? RoleRef()
    }
}

/// One permission of a role: verbs on resources of API groups (optionally only some names), or verbs on
/// non-resource URLs (ClusterRoles only).
public struct PolicyRule: Codable, Hashable, Sendable {
    /// Verbs, or `*` for all.
    public var verbs: [String]
    /// API groups (`""` is the core group), or `*`.
    public var apiGroups: [String]?
    /// Resources (`pods`, `pods/log`, `*/scale`), or `*`.
    public var resources: [String]?
    /// Object names the rule is limited to; empty means all.
    public var resourceNames: [String]?
    /// Non-resource URL paths; a trailing `*` matches any suffix.
    public var nonResourceURLs: [String]?

    /// Creates a rule.
    public init(
        verbs: [String], apiGroups: [String]? = nil, resources: [String]? = nil, resourceNames: [String]? = nil,
        nonResourceURLs: [String]? = nil
    ) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    private enum CodingKeys: String, CodingKey { case verbs, apiGroups, resources, resourceNames, nonResourceURLs }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        verbs = try c.decodeIfPresent([String].self, forKey: .verbs) ?? []
        apiGroups = try c.decodeIfPresent([String].self, forKey: .apiGroups)
        resources = try c.decodeIfPresent([String].self, forKey: .resources)
        resourceNames = try c.decodeIfPresent([String].self, forKey: .resourceNames)
        nonResourceURLs = try c.decodeIfPresent([String].self, forKey: .nonResourceURLs)
    }
}

/// Who a binding grants its role to (rbac.authorization.k8s.io/v1 `Subject`).
public struct Subject: Codable, Hashable, Sendable {
    /// `User`, `Group` or `ServiceAccount`.
    public var kind: String
    /// `rbac.authorization.k8s.io` for users and groups, empty for service accounts.
    public var apiGroup: String?
    /// The user's, group's or ServiceAccount's name.
    public var name: String
    /// The ServiceAccount's namespace (a RoleBinding defaults it to its own).
    public var namespace: String?

    /// Creates a subject.
    public init(kind: String, apiGroup: String? = nil, name: String, namespace: String? = nil) {
        self.kind = kind
        self.apiGroup = apiGroup
        self.name = name
        self.namespace = namespace
    }

    /// A ServiceAccount subject.
    public static func serviceAccount(_ name: String, namespace: String) -> Subject {
        Subject(kind: "ServiceAccount", apiGroup: "", name: name, namespace: namespace)
    }

    /// A user subject.
    public static func user(_ name: String) -> Subject {
        Subject(kind: "User", apiGroup: "rbac.authorization.k8s.io", name: name)
    }

    /// A group subject.
    public static func group(_ name: String) -> Subject {
        Subject(kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: name)
    }
}

/// The role a binding grants.
public struct RoleRef: Codable, Hashable, Sendable {
    /// `rbac.authorization.k8s.io`.
    public var apiGroup: String
    /// `Role` or `ClusterRole`.
    public var kind: String
    /// The role's name.
    public var name: String

    /// Creates a reference; `apiGroup` defaults to `rbac.authorization.k8s.io`.
    public init(apiGroup: String = "rbac.authorization.k8s.io", kind: String = "ClusterRole", name: String = "") {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }
}

/// Label selectors picking the ClusterRoles an aggregated ClusterRole collects rules from.
public struct AggregationRule: Codable, Hashable, Sendable {
    /// The selectors; a ClusterRole matching any of them contributes.
    public var clusterRoleSelectors: [LabelSelector]?

    /// Creates an aggregation rule.
    public init(clusterRoleSelectors: [LabelSelector]? = nil) { self.clusterRoleSelectors = clusterRoleSelectors }
}
