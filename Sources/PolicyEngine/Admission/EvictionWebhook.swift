public import ControllerRuntime
public import KubeModel
public import Logging
public import MigrationAPI
public import OperatorCore
import Unstructured

/// The validating admission webhook on `pods/eviction`: turns the eviction of a pod a `MigrationPolicy`
/// covers into a live migration.
///
/// For each `AdmissionReview` it reads the pod, the policies and the cluster from the shared informer caches
/// (never a list: its answer time does not grow with the cluster), lets ``EvictionDecision`` decide from the
/// owning policy's plan, and, when the pod is to move, records the ``EvictionRequest`` on the pod (a merge
/// patch carrying the pod's UID, so a same-named successor is never marked). The leading replica's policy
/// controller sees the annotation and creates the migration; every replica's webhook answers, whichever leads.
///
/// Refusals are `429 TooManyRequests`, which `kubectl drain`, cluster-autoscaler, Karpenter and the
/// descheduler treat as "retry later"; once the migration completes the source pod is gone and the retried
/// eviction finds nothing to evict. `dryRun` evictions get the same answer and change nothing. A malformed
/// body is answered 400 (the API server then applies the webhook's `failurePolicy`); an eviction arriving
/// before the caches have synced is refused with 429, never allowed blind.
public struct EvictionWebhook: Sendable {
    /// The path the webhook is served on (`config/webhook/manifests.yaml` names it).
    public static let path = "/validate-v1-pod-eviction"

    let api: any KubernetesAPI
    let caches: PolicyCaches
    let events: any PolicyEventSink
    let logger: Logger
    let now: @Sendable () -> Time

    /// A webhook deciding from `caches` (shared with the policy controller) and writing through `api`.
    public init(
        api: any KubernetesAPI, caches: PolicyCaches, events: any PolicyEventSink,
        logger: Logger = Logger(label: "ms2m.webhook.eviction"), now: @escaping @Sendable () -> Time = { .now() }
    ) {
        self.api = api
        self.caches = caches
        self.events = events
        self.logger = logger
        self.now = now
    }

    /// An HTTP answer: the status code and the JSON (or, for a 400, plain text) body.
    public struct HTTPAnswer: Sendable {
        /// The HTTP status code.
        public var status: Int
        /// `application/json` for reviews, `text/plain` for errors.
        public var contentType: String
        /// The body.
        public var body: [UInt8]
    }

    /// Answers one POSTed `AdmissionReview` body.
    public func handle(body: [UInt8]) async -> HTTPAnswer {
        let review: AdmissionReview
        do {
            review = try JSONBytesDecoder().decode(AdmissionReview.self, from: body)
        } catch {
            return Self.badRequest("the body is not an AdmissionReview: \(error)")
        }
        guard let request = review.request else { return Self.badRequest("the AdmissionReview has no request") }
        guard !request.uid.isEmpty else { return Self.badRequest("the AdmissionReview request has no uid") }
        let response = await admit(request)
        let answer = AdmissionReview(apiVersion: review.apiVersion ?? "admission.k8s.io/v1", response: response)
        do {
            return HTTPAnswer(
                status: 200, contentType: "application/json", body: try JSONValueEncoder().encode(answer).jsonBytes())
        } catch {
            return HTTPAnswer(status: 500, contentType: "text/plain; charset=utf-8", body: Array("\(error)\n".utf8))
        }
    }

    private static func badRequest(_ message: String) -> HTTPAnswer {
        HTTPAnswer(status: 400, contentType: "text/plain; charset=utf-8", body: Array("\(message)\n".utf8))
    }

