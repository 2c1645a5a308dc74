import Unstructured

/// Which part of an object an update may change.
enum UpdateMode: Sendable {
    /// The main resource: with a status subresource, status changes are ignored.
    case main
    /// The status subresource: only status changes.
    case status
    /// Fixture writes: everything, status included.
    case fixture
}

extension KubeSimCore {
    // MARK: Create

    func createRequest(_ info: ResourceInfo, namespace: String?, request: APIRequest) throws -> APIResponse {
        let body = try request.jsonBody()
        let created = try createObject(info, namespace: namespace, body: body, options: WriteOptions(request))
        return .bytes(201, objectBytes(created, info))
    }

    /// Checks `apiVersion`/`kind` of a body against the URL (400 when they differ) and fills them in when absent.
    func checkTypeMeta(_ obj: inout JSONValue, _ info: ResourceInfo) throws {
        guard obj.objectValue != nil else {
            throw APIError.badRequest("the body of the request must be a JSON object, got \(obj.typeName)")
        }
        if let kind = obj["kind"], !kind.isNull {
            guard kind.stringValue == info.kind else {
                throw APIError.badRequest(
                    "the kind in the body (\(kind.stringValue ?? kind.jsonString())) does not match the kind of "
                        + "the resource (\(info.kind))")
            }
        }
        if let av = obj["apiVersion"], !av.isNull {
            guard let s = av.stringValue, s == info.apiVersion || (info.isCustom && sameGroup(s, info)) else {
                throw APIError.badRequest(
                    "the API version in the data (\(av.stringValue ?? av.jsonString())) does not match the "
                        + "expected API version (\(info.apiVersion))")
            }
        }
        obj["apiVersion"] = .string(info.storageAPIVersion)
        obj["kind"] = .string(info.kind)
        if obj["metadata"]?.objectValue == nil {
            if let m = obj["metadata"], !m.isNull {
                throw APIError.badRequest("metadata must be an object")
            }
            obj["metadata"] = .object([:])
        }
    }

    private func sameGroup(_ apiVersion: String, _ info: ResourceInfo) -> Bool {
        registry.versions(of: info.id).contains { $0.apiVersion == apiVersion }
    }

    /// Validates the object name (`metadata.name`) for the resource.
    func validateName(_ info: ResourceInfo, _ name: String, kind: String? = nil) throws {
        if name.isEmpty {
            throw APIError.invalid(
                info, name: "", errors: [.required("metadata.name", "name or generateName is required")])
        }
        if let problem = NameValidation.check(name, rule: info.nameRule) {
            throw APIError.invalid(info, name: name, errors: [.invalid("metadata.name", value: .string(name), problem)])
        }
    }

    /// POST: creates an object; returns the stored object (or, for dry runs, what would be stored).
    func createObject(_ info: ResourceInfo, namespace: String?, body: JSONValue, options: WriteOptions) throws
        -> StoredObject
    {
        try storeCreate(
            info, try prepareCreate(info, namespace: namespace, body: body, options: options), options: options)
    }

