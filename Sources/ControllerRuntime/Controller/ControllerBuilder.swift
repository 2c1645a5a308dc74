public import KubeModel

/// Declares a controller: the kind it reconciles, what else it watches and how those map to requests
/// (controller-runtime's builder). One controller per kind; other kinds map back to it.
///
/// ```swift
/// let controller = ControllerBuilder(named: "migration", for: StatefulMigration.self)
///     .owns(Pod.self)
///     .watches(Node.self) { node in requestsForMigrationsOn(node) }
///     .build(reconciler: MigrationReconciler(...))
/// ```
public struct ControllerBuilder<Primary: KubernetesObject>: Sendable {
    let name: String
    var sources: [WatchSource]
    var options = ControllerOptions()

    /// A controller called `name` reconciling `Primary` objects, cached with `informerOptions`.
    public init(
        named name: String, for primary: Primary.Type, informerOptions: InformerOptions<Primary> = InformerOptions(),
        filter: (@Sendable (InformerEvent<Primary>) -> Bool)? = nil
    ) {
        self.name = name
        self.sources = [WatchSource(Primary.self, informerOptions: informerOptions, filter: filter, map: RequestMapping.selfRequest)]
    }

    /// Also watches `Owned` objects and reconciles their controlling owner of kind `Primary`
    /// (ownerReference with `controller: true`).
    public func owns<Owned: KubernetesObject>(
        _ owned: Owned.Type, informerOptions: InformerOptions<Owned> = InformerOptions(),
        filter: (@Sendable (InformerEvent<Owned>) -> Bool)? = nil
    ) -> Self {
        var copy = self
        copy.sources.append(WatchSource(Owned.self, informerOptions: informerOptions, filter: filter) { object in
            RequestMapping.controllerOwner(Primary.self, of: object)
        })
        return copy
    }

    /// Also watches `Other` objects and reconciles whatever `map` returns for each.
    public func watches<Other: KubernetesObject>(
        _ other: Other.Type, informerOptions: InformerOptions<Other> = InformerOptions(),
        filter: (@Sendable (InformerEvent<Other>) -> Bool)? = nil,
        map: @escaping @Sendable (Other) -> [ReconcileRequest]
    ) -> Self {
        var copy = self
        copy.sources.append(WatchSource(Other.self, informerOptions: informerOptions, filter: filter, map: map))
        return copy
    }

    /// Sets the worker count and retry backoff.
    public func withOptions(_ options: ControllerOptions) -> Self {
        var copy = self
        copy.options = options
        return copy
    }

    /// The controller, reconciling with `reconciler`.
    public func build(reconciler: some Reconciler) -> Controller {
        Controller(name: name, sources: sources, options: options, reconciler: reconciler)
    }
}
