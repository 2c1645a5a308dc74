public import KubeModel
public import MigrationAPI
public import Placement

/// How long a migration takes, phase by phase, in seconds: what a forecast charges each move.
public struct PhaseDurations: Sendable, Hashable {
    /// Seconds per phase (Pending through Finalizing); phases absent take no time.
    public var seconds: [MigrationPhase: Double]
    /// Where the figures come from, for people ("median of 12 completed migrations", …).
    public var source: String

    /// Creates the durations.
    public init(seconds: [MigrationPhase: Double], source: String) {
        self.seconds = seconds
        self.source = source
    }

    /// Pending through Finalizing.
    public var total: Double { seconds.values.reduce(0, +) }
}

/// A what-if drain: the drain of some nodes of a cluster snapshot played forward in virtual time by the
/// operator's own planner, policy by policy, round by round — as the controller reconciles whenever a child
/// finishes — with every move charged the given phase durations and no failures. Pure: snapshot and
/// durations in, timeline out; nothing is contacted.
///
/// The drain starts as `kubectl drain` does: the nodes are cordoned, and every pod on them is evicted through
/// the Eviction API (and again every few seconds while it refuses). A policy that intercepts evictions
/// migrates the pods it covers; a pod no policy takes is evicted (its controller re-creates it elsewhere
/// without its state), and so is a pod whose policy does not intercept evictions (`triggers.eviction: false`):
/// the drain's eviction goes through before the migration could start. With ``Input/evicts`` false the nodes
/// are only cordoned, and policies that trigger on the cordon move their pods. Migrations already in flight
/// in the snapshot are charged the full durations from the start. DaemonSet pods stay (`--ignore-daemonsets`).
public enum DrainForecast {
    /// What to forecast.
    public struct Input: Sendable {
        /// The policies that act (the snapshot's and the file's).
        public var policies: [MigrationPolicy]
        /// Every node.
        public var nodes: [Node]
        /// Every pod.
        public var pods: [Pod]
        /// Namespace labels, by namespace.
        public var namespaceLabels: [String: [String: String]]
        /// The StatefulMigrations already in the cluster.
        public var migrations: [StatefulMigration]
        /// Where the pods' volumes can be reached.
        public var volumes: VolumeTopology
        /// The nodes drained.
        public var drained: [String]
        /// When the drain starts.
        public var start: Time
        /// What each migration costs.
        public var durations: PhaseDurations
        /// Whether the nodes are drained (cordoned, then every pod evicted, as `kubectl drain` does) rather
        /// than only cordoned (`kubectl cordon`).
        public var evicts: Bool
        /// Planning rounds at most (a guard; a drain of 10,000 pods one at a time takes about as many).
        public var maxRounds: Int
        /// Whether each round plans as the controller does — from node usage and placed pods kept up to date
        /// move by move, with only the pods planning reads — rather than from every pod (the same plans; the
        /// full path is for checking that).
        public var keepsUsage = true

        /// Creates an input.
        public init(
            policies: [MigrationPolicy], nodes: [Node], pods: [Pod], namespaceLabels: [String: [String: String]],
            migrations: [StatefulMigration], volumes: VolumeTopology, drained: [String], start: Time,
            durations: PhaseDurations, evicts: Bool = true, maxRounds: Int = 100_000
        ) {
            self.policies = policies
            self.nodes = nodes
            self.pods = pods
            self.namespaceLabels = namespaceLabels
            self.migrations = migrations
            self.volumes = volumes
            self.drained = drained
            self.start = start
            self.durations = durations
            self.evicts = evicts
            self.maxRounds = maxRounds
        }
    }

    /// Plays the drain forward; see ``DrainForecast``.
    public static func run(_ input: Input) -> DrainTimeline {
        var state = ForecastState(input)
        state.run()
        return state.timeline
    }
}

