public import ControllerRuntime
public import KubeModel
public import MigrationAPI
public import Placement
import Synchronization

/// The informer caches the policy controller plans from: nodes, pods, namespaces, every `StatefulMigration`
/// (the policy's children and anyone else's) and every `MigrationPolicy` (for overlap), shared with the
/// other controllers of the manager through its `InformerFactory`.
///
/// Informers are keyed by type in the factory, so the first controller to ask decides an informer's options.
/// The planner needs pods with their scheduling fields (requests, node selector, affinity, tolerations,
/// owners, labels, annotations) and *every* migration: the pod informer is asked for with
/// `ObjectTransforms.schedulingPod` (which keeps them; the engine's default keeps even more) and the
/// migration informer without a label selector (the engine's, too, is unselected). A controller added later
/// that asked for `slimPod` would be handed these caches instead, never the other way round as long as the
/// policy controller is added first or the others ask for full objects.
public struct PolicyCaches: Sendable {
    /// Nodes.
    public let nodes: SharedInformer<Node>
    /// Pods, with their scheduling fields.
    public let pods: SharedInformer<Pod>
    /// Namespaces (their labels, for `selection.namespaceSelector`).
    public let namespaces: SharedInformer<Namespace>
    /// Every StatefulMigration.
    public let migrations: SharedInformer<StatefulMigration>
    /// Every MigrationPolicy.
    public let policies: SharedInformer<MigrationPolicy>
    /// PersistentVolumeClaims and PersistentVolumes (where the pods' volumes can be reached).
    public let claims: SharedInformer<PersistentVolumeClaim>
    public let volumes: SharedInformer<PersistentVolume>
    /// What the cached pods request on each node, kept in step with the pod cache.
    public let nodeUsage: CacheSummary<Pod, NodeUsageSummary.Value>
    /// Every cached node prepared for planning, kept in step with the node cache.
    public let fitNodes: CacheSummary<Node, FitNodeSummary.Value>
    /// The bound pods as the inter-pod rules read them, kept in step with the pod cache.
    public let placedPods: CacheSummary<Pod, PlacedPods>
    /// Children this controller created that the migration cache has not shown yet.
    let expectations = ChildExpectations()

    /// The options of the pod informer the planner needs.
    public static let podInformerOptions = InformerOptions<Pod>(
        transform: ObjectTransforms.schedulingPod, indexes: [.podsByNode, .podsWithEvictionRequest])

    /// Requests (or joins) the informers in `factory`. The pod cache gets the pods-by-node index (if whoever
    /// created the informer did not ask for it) and the node-usage summary, the node cache the prepared nodes.
    public init(factory: InformerFactory) {
        nodes = factory.informer(for: Node.self)
        fitNodes = FitNodeSummary.make()
        nodes.cache.addSummary(fitNodes)
        pods = factory.informer(for: Pod.self, options: Self.podInformerOptions)
        pods.cache.ensureIndex(.podsByNode)
        pods.cache.ensureIndex(.podsWithEvictionRequest)
        nodeUsage = NodeUsageSummary.make()
        pods.cache.addSummary(nodeUsage)
        placedPods = PlacedPodsSummary.make()
        pods.cache.addSummary(placedPods)
        namespaces = factory.informer(for: Namespace.self)
        migrations = factory.informer(for: StatefulMigration.self)
        policies = factory.informer(for: MigrationPolicy.self)
        claims = factory.informer(for: PersistentVolumeClaim.self)
        volumes = factory.informer(for: PersistentVolume.self)
    }

    /// Every informer, for the manager's sync.
    var all: [any InformerRunning] { [nodes, pods, namespaces, migrations, policies, claims, volumes] }

    /// Whether every cache has its initial list.
    public var hasSynced: Bool { all.allSatisfy(\.hasSynced) }

    /// Waits until every cache has its initial list (at once after that).
    public func waitForSync() async {
        for informer in all { await informer.waitForSync() }
    }

