import Foundation
import KubeModel
import OperatorCore

/// Empties a node the way `kubectl drain` does (k8s.io/kubectl/pkg/drain): cordon it, pick the pods to
/// evict, evict each through the Eviction API in parallel — a 429 TooManyRequests (a PodDisruptionBudget,
/// or ms2m's webhook while the pod live-migrates) is retried every ``Options/retryInterval`` —, then wait for
/// each evicted pod to be gone (deleted, or replaced by a pod of the same name with another UID). Like
/// kubectl, evictions carry no UID precondition and only 429 is retried: a 404 means the pod is gone, any
/// other error stops that pod's drain.
///
/// Pod selection follows kubectl's defaults with `--ignore-daemonsets --delete-emptydir-data`: DaemonSet
/// pods and mirror (static) pods are left in place, finished pods are evicted like the others, and pods
/// without a controller are refused unless ``Options/force`` (kubectl's `--force`), since nothing would
/// re-create them.
struct NodeDrainer: Sendable {
    /// kubectl's drain flags that matter here.
    struct Options: Sendable {
        /// `--timeout`: the longest the whole drain may take; nil waits forever.
        var timeout: Duration?
        /// `--pod-selector`: only pods whose labels match (a label selector string).
        var podSelector: String?
        /// `--dry-run=server`: evictions are sent with `dryRun: [All]`; nothing is cordoned or removed.
        var dryRun = false
        /// `--force`: also evict pods no controller manages.
        var force = false
        /// How long to wait after a refused eviction (kubectl: 5 s).
        var retryInterval: Duration = .seconds(5)
        /// How often to look whether an evicted pod is gone (kubectl: 1 s).
        var pollInterval: Duration = .seconds(1)
    }

    /// What happened to one pod.
    struct PodOutcome: Sendable, Hashable {
        /// `namespace/name`.
        var pod: String
        /// Whether the Eviction API evicted it (false: it disappeared while its evictions were refused —
        /// with ms2m, it was live-migrated —, or the drain ended first).
        var evicted: Bool
        /// Refused evictions (429) before it went.
        var refusals: Int
        /// Whether it is gone.
        var gone: Bool
        /// The last refusal's message, or the error that stopped the drain of this pod.
        var lastMessage: String?
    }

    /// The result of a drain.
    struct Result: Sendable {
        /// Whether every selected pod is gone (in dry run: every eviction was accepted).
        var completed: Bool
        /// How long it took.
        var seconds: Double
        /// Each selected pod's outcome, by `namespace/name`.
        var pods: [PodOutcome]
        /// Pods left on the node and why (DaemonSet, mirror, unmanaged without --force).
        var ignored: [(pod: String, reason: String)]
        /// What stopped the drain, when it did not complete.
        var error: String?

        /// Every refused eviction.
        var evictionsRefused: Int { pods.reduce(0) { $0 + $1.refusals } }
        /// The pods the Eviction API evicted.
        var evicted: [String] { pods.filter(\.evicted).map(\.pod).sorted() }
    }

    /// A line of progress (what kubectl prints).
    typealias Report = @Sendable (String) -> Void

    let api: any KubernetesAPI
    let options: Options
    let report: Report

    init(api: any KubernetesAPI, options: Options, report: @escaping Report = { _ in }) {
        self.api = api
        self.options = options
        self.report = report
    }

