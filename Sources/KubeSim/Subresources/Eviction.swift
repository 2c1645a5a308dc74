import KubeModel
import Unstructured

extension KubeSimCore {
    /// Whether a pod counts as healthy for a disruption budget: Ready=True and not terminating.
    static func podIsHealthy(_ pod: JSONValue) -> Bool {
        if pod.isDeleting { return false }
        for c in pod[path: ["status", "conditions"]]?.arrayValue ?? [] where c["type"]?.stringValue == "Ready" {
            return c["status"]?.stringValue == "True"
        }
        return false
    }

    /// minAvailable/maxUnavailable (int or "N%") resolved against the expected pod count; percentages round up.
    static func resolveIntOrPercent(_ v: JSONValue, total: Int) -> Int? {
        if let i = v.intValue { return Int(i) }
        if let s = v.stringValue, s.hasSuffix("%"), let pct = Int(s.dropLast()) {
            return (pct * total + 99) / 100
        }
        if let s = v.stringValue, let i = Int(s) { return i }
        return nil
    }

    /// How long an evicted pod listed in a PDB's `status.disruptedPods` is not counted as healthy while it has
    /// not been deleted yet (the disruption controller's `DeletionTimeout`).
    static let disruptionDeletionTimeout: Int64 = 120

    /// The budget figures of a PDB over the given pods: (expected, currentHealthy, desiredHealthy, allowed).
    ///
    /// As the disruption controller's `countHealthyPods`: a pod the PDB lists in `status.disruptedPods` (an
    /// eviction was admitted for it) is not healthy for `disruptionDeletionTimeout` after the eviction, so two
    /// evictions checked one right after the other cannot both spend the same disruption.
    static func budget(_ pdb: JSONValue, pods: [JSONValue]) -> (expected: Int, healthy: Int, desired: Int, allowed: Int)
    {
        let expected = pods.count
        let now = Time.now().secondsSinceEpoch
        let disrupted = (pdb[path: ["status", "disruptedPods"]]?.objectValue ?? [:]).compactMapValues { value in
            value.stringValue.flatMap { Time(rfc3339: $0)?.secondsSinceEpoch }
        }
        let healthy = pods.filter { pod in
            if let evictedAt = disrupted[pod.metaName], evictedAt + disruptionDeletionTimeout > now { return false }
            return podIsHealthy(pod)
        }.count
        var desired = 0
        if let min = pdb[path: ["spec", "minAvailable"]], let n = resolveIntOrPercent(min, total: expected) {
            desired = n
        } else if let max = pdb[path: ["spec", "maxUnavailable"]], let n = resolveIntOrPercent(max, total: expected) {
            desired = Swift.max(0, expected - n)
        } else {
            desired = expected  // neither set: no disruptions
        }
        return (expected, healthy, desired, Swift.max(0, healthy - desired))
    }

    /// POST pods/{name}/eviction: deletes the pod unless a PodDisruptionBudget selecting it has no disruption
    /// left (429 TooManyRequests, as the API server answers).
    func evictPod(namespace: String, name: String, request: APIRequest) throws -> APIResponse {
        let eviction = try evictionBody(namespace: namespace, request: request)
        try checkEvictionName(eviction, name: name)
        return try performEviction(namespace: namespace, name: name, eviction: eviction, dryRun: request.query.isDryRun)
    }