    /// The snapshot of the cluster for planning `policy` at `now`: the prepared cached nodes and each node's
    /// usage (from the summaries), the pods the planner reads — those bound to draining nodes and the source pods of migrations
    /// in flight, or every bound pod when the policy rebalances and nothing drains —, namespace labels (when
    /// the policy selects namespaces), every migration (with children just created that the cache has not
    /// shown yet), and the other policies.
    ///
    /// Its cost grows with the nodes (one reference each), the migrations and the pods of draining nodes, not
    /// with all the pods.
    public func snapshot(for policy: MigrationPolicy, now: Time) -> PolicySnapshot {
        let name = policy.metadata.name ?? ""
        // Namespace labels serve `selection.namespaceSelector` and inter-pod terms with a namespaceSelector.
        var namespaceLabels: [String: [String: String]] = [:]
        for namespace in namespaces.cache.list() {
            namespaceLabels[namespace.metadata.name ?? ""] = namespace.metadata.labels ?? [:]
        }
        let nodesByName = fitNodes.value
        let nodes = Array(nodesByName.values)
        let usage = nodeUsage.value
        let migrations = expectations.merged(into: self.migrations.cache, policy: name)
        let cache = self.pods.cache
        let pods = PolicySnapshot.podsToPlan(
            policy, nodes: nodes, migrations: migrations,
            onNode: { cache.list(index: .podsByNode, value: $0) },
            named: { cache.get(namespace: $0, name: $1) },
            allBound: { cache.list().filter { $0.spec?.nodeName?.isEmpty == false } },
            evicted: { cache.list(index: .podsWithEvictionRequest, value: CacheIndex<Pod>.evictionRequestedValue) })
        var snapshot = PolicySnapshot(
            policy: policy, nodes: nodes, pods: pods, namespaceLabels: namespaceLabels,
            migrations: migrations, now: now)
        snapshot.nodeUsage = usage
        snapshot.placedPods = placedPods.value
        snapshot.nodesByName = nodesByName
        let claimList = claims.cache.list()
        if !claimList.isEmpty { snapshot.volumes = VolumeTopology(claims: claimList, volumes: volumes.cache.list()) }
        snapshot.otherPolicies = policies.cache.list().filter {
            $0.metadata.name != name && $0.metadata.deletionTimestamp == nil
        }
        return snapshot
    }

}

extension CacheIndex where Object == Pod {
    /// The one value ``podsWithEvictionRequest`` files pods under.
    static let evictionRequestedValue = "requested"

    /// Pods carrying an `EvictionRequest` annotation (for any UID, current or not), all under
    /// ``evictionRequestedValue``: the few pods the eviction webhook asked to move, found without a pass over
    /// every pod.
    public static var podsWithEvictionRequest: CacheIndex {
        CacheIndex(name: "metadata.annotations.eviction-requested") { pod in
            pod.metadata.annotations?[EvictionRequest.annotation] == nil ? [] : [evictionRequestedValue]
        }
    }
}

/// Children the controller created whose creation the migration informer has not delivered yet
/// (KubeVirt's and ReplicaSet's "expectations"): merged into the snapshot so a reconcile that runs before
/// the watch event neither over-commits a budget nor re-plans the same pod elsewhere.
final class ChildExpectations: Sendable {
    private struct Expected: Sendable {
        var child: StatefulMigration
        var deadline: ContinuousClock.Instant
    }
    /// policy → `namespace/name` → the child as created.
    private let state = Mutex<[String: [ObjectKey: Expected]]>([:])
    /// How long an unseen child is assumed to exist (a child deleted at once by someone else is forgotten).
    private let lifetime: Duration

    init(lifetime: Duration = .seconds(30)) { self.lifetime = lifetime }

    /// Records that `child` of `policy` was created.
    func created(_ child: StatefulMigration, policy: String) {
        let key = ObjectKey(of: child)
        let deadline = ContinuousClock.now + lifetime
        state.withLock { $0[policy, default: [:]][key] = Expected(child: child, deadline: deadline) }
    }

    /// Forgets what `policy` expected (the policy is gone).
    func forget(policy: String) { _ = state.withLock { $0.removeValue(forKey: policy) } }

    /// The cached migrations plus the children of `policy` expected but not cached yet; expectations the
    /// cache has met (or that expired) are dropped.
    func merged(into cache: InformerCache<StatefulMigration>, policy: String) -> [StatefulMigration] {
        var migrations = cache.list()
        let now = ContinuousClock.now
        let pending = state.withLock { state -> [StatefulMigration] in
            guard var expected = state[policy] else { return [] }
            expected = expected.filter { key, entry in cache.get(key) == nil && entry.deadline > now }
            state[policy] = expected.isEmpty ? nil : expected
            return expected.values.map(\.child)
        }
        migrations += pending
        return migrations
    }
}
