import Unstructured

/// The part of kube-apiserver's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) that
/// requests of ordinary users meet: `cluster-admin` bound to `system:masters`, and the discovery, basic-user and
/// public-info-viewer roles bound to `system:authenticated` (and `system:unauthenticated` for public info).
/// The controller and node roles, and the aggregated `admin`/`edit`/`view`, are not created.
///
/// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings
enum BootstrapPolicy {
    static let metadataLabels: JSONValue = ["kubernetes.io/bootstrapping": "rbac-defaults"]
    static let metadataAnnotations: JSONValue = ["rbac.authorization.kubernetes.io/autoupdate": "true"]

    static func clusterRole(_ name: String, _ rules: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": ["name": .string(name), "labels": metadataLabels, "annotations": metadataAnnotations],
            "rules": .array(rules),
        ]
    }

    static func binding(_ name: String, role: String, groups: [String]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": ["name": .string(name), "labels": metadataLabels, "annotations": metadataAnnotations],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role)],
            "subjects": .array(
                groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }),
        ]
    }

    static let clusterRoles: [JSONValue] = [
        clusterRole(
            "cluster-admin",
            [
                ["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]],
                ["nonResourceURLs": ["*"], "verbs": ["*"]],
            ]),
        clusterRole(
            "system:discovery",
            [
                [
                    "nonResourceURLs": [
                        "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
                        "/readyz", "/version", "/version/",
                    ], "verbs": ["get"],
                ]
            ]),
        clusterRole(
            "system:basic-user",
            [
                [
                    "apiGroups": ["authorization.k8s.io"],
                    "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], "verbs": ["create"],
                ],
                ["apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]],
            ]),
        clusterRole(
            "system:public-info-viewer",
            [["nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"], "verbs": ["get"]]]),
    ]

    static let clusterRoleBindings: [JSONValue] = [
        binding("cluster-admin", role: "cluster-admin", groups: ["system:masters"]),
        binding("system:discovery", role: "system:discovery", groups: ["system:authenticated"]),
        binding("system:basic-user", role: "system:basic-user", groups: ["system:authenticated"]),
        binding(
            "system:public-info-viewer", role: "system:public-info-viewer",
            groups: ["system:authenticated", "system:unauthenticated"]),
    ]
}

extension KubeSimCore {
    /// Creates the bootstrap ClusterRoles and ClusterRoleBindings, as kube-apiserver's RBAC post-start hook does.
    func seedBootstrapPolicy() {
        for role in BootstrapPolicy.clusterRoles {
            _ = try? createObject(AuthResources.clusterRoles, namespace: nil, body: role, options: WriteOptions(fromFixture: true))
        }
        for binding in BootstrapPolicy.clusterRoleBindings {
            _ = try? createObject(
                AuthResources.clusterRoleBindings, namespace: nil, body: binding, options: WriteOptions(fromFixture: true))
        }
    }
}