    /// The response to one admission request.
    public func admit(_ request: AdmissionRequest) async -> AdmissionResponse {
        let verdict = await decide(request)
        logger.debug("Eviction decided", metadata: [
            "pod": "\(request.namespace ?? "")/\(request.name ?? "")", "outcome": "\(verdict.outcome)",
            "user": "\(request.userInfo?.username ?? "")", "dryRun": "\(request.dryRun ?? false)", "reason": "\(verdict.message)",
        ])
        switch verdict.outcome {
        case .allow:
            return AdmissionResponse(
                uid: request.uid, allowed: true, warnings: verdict.policy == nil ? nil : [verdict.message])
        case .refuse:
            return AdmissionResponse(
                uid: request.uid, allowed: false,
                status: Status(status: "Failure", message: verdict.message, reason: .tooManyRequests, code: 429))
        case .gone:
            return AdmissionResponse(
                uid: request.uid, allowed: false,
                status: Status(status: "Failure", message: verdict.message, reason: .notFound, code: 404))
        }
    }

    /// The verdict for one admission request, with the eviction request recorded on the pod when it moves.
    ///
    /// An allowed eviction removes whatever pod has the name when the API server acts on it, and the cache
    /// may lag behind (a Sequential migration restores its pod under the source's name): before allowing the
    /// eviction of a pod a policy covers, or of a pod the cache does not know, the pod is read from the API
    /// (one GET) and, when it is not the one decided on, the decision is made again for it.
    public func decide(_ request: AdmissionRequest) async -> EvictionVerdict {
        guard request.resource?.resource == "pods", request.subResource == "eviction",
            request.operation == nil || request.operation == "CREATE",
            let namespace = request.namespace, let name = request.name
        else {
            return EvictionVerdict(outcome: .allow, message: "not a pod eviction")
        }
        guard caches.hasSynced else {
            return EvictionVerdict(
                outcome: .refuse,
                message: "the ms2m operator is starting (its caches are not synced yet); retry the eviction of pod \(namespace)/\(name)")
        }
        let cached = caches.pods.cache.get(namespace: namespace, name: name)
        let verdict = await decide(request, pod: cached, namespace: namespace, name: name)
        guard verdict.outcome == .allow, cached == nil || verdict.policy != nil else { return verdict }
        let live: Pod
        do {
            live = try await api.get(Pod.self, name: name, namespace: namespace)
        } catch where KubernetesErrors.isNotFound(error) {
            // Nothing to evict. For a covered pod the cache still shows, answer the API server's 404 now: allowing
            // would let the eviction reach a pod created under the name meanwhile (a Sequential migration's
            // restored copy). A pod nobody knows is allowed, and the API server answers 404.
            guard cached != nil else { return verdict }
            return EvictionVerdict(outcome: .gone, message: "pod \(namespace)/\(name) is gone", policy: verdict.policy)
        } catch {
            return EvictionVerdict(
                outcome: .refuse,
                message: "cannot read pod \(namespace)/\(name) to confirm the eviction (\(error)); retry", policy: verdict.policy)
        }
        guard live.metadata.uid != cached?.metadata.uid else { return verdict }
        return await decide(request, pod: live, namespace: namespace, name: name)
    }

