import Dispatch

/// Runs blocking file-system work on a Dispatch queue, never on Swift's cooperative pool.
enum BlockingIO {
    private static let queue = DispatchQueue(label: "ms2m.registry.blocking-io", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