    /// Cordons `node` and evicts its pods.
    func drain(node: String) async throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        if !options.dryRun {
            _ = try await api.patch(
                Node.self, name: node, namespace: nil, patch: .merge(["spec": ["unschedulable": true]]),
                subresource: nil, options: WriteOptions())
            report("node/\(node) cordoned")
        }
        let listed = try await api.list(
            Pod.self, namespace: nil,
            options: ListOptions(labelSelector: options.podSelector, fieldSelector: "spec.nodeName=\(node)"))
        let (selected, ignored) = Self.select(listed.items, force: options.force)
        for (pod, reason) in ignored { report("Warning: ignoring \(pod): \(reason)") }
        let deadline = options.timeout.map { clock.now + $0 }
        let outcomes = await withTaskGroup(of: PodOutcome.self) { group in
            for pod in selected {
                group.addTask { await self.evict(pod, deadline: deadline) }
            }
            var outcomes: [PodOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.pod < $1.pod }
        }
        let seconds = (clock.now - start).seconds
        let unfinished = outcomes.filter { !$0.gone }
        var error: String?
        if !unfinished.isEmpty {
            error = "\(unfinished.count) pod(s) not evicted: "
                + unfinished.map { "\($0.pod)\($0.lastMessage.map { " (\($0))" } ?? "")" }.joined(separator: "; ")
        }
        if error == nil { report(options.dryRun ? "node/\(node) drained (server dry run)" : "node/\(node) drained") }
        return Result(
            completed: unfinished.isEmpty, seconds: seconds, pods: outcomes, ignored: ignored, error: error)
    }

    /// The pods to evict and those left alone, with kubectl's reasons.
    static func select(_ pods: [Pod], force: Bool) -> (selected: [Pod], ignored: [(pod: String, reason: String)]) {
        var selected: [Pod] = []
        var ignored: [(String, String)] = []
        for pod in pods {
            let key = "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")"
            if pod.metadata.annotations?["kubernetes.io/config.mirror"] != nil {
                ignored.append((key, "mirror pod (static; the kubelet owns it)"))
            } else if pod.metadata.controllerReference?.kind == "DaemonSet" {
                ignored.append((key, "DaemonSet-managed pod"))
            } else if pod.metadata.controllerReference == nil, !force,
                pod.status?.phase != .succeeded, pod.status?.phase != .failed
            {
                ignored.append((key, "not managed by a controller (use --force to evict it anyway)"))
            } else {
                selected.append(pod)
            }
        }
        return (selected, ignored)
    }

    /// Evicts one pod until accepted (retrying 429s), then waits until it is gone.
    private func evict(_ pod: Pod, deadline: ContinuousClock.Instant?) async -> PodOutcome {
        let namespace = pod.metadata.namespace ?? ""
        let name = pod.metadata.name ?? ""
        var outcome = PodOutcome(pod: "\(namespace)/\(name)", evicted: false, refusals: 0, gone: false)
        // Like kubectl: no UID precondition, so a retry names whatever pod has the name now.
        var deleteOptions = DeleteOptions()
        if options.dryRun { deleteOptions.dryRun = ["All"] }
        while true {
            if let deadline, ContinuousClock.now >= deadline {
                outcome.lastMessage = "drain timed out" + (outcome.lastMessage.map { "; last refusal: \($0)" } ?? "")
                return outcome
            }
            do {
                try await api.evict(podName: name, namespace: namespace, options: deleteOptions)
                outcome.evicted = true
                report("evicting pod \(outcome.pod)")
                break
            } catch where KubernetesErrors.isNotFound(error) {
                // Gone while its evictions were refused (live-migrated away, with ms2m).
                outcome.gone = true
                report("pod/\(name) in \(namespace) is gone (\(outcome.refusals) eviction(s) refused before)")
                return outcome
            } catch where KubernetesErrors.isTooManyRequests(error) {
                outcome.refusals += 1
                let message = KubernetesErrors.message(of: error) ?? "\(error)"
                outcome.lastMessage = message
                report("error when evicting pods/\"\(name)\" -n \"\(namespace)\" (will retry after \(options.retryInterval)): \(message)")
                try? await Task.sleep(for: options.retryInterval)
            } catch {
                outcome.lastMessage = "\(error)"
                report("error when evicting pods/\"\(name)\" -n \"\(namespace)\": \(error)")
                return outcome
            }
        }
        if options.dryRun {
            outcome.gone = true
            return outcome
        }
        // Wait until the evicted pod is deleted (or replaced by a same-named pod with another UID).
        while true {
            do {
                let current = try await api.get(Pod.self, name: name, namespace: namespace)
                if current.metadata.uid != pod.metadata.uid { break }
            } catch where KubernetesErrors.isNotFound(error) {
                break
            } catch {
                outcome.lastMessage = "\(error)"
            }
            if let deadline, ContinuousClock.now >= deadline {
                outcome.lastMessage = "drain timed out waiting for the evicted pod to be deleted"
                return outcome
            }
            try? await Task.sleep(for: options.pollInterval)
        }
        outcome.gone = true
        report("pod/\(name) evicted")
        return outcome
    }
}
