import Unstructured

/// A store write found the object changed after admission webhooks had seen it; admission runs again.
struct ObjectChangedDuringAdmission: Error {}

/// How often an admitted write starts over because the object changed under it (etcd's GuaranteedUpdate
/// retries the same way) before answering 409 Conflict.
private let admissionAttempts = 5

extension KubeSimCore {
    /// The admission-controlled form of a write when some stored webhook's rules could apply to it, or nil: the
    /// synchronous handlers then serve the request (and answer malformed ones), exactly as without webhooks.
    ///
    /// The admitted form runs as kube-apiserver orders it: NamespaceLifecycle, mutating webhooks on the object
    /// as decoded and defaulted, the registry's checks and completion, validating webhooks on the fully formed
    /// object, then the store write, which starts over if the object changed while the webhooks were called.
    func admissionControlled(_ request: APIRequest, _ rp: ResourcePath, _ info: ResourceInfo) -> APIResult? {
        if WebhookConfigurations.isConfiguration(info) { return nil }
        if info.namespaced && rp.namespace == nil { return nil }
        let operations: [AdmissionOperation]
        switch (rp.name, rp.subresource, request.method) {
        case (nil, _, "POST"): operations = [.create]
        case (nil, _, "DELETE"):
            guard info.verbs.contains("deletecollection") else { return nil }
            operations = [.delete]
        case (_?, nil, "PUT"): operations = [.update]
        case (_?, nil, "PATCH"):
            operations = request.contentType == PatchType.apply.rawValue ? [.update, .create] : [.update]
        case (_?, nil, "DELETE"): operations = [.delete]
        case (_?, let sub?, let method):
            guard info.subresources.contains(sub) else { return nil }
            switch (sub, method) {
            case ("status", "PUT"), ("status", "PATCH"), ("scale", "PUT"), ("scale", "PATCH"), ("finalize", "PUT"):
                operations = [.update]
            case ("binding", "POST"), ("eviction", "POST"): operations = [.create]
            case ("proxy", _): operations = [.connect]
            default: return nil
            }
        default: return nil
        }
        guard
            webhooksMayApply(
                operations: operations, resource: Self.resource(info), subresource: rp.subresource ?? "",
                namespace: admissionNamespace(info, rp), equivalentVersions: equivalentVersions(info))
        else { return nil }
        return .deferred { await self.serveAdmitted(request, rp, info) }
    }

    static func resource(_ info: ResourceInfo) -> GroupVersionResource {
        GroupVersionResource(group: info.group, version: info.version, resource: info.plural)
    }

    /// The request namespace admission sees: a namespace's own name for requests on a Namespace object.
    private func admissionNamespace(_ info: ResourceInfo, _ rp: ResourcePath) -> String {
        if info.id == BuiltinResources.namespaces.id { return rp.name ?? "" }
        return info.namespaced ? rp.namespace ?? "" : ""
    }

    /// The served versions of the resource (several for a multi-version custom resource).
    private func equivalentVersions(_ info: ResourceInfo) -> [String] {
        registry.versions(of: info.id).map(\.version)
    }

    private func serveAdmitted(_ request: APIRequest, _ rp: ResourcePath, _ info: ResourceInfo) async -> APIResult {
        var chain = AdmissionChain(
            core: self,
            attributes: AdmissionAttributes(
                operation: .create, resource: Self.resource(info), subresource: rp.subresource ?? "",
                kind: GroupVersionKind(group: info.group, version: info.version, kind: info.kind), name: rp.name ?? "",
                namespace: admissionNamespace(info, rp), dryRun: request.query.isDryRun, user: requestUser(request),
                equivalentVersions: equivalentVersions(info)))
        do {
            if info.namespaced, request.method != "DELETE", let ns = rp.namespace {
                // NamespaceLifecycle: no writes into a namespace that does not exist.
                let exists = store.state.withLock { $0.get(BuiltinResources.namespaces.id, ns) != nil }
                if !exists { throw APIError.namespaceNotFound(ns) }
            }
            let response = try await admitted(&chain, request, rp, info)
            return .response(chain.decorate(response))
        } catch let e as APIError {
            return .response(chain.decorate(.error(e)))
        } catch {
            return .response(chain.decorate(.error(.internalError("\(error)"))))
        }
    }

