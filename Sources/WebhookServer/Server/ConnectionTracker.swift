import NIOCore
import Synchronization

/// The server's open connections and the requests being answered, so that shutdown can stop accepting, let
/// running handlers answer, and then close what is left.
final class ConnectionTracker: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var requestsInFlight = 0
        var draining = false
    }

    private let state = Mutex(State())

    /// Whether shutdown has begun: responses then ask clients to close the connection.
    var isDraining: Bool { state.withLock { $0.draining } }

    /// The number of requests whose handler has not answered yet.
    var requestsInFlight: Int { state.withLock { $0.requestsInFlight } }

    /// Starts tracking a connection until it closes.
    func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { $0.channels[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLock { _ = $0.channels.removeValue(forKey: id) }
        }
    }

    func requestStarted() { state.withLock { $0.requestsInFlight += 1 } }
    func requestFinished() { state.withLock { $0.requestsInFlight -= 1 } }

    /// Marks the start of shutdown.
    func beginDraining() { state.withLock { $0.draining = true } }

    /// Closes every open connection.
    func closeAll() async {
        let channels = state.withLock { Array($0.channels.values) }
        for channel in channels { try? await channel.close() }
    }
}
