import Foundation
import SampleWorkload

/// Thrown when a condition a test waits for does not come true in time.
struct WaitTimeout: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every 20 ms until it holds; throws ``WaitTimeout`` (with `what`) after `timeout`.
func waitUntil(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(10),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    if try await condition() { return }
    throw WaitTimeout(description: "timed out after \(timeout) waiting until \(what())")
}

/// A name no other test uses.
func uniqueName(_ prefix: String) -> String {
    "ms2m-sample.\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
}

/// Runs `consumer` in a task; the caller stops it and awaits the task's value.
func start(_ consumer: CounterConsumer) -> Task<Void, any Error> {
    Task { try await consumer.run() }
}

/// Runs `producer` for `count` messages in a task.
func start(_ producer: Producer, count: Int?) -> Task<Void, any Error> {
    Task { try await producer.run(count: count) }
}