    private func admitted(
        _ chain: inout AdmissionChain, _ request: APIRequest, _ rp: ResourcePath, _ info: ResourceInfo
    ) async throws -> APIResponse {
        let ns = rp.namespace ?? ""
        let query = request.query
        switch (rp.name, rp.subresource, request.method) {
        case (nil, _, "POST"):
            let stored = try await admitCreate(
                &chain, info, namespace: rp.namespace, body: try request.jsonBody(), options: WriteOptions(request),
                query: query)
            return .bytes(201, objectBytes(stored, info))
        case (nil, _, "DELETE"):
            return try await admittedDeleteCollection(&chain, info, namespace: rp.namespace, request: request)
        case (let name?, nil, "PUT"), (let name?, "status", "PUT"):
            let body = try checkUpdateTarget(try request.jsonBody(), info, namespace: ns, name: name)
            chain.attributes.operation = .update
            chain.attributes.options = AdmissionOptions.update(query)
            let stored = try await admitUpdate(
                &chain, info, namespace: ns, name: name, options: WriteOptions(request),
                mode: rp.subresource == nil ? .main : .status, requireResourceVersion: info.isCustom
            ) { _ in body }
            return .bytes(200, objectBytes(stored, info))
        case (let name?, nil, "PATCH"), (let name?, "status", "PATCH"):
            return try await admittedPatch(
                &chain, info, namespace: ns, name: name, request: request, status: rp.subresource != nil)
        case (let name?, nil, "DELETE"):
            let options = try DeleteOptions(request: request)
            if info.id == BuiltinResources.namespaces.id && Self.protectedNamespaces.contains(name) {
                throw APIError.forbidden(info, name: name, "this namespace may not be deleted")
            }
            let outcome = try await admitDelete(&chain, info, namespace: ns, name: name, options: options)
            if outcome.removed && !info.returnsDeletedObject {
                return .json(200, successStatus(info, name: name, uid: outcome.object.uid))
            }
            return .bytes(200, objectBytes(outcome.object, info))
        case (let name?, "scale", let method):
            return try await admittedScale(
                &chain, info, namespace: ns, name: name, request: request, patch: method == "PATCH")
        case (let name?, "eviction", "POST"):
            let eviction = try evictionBody(namespace: ns, request: request)
            chain.attributes.kind = GroupVersionKind(group: "policy", version: "v1", kind: "Eviction")
            chain.attributes.object = eviction
            chain.attributes.options = AdmissionOptions.create(query)
            try await chain.mutate()
            let admitted = chain.attributes.object ?? eviction
            try checkEvictionName(admitted, name: name)
            try await chain.validate()
            return try performEviction(namespace: ns, name: name, eviction: admitted, dryRun: query.isDryRun)
        case (let name?, "binding", "POST"):
            var binding = try request.jsonBody()
            guard binding.objectValue != nil else {
                throw APIError.badRequest("the body of the request must be a JSON object, got \(binding.typeName)")
            }
            binding["apiVersion"] = "v1"
            binding["kind"] = "Binding"
            if binding["metadata"]?.objectValue == nil { binding["metadata"] = [:] }
            binding[path: ["metadata", "namespace"]] = .string(ns)
            chain.attributes.kind = GroupVersionKind(group: "", version: "v1", kind: "Binding")
            chain.attributes.object = binding
            chain.attributes.options = AdmissionOptions.create(query)
            try await chain.mutate()
            try await chain.validate()
            return try performBinding(
                namespace: ns, name: name, binding: chain.attributes.object ?? binding, options: WriteOptions(request))
        case (let name?, "finalize", "PUT"):
            return try await admittedFinalize(&chain, name: name, request: request)
        case (let name?, "proxy", _):
            var options: JSONObject = ["kind": "NodeProxyOptions", "apiVersion": "v1"]
            if !rp.subpath.isEmpty { options["path"] = .string("/" + rp.subpath) }
            chain.attributes.operation = .connect
            chain.attributes.kind = GroupVersionKind(group: "", version: "v1", kind: "NodeProxyOptions")
            chain.attributes.object = .object(options)
            chain.attributes.dryRun = false
            try await chain.mutate()
            try await chain.validate()
            let path = chain.attributes.object?["path"]?.stringValue ?? ""
            let handler = try kubeletHandler(node: name)
            return await forwardToKubelet(
                handler, node: name, path: path.hasPrefix("/") ? String(path.dropFirst()) : path, request: request)
        default:
            throw APIError.methodNotAllowed()
        }
    }

