public import KubeModel

/// Pure functions from an observed object to the requests it should trigger (controller-runtime's
/// `handler.EnqueueRequestForObject`, `EnqueueRequestForOwner` and `EnqueueRequestsFromMapFunc`).
public enum RequestMapping {
    /// The object itself.
    public static func selfRequest<Object: KubernetesObject>(_ object: Object) -> [ReconcileRequest] {
        [ReconcileRequest(for: object)]
    }

    /// The object's controlling owner, when that owner is of kind `Owner` (group and kind match; the version
    /// may differ). Namespaced owners live in the object's namespace.
    public static func controllerOwner<Owner: KubernetesObject, Object: KubernetesObject>(
        _ owner: Owner.Type, of object: Object
    ) -> [ReconcileRequest] {
        guard let reference = object.metadata.controllerReference, reference.kind == Owner.kind,
            group(ofAPIVersion: reference.apiVersion) == Owner.group
        else { return [] }
        let namespace = Owner.isNamespaced ? (object.metadata.namespace ?? "") : ""
        return [ReconcileRequest(namespace: namespace, name: reference.name)]
    }

    /// The requests of an event: for updates, those of the old and the new state (so a changed owner or
    /// mapping wakes both), without duplicates.
    public static func requests<Object: Sendable>(
        for event: InformerEvent<Object>, map: (Object) -> [ReconcileRequest]
    ) -> [ReconcileRequest] {
        switch event {
        case .added(let object), .deleted(let object, _): return map(object)
        case .updated(let old, let new):
            let newRequests = map(new)
            var seen = Set(newRequests)
            var all = newRequests
            for request in map(old) where seen.insert(request).inserted { all.append(request) }
            return all
        }
    }

    /// The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → "").
    static func group(ofAPIVersion apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }
}