/// What a what-if drain would do, in the order it happens (seconds from the start).
public struct DrainTimeline: Sendable, Hashable {
    /// A migration started.
    public struct Move: Sendable, Hashable {
        /// When the child is created, and when it completes (start plus the phase durations).
        public var start: Double
        public var finish: Double
        /// The policy whose child it is.
        public var policy: String
        /// The pod moved.
        public var namespace: String
        public var pod: String
        /// Where it runs, and where it goes.
        public var source: String
        public var target: String
        /// Why it moves (drain, eviction, rebalance).
        public var reason: MoveReason
    }

    /// A pod evicted without a migration: by the drain (no policy took it) or by a policy's fallback.
    public struct Eviction: Sendable, Hashable {
        /// When, which pod, from which node.
        public var time: Double
        public var namespace: String
        public var pod: String
        public var node: String
        /// Who evicted it and why.
        public var why: String
    }

    /// A pod still on a drained node when nothing more can happen, and why.
    public struct Stranded: Sendable, Hashable {
        /// The pod and the drained node it is still on.
        public var namespace: String
        public var pod: String
        public var node: String
        /// The last reason the planner gave (unplaceable, waiting, skipped), or that no policy moves it.
        public var why: String
    }

    /// A planning round that started migrations: its time and its moves' indices in ``moves``.
    public struct Wave: Sendable, Hashable {
        public var time: Double
        public var moves: Range<Int>
    }

    /// The drained nodes.
    public var drained: [String] = []
    /// Every migration, in start order.
    public var moves: [Move] = []
    /// The rounds that started migrations.
    public var waves: [Wave] = []
    /// Pods evicted without a migration.
    public var evictions: [Eviction] = []
    /// Pods left on drained nodes at the end.
    public var stranded: [Stranded] = []
    /// When each drained node held nothing but DaemonSet pods (absent: never).
    public var emptied: [String: Double] = [:]
    /// Seconds until every drained node was empty; nil when some never was.
    public var drainSeconds: Double?
    /// The durations charged.
    public var durations: PhaseDurations
    /// Planning rounds run.
    public var rounds = 0
    /// Whether the forecast stopped at ``DrainForecast/Input/maxRounds`` before the drain ended.
    public var cutShort = false
}

/// The cluster as the forecast evolves it.
private struct ForecastState {
    struct InFlight {
        var finish: Double
        var migration: Int
        var podKey: String
        var target: String
    }

    let input: DrainForecast.Input
    var nodes: [FitNode]
    var pods: [Pod]
    var positionByKey: [String: Int] = [:]
    /// What the bound pods request per node, their placement for the inter-pod rules, and their keys per node:
    /// kept as pods move, as the controller's caches keep them (with ``DrainForecast/Input/keepsUsage``).
    var usage: [String: NodeUsage] = [:]
    var placed = PlacedPods()
    var keysByNode: [String: Set<String>] = [:]
    var nodesByName: [String: FitNode] = [:]
    var migrations: [StatefulMigration]
    var inFlight: [InFlight] = []
    var time = 0.0
    var timeline: DrainTimeline
    let drained: Set<String>
    /// The last reason each pod could not move (unplaceable, waiting), by `namespace/name`.
    var lastReason: [String: String] = [:]
    var moved = 0

    init(_ input: DrainForecast.Input) {
        self.input = input
        let drained = Set(input.drained)
        self.drained = drained
        nodes = input.nodes.map { node in
            var node = node
            guard drained.contains(node.metadata.name ?? "") else { return FitNode(node) }
            var spec = node.spec ?? NodeSpec()
            spec.unschedulable = true
            var taints = (spec.taints ?? []).filter { $0.key != "node.kubernetes.io/unschedulable" }
            taints.append(Taint(key: "node.kubernetes.io/unschedulable", effect: .noSchedule, timeAdded: input.start))
            spec.taints = taints
            node.spec = spec
            return FitNode(node)
        }
        pods = input.pods.filter { !$0.isTerminal && $0.metadata.deletionTimestamp == nil }
        for (position, pod) in pods.enumerated() { positionByKey[Self.key(pod)] = position }
        if input.keepsUsage {
            usage = NodeUsageSummary.usage(of: pods)
            placed = PlacedPods(pods: pods)
            for pod in pods { if let node = pod.spec?.nodeName, !node.isEmpty { keysByNode[node, default: []].insert(Self.key(pod)) } }
            for node in nodes { nodesByName[node.name] = node }
        }
        migrations = input.migrations
        timeline = DrainTimeline(durations: input.durations)
        timeline.drained = input.drained
        for (index, migration) in migrations.enumerated() where !(migration.status?.phase?.isFinal ?? false) {
            let namespace = migration.metadata.namespace ?? ""
            inFlight.append(InFlight(
                finish: input.durations.total, migration: index, podKey: Self.key(namespace, migration.spec.sourcePod),
                target: migration.status?.targetNode ?? migration.spec.targetNode ?? ""))
        }
    }