    // MARK: Create

    /// CREATE: mutating webhooks on the decoded and defaulted object, then the registry's create checks, then
    /// validating webhooks on the fully formed object (uid, generated name, defaults), then the store.
    private func admitCreate(
        _ chain: inout AdmissionChain, _ info: ResourceInfo, namespace: String?, body: JSONValue,
        options: WriteOptions, query: QueryParameters
    ) async throws -> StoredObject {
        var obj = body
        try checkCreateTarget(&obj, info, namespace: namespace)
        if info.namespaced {
            let ns = obj.metaNamespace
            let name = obj.metaName
            try store.state.withLock { s in try self.namespaceAdmitsCreate(s, info, namespace: ns, name: name) }
        }
        try BuiltinDefaults.prepareForCreate(info, &obj, keepStatus: true)
        if let schema = info.custom?.schema?.schema { obj = schema.applyDefaults(to: schema.prune(obj)) }
        chain.attributes.operation = .create
        chain.attributes.name = obj.metaName
        if info.id == BuiltinResources.namespaces.id { chain.attributes.namespace = obj.metaName }
        chain.attributes.object = obj
        chain.attributes.oldObject = nil
        chain.attributes.options = AdmissionOptions.create(query)
        try await chain.mutate()
        let prepared = try prepareCreate(
            info, namespace: namespace, body: chain.attributes.object ?? obj, options: options)
        chain.attributes.object = prepared.object
        try await chain.validate()
        return try storeCreate(info, prepared, options: options)
    }

    // MARK: Update

    /// UPDATE: reads the object, builds the candidate from it, calls the mutating webhooks, computes the update
    /// (concurrency, immutable fields, validation), calls the validating webhooks on the result, and stores it
    /// if the object did not change meanwhile (else starts over).
    private func admitUpdate(
        _ chain: inout AdmissionChain, _ info: ResourceInfo, namespace: String, name: String, options: WriteOptions,
        mode: UpdateMode, requireResourceVersion: Bool, candidate: (StoredObject) throws -> JSONValue
    ) async throws -> StoredObject {
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        for _ in 0..<admissionAttempts {
            guard let old = store.state.withLock({ $0.get(info.id, key) }) else {
                throw APIError.notFound(info, name: name)
            }
            chain.attributes.object = try candidate(old)
            chain.attributes.oldObject = old.value
            try await chain.mutate()
            let object = chain.attributes.object ?? old.value
            var preview = options
            preview.dryRun = true
            guard
                let computed = try storeUpdate(
                    info, key: key, at: old.rv, candidate: object, options: preview, mode: mode,
                    requireResourceVersion: requireResourceVersion)
            else { continue }
            chain.attributes.object = computed.value
            try await chain.validate()
            if let stored = try storeUpdate(
                info, key: key, at: old.rv, candidate: object, options: options, mode: mode,
                requireResourceVersion: requireResourceVersion)
            {
                return stored
            }
        }
        throw APIError.conflict(info, name: name, APIError.modifiedMessage)
    }

    /// `applyUpdate` if the object is still at revision `rv`; nil when it changed or went away.
    private func storeUpdate(
        _ info: ResourceInfo, key: String, at rv: Int64, candidate: JSONValue, options: WriteOptions, mode: UpdateMode,
        requireResourceVersion: Bool
    ) throws -> StoredObject? {
        try store.locked { s in
            guard let current = s.get(info.id, key), current.rv == rv else { return nil }
            return try self.applyUpdate(
                &s, info, old: current, candidate: candidate, options: options, mode: mode,
                requireResourceVersion: requireResourceVersion)
        }
    }