    /// The verdict for evicting `pod` (nil: not known).
    private func decide(_ request: AdmissionRequest, pod found: Pod?, namespace: String, name: String) async -> EvictionVerdict {
        guard var pod = found else {
            return EvictionVerdict(outcome: .allow, message: "pod \(namespace)/\(name) is not known to ms2m")
        }
        if pod.metadata.controllerReference == nil {
            // A StatefulSet a migration holds orphan-deleted still owns this pod in all but name.
            pod = HeldStatefulSets(migrations: caches.migrations.cache.list()).owning(pod)
        }
        if let eviction = try? request.object.map({ try JSONValueDecoder().decode(Eviction.self, from: $0) }),
            let uid = eviction.deleteOptions?.preconditions?.uid, uid != pod.metadata.uid
        {
            // The Eviction API refuses it itself (409): nothing to migrate for a pod that is not this one.
            return EvictionVerdict(outcome: .allow, message: "the eviction's UID precondition names another pod")
        }
        let namespaceLabels = caches.namespaces.cache.get(name: namespace)?.metadata.labels ?? [:]
        guard
            let policy = EvictionDecision.owningPolicy(
                for: pod, among: caches.policies.cache.list(), namespaceLabels: namespaceLabels)
        else {
            return EvictionVerdict(outcome: .allow, message: "no MigrationPolicy covers pod \(namespace)/\(name)")
        }
        let policyName = policy.metadata.name ?? ""
        guard policy.spec.interceptsEvictions else {
            return EvictionVerdict(
                outcome: .allow,
                message: "MigrationPolicy \(policyName) does not intercept evictions (triggers.eviction: false)",
                policy: policyName)
        }
        let time = now()
        var snapshot = caches.snapshot(for: policy, now: time)
        let nodeDrains = pod.spec?.nodeName.flatMap { caches.nodes.cache.get(name: $0) }.map {
            !DrainDetection.triggers(of: $0, for: policy.spec.triggers).isEmpty
        } ?? false
        if let successor = EvictionDecision.restoredSuccessor(
            pod, migrations: snapshot.migrations, now: time, nodeDrains: nodeDrains)
        {
            return successor
        }
        if let departing = EvictionDecision.departingSource(pod, migrations: snapshot.migrations, now: time) {
            return departing
        }
        let marked = EvictionDecision.withRequest(pod, at: time)
        if let position = snapshot.pods.firstIndex(where: { $0.metadata.uid == pod.metadata.uid }) {
            snapshot.pods[position] = marked
        } else {
            snapshot.pods.append(marked)
        }
        let plan = MigrationPlanner.plan(snapshot)
        var verdict = EvictionDecision.verdict(
            for: pod, policy: policy, plan: plan, migrations: snapshot.migrations)
        if policy.spec.dryRun == true {
            return EvictionVerdict(
                outcome: .allow,
                message: "MigrationPolicy \(policyName) is in dry run, so the eviction goes ahead; otherwise: \(verdict.message)",
                policy: policyName)
        }
        guard verdict.recordsRequest, request.dryRun != true else { return verdict }
        if let recorded = EvictionRequest.recorded(on: pod), !recorded.needsRefresh(at: time) { return verdict }
        do {
            try await record(EvictionRequest(podUID: pod.metadata.uid ?? "", requestedAt: time), on: pod)
        } catch {
            logger.warning("Cannot record the eviction request", metadata: [
                "pod": "\(namespace)/\(name)", "error": "\(error)",
            ])
            verdict.message = "pod \(namespace)/\(name) is to be live-migrated, but recording its eviction failed (\(error)); retry"
            verdict.recordsRequest = false
            return verdict
        }
        logger.info("Eviction turned into a live migration", metadata: [
            "pod": "\(namespace)/\(name)", "policy": "\(policyName)", "migration": "\(verdict.migration ?? "")",
            "target": "\(verdict.targetNode ?? "")", "user": "\(request.userInfo?.username ?? "")",
        ])
        events.record(
            .normal, reason: PolicyEventReason.evictionIntercepted, action: "Evict",
            note: "Eviction by \(request.userInfo?.username ?? "unknown user") refused: \(verdict.message)",
            regarding: ObjectReference(kind: Pod.kind, namespace: namespace, name: name, apiVersion: Pod.apiVersion),
            related: ObjectReference(to: policy))
        return verdict
    }

    /// Writes `request` on `pod` with a merge patch that also carries the pod's UID: a real API server refuses
    /// it (422, `metadata.uid` is immutable) when the pod was replaced by a same-named one meanwhile.
    private func record(_ request: EvictionRequest, on pod: Pod) async throws {
        let patch: JSONValue = [
            "metadata": [
                "uid": .string(request.podUID),
                "annotations": [EvictionRequest.annotation: .string(request.annotationValue)],
            ]
        ]
        _ = try await api.patch(
            Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace, patch: .merge(patch),
            subresource: nil, options: WriteOptions())
    }
}
