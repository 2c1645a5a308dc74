import Unstructured

/// metav1.DeleteOptions, from the body and/or the query.
struct DeleteOptions: Sendable {
    var gracePeriodSeconds: Int64?
    var propagationPolicy: String?
    var orphanDependents: Bool?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
    var dryRun = false
    /// The revision admission webhooks saw: the delete is not done (`ObjectChangedDuringAdmission`) when the
    /// object changed since, and admission runs again on the new state.
    var admittedRevision: Int64?

    init() {}

    init(request: APIRequest) throws {
        self.init()
        let q = request.query
        if !request.body.isEmpty, let body = try? JSONValue.parse(request.body) {
            try self.init(body: body)
        } else if !request.body.isEmpty {
            throw APIError.badRequest("the body of the request could not be decoded as DeleteOptions")
        }
        if let g = try q.int("gracePeriodSeconds") { gracePeriodSeconds = g }
        if let p = q["propagationPolicy"], !p.isEmpty { propagationPolicy = p }
        if let o = q["orphanDependents"] { orphanDependents = o == "true" }
        if q.isDryRun { dryRun = true }
    }

    init(body: JSONValue) throws {
        guard body.objectValue != nil else { throw APIError.badRequest("DeleteOptions must be an object") }
        gracePeriodSeconds = body["gracePeriodSeconds"]?.intValue
        propagationPolicy = body["propagationPolicy"]?.stringValue
        orphanDependents = body["orphanDependents"]?.boolValue
        preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
        preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
        dryRun = body["dryRun"]?.arrayValue?.contains("All") ?? false
    }
}

/// What a DELETE did.
struct DeleteOutcome: Sendable {
    /// The object's state after the call (removed: its last state; pending: with deletionTimestamp).
    var object: StoredObject
    var removed: Bool
}

extension KubeSimCore {
    static let protectedNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

    func deleteRequest(_ info: ResourceInfo, namespace: String, name: String, request: APIRequest) throws
        -> APIResponse
    {
        let options = try DeleteOptions(request: request)
        let outcome = try deleteObject(info, namespace: namespace, name: name, options: options)
        if outcome.removed && !info.returnsDeletedObject {
            return .json(200, successStatus(info, name: name, uid: outcome.object.uid))
        }
        return .bytes(200, objectBytes(outcome.object, info))
    }

