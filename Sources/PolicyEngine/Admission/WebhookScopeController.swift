public import ControllerRuntime
import KubeModel
public import Logging
import MigrationAPI
public import OperatorCore
import Unstructured

/// Keeps the eviction webhook's `namespaceSelector` equal to ``WebhookScope``'s: re-computed whenever a
/// policy's spec or a namespace (added, removed, relabelled) changes, and every few minutes against drift (a
/// re-applied manifest puts back the installed selector, which selects more, never less).
///
/// Runs on the leading replica only, as a controller of the manager; it reads the policies and namespaces
/// from the shared caches and writes with one JSON patch that tests the webhook's name at its index first
/// (a reordered configuration fails the patch instead of changing the wrong webhook). A missing
/// configuration is not an error: the webhook is optional, and it is looked for again later.
public enum WebhookScopeController {
    /// The controller's name (metrics, logs).
    public static let name = "evictionwebhookscope"

    /// Builds the controller for webhook `webhook` of the ValidatingWebhookConfiguration `configuration`;
    /// `caches` are the policy controller's (shared informers).
    public static func make(
        api: any KubernetesAPI, caches: PolicyCaches, configuration: String, webhook: String, operatorNamespace: String,
        logger: Logger = Logger(label: "ms2m.webhook.scope"), resync: Duration = .seconds(300)
    ) -> Controller {
        let key = ReconcileRequest(name: configuration)
        let reconciler = WebhookScopeReconciler(
            api: api, caches: caches, configuration: configuration, webhook: webhook,
            operatorNamespace: operatorNamespace, logger: logger, resync: resync)
        // One key for everything: the primary's own events are mapped to it through the watch below.
        return ControllerBuilder(named: name, for: MigrationPolicy.self, filter: { _ in false })
            .watches(Namespace.self, filter: namespaceMembershipChanged) { _ in [key] }
            .watches(MigrationPolicy.self, filter: MigrationPolicyController.specChanged) { _ in [key] }
            .build(reconciler: reconciler)
    }

    /// Namespace events that can change the scope: additions, deletions, label changes.
    @Sendable static func namespaceMembershipChanged(_ event: InformerEvent<Namespace>) -> Bool {
        guard case .updated(let old, let new) = event else { return true }
        return old.metadata.labels != new.metadata.labels
    }
}

/// Reconciles the one webhook configuration (every request, whatever object woke it, means "look again").
struct WebhookScopeReconciler: Reconciler {
    let api: any KubernetesAPI
    let caches: PolicyCaches
    let configuration: String
    let webhook: String
    let operatorNamespace: String
    let logger: Logger
    let resync: Duration

    func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        await caches.waitForSync()
        let selector = WebhookScope.namespaceSelector(
            policies: caches.policies.cache.list(), namespaces: caches.namespaces.cache.list(),
            operatorNamespace: operatorNamespace)
        let stored: ValidatingWebhookConfiguration
        do {
            stored = try await api.get(ValidatingWebhookConfiguration.self, name: configuration, namespace: nil)
        } catch where KubernetesErrors.isNotFound(error) {
            return .requeue(after: resync)
        }
        var operations: [JSONValue] = []
        let encoded = try JSONValueEncoder().encode(selector)
        for (index, entry) in (stored.webhooks ?? []).enumerated() where entry.name == webhook && entry.namespaceSelector != selector {
            operations.append(["op": "test", "path": .string("/webhooks/\(index)/name"), "value": .string(entry.name)])
            operations.append(["op": "add", "path": .string("/webhooks/\(index)/namespaceSelector"), "value": encoded])
        }
        if !operations.isEmpty {
            _ = try await api.patch(
                ValidatingWebhookConfiguration.self, name: configuration, namespace: nil, patch: .json(operations),
                subresource: nil, options: WriteOptions())
            logger.info("Scoped the eviction webhook", metadata: [
                "configuration": "\(configuration)", "webhook": "\(webhook)",
                "namespaces": "\(selector.matchExpressions?.first.map { "\($0.operator.rawValue) \($0.values ?? [])" } ?? "")",
            ])
        }
        return .requeue(after: resync)
    }
}
