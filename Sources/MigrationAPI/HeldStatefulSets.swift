public import KubeModel
import Unstructured

/// The StatefulSets that migrations hold orphan-deleted: a Sequential migration deletes its pod's StatefulSet
/// (`propagationPolicy: Orphan`) before it restores the pod, and re-creates it at the end — or keeps it away for
/// as long as it fails retaining the pod's state. Meanwhile the set's other pods have no controller, yet they
/// are its pods: a drain must not take them for bare pods (moved the wrong way, or evicted for good because no
/// policy covers bare pods), and they count against `maxInFlightPerStatefulSet`.
///
/// Built from the migrations (their `status.statefulSetName` and `status.savedStatefulSet` selector); it gives
/// such a pod back the controller reference its StatefulSet will restore, so coverage, budgets and the
/// eviction webhook see it as what it is, and tells the engine which migration holds a pod's set.
public struct HeldStatefulSets: Sendable {
    /// One held StatefulSet.
    public struct Held: Sendable, Hashable {
        /// The set's namespace and name.
        public var namespace: String
        public var name: String
        /// Its selector, as recorded.
        public var selector: LabelSelector
        /// The migration holding it.
        public var migration: String
        /// Whether that migration failed keeping the state (it holds the set until the user decides).
        public var retainsState: Bool
    }
    let held: [Held]

    /// The sets `migrations` hold: those of migrations in flight or failed with their state retained.
    public init(migrations: [StatefulMigration]) {
        var held: [Held] = []
        for migration in migrations {
            guard let status = migration.status, let name = status.statefulSetName, let saved = status.savedStatefulSet
            else { continue }
            let inFlight = !(status.phase?.isFinal ?? true)
            let retains = status.conditions?.contains {
                $0.type == MigrationConditionType.stateRetained && $0.status == .true
            } ?? false
            guard inFlight || retains,
                let selector = try? JSONValueDecoder().decode(LabelSelector.self, from: saved[path: ["spec", "selector"]] ?? .null)
            else { continue }
            held.append(Held(
                namespace: migration.metadata.namespace ?? "", name: name, selector: selector,
                migration: migration.metadata.name ?? "", retainsState: retains && !inFlight))
        }
        self.held = held
    }

    /// Whether no migration holds a StatefulSet.
    public var isEmpty: Bool { held.isEmpty }

    /// The held StatefulSet `pod` belongs to: the one its controller reference names, or, when it has none, one
    /// of its namespace whose selector matches it. Migrations named in `except` are not considered.
    public func holder(of pod: Pod, except: Set<String> = []) -> Held? {
        let namespace = pod.metadata.namespace ?? ""
        let controller = pod.metadata.controllerReference
        return held.first { set in
            guard set.namespace == namespace, !except.contains(set.migration) else { return false }
            if let controller { return controller.kind == "StatefulSet" && controller.name == set.name }
            return set.selector.matches(pod.metadata.labels ?? [:])
        }
    }

    /// `pod`, or — when it has no controller and a held StatefulSet of its namespace selects it — `pod` with the
    /// controller reference that set will restore.
    public func owning(_ pod: Pod) -> Pod {
        guard !held.isEmpty, pod.metadata.controllerReference == nil, let set = holder(of: pod) else { return pod }
        var owned = pod
        owned.metadata.ownerReferences = (pod.metadata.ownerReferences ?? []) + [OwnerReference(
            apiVersion: "apps/v1", kind: "StatefulSet", name: set.name, uid: "", controller: true)]
        return owned
    }
}