    /// Checks `apiVersion`/`kind` and makes `metadata.namespace` agree with the request (400 when the body names
    /// another namespace; removed for cluster-scoped resources).
    func checkCreateTarget(_ obj: inout JSONValue, _ info: ResourceInfo, namespace: String?) throws {
        try checkTypeMeta(&obj, info)
        if info.namespaced {
            let bodyNS = obj.metaNamespace
            let ns = namespace ?? bodyNS
            if !bodyNS.isEmpty && bodyNS != ns {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            obj[path: ["metadata", "namespace"]] = .string(ns)
        } else {
            obj[path: ["metadata", "namespace"]] = nil
        }
    }

    /// A create checked and completed, not yet stored: the fully formed object validating admission sees.
    struct PreparedCreate: Sendable {
        var object: JSONValue
        var generateName: String
        /// Whether the client named the object (a generated name is retried on collision, a given one is not).
        var named: Bool
    }

    /// Everything a create does before it touches the store: type meta, namespace, generated name, name and
    /// label validation, server-set metadata, defaults, schema admission of custom resources.
    func prepareCreate(_ info: ResourceInfo, namespace: String?, body: JSONValue, options: WriteOptions) throws
        -> PreparedCreate
    {
        var obj = body
        try checkCreateTarget(&obj, info, namespace: namespace)
        try DecodeChecks.check(info, obj)
        if let schema = BuiltinFields.schema(info) { obj = schema.pruned(obj) }
        let named = !obj.metaName.isEmpty
        let generateName = obj[path: ["metadata", "generateName"]]?.stringValue ?? ""
        if obj.metaName.isEmpty && !generateName.isEmpty {
            obj[path: ["metadata", "name"]] = .string(Sim.generatedName(generateName))
        }
        try validateName(info, obj.metaName)
        let labelProblems = BuiltinValidation.validateMetadata(obj)
        if !labelProblems.isEmpty { throw APIError.invalid(info, name: obj.metaName, errors: labelProblems) }
        var meta = obj["metadata"]?.objectValue ?? [:]
        for key in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
            meta.removeValue(forKey: key)
        }
        meta["uid"] = .string(Sim.newUID())
        meta["creationTimestamp"] = .string(Sim.timestamp())
        if BuiltinDefaults.hasGeneration(info) { meta["generation"] = 1 } else { meta.removeValue(forKey: "generation") }
        obj["metadata"] = .object(meta)
        try BuiltinDefaults.prepareForCreate(info, &obj, keepStatus: options.fromFixture)
        if info.id == BuiltinResources.pods.id {
            let namespace = obj.metaNamespace
            try PodAdmission.admit(&obj) { name in
                self.store.state.withLock { $0.get(BuiltinResources.serviceAccounts.id, "\(namespace)/\(name)")?.value }
            }
        }
        if info.id == BuiltinResources.nodes.id { NodeLifecycle.admitNewNode(&obj) }
        let problems = WorkloadValidation.validate(info, obj) + ResourceValidation.validateCreate(info, obj)
        if !problems.isEmpty { throw APIError.invalid(info, name: obj.metaName, errors: problems) }
        if info.isCustom { try admitCustom(info, &obj, old: nil) }
        if info.id == BuiltinResources.crdID { try prepareCRD(&obj) }
        if WebhookConfigurations.isConfiguration(info) { try WebhookConfigurations.prepare(info, &obj) }
        if let manager = options.fieldManager {
            ManagedFields.record(
                &obj, manager: manager, operation: "Update", apiVersion: info.apiVersion, applied: body)
        }
        return PreparedCreate(object: obj, generateName: generateName, named: named)
    }

