public import KubeSim

/// Runs `body` against a fresh KubeSim server configured by `configure`, and shuts the server down afterwards
/// whether `body` returns or throws.
public func withKubeSim<T>(
    _ configure: (inout KubeSimConfiguration) -> Void = { _ in },
    _ body: (KubeSimServer) async throws -> T
) async throws -> T {
    var configuration = KubeSimConfiguration()
    configure(&configuration)
    let server = KubeSimServer(configuration: configuration)
    try await server.start()
    do {
        let result = try await body(server)
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}