    static func key(_ pod: Pod) -> String { "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")" }
    static func key(_ namespace: String, _ name: String) -> String { "\(namespace)/\(name)" }

    var now: Time { Time(secondsSinceEpoch: input.start.secondsSinceEpoch + Int64(time.rounded(.down))) }

    /// The pods on drained nodes that the drain must move or evict (not DaemonSet pods).
    func leaving() -> [Int] {
        pods.indices.filter { position in
            guard let node = pods[position].spec?.nodeName, drained.contains(node) else { return false }
            return pods[position].metadata.controllerReference?.kind != "DaemonSet"
        }
    }

    mutating func run() {
        var first = true
        // Whether the last step jumped to a window opening: a window that opens and starts nothing ends the
        // forecast (every later opening would find the same).
        var jumpedToWindow = false
        while timeline.rounds < input.maxRounds {
            timeline.rounds += 1
            recordEvictionRequests()
            var started = 0
            var nextWindow: Time?
            var taken: Set<String> = []
            let waveStart = timeline.moves.count
            for policy in input.policies {
                var snapshot = PolicySnapshot(
                    policy: policy, nodes: nodes, pods: input.keepsUsage ? podsToPlan(for: policy) : pods,
                    namespaceLabels: input.namespaceLabels, migrations: migrations, now: now)
                if input.keepsUsage {
                    snapshot.nodeUsage = usage
                    snapshot.placedPods = placed
                    snapshot.nodesByName = nodesByName
                }
                snapshot.otherPolicies = input.policies.filter { $0.metadata.name != policy.metadata.name }
                snapshot.volumes = input.volumes
                let plan = MigrationPlanner.plan(snapshot)
                if first, input.evicts, !policy.spec.interceptsEvictions {
                    started += evictAll(plan, policy: policy)
                    continue
                }
                started += apply(plan, policy: policy)
                if let opening = plan.nextWindowOpening { nextWindow = min(nextWindow ?? opening, opening) }
                for entry in plan.moves { taken.insert(Self.key(entry.namespace, entry.pod)) }
                for entry in plan.waiting {
                    taken.insert(Self.key(entry.namespace, entry.pod))
                    lastReason[Self.key(entry.namespace, entry.pod)] = "waiting: \(entry.blockedBy)"
                }
                for entry in plan.unplaceable {
                    taken.insert(Self.key(entry.namespace, entry.pod))
                    lastReason[Self.key(entry.namespace, entry.pod)] = entry.message.isEmpty ? entry.reason : entry.message
                }
                for entry in plan.evictions { taken.insert(Self.key(entry.namespace, entry.pod)) }
                for entry in plan.skipped { lastReason[Self.key(entry.namespace, entry.pod)] = "skipped: \(entry.reason.reason)" }
            }
            if timeline.moves.count > waveStart {
                timeline.waves.append(DrainTimeline.Wave(time: time, moves: waveStart..<timeline.moves.count))
            }
            if first {
                // What no policy takes in the first round, `kubectl drain` evicts.
                if input.evicts { evictUntaken(taken) }
                first = false
            }
            noteEmptied()
            // One pass admits all that the budgets allow, so nothing changes until a migration finishes (the
            // controller reconciles on its child's change) or a schedule window opens.
            if let next = inFlight.map(\.finish).min() {
                time = max(time, next)
                finishDue()
                jumpedToWindow = false
            } else if let window = nextWindow, !leaving().isEmpty, window.secondsSinceEpoch > now.secondsSinceEpoch,
                !(jumpedToWindow && started == 0)
            {
                time = Double(window.secondsSinceEpoch - input.start.secondsSinceEpoch)
                jumpedToWindow = true
            } else if started == 0 {
                break
            } else {
                jumpedToWindow = false
            }
        }
        timeline.cutShort = timeline.rounds >= input.maxRounds && (!inFlight.isEmpty || !leaving().isEmpty)
        for position in leaving() {
            let pod = pods[position]
            let key = Self.key(pod)
            timeline.stranded.append(DrainTimeline.Stranded(
                namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name ?? "", node: pod.spec?.nodeName ?? "",
                why: lastReason[key] ?? "no policy moves it"))
        }
        noteEmptied()
        if timeline.emptied.count == drained.count { timeline.drainSeconds = timeline.emptied.values.max() ?? 0 }
    }