    /// NamespaceLifecycle for creates: 404 when the namespace does not exist, 403 while it terminates.
    func namespaceAdmitsCreate(_ s: StoreState, _ info: ResourceInfo, namespace ns: String, name: String) throws {
        guard let nsObj = s.get(BuiltinResources.namespaces.id, ns) else { throw APIError.namespaceNotFound(ns) }
        if nsObj.value.isDeleting {
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "\(info.qualifiedResource) \"\(name)\" is forbidden: unable to create "
                    + "new content in namespace \(ns) because it is being terminated",
                details: APIError.resourceDetails(info, name: name).merging(
                    [
                        "causes": [
                            [
                                "reason": "NamespaceTerminating",
                                "message": .string("namespace \(ns) is being terminated"),
                                "field": "metadata.namespace",
                            ]
                        ]
                    ], uniquingKeysWith: { $1 }))
        }
    }

    /// Stores a prepared create (a new revision and watch event; for dry runs, what would be stored).
    func storeCreate(_ info: ResourceInfo, _ prepared: PreparedCreate, options: WriteOptions) throws -> StoredObject {
        let generateName = prepared.generateName
        var candidate = prepared.object
        return try store.locked { s in
            if info.namespaced {
                try self.namespaceAdmitsCreate(s, info, namespace: candidate.metaNamespace, name: candidate.metaName)
            }
            if let crdName = info.custom?.crdName, s.get(BuiltinResources.crdID, crdName)?.value.isDeleting ?? true {
                throw APIError(
                    code: 405, reason: "MethodNotAllowed",
                    message: "create not allowed while custom resource definition is terminating", details: [:])
            }
            var key = info.namespaced ? "\(candidate.metaNamespace)/\(candidate.metaName)" : candidate.metaName
            var attempts = 0
            while s.get(info.id, key) != nil {
                // Generated names are retried a few times, as the API server does.
                attempts += 1
                guard !generateName.isEmpty && !prepared.named && attempts < 8 else {
                    throw APIError.alreadyExists(info, name: candidate.metaName)
                }
                candidate[path: ["metadata", "name"]] = .string(Sim.generatedName(generateName))
                key = info.namespaced ? "\(candidate.metaNamespace)/\(candidate.metaName)" : candidate.metaName
            }
            if options.dryRun {
                var v = candidate
                v[path: ["metadata", "resourceVersion"]] = .string(String(s.rv))
                return StoredObject(value: v, rv: s.rv, omitTypeInItems: !info.isCustom)
            }
            let stored = s.put(info, candidate, prev: nil)
            if info.id == BuiltinResources.crdID { self.crdStored(stored.value) }
            if info.id == BuiltinResources.namespaces.id { self.populateNamespace(&s, candidate.metaName) }
            return stored
        }
    }

    /// What the controller manager creates in a new namespace (its `default` ServiceAccount), written at once
    /// rather than moments later.
    func populateNamespace(_ s: inout StoreState, _ namespace: String) {
        for (info, object) in PodAdmission.namespaceObjects(namespace) {
            guard s.get(info.id, "\(namespace)/\(object.metaName)") == nil,
                let prepared = try? prepareCreate(info, namespace: namespace, body: object, options: WriteOptions())
            else { continue }
            _ = s.put(info, prepared.object, prev: nil)
        }
    }

    // MARK: Update

    func updateRequest(_ info: ResourceInfo, namespace: String, name: String, request: APIRequest) throws
        -> APIResponse
    {
        let body = try request.jsonBody()
        let updated = try updateObject(
            info, namespace: namespace, name: name, body: body, options: WriteOptions(request), mode: .main)
        return .bytes(200, objectBytes(updated, info))
    }

    func updateStatusRequest(_ info: ResourceInfo, namespace: String, name: String, request: APIRequest) throws
        -> APIResponse
    {
        let body = try request.jsonBody()
        let updated = try updateObject(
            info, namespace: namespace, name: name, body: body, options: WriteOptions(request), mode: .status)
        return .bytes(200, objectBytes(updated, info))
    }

    /// PUT: replaces an object (main resource, status, or fixture).
    func updateObject(
        _ info: ResourceInfo, namespace: String, name: String, body: JSONValue, options: WriteOptions,
        mode: UpdateMode
    ) throws -> StoredObject {
        let candidate = try checkUpdateTarget(body, info, namespace: namespace, name: name)
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        return try store.locked { s in
            guard let old = s.get(info.id, key) else { throw APIError.notFound(info, name: name) }
            // rest.DefaultUpdatedObjectInfo: a PUT body's uid is a storage precondition, checked before anything
            // else and reported, like every failed precondition of an update, as 409 Conflict.
            if mode != .fixture, let uid = candidate[path: ["metadata", "uid"]]?.stringValue, !uid.isEmpty,
                let stored = old.value[path: ["metadata", "uid"]]?.stringValue, uid != stored
            {
                throw APIError.conflict(
                    info, name: name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(stored)")
            }
            return try self.applyUpdate(
                &s, info, old: old, candidate: candidate, options: options, mode: mode,
                requireResourceVersion: info.isCustom && mode != .fixture)
        }
    }

    /// Checks `apiVersion`/`kind` of a PUT body and makes its name and namespace agree with the URL (400 when
    /// they differ).
    func checkUpdateTarget(_ body: JSONValue, _ info: ResourceInfo, namespace: String, name: String) throws
        -> JSONValue
    {
        var obj = body
        try checkTypeMeta(&obj, info)
        let bodyName = obj.metaName
        if !bodyName.isEmpty && bodyName != name {
            throw APIError.badRequest(
                "the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        obj[path: ["metadata", "name"]] = .string(name)
        if info.namespaced {
            let bodyNS = obj.metaNamespace
            if !bodyNS.isEmpty && bodyNS != namespace {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            obj[path: ["metadata", "namespace"]] = .string(namespace)
        }
        return obj
    }

    /// The shared tail of PUT and PATCH: optimistic concurrency, immutable metadata, status isolation,
    /// admission, generation, no-op detection, and removal when the last finalizer goes.
    func applyUpdate(
        _ s: inout StoreState, _ info: ResourceInfo, old: StoredObject, candidate: JSONValue, options: WriteOptions,
        mode: UpdateMode, requireResourceVersion: Bool
    ) throws -> StoredObject {
        let oldValue = old.value
        let bodyRV = candidate[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if !bodyRV.isEmpty {
            if bodyRV != String(old.rv) {
                throw APIError.conflict(info, name: old.name, APIError.modifiedMessage)
            }
        } else if requireResourceVersion {
            throw APIError.invalid(
                info, name: old.name,
                errors: [
                    FieldProblem(
                        reason: "FieldValueInvalid", field: "metadata.resourceVersion",
                        body: "Invalid value: 0x0: must be specified for an update")
                ])
        }
        // rest.BeforeUpdate: an empty uid takes the stored one; another uid is an invalid update (the field is
        // immutable). A PUT never gets here with another uid (its precondition is checked first); a merge patch
        // carrying the uid of a pod that was replaced is rejected this way.
        if mode != .fixture, let uid = candidate[path: ["metadata", "uid"]]?.stringValue, !uid.isEmpty,
            uid != oldValue[path: ["metadata", "uid"]]?.stringValue
        {
            throw APIError.invalid(info, name: old.name, errors: [.invalid("metadata.uid", value: .string(uid), "field is immutable")])
        }
        let candidate = BuiltinFields.schema(info)?.pruned(candidate) ?? candidate
        var new: JSONValue
        switch mode {
        case .main:
            new = candidate
            if info.hasStatus { new["status"] = oldValue["status"] }
        case .status:
            new = oldValue
            new["status"] = candidate["status"]
        case .fixture:
            new = candidate
        }
        // Server-managed metadata is kept from the stored object.
        var meta = new["metadata"]?.objectValue ?? [:]
        let oldMeta = oldValue["metadata"]?.objectValue ?? [:]
        for key in [
            "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
            "name", "namespace",
        ] {
            meta[key] = oldMeta[key]
        }
        if meta["managedFields"] == nil { meta["managedFields"] = oldMeta["managedFields"] }
        meta.removeValue(forKey: "selfLink")
        new["metadata"] = .object(meta)
        if oldValue.isDeleting {
            let added = Set(new.metaFinalizers).subtracting(oldValue.metaFinalizers)
            if !added.isEmpty {
                let list = added.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                throw APIError.invalid(
                    info, name: old.name,
                    errors: [
                        .forbidden(
                            "metadata.finalizers",
                            "no new finalizers can be added if the object is being deleted, found new finalizers "
                                + "[]string{\(list)}")
                    ])
            }
        }
        try DecodeChecks.check(info, new)
        try BuiltinDefaults.prepareForUpdate(info, &new, old: oldValue)
        var problems = BuiltinValidation.validateMetadata(new)
        if mode == .main {
            problems += BuiltinValidation.validateUpdate(info, new, old: oldValue)
            problems += WorkloadValidation.validate(info, new) + ResourceValidation.validate(info, new)
            problems += ResourceValidation.validateUpdate(info, new, old: oldValue)
        }
        if !problems.isEmpty { throw APIError.invalid(info, name: old.name, errors: problems) }
        if info.isCustom { try admitCustom(info, &new, old: oldValue) }
        if info.id == BuiltinResources.crdID { try prepareCRD(&new) }
        if WebhookConfigurations.isConfiguration(info) { try WebhookConfigurations.prepare(info, &new) }
        if BuiltinDefaults.hasGeneration(info) {
            var generation = oldMeta["generation"]?.intValue ?? 1
            if specChanged(info, oldValue, new) { generation += 1 }
            new[path: ["metadata", "generation"]] = .int(generation)
        }
        if let manager = options.fieldManager {
            ManagedFields.record(
                &new, manager: manager, operation: "Update", apiVersion: info.apiVersion,
                applied: mode == .status ? ["status": candidate["status"] ?? [:]] : candidate,
                subresource: mode == .status ? "status" : nil)
        }
        new[path: ["metadata", "resourceVersion"]] = .string(String(old.rv))
        if new == oldValue {
            return old  // no change: no write, no new resourceVersion (as etcd3's GuaranteedUpdate)
        }
        if options.dryRun {
            return StoredObject(value: new, rv: old.rv, omitTypeInItems: !info.isCustom)
        }
        if new.isDeleting && new.metaFinalizers.isEmpty
            && (new[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue ?? 0) == 0
            && !(info.id == BuiltinResources.namespaces.id
                && !(new[path: ["spec", "finalizers"]]?.arrayValue ?? []).isEmpty)
        {
            let final = s.remove(info, old, finalValue: new)
            didRemove(info, final)
            return final
        }
        let stored = s.put(info, new, prev: old)
        if info.id == BuiltinResources.crdID { crdStored(stored.value) }
        return stored
    }

    /// Synchronous consequences of a removal (under the store lock): a removed CRD stops being served.
    func didRemove(_ info: ResourceInfo, _ final: StoredObject) {
        if info.id == BuiltinResources.crdID { crdRemoved(final.value) }
    }

    /// Whether anything but metadata (and status, with a status subresource) changed: generation's rule.
    func specChanged(_ info: ResourceInfo, _ old: JSONValue, _ new: JSONValue) -> Bool {
        let a = old.objectValue ?? [:]
        let b = new.objectValue ?? [:]
        let ignoreStatus = info.hasStatus || (info.custom?.hasStatus ?? false)
        func relevant(_ k: String) -> Bool {
            k != "metadata" && k != "apiVersion" && k != "kind" && !(ignoreStatus && k == "status")
        }
        for (k, v) in a where relevant(k) { if b[k] != v { return true } }
        for (k, _) in b where relevant(k) { if a[k] == nil { return true } }
        return false
    }
}
