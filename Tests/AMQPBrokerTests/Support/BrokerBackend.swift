import AMQPBroker
import Foundation
import InProcessBroker
import OperatorCore
import Testing

/// The brokers the behavioural contract runs against.
enum BrokerBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess
    case rabbitMQ

    var testDescription: String { self == .inProcess ? "InProcessBroker" : "RabbitMQ" }

    /// The pool every RabbitMQ contract test shares: one connection, many concurrent users, as in production.
    static let rabbitMQPool = RabbitMQBrokerPool(
        options: RabbitMQBrokerOptions(connectionName: "ms2m-contract-tests"))

    /// A broker for one test: a fresh in-process broker, or the shared pooled RabbitMQ connection.
    func makeBroker() async throws -> any MessageBroker & MessageConsuming {
        switch self {
        case .inProcess:
            return InProcessBroker()
        case .rabbitMQ:
            let node = try await RabbitMQTestServer.shared.node()
            return try await Self.rabbitMQPool.broker(url: node.url(), credentials: nil)
        }
    }
}

/// A name no other test uses.
func uniqueName(_ prefix: String) -> String {
    "ms2m-test.\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
}

/// Thrown when a stream does not produce what a test waits for in time.
struct StreamTimeout: Error, CustomStringConvertible {
    var description: String
}

/// Reads `count` deliveries from `stream` (or fails after `timeout`), without ending the stream.
func next(
    _ count: Int, from iterator: inout AsyncThrowingStream<Delivery, any Error>.AsyncIterator,
    timeout: Duration = .seconds(10)
) async throws -> [Delivery] {
    var deliveries: [Delivery] = []
    for _ in 0..<count {
        guard let delivery = try await nextElement(&iterator, timeout: timeout) else {
            throw StreamTimeout(description: "the stream ended after \(deliveries.count) of \(count) deliveries")
        }
        deliveries.append(delivery)
    }
    return deliveries
}

/// The next element of `iterator`, nil when the stream ends; throws ``StreamTimeout`` after `timeout`.
func nextElement(
    _ iterator: inout AsyncThrowingStream<Delivery, any Error>.AsyncIterator, timeout: Duration
) async throws -> Delivery? {
    // The iterator cannot be shared with a child task; race it against a timer that cancels this task.
    let current = withUnsafeCurrentTask { $0 }
    let timer = Task {
        try await Task.sleep(for: timeout)
        current?.cancel()
    }
    defer { timer.cancel() }
    let element = try await iterator.next()
    if element == nil, Task.isCancelled {
        throw StreamTimeout(description: "no delivery within \(timeout)")
    }
    return element
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(
    timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
