import ServiceLifecycle

/// Runs a manager's informers as a `Service` until graceful shutdown (they stop last, after the controllers
/// that read their caches).
struct InformerService: Service {
    let factory: InformerFactory

    func run() async {
        await cancelWhenGracefulShutdown { await factory.run() }
    }
}
