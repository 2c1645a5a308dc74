public import KubeModel
public import MigrationAPI

/// Which namespaces the eviction webhook must see: those where a policy that intercepts evictions covers pods.
///
/// The webhook's `failurePolicy` is `Fail`, so while no operator replica answers, evictions in the namespaces
/// its `namespaceSelector` selects fail. Narrowing the selector to the namespaces intercepting policies select
/// keeps every other drain independent of the operator. Pure: policies and namespaces in, selector out.
///
/// - A policy that selects every namespace (no `selection.namespaceSelector`) makes the selector "every
///   namespace but the excluded ones" (`NotIn`), so a namespace created while the operator is down is covered
///   at once.
/// - Otherwise the selector lists the matching namespaces by name (`kubernetes.io/metadata.name In […]`); none
///   gives a selector no namespace can match.
/// - Excluded always: the control plane's namespaces, the operator's own (its pods must stay evictable even
///   while it is down), and namespaces labelled ``optOutLabel``=`disabled`.
/// - Policies being deleted, in dry run, or with `triggers.eviction: false` do not count: the webhook lets
///   their pods' evictions through anyway.
public enum WebhookScope {
    /// A namespace label that keeps the webhook away from the namespace when set to `disabled`.
    public static let optOutLabel = "migration.ms2m.io/eviction-webhook"
    /// The label every namespace carries with its own name (set by the API server since Kubernetes 1.21).
    public static let namespaceNameLabel = "kubernetes.io/metadata.name"
    /// Namespaces never selected besides the operator's.
    public static let systemNamespaces = ["kube-node-lease", "kube-public", "kube-system"]
    /// A value no namespace name can have (DNS labels have no `_`): `In` on it selects nothing.
    static let noNamespace = "no_intercepting_policy"

    /// The namespace selector for `policies`, given every namespace with its labels and the operator's namespace.
    public static func namespaceSelector(
        policies: [MigrationPolicy], namespaces: [Namespace], operatorNamespace: String
    ) -> LabelSelector {
        let excluded = (systemNamespaces + [operatorNamespace]).sorted()
        let optOut = LabelSelectorRequirement(key: optOutLabel, operator: .notIn, values: ["disabled"])
        let intercepting = policies.filter {
            $0.metadata.deletionTimestamp == nil && $0.spec.dryRun != true && $0.spec.interceptsEvictions
        }
        if intercepting.contains(where: { $0.spec.selection?.namespaceSelector == nil }) {
            return LabelSelector(matchExpressions: [
                LabelSelectorRequirement(key: namespaceNameLabel, operator: .notIn, values: excluded), optOut,
            ])
        }
        let selectors = intercepting.compactMap { $0.spec.selection?.namespaceSelector }
        let names = namespaces.compactMap { namespace -> String? in
            guard let name = namespace.metadata.name, !excluded.contains(name) else { return nil }
            let labels = namespace.metadata.labels ?? [:]
            guard labels[optOutLabel] != "disabled", selectors.contains(where: { $0.matches(labels) }) else { return nil }
            return name
        }
        return LabelSelector(matchExpressions: [
            LabelSelectorRequirement(
                key: namespaceNameLabel, operator: .in, values: names.isEmpty ? [noNamespace] : names.sorted())
        ])
    }
}
