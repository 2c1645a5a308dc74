public import KubeModel
public import OperatorCore

/// `KubeClient` is the production adapter of the operator's Kubernetes ports. `get` and `delete` already have
/// the ports' shape; the other verbs translate the port option values into the client's own.
extension KubeClient: KubernetesAPI {
    public func list<T: KubernetesObject>(
        _ type: T.Type, namespace: String?, options: ListQuery
    ) async throws -> ObjectList<T> {
        try await list(T.self, namespace: namespace, options: ListOptions(options))
    }

    public func create<T: KubernetesObject>(_ object: T, namespace: String?, options: WriteQuery) async throws -> T {
        try await create(object, namespace: namespace, options: WriteOptions(options))
    }

    public func update<T: KubernetesObject>(_ object: T, options: WriteQuery) async throws -> T {
        try await update(object, options: WriteOptions(options))
    }

    public func patch<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, patch: ObjectPatch, subresource: String?,
        options: WriteQuery
    ) async throws -> T {
        try await self.patch(
            T.self, name: name, namespace: namespace, patch: Patch(patch), subresource: subresource,
            options: WriteOptions(options))
    }

    public func updateStatus<T: HasStatus>(_ object: T, options: WriteQuery) async throws -> T {
        try await updateStatus(object, options: WriteOptions(options))
    }

    public func patchStatus<T: HasStatus>(
        _ type: T.Type, name: String, namespace: String?, patch: ObjectPatch, options: WriteQuery
    ) async throws -> T {
        try await self.patch(
            T.self, name: name, namespace: namespace, patch: Patch(patch), subresource: "status",
            options: WriteOptions(options))
    }

    public func watch<T: KubernetesObject>(
        _ type: T.Type, namespace: String?, options: WatchQuery
    ) -> AsyncThrowingStream<TypedWatchEvent<T>, any Error> {
        watch(T.self, namespace: namespace, options: WatchOptions(options))
    }
}

/// Errors answered by the server classify through `KubernetesErrors` (`isNotFound`, `isConflict`, …).
extension KubeAPIError: KubernetesStatusError {}

extension ListOptions {
    fileprivate init(_ query: ListQuery) {
        self.init(
            labelSelector: query.labelSelector, fieldSelector: query.fieldSelector, limit: query.limit,
            continueToken: query.continueToken, resourceVersion: query.resourceVersion,
            resourceVersionMatch: query.resourceVersionMatch)
    }
}

extension WatchOptions {
    fileprivate init(_ query: WatchQuery) {
        self.init(
            labelSelector: query.labelSelector, fieldSelector: query.fieldSelector,
            resourceVersion: query.resourceVersion, allowWatchBookmarks: query.allowWatchBookmarks,
            timeoutSeconds: query.timeoutSeconds)
    }
}

extension WriteOptions {
    fileprivate init(_ query: WriteQuery) {
        self.init(dryRun: query.dryRun, fieldManager: query.fieldManager)
    }
}

extension Patch {
    fileprivate init(_ patch: ObjectPatch) {
        switch patch {
        case .merge(let value): self = .merge(value)
        case .json(let operations): self = .json(operations)
        case .strategicMerge(let value): self = .strategicMerge(value)
        case .apply(let value, let fieldManager, let force): self = .apply(value, fieldManager: fieldManager, force: force)
        }
    }
}
