import KubeModel

/// One kind of object a controller watches and how its events become requests. Made by
/// `ControllerBuilder`; the informer is requested when the controller is added (so it syncs early) and the
/// handler is attached only while the controller runs.
struct WatchSource: Sendable {
    /// The resource, for logs.
    let resourceName: String
    /// Requests the shared informer from the factory.
    let prepare: @Sendable (InformerFactory) -> any InformerRunning
    /// Attaches an event handler that enqueues into `queue`; returns the detach action.
    let attach: @Sendable (InformerFactory, WorkQueue<ReconcileRequest>) -> @Sendable () -> Void

    init<Object: KubernetesObject>(
        _ type: Object.Type,
        informerOptions: InformerOptions<Object>,
        filter: (@Sendable (InformerEvent<Object>) -> Bool)?,
        map: @escaping @Sendable (Object) -> [ReconcileRequest]
    ) {
        resourceName = Object.gvr.description
        prepare = { factory in factory.informer(for: Object.self, options: informerOptions) }
        attach = { factory, queue in
            let informer = factory.informer(for: Object.self, options: informerOptions)
            let registration = informer.addEventHandler { event in
                if let filter, !filter(event) { return }
                for request in RequestMapping.requests(for: event, map: map) { queue.add(request) }
            }
            return { informer.removeEventHandler(registration) }
        }
    }
}