    /// PATCH: UPDATE with the patch applied to the current object; an apply of an absent object is a CREATE.
    private func admittedPatch(
        _ chain: inout AdmissionChain, _ info: ResourceInfo, namespace: String, name: String, request: APIRequest,
        status: Bool
    ) async throws -> APIResponse {
        let type = try patchType(info, request)
        let query = request.query
        let mode: UpdateMode = status ? .status : .main
        if type == .apply {
            let (manager, body, apiVersion) = try applyConfiguration(info, name: name, request: request)
            var options = WriteOptions(request)
            options.fieldManager = nil
            let key = info.namespaced ? "\(namespace)/\(name)" : name
            if store.state.withLock({ $0.get(info.id, key) == nil }) {
                if status { throw APIError.notFound(info, name: name) }
                let stored = try await admitCreate(
                    &chain, info, namespace: info.namespaced ? namespace : nil,
                    body: appliedNewObject(body, manager: manager, apiVersion: apiVersion, name: name),
                    options: options, query: query)
                return .bytes(201, objectBytes(stored, info))
            }
            chain.attributes.operation = .update
            chain.attributes.options = AdmissionOptions.update(query)
            let stored = try await admitUpdate(
                &chain, info, namespace: namespace, name: name, options: options, mode: mode,
                requireResourceVersion: false
            ) { old in
                try self.appliedObject(
                    body, old: old, info: info, namespace: namespace, name: name, manager: manager,
                    apiVersion: apiVersion, status: status)
            }
            return .bytes(200, objectBytes(stored, info))
        }
        let patch = try parsePatchBody(request)
        if type == .json, patch.arrayValue == nil {
            throw APIError.badRequest("json patch must be an array of operations")
        }
        chain.attributes.operation = .update
        chain.attributes.options = AdmissionOptions.update(query)
        let stored = try await admitUpdate(
            &chain, info, namespace: namespace, name: name, options: WriteOptions(request), mode: mode,
            requireResourceVersion: false
        ) { old in
            try self.patchedObject(type, patch, old: old, info: info, namespace: namespace, name: name)
        }
        return .bytes(200, objectBytes(stored, info))
    }

    /// UPDATE of the scale subresource: webhooks see autoscaling/v1 Scale objects.
    private func admittedScale(
        _ chain: inout AdmissionChain, _ info: ResourceInfo, namespace: String, name: String, request: APIRequest,
        patch: Bool
    ) async throws -> APIResponse {
        let change = try scaleChange(request, patch: patch)
        let options = WriteOptions(request)
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        chain.attributes.operation = .update
        chain.attributes.kind = GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")
        chain.attributes.options = AdmissionOptions.update(request.query)
        for _ in 0..<admissionAttempts {
            guard let old = store.state.withLock({ $0.get(info.id, key) }) else {
                throw APIError.notFound(info, name: name)
            }
            let oldScale = scaleObject(info, old)
            chain.attributes.oldObject = oldScale
            chain.attributes.object = try change(oldScale)
            try await chain.mutate()
            let new = try scaledObject(info, old: old, scale: chain.attributes.object ?? oldScale, name: name)
            var preview = options
            preview.dryRun = true
            guard
                let computed = try storeUpdate(
                    info, key: key, at: old.rv, candidate: new, options: preview, mode: .main,
                    requireResourceVersion: false)
            else { continue }
            chain.attributes.object = scaleObject(info, computed)
            try await chain.validate()
            if let stored = try storeUpdate(
                info, key: key, at: old.rv, candidate: new, options: options, mode: .main, requireResourceVersion: false
            ) {
                return .json(200, scaleObject(info, stored))
            }
        }
        throw APIError.conflict(info, name: name, APIError.modifiedMessage)
    }