    /// The posted Eviction: policy/v1 or policy/v1beta1 (the shapes are the same; it is read as policy/v1), with
    /// the namespace of the request.
    func evictionBody(namespace: String, request: APIRequest) throws -> JSONValue {
        var body = try request.jsonBody()
        guard body.objectValue != nil else {
            throw APIError.badRequest("the body of the request must be a JSON object, got \(body.typeName)")
        }
        if let av = body["apiVersion"]?.stringValue, av != "policy/v1", av != "policy/v1beta1" {
            throw APIError.badRequest(
                "the API version in the data (\(av)) does not match the expected API version (policy/v1)")
        }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != "Eviction" {
            throw APIError.badRequest(
                "the kind in the body (\(kind)) does not match the kind of the resource (Eviction)")
        }
        body["apiVersion"] = "policy/v1"
        body["kind"] = "Eviction"
        let bodyNS = body.metaNamespace
        if !bodyNS.isEmpty && bodyNS != namespace {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        if body["metadata"]?.objectValue == nil { body["metadata"] = [:] }
        body[path: ["metadata", "namespace"]] = .string(namespace)
        return body
    }

    func checkEvictionName(_ eviction: JSONValue, name: String) throws {
        let bodyName = eviction.metaName
        if !bodyName.isEmpty && bodyName != name {
            throw APIError.badRequest("name in URL does not match name in Eviction object")
        }
    }

    /// The eviction proper, after admission: terminal and pending pods are deleted at once, others only when
    /// their PodDisruptionBudget allows a disruption.
    func performEviction(namespace: String, name: String, eviction body: JSONValue, dryRun: Bool) throws
        -> APIResponse
    {
        var deleteOptions = DeleteOptions()
        if let opts = body["deleteOptions"], opts.objectValue != nil { deleteOptions = try DeleteOptions(body: opts) }
        if dryRun { deleteOptions.dryRun = true }
        let pods = BuiltinResources.pods
        let pdbInfo = BuiltinResources.podDisruptionBudgets
        let success: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201,
        ]
        // Check the budget and account the disruption atomically with respect to other writes.
        try store.locked { s in
            guard let pod = s.get(pods.id, "\(namespace)/\(name)") else { throw APIError.notFound(pods, name: name) }
            let phase = pod.value[path: ["status", "phase"]]?.stringValue ?? ""
            if pod.value.isDeleting || phase == "Succeeded" || phase == "Failed" || phase == "Pending" { return }
            let labels = pod.value.metaLabels
            let pdbs = (s.snapshot(pdbInfo.id, namespace: namespace, at: nil) ?? []).filter { pdb in
                guard let sel = LabelSelector.fromObject(pdb.value[path: ["spec", "selector"]] ?? [:]) else {
                    return false
                }
                return sel.matches(labels)
            }
            if pdbs.isEmpty { return }
            if pdbs.count > 1 {
                throw APIError.internalError(
                    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
            }
            let pdb = pdbs[0]
            let selector = LabelSelector.fromObject(pdb.value[path: ["spec", "selector"]] ?? [:])!
            let covered = (s.snapshot(pods.id, namespace: namespace, at: nil) ?? [])
                .filter { selector.matches($0.value.metaLabels) }.map(\.value)
            let b = Self.budget(pdb.value, pods: covered)
            let podHealthy = Self.podIsHealthy(pod.value)
            if !podHealthy {
                let policy = pdb.value[path: ["spec", "unhealthyPodEvictionPolicy"]]?.stringValue ?? "IfHealthyBudget"
                if policy == "AlwaysAllow" || b.healthy >= b.desired { return }
            }
            if b.allowed <= 0 {
                var e = APIError.tooManyRequests(
                    "Cannot evict pod as it would violate the pod's disruption budget.", retryAfter: nil)
                e.details = [
                    "causes": [
                        [
                            "reason": "DisruptionBudget",
                            "message": .string(
                                "The disruption budget \(pdb.name) needs \(b.desired) healthy pods and has "
                                    + "\(b.healthy) currently"),
                        ]
                    ]
                ]
                throw e
            }
            if deleteOptions.dryRun { return }
            var newPDB = pdb.value
            newPDB[path: ["status", "disruptionsAllowed"]] = .int(Int64(b.allowed - 1))
            newPDB[path: ["status", "currentHealthy"]] = .int(Int64(b.healthy))
            newPDB[path: ["status", "desiredHealthy"]] = .int(Int64(b.desired))
            newPDB[path: ["status", "expectedPods"]] = .int(Int64(b.expected))
            newPDB[path: ["status", "disruptedPods", name]] = .string(Sim.timestamp())
            s.put(pdbInfo, newPDB, prev: pdb)
        }
        _ = try deleteObject(pods, namespace: namespace, name: name, options: deleteOptions)
        return .json(201, success)
    }
}
