import Unstructured

/// The in-process controllers of kube-controller-manager and apiextensions that the API contract relies on:
/// the garbage collector (ownerReferences; Background, Foreground, Orphan), namespace finalization, and CRD
/// instance cleanup. They run asynchronously after writes, like the real ones.
extension KubeSimCore {
    func runControllers() async {
        for await _ in store.wakeups {
            if Task.isCancelled { return }
            try? await Task.sleep(for: configuration.garbageCollectorDelay)
            var rounds = 0
            while rounds < 10_000 {
                let work = store.takeWork()
                if work.isEmpty { break }
                var budgets = Set<String>()
                for w in work {
                    if case .disruption(let ns) = w { budgets.insert(ns) } else { process(w) }
                }
                for ns in budgets.sorted() { syncDisruptionBudgets(namespace: ns) }
                rounds += 1
                if Task.isCancelled { return }
            }
        }
    }

    private func info(for id: ResourceID) -> ResourceInfo? {
        let versions = registry.versions(of: id)
        return versions.first { $0.apiVersion == $0.storageAPIVersion } ?? versions.first
    }

    func process(_ work: ControllerWork) {
        switch work {
        case .removed(let id, let obj):
            let dependents = store.state.withLock { Array($0.dependents[obj.uid] ?? []) }
            for ref in dependents { collectIfOrphaned(ref) }
            for owner in obj.value.ownerReferences {
                if let uid = owner["uid"]?.stringValue { foregroundCheck(ownerUID: uid) }
            }
            if !obj.namespace.isEmpty { namespaceCheck(obj.namespace) }
            if id == BuiltinResources.crdID {
                crdRemoved(obj.value)
            } else if let info = info(for: id), let crdName = info.custom?.crdName {
                crdCheck(crdName)
            }
        case .changed(let id, let obj):
            if !obj.value.ownerReferences.isEmpty { collectIfOrphaned(ObjectRef(id: id, key: obj.key)) }
            guard obj.value.isDeleting else { return }
            let finalizers = obj.value.metaFinalizers
            if finalizers.contains("foregroundDeletion") { foregroundCheck(ownerUID: obj.uid) }
            if finalizers.contains("orphan") { orphanDependents(id, obj) }
            if id == BuiltinResources.namespaces.id { namespaceCheck(obj.name) }
            if id == BuiltinResources.crdID { crdCheck(obj.name) }
        case .disruption(let ns):
            syncDisruptionBudgets(namespace: ns)
        case .nodeTaints(let name):
            syncNodeConditionTaints(name)
        }
    }

    /// The disruption controller: keeps PodDisruptionBudget status (expectedPods, currentHealthy,
    /// desiredHealthy, disruptionsAllowed, observedGeneration, DisruptionAllowed condition) in line with the pods.
    func syncDisruptionBudgets(namespace: String) {
        let pdbInfo = BuiltinResources.podDisruptionBudgets
        _ = try? store.locked { s in
            let budgets = s.snapshot(pdbInfo.id, namespace: namespace, at: nil) ?? []
            if budgets.isEmpty { return }
            let pods = s.snapshot(BuiltinResources.pods.id, namespace: namespace, at: nil) ?? []
            for pdb in budgets where !pdb.value.isDeleting {
                guard let selector = LabelSelector.fromObject(pdb.value[path: ["spec", "selector"]] ?? [:]) else {
                    continue
                }
                let covered = pods.filter { selector.matches($0.value.metaLabels) }.map(\.value)
                let b = Self.budget(pdb.value, pods: covered)
                var new = pdb.value
                new[path: ["status", "expectedPods"]] = .int(Int64(b.expected))
                new[path: ["status", "currentHealthy"]] = .int(Int64(b.healthy))
                new[path: ["status", "desiredHealthy"]] = .int(Int64(b.desired))
                new[path: ["status", "disruptionsAllowed"]] = .int(Int64(b.allowed))
                new[path: ["status", "observedGeneration"]] = pdb.value[path: ["metadata", "generation"]] ?? 1
                // Evicted pods that are gone or terminating are no longer "disrupted".
                if var disrupted = new[path: ["status", "disruptedPods"]]?.objectValue {
                    for name in Array(disrupted.keys)
                    where !covered.contains(where: { $0.metaName == name && !$0.isDeleting }) {
                        disrupted.removeValue(forKey: name)
                    }
                    new[path: ["status", "disruptedPods"]] = disrupted.isEmpty ? nil : .object(disrupted)
                }
                let allowed = b.allowed > 0
                let old = pdb.value[path: ["status", "conditions"]]?.arrayValue?.first {
                    $0["type"] == "DisruptionAllowed"
                }
                if old?["status"]?.stringValue != (allowed ? "True" : "False") {
                    new[path: ["status", "conditions"]] = [
                        [
                            "type": "DisruptionAllowed", "status": .string(allowed ? "True" : "False"),
                            "reason": .string(allowed ? "SufficientPods" : "InsufficientPods"), "message": "",
                            "observedGeneration": pdb.value[path: ["metadata", "generation"]] ?? 1,
                            "lastTransitionTime": .string(Sim.timestamp()),
                        ]
                    ]
                }
                if new != pdb.value { s.put(pdbInfo, new, prev: pdb) }
            }
        }
    }

