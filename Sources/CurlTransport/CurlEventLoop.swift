import Foundation
import HTTPTransport
import Synchronization
internal import CCurl
internal import CShims

/// Runs libcurl transfers on one dedicated thread through a `curl_multi` handle.
///
/// libcurl's easy interface blocks, and Swift's cooperative pool must never block, so every transfer of a
/// transport is handed to this loop: one thread that owns the multi handle, adds and removes easy handles,
/// and drives them with `curl_multi_perform`/`curl_multi_poll`. The multi handle's connection cache gives
/// connection reuse across requests; `curl_multi_wakeup` lets other threads hand over work or cancel.
///
/// `@unchecked Sendable`: the multi handle is touched only on the loop thread; the only state shared with
/// other threads (new transfers, the stop flag) sits behind a `Mutex`, and `curl_multi_wakeup` is
/// documented as safe to call from any thread.
public final class CurlEventLoop: @unchecked Sendable {
    /// The loop shared by every transport that is not given its own.
    public static let shared = CurlEventLoop()

    private struct Shared {
        var pending: [CurlTransfer] = []
        var stopping = false
    }

    private let shared = Mutex(Shared())
    /// Idle connections kept for reuse.
    static let maximumIdleConnections = 64
    private let multi: UnsafeMutableRawPointer
    private let nextID = Atomic<UInt64>(1)

    /// Starts a loop thread with its own connection cache.
    public init() {
        CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.multi = multi
        // curl keeps about four idle connections per running transfer; a process that talks to a few servers
        // with bursts of requests keeps more, so a burst elsewhere does not evict a connection about to be reused.
        ms2m_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, Self.maximumIdleConnections)
        let thread = Thread { [self] in self.run() }
        thread.name = "ms2m-curl"
        thread.start()
    }

    /// Stops the loop: transfers still running fail with a cancellation error.
    public func shutdown() {
        shared.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
    }

    func makeTransferID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    func submit(_ transfer: CurlTransfer) {
        let accepted = shared.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.pending.append(transfer)
            return true
        }
        if accepted {
            curl_multi_wakeup(multi)
        } else {
            transfer.fail(HTTPTransportError(kind: .cancelled, message: "the transport was shut down"))
        }
    }

    /// Wakes the loop so it notices cancellation requests promptly.
    func wake() {
        curl_multi_wakeup(multi)
    }

    // MARK: - Loop thread

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        while true {
            let (incoming, stopping) = shared.withLock { state in
                let incoming = state.pending
                state.pending = []
                return (incoming, state.stopping)
            }
            for transfer in incoming {
                if transfer.isCancelRequested {
                    transfer.fail(HTTPTransportError(kind: .cancelled, message: "the request was cancelled"))
                    continue
                }
                do {
                    let easy = try transfer.start()
                    curl_multi_add_handle(multi, easy)
                    active[easy] = transfer
                } catch {
                    transfer.fail(error)
                }
            }
            for (easy, transfer) in active where stopping || transfer.isCancelRequested {
                curl_multi_remove_handle(multi, easy)
                active[easy] = nil
                let reason = stopping ? "the transport was shut down" : "the request was cancelled"
                transfer.fail(HTTPTransportError(kind: .cancelled, message: reason))
            }
            if stopping {
                curl_multi_cleanup(multi)
                return
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let result = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                if let transfer = active.removeValue(forKey: easy) {
                    transfer.complete(result: result)
                }
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}

/// Process-wide libcurl initialisation, done once before the first handle.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    static func ensureInitialized() {
        precondition(initialized, "curl_global_init failed")
    }
}