    /// UPDATE of namespaces/{name}/finalize.
    private func admittedFinalize(_ chain: inout AdmissionChain, name: String, request: APIRequest) async throws
        -> APIResponse
    {
        let info = BuiltinResources.namespaces
        var body = try request.jsonBody()
        guard body.objectValue != nil else {
            throw APIError.badRequest("the body of the request must be a JSON object, got \(body.typeName)")
        }
        body["apiVersion"] = "v1"
        body["kind"] = "Namespace"
        chain.attributes.operation = .update
        chain.attributes.options = AdmissionOptions.update(request.query)
        for _ in 0..<admissionAttempts {
            guard let old = store.state.withLock({ $0.get(info.id, name) }) else {
                throw APIError.notFound(info, name: name)
            }
            chain.attributes.object = body
            chain.attributes.oldObject = old.value
            try await chain.mutate()
            let admitted = chain.attributes.object ?? body
            chain.attributes.object = Self.finalized(old.value, body: admitted)
            try await chain.validate()
            let stored: StoredObject? = try store.locked { s in
                guard let current = s.get(info.id, name), current.rv == old.rv else { return nil }
                return self.storeFinalized(&s, old: current, new: Self.finalized(current.value, body: admitted))
            }
            if let stored { return .bytes(200, stored.bytes) }
        }
        throw APIError.conflict(info, name: name, APIError.modifiedMessage)
    }

    // MARK: Delete

    /// DELETE: webhooks see the current object as `oldObject` (the name is the caller's: empty for a collection
    /// DELETE); the delete happens only if the object did not change meanwhile, else admission runs again.
    private func admitDelete(
        _ chain: inout AdmissionChain, _ info: ResourceInfo, namespace: String, name: String, options: DeleteOptions
    ) async throws -> DeleteOutcome {
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        chain.attributes.operation = .delete
        chain.attributes.dryRun = options.dryRun
        for _ in 0..<admissionAttempts {
            guard let old = store.state.withLock({ $0.get(info.id, key) }) else {
                throw APIError.notFound(info, name: name)
            }
            chain.attributes.object = nil
            chain.attributes.oldObject = old.value
            chain.attributes.options = AdmissionOptions.delete(effectiveDeleteOptions(info, old.value, options))
            try await chain.mutate()
            try await chain.validate()
            var admitted = options
            admitted.admittedRevision = old.rv
            do {
                return try deleteObject(info, namespace: namespace, name: name, options: admitted)
            } catch is ObjectChangedDuringAdmission {
                continue
            }
        }
        throw APIError.conflict(info, name: name, APIError.modifiedMessage)
    }

    /// DeleteOptions after the registry's BeforeDelete: a pod's grace period is always set (its own, or 0 when
    /// unscheduled or terminal), as webhooks see it.
    private func effectiveDeleteOptions(_ info: ResourceInfo, _ object: JSONValue, _ options: DeleteOptions)
        -> DeleteOptions
    {
        guard info.id == BuiltinResources.pods.id else { return options }
        var effective = options
        var period =
            options.gracePeriodSeconds ?? object[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 0
        let phase = object[path: ["status", "phase"]]?.stringValue ?? ""
        if (object[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty || phase == "Succeeded" || phase == "Failed"
        {
            period = 0
        }
        if period < 0 { period = 1 }
        effective.gracePeriodSeconds = period
        return effective
    }

    /// A collection DELETE: each matching object is admitted and deleted in turn; a webhook's refusal ends the
    /// request with that error (objects deleted before stay deleted).
    private func admittedDeleteCollection(
        _ chain: inout AdmissionChain, _ info: ResourceInfo, namespace: String?, request: APIRequest
    ) async throws -> APIResponse {
        let options = try DeleteOptions(request: request)
        let filter = try ObjectFilter.from(request.query, info: info, namespace: namespace)
        let targets = store.state.withLock { s in
            (s.snapshot(info.id, namespace: info.namespaced ? namespace : nil, at: nil) ?? []).filter(filter.matches)
        }
        chain.attributes.name = ""
        var deleted: [StoredObject] = []
        for target in targets {
            do {
                let outcome = try await admitDelete(
                    &chain, info, namespace: target.namespace, name: target.name, options: options)
                deleted.append(outcome.object)
            } catch let e as APIError where e.code == 404 {
                continue
            }
        }
        return .bytes(200, deletedList(info, deleted))
    }
}