    /// Deletes a dependent whose owners are all gone; drops references to missing owners when some remain.
    private func collectIfOrphaned(_ ref: ObjectRef) {
        guard let info = info(for: ref.id) else { return }
        enum Action {
            case none
            case delete(String, String)
            case prune([String])
        }
        let action: Action = store.state.withLock { s in
            guard let dep = s.get(ref.id, ref.key) else { return .none }
            let owners = dep.value.ownerReferences.compactMap { $0["uid"]?.stringValue }
            if owners.isEmpty { return .none }
            let missing = owners.filter { s.object(uid: $0) == nil }
            if missing.isEmpty { return .none }
            if missing.count == owners.count {
                return dep.value.isDeleting ? .none : .delete(dep.namespace, dep.name)
            }
            return .prune(missing)
        }
        switch action {
        case .none: break
        case .delete(let ns, let name):
            _ = try? deleteObject(info, namespace: ns, name: name, options: DeleteOptions())
        case .prune(let missing):
            mutate(info, key: ref.key) { v in
                let refs = v.ownerReferences.filter { !missing.contains($0["uid"]?.stringValue ?? "") }
                v[path: ["metadata", "ownerReferences"]] = refs.isEmpty ? nil : .array(refs)
            }
        }
    }

    /// Foreground deletion: deletes the owner's dependents (blocking ones in the foreground), and removes the
    /// owner's `foregroundDeletion` finalizer once no dependent with blockOwnerDeletion remains.
    private func foregroundCheck(ownerUID: String) {
        let found = store.state.withLock { s -> (ObjectRef, StoredObject, [(ObjectRef, StoredObject)])? in
            guard let (ref, owner) = s.object(uid: ownerUID), owner.value.isDeleting,
                owner.value.metaFinalizers.contains("foregroundDeletion")
            else { return nil }
            let deps = (s.dependents[ownerUID] ?? []).compactMap { r in s.get(r.id, r.key).map { (r, $0) } }
            return (ref, owner, deps)
        }
        guard let (ownerRef, _, dependents) = found, let ownerInfo = info(for: ownerRef.id) else { return }
        var blocking = 0
        for (ref, dep) in dependents {
            let link = dep.value.ownerReferences.first { $0["uid"]?.stringValue == ownerUID }
            let blocks = link?["blockOwnerDeletion"]?.boolValue ?? false
            if blocks { blocking += 1 }
            if dep.value.isDeleting { continue }
            guard let depInfo = info(for: ref.id) else { continue }
            var opts = DeleteOptions()
            opts.propagationPolicy = blocks ? "Foreground" : "Background"
            _ = try? deleteObject(depInfo, namespace: dep.namespace, name: dep.name, options: opts)
        }
        if blocking == 0 {
            mutate(ownerInfo, key: ownerRef.key) { v in
                v.setFinalizers(v.metaFinalizers.filter { $0 != "foregroundDeletion" })
            }
        }
    }

