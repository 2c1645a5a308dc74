import Dispatch

/// Runs the simulated runtime's blocking file work (writing and scanning checkpoint archives, removing
/// scratch directories) on a Dispatch queue, never on Swift's cooperative pool.
enum RuntimeBlockingIO {
    private static let queue = DispatchQueue(label: "ms2m.sim-runtime.blocking-io", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
