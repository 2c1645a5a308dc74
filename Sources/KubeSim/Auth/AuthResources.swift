/// The authentication, authorization and RBAC resources KubeSim serves.
///
/// - rbac.authorization.k8s.io/v1 roles, clusterroles, rolebindings, clusterrolebindings: stored like any
///   built-in (CRUD, list, watch), validated as pkg/apis/rbac/validation does, and evaluated by `RBACAuthorizer`.
/// - authentication.k8s.io/v1 tokenreviews and selfsubjectreviews, authorization.k8s.io/v1 subjectaccessreviews,
///   localsubjectaccessreviews and selfsubjectaccessreviews: create-only, never stored; the answer is the
///   posted object with its `status` (`AuthReviews`).
/// - The `serviceaccounts/token` subresource (TokenRequest) is declared on `BuiltinResources.serviceAccounts`.
///
/// https://kubernetes.io/docs/reference/access-authn-authz/rbac/,
/// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/,
/// https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/subject-access-review-v1/
enum AuthResources {
    static let rbacGroup = "rbac.authorization.k8s.io"
    static let roles = ResourceInfo(group: rbacGroup, version: "v1", kind: "Role", plural: "roles", namespaced: true,
        nameRule: .pathSegment)
    static let clusterRoles = ResourceInfo(
        group: rbacGroup, version: "v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false, nameRule: .pathSegment)
    static let roleBindings = ResourceInfo(
        group: rbacGroup, version: "v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true, nameRule: .pathSegment)
    static let clusterRoleBindings = ResourceInfo(
        group: rbacGroup, version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false,
        nameRule: .pathSegment)

    static let tokenReviews = ResourceInfo(
        group: "authentication.k8s.io", version: "v1", kind: "TokenReview", plural: "tokenreviews", namespaced: false,
        verbs: ["create"])
    static let selfSubjectReviews = ResourceInfo(
        group: "authentication.k8s.io", version: "v1", kind: "SelfSubjectReview", plural: "selfsubjectreviews",
        namespaced: false, verbs: ["create"])
    static let subjectAccessReviews = ResourceInfo(
        group: "authorization.k8s.io", version: "v1", kind: "SubjectAccessReview", plural: "subjectaccessreviews",
        namespaced: false, verbs: ["create"])
    static let localSubjectAccessReviews = ResourceInfo(
        group: "authorization.k8s.io", version: "v1", kind: "LocalSubjectAccessReview",
        plural: "localsubjectaccessreviews", namespaced: true, verbs: ["create"])
    static let selfSubjectAccessReviews = ResourceInfo(
        group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview",
        plural: "selfsubjectaccessreviews", namespaced: false, verbs: ["create"])

    static let all: [ResourceInfo] = [
        roles, clusterRoles, roleBindings, clusterRoleBindings, tokenReviews, selfSubjectReviews,
        subjectAccessReviews, localSubjectAccessReviews, selfSubjectAccessReviews,
    ]

    /// The create-only review resources, answered by `AuthReviews` instead of the store.
    static let reviews: Set<ResourceID> = Set(
        [tokenReviews, selfSubjectReviews, subjectAccessReviews, localSubjectAccessReviews, selfSubjectAccessReviews]
            .map(\.id))

    static func isRBAC(_ info: ResourceInfo) -> Bool { info.group == rbacGroup && !info.isCustom }
}