    /// Orphan deletion: removes the owner from its dependents' ownerReferences, then its `orphan` finalizer.
    private func orphanDependents(_ id: ResourceID, _ owner: StoredObject) {
        let deps = store.state.withLock { Array($0.dependents[owner.uid] ?? []) }
        for ref in deps {
            guard let depInfo = info(for: ref.id) else { continue }
            mutate(depInfo, key: ref.key) { v in
                let refs = v.ownerReferences.filter { $0["uid"]?.stringValue != owner.uid }
                v[path: ["metadata", "ownerReferences"]] = refs.isEmpty ? nil : .array(refs)
            }
        }
        guard let ownerInfo = info(for: id) else { return }
        mutate(ownerInfo, key: owner.key) { v in
            v.setFinalizers(v.metaFinalizers.filter { $0 != "orphan" })
        }
    }

    /// Namespace finalization: deletes the namespace's contents; when empty, clears spec.finalizers and removes it.
    private func namespaceCheck(_ name: String) {
        let nsInfo = BuiltinResources.namespaces
        guard let ns = store.state.withLock({ $0.get(nsInfo.id, name) }), ns.value.isDeleting else { return }
        var remaining = 0
        for info in registry.namespacedResources() {
            let objects = store.state.withLock { $0.snapshot(info.id, namespace: name, at: nil) ?? [] }
            remaining += objects.count
            for o in objects where !o.value.isDeleting {
                _ = try? deleteObject(info, namespace: name, name: o.name, options: DeleteOptions())
            }
        }
        if remaining > 0 {
            // Removals re-trigger this check; objects deleted at once above are counted again below.
            let left = registry.namespacedResources().reduce(0) { n, info in
                n + store.state.withLock { ($0.snapshot(info.id, namespace: name, at: nil) ?? []).count }
            }
            if left > 0 { return }
        }
        _ = try? store.locked { s in
            guard let old = s.get(nsInfo.id, name), old.value.isDeleting else { return }
            var new = old.value
            new[path: ["spec", "finalizers"]] = nil
            if new.metaFinalizers.isEmpty {
                s.remove(nsInfo, old, finalValue: new)
            } else if new != old.value {
                s.put(nsInfo, new, prev: old)
            }
        }
    }

    /// CRD deletion: deletes every custom resource of the CRD, then removes the cleanup finalizer.
    private func crdCheck(_ crdName: String) {
        let crdInfo = BuiltinResources.crds
        guard let crd = store.state.withLock({ $0.get(crdInfo.id, crdName) }), crd.value.isDeleting else { return }
        let group = crd.value[path: ["spec", "group"]]?.stringValue ?? ""
        let plural = crd.value[path: ["spec", "names", "plural"]]?.stringValue ?? ""
        let id = ResourceID(group: group, resource: plural)
        if let info = info(for: id) {
            let objects = store.state.withLock { $0.snapshot(id, namespace: nil, at: nil) ?? [] }
            for o in objects where !o.value.isDeleting {
                _ = try? deleteObject(info, namespace: o.namespace, name: o.name, options: DeleteOptions())
            }
            let left = store.state.withLock { $0.buckets[id]?.objects.count ?? 0 }
            if left > 0 { return }
        }
        mutate(crdInfo, key: crdName) { v in
            v.setFinalizers(v.metaFinalizers.filter { $0 != Self.crdCleanupFinalizer })
        }
    }

    /// A controller's read-modify-write of one object (removed when a deleting object loses its last finalizer).
    func mutate(_ info: ResourceInfo, key: String, _ change: (inout JSONValue) -> Void) {
        _ = try? store.locked { s in
            guard let old = s.get(info.id, key) else { return }
            var new = old.value
            change(&new)
            if new == old.value { return }
            _ = try self.applyUpdate(
                &s, info, old: old, candidate: new, options: WriteOptions(), mode: .fixture,
                requireResourceVersion: false)
        }
    }
}
