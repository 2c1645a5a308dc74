import Foundation
import HTTPTransport
import Synchronization

/// Wraps a transport to count what is sent and to break blob uploads on purpose: fail a `PATCH` before it is
/// sent, or drop it after some bytes (the connection "breaks" mid-stream).
final class FaultTransport: HTTPTransport {
    enum Fault: Sendable {
        case failBeforeSending(patch: Int)
        case dropMidStream(patch: Int, afterBytes: Int)
    }

    struct Counters: Sendable {
        var patches = 0
        var posts = 0
        var patchBytes: Int64 = 0
        var contentRanges: [String] = []
    }

    let base: any HTTPTransport
    let faults: [Fault]
    private let state = Mutex(Counters())

    init(base: any HTTPTransport, faults: [Fault] = []) {
        self.base = base
        self.faults = faults
    }

    var counters: Counters { state.withLock { $0 } }

    func reset() { state.withLock { $0 = Counters() } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        if request.method == .post { state.withLock { $0.posts += 1 } }
        if request.method == .patch, let producer = request.content?.producer {
            let number = state.withLock { counters in
                counters.patches += 1
                if let range = request.headers["Content-Range"] { counters.contentRanges.append(range) }
                return counters.patches
            }
            var dropAfter: Int?
            for fault in faults {
                switch fault {
                case .failBeforeSending(let patch) where patch == number:
                    throw HTTPTransportError(kind: .connection, message: "injected: connection refused before PATCH \(number)")
                case .dropMidStream(let patch, let after) where patch == number:
                    dropAfter = after
                default:
                    break
                }
            }
            let sent = SentCounter()
            let dropLimit = dropAfter
            request.content = .stream(length: request.content?.length) { buffer in
                if let dropLimit, sent.value.withLock({ $0 }) >= dropLimit {
                    throw HTTPTransportError(kind: .connection, message: "injected: connection dropped mid-PATCH")
                }
                let limit = dropLimit.map { min(buffer.count, max(1, $0 - sent.value.withLock { $0 })) } ?? buffer.count
                let count = try producer(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<limit]))
                sent.value.withLock { $0 += count }
                self.state.withLock { $0.patchBytes += Int64(count) }
                return count
            }
        }
        return try await base.send(request)
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        try await base.stream(request)
    }
}

private final class SentCounter: Sendable {
    let value = Mutex(0)
}

/// Holds a task so a callback that runs before the task is stored can still cancel it.
final class CancelBox<Success: Sendable>: Sendable {
    private let state = Mutex<(task: Task<Success, any Error>?, requested: Bool)>((nil, false))

    func set(_ task: Task<Success, any Error>) {
        let cancelNow = state.withLock { state -> Bool in
            state.task = task
            return state.requested
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state -> Task<Success, any Error>? in
            state.requested = true
            return state.task
        }
        task?.cancel()
    }
}