    /// The pods `policy`'s plan reads when usage is kept (``PolicySnapshot/podsToPlan``).
    func podsToPlan(for policy: MigrationPolicy) -> [Pod] {
        PolicySnapshot.podsToPlan(
            policy, nodes: nodes, migrations: migrations,
            onNode: { node in (keysByNode[node] ?? []).compactMap { positionByKey[$0].map { pods[$0] } } },
            named: { namespace, name in positionByKey[Self.key(namespace, name)].map { pods[$0] } },
            allBound: { pods.filter { $0.spec?.nodeName?.isEmpty == false } },
            evicted: { leaving().map { pods[$0] }.filter { $0.metadata.annotations?[EvictionRequest.annotation] != nil } })
    }

    /// Keeps the usage, the placed pods and the per-node keys in step with `old` becoming `new` (nil: gone).
    mutating func changed(_ old: Pod?, to new: Pod?) {
        guard input.keepsUsage else { return }
        NodeUsageSummary.update(&usage, removed: old, added: new)
        if let old {
            placed.remove(old)
            if let node = old.spec?.nodeName { keysByNode[node]?.remove(Self.key(old)) }
        }
        if let new {
            placed.add(new)
            if let node = new.spec?.nodeName, !node.isEmpty { keysByNode[node, default: []].insert(Self.key(new)) }
        }
    }

    /// Eviction requests on the pods still on drained nodes, as `kubectl drain` retrying every 5 s leaves
    /// them (recorded by the eviction webhook of a policy that intercepts evictions).
    mutating func recordEvictionRequests() {
        guard input.evicts, input.policies.contains(where: { $0.spec.interceptsEvictions }) else { return }
        for position in leaving() {
            guard let uid = pods[position].metadata.uid else { continue }
            let request = EvictionRequest(podUID: uid, requestedAt: now)
            var annotations = pods[position].metadata.annotations ?? [:]
            annotations[EvictionRequest.annotation] = request.annotationValue
            pods[position].metadata.annotations = annotations
        }
    }

    /// Starts `plan`'s moves (children in flight until their durations pass) and carries out its evictions.
    mutating func apply(_ plan: MigrationPlan, policy: MigrationPolicy) -> Int {
        let policyName = policy.metadata.name ?? ""
        for move in plan.moves {
            var child = ChildMigrationFactory.child(for: move, policy: policy)
            var status = StatefulMigrationStatus()
            status.phase = .pending
            status.sourceNode = move.sourceNode
            status.targetNode = move.targetNode
            status.startTime = now
            child.status = status
            migrations.append(child)
            let finish = time + input.durations.total
            inFlight.append(InFlight(
                finish: finish, migration: migrations.count - 1, podKey: Self.key(move.namespace, move.pod),
                target: move.targetNode))
            timeline.moves.append(DrainTimeline.Move(
                start: time, finish: finish, policy: policyName, namespace: move.namespace, pod: move.pod,
                source: move.sourceNode, target: move.targetNode, reason: move.reason))
        }
        for eviction in plan.evictions {
            remove(Self.key(eviction.namespace, eviction.pod))
            timeline.evictions.append(DrainTimeline.Eviction(
                time: time, namespace: eviction.namespace, pod: eviction.pod, node: eviction.sourceNode,
                why: "policy \(policyName) fallback (\(eviction.reason.rawValue)): \(eviction.message)"))
        }
        return plan.moves.count + plan.evictions.count
    }

