public import KubeModel
public import OperatorCore

/// A `KubernetesAPI` that records every call's verb, result code and latency in `RuntimeMetrics`
/// (`rest_client_requests_total`, `rest_client_request_duration_seconds`) and forwards it unchanged.
///
/// It sees calls at the port, so a request the adapter retried internally counts once, with its final
/// outcome; successful calls are reported as 200 (201 for creates). Watches are counted when they end.
public struct InstrumentedKubernetesAPI: KubernetesAPI {
    /// The API calls are forwarded to.
    public let base: any KubernetesAPI
    /// Where calls are recorded.
    public let metrics: RuntimeMetrics

    /// Wraps `base`.
    public init(_ base: any KubernetesAPI, metrics: RuntimeMetrics) {
        self.base = base
        self.metrics = metrics
    }

    private func measure<Result>(
        _ verb: String, _ resource: String, success: String = "200", _ call: () async throws -> Result
    ) async throws -> Result {
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let result = try await call()
            metrics.recordRequest(verb: verb, resource: resource, code: success, duration: clock.now - started)
            return result
        } catch {
            let code = KubernetesErrors.code(of: error).map(String.init) ?? "<error>"
            metrics.recordRequest(verb: verb, resource: resource, code: code, duration: clock.now - started)
            throw error
        }
    }

    public func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?) async throws -> T {
        try await measure("GET", T.plural) { try await base.get(type, name: name, namespace: namespace) }
    }

    public func list<T: KubernetesObject>(
        _ type: T.Type, namespace: String?, options: ListOptions
    ) async throws -> ObjectList<T> {
        try await measure("LIST", T.plural) { try await base.list(type, namespace: namespace, options: options) }
    }

    public func create<T: KubernetesObject>(_ object: T, namespace: String?, options: WriteOptions) async throws -> T {
        try await measure("POST", T.plural, success: "201") {
            try await base.create(object, namespace: namespace, options: options)
        }
    }

    public func update<T: KubernetesObject>(_ object: T, options: WriteOptions) async throws -> T {
        try await measure("PUT", T.plural) { try await base.update(object, options: options) }
    }

    public func patch<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, subresource: String?,
        options: WriteOptions
    ) async throws -> T {
        try await measure("PATCH", T.plural) {
            try await base.patch(
                type, name: name, namespace: namespace, patch: patch, subresource: subresource, options: options)
        }
    }

    public func delete<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, options: DeleteOptions
    ) async throws -> T? {
        try await measure("DELETE", T.plural) {
            try await base.delete(type, name: name, namespace: namespace, options: options)
        }
    }

    public func evict(podName: String, namespace: String?, options: DeleteOptions?) async throws {
        try await measure("POST", "pods/eviction", success: "201") {
            try await base.evict(podName: podName, namespace: namespace, options: options)
        }
    }

    public func updateStatus<T: HasStatus>(_ object: T, options: WriteOptions) async throws -> T {
        try await measure("PUT", T.plural + "/status") { try await base.updateStatus(object, options: options) }
    }

    public func patchStatus<T: HasStatus>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, options: WriteOptions
    ) async throws -> T {
        try await measure("PATCH", T.plural + "/status") {
            try await base.patchStatus(type, name: name, namespace: namespace, patch: patch, options: options)
        }
    }

    public func watch<T: KubernetesObject>(
        _ type: T.Type, namespace: String?, options: WatchOptions
    ) -> AsyncThrowingStream<TypedWatchEvent<T>, any Error> {
        let upstream = base.watch(type, namespace: namespace, options: options)
        let metrics = self.metrics
        let (stream, continuation) = AsyncThrowingStream<TypedWatchEvent<T>, any Error>.makeStream()
        let forwarder = Task {
            let clock = ContinuousClock()
            let started = clock.now
            do {
                for try await event in upstream { continuation.yield(event) }
                metrics.recordRequest(verb: "WATCH", resource: T.plural, code: "200", duration: clock.now - started)
                continuation.finish()
            } catch {
                let code = KubernetesErrors.code(of: error).map(String.init) ?? "<error>"
                metrics.recordRequest(verb: "WATCH", resource: T.plural, code: code, duration: clock.now - started)
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in forwarder.cancel() }
        return stream
    }
}