    /// DELETE of one object: preconditions, garbage-collector finalizers for the propagation policy, graceful
    /// pod termination, finalizers; the object is removed when nothing holds it.
    func deleteObject(_ info: ResourceInfo, namespace: String, name: String, options: DeleteOptions) throws
        -> DeleteOutcome
    {
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        if info.id == BuiltinResources.namespaces.id && Self.protectedNamespaces.contains(name) {
            throw APIError.forbidden(info, name: name, "this namespace may not be deleted")
        }
        if let problem = ResourceValidation.deleteOptions(
            orphanDependents: options.orphanDependents, propagationPolicy: options.propagationPolicy)
        {
            throw problem
        }
        let policy: String
        if let p = options.propagationPolicy {
            policy = p
        } else if let orphan = options.orphanDependents {
            policy = orphan ? "Orphan" : "Background"
        } else {
            policy = info.defaultPropagation
        }
        let immediatePods = configuration.podDeletionIsImmediate
        return try store.locked { s in
            guard let old = s.get(info.id, key) else { throw APIError.notFound(info, name: name) }
            if let admitted = options.admittedRevision, admitted != old.rv { throw ObjectChangedDuringAdmission() }
            if let uid = options.preconditionUID, uid != old.uid {
                throw APIError.conflict(
                    info, name: name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(old.uid)"
                )
            }
            if let rv = options.preconditionResourceVersion, rv != String(old.rv) {
                throw APIError.conflict(
                    info, name: name,
                    "Precondition failed: ResourceVersion in precondition: \(rv), "
                        + "ResourceVersion in object meta: \(old.rv)"
                )
            }
            var new = old.value
            // Garbage-collector finalizers for the policy.
            var finalizers = new.metaFinalizers
            switch policy {
            case "Orphan":
                finalizers.removeAll { $0 == "foregroundDeletion" }
                if !finalizers.contains("orphan") { finalizers.append("orphan") }
            case "Foreground":
                finalizers.removeAll { $0 == "orphan" }
                if !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
            default:
                if !old.value.isDeleting {
                    finalizers.removeAll { $0 == "orphan" || $0 == "foregroundDeletion" }
                }
            }
            if info.id == BuiltinResources.crdID && !old.value.isDeleting
                && !finalizers.contains(Self.crdCleanupFinalizer)
            {
                // Instances are deleted before the CRD goes (apiextensions' cleanup finalizer).
                finalizers.append(Self.crdCleanupFinalizer)
            }
            // Graceful pod termination.
            var grace: Int64 = 0
            var graceful = false
            if info.id == BuiltinResources.pods.id && !immediatePods {
                let bound = !(old.value[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty
                let phase = old.value[path: ["status", "phase"]]?.stringValue ?? ""
                grace =
                    options.gracePeriodSeconds
                    ?? old.value[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue
                    ?? old.value[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
                if !bound || phase == "Succeeded" || phase == "Failed" { grace = 0 }
                if grace < 0 { grace = 0 }
                graceful = grace > 0
            }
            let isNamespace = info.id == BuiltinResources.namespaces.id
            let namespaceHeld = isNamespace && !(old.value[path: ["spec", "finalizers"]]?.arrayValue ?? []).isEmpty
            if old.value.isDeleting {
                // Already terminating: a shorter grace period or changed GC finalizers update it.
                let currentGrace = old.value[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0
                if info.id == BuiltinResources.pods.id && (immediatePods || grace < currentGrace) {
                    new[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(immediatePods ? 0 : grace)
                    new[path: ["metadata", "deletionTimestamp"]] = .string(Sim.timestamp(offsetSeconds: grace))
                }
                new.setFinalizers(finalizers)
                let nowGrace = new[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0
                if finalizers.isEmpty && nowGrace == 0 && !namespaceHeld {
                    if options.dryRun { return DeleteOutcome(object: old, removed: true) }
                    let final = s.remove(info, old, finalValue: new)
                    self.didRemove(info, final)
                    return DeleteOutcome(object: final, removed: true)
                }
                if new == old.value || options.dryRun { return DeleteOutcome(object: old, removed: false) }
                return DeleteOutcome(object: s.put(info, new, prev: old), removed: false)
            }
            if finalizers.isEmpty && !graceful && !namespaceHeld {
                if options.dryRun { return DeleteOutcome(object: old, removed: true) }
                let final = s.remove(info, old)
                self.didRemove(info, final)
                return DeleteOutcome(object: final, removed: true)
            }
            new.setFinalizers(finalizers)
            new[path: ["metadata", "deletionTimestamp"]] = .string(Sim.timestamp(offsetSeconds: grace))
            new[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
            if isNamespace { new[path: ["status", "phase"]] = "Terminating" }
            if info.id == BuiltinResources.crdID {
                var conditions = new[path: ["status", "conditions"]]?.arrayValue ?? []
                conditions.append([
                    "type": "Terminating", "status": "True", "lastTransitionTime": .string(Sim.timestamp()),
                    "reason": "InstanceDeletionInProgress", "message": "CustomResource deletion is in progress",
                ])
                new[path: ["status", "conditions"]] = .array(conditions)
            }
            if options.dryRun {
                return DeleteOutcome(
                    object: StoredObject(value: new, rv: old.rv, omitTypeInItems: !info.isCustom),
                    removed: false)
            }
            return DeleteOutcome(object: s.put(info, new, prev: old), removed: false)
        }
    }

    /// DELETE on a collection: deletes every object matching the selectors; answers the list of them.
    func deleteCollection(_ info: ResourceInfo, namespace: String?, request: APIRequest) throws -> APIResponse {
        let options = try DeleteOptions(request: request)
        let filter = try ObjectFilter.from(request.query, info: info, namespace: namespace)
        let targets = store.state.withLock { s in
            (s.snapshot(info.id, namespace: info.namespaced ? namespace : nil, at: nil) ?? []).filter(filter.matches)
        }
        var deleted: [StoredObject] = []
        for t in targets {
            guard let outcome = try? deleteObject(info, namespace: t.namespace, name: t.name, options: options) else {
                continue
            }
            deleted.append(outcome.object)
        }
        return .bytes(200, deletedList(info, deleted))
    }

    /// The answer of a collection DELETE: the list of what was deleted.
    func deletedList(_ info: ResourceInfo, _ deleted: [StoredObject]) -> [UInt8] {
        var items: [UInt8] = []
        for (i, object) in deleted.enumerated() {
            if i > 0 { items.append(UInt8(ascii: ",")) }
            object.appendItem(to: &items)
        }
        var body: [UInt8] = []
        body.append(contentsOf: #"{"kind":"\#(info.listKind)","apiVersion":"\#(info.apiVersion)","#.utf8)
        body.append(contentsOf: #""metadata":{"resourceVersion":"\#(store.currentRV)"},"items":["#.utf8)
        body.append(contentsOf: items)
        body.append(contentsOf: "]}".utf8)
        return body
    }
}