    /// Evicts every pod `plan` would move or wait with: its policy does not intercept evictions, so the drain's
    /// evictions go through first.
    mutating func evictAll(_ plan: MigrationPlan, policy: MigrationPolicy) -> Int {
        let why = "kubectl drain: policy \(policy.metadata.name ?? "") does not intercept evictions (spec.triggers.eviction is false), so the eviction goes through before a migration starts; cordon the node instead to let the policy move it"
        var entries = plan.moves.map { ($0.namespace, $0.pod, $0.sourceNode) }
        entries += plan.waiting.map { ($0.namespace, $0.pod, $0.sourceNode) }
        entries += plan.unplaceable.map { ($0.namespace, $0.pod, $0.sourceNode) }
        entries += plan.evictions.map { ($0.namespace, $0.pod, $0.sourceNode) }
        // Only the drained nodes' pods are evicted (a rebalance move elsewhere is planned again next round).
        for (namespace, pod, node) in entries where drained.contains(node) {
            remove(Self.key(namespace, pod))
            timeline.evictions.append(DrainTimeline.Eviction(time: time, namespace: namespace, pod: pod, node: node, why: why))
        }
        return entries.filter { drained.contains($0.2) }.count
    }

    /// Evicts the pods on drained nodes no policy planned in the first round.
    mutating func evictUntaken(_ taken: Set<String>) {
        var evicted: [DrainTimeline.Eviction] = []
        for position in leaving() {
            let pod = pods[position]
            let key = Self.key(pod)
            guard !taken.contains(key) else { continue }
            evicted.append(DrainTimeline.Eviction(
                time: time, namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name ?? "",
                node: pod.spec?.nodeName ?? "",
                why: "kubectl drain: \(lastReason[key] ?? "no policy covers it"); its controller starts it again without its state"))
        }
        evicted.sort { ($0.node, $0.namespace, $0.pod) < ($1.node, $1.namespace, $1.pod) }
        for eviction in evicted { remove(Self.key(eviction.namespace, eviction.pod)) }
        timeline.evictions += evicted
    }

    /// Completes the migrations due by now: each pod is on its target (a new pod: new UID), its child
    /// Completed.
    mutating func finishDue() {
        let due = inFlight.filter { $0.finish <= time }
        inFlight.removeAll { $0.finish <= time }
        let completionTime = now
        for entry in due {
            migrations[entry.migration].status?.phase = .completed
            migrations[entry.migration].status?.completionTime = completionTime
            guard !entry.target.isEmpty, let position = positionByKey[entry.podKey] else { continue }
            moved += 1
            let old = pods[position]
            pods[position].spec?.nodeName = entry.target
            pods[position].metadata.uid = "\(pods[position].metadata.uid ?? "pod")-moved-\(moved)"
            pods[position].metadata.annotations?[EvictionRequest.annotation] = nil
            changed(old, to: pods[position])
        }
        noteEmptied()
    }

    mutating func remove(_ key: String) {
        guard let position = positionByKey.removeValue(forKey: key) else { return }
        changed(pods[position], to: nil)
        pods.remove(at: position)
        for index in position..<pods.count { positionByKey[Self.key(pods[index])] = index }
    }

    /// Records the drained nodes that hold no leaving pod and no pod in flight off them.
    mutating func noteEmptied() {
        let leavingNodes = Set(leaving().compactMap { pods[$0].spec?.nodeName })
        for node in drained where timeline.emptied[node] == nil && !leavingNodes.contains(node) {
            timeline.emptied[node] = time
        }
    }
}
