import Synchronization

/// Scripted failures and delays, for testing how clients cope with an unhealthy API server.
public final class FaultInjector: Sendable {
    /// An HTTP method a fault applies to.
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case patch = "PATCH"
        case delete = "DELETE"
    }

    enum Action: Sendable {
        case fail(APIError)
        case delay(Duration)
    }

    private struct Rule {
        var action: Action
        var method: Method?
        var pathPrefix: String?
        var remaining: Int?
    }

    private let rules = Mutex<[Rule]>([])
    private let breaker: @Sendable () -> Void

    init(breakWatches: @escaping @Sendable () -> Void) { self.breaker = breakWatches }

    /// Answers matching requests with a Status of this code (429 → TooManyRequests with `Retry-After`).
    /// - Parameters:
    ///   - times: how many requests fail; nil for every request until `clear()`.
    public func inject(
        status: Int, retryAfterSeconds: Int? = nil, method: Method? = nil, pathPrefix: String? = nil,
        times: Int? = 1
    ) {
        let error = APIError.forCode(status, retryAfter: retryAfterSeconds)
        rules.withLock {
            $0.append(Rule(action: .fail(error), method: method, pathPrefix: pathPrefix, remaining: times))
        }
    }

    /// Holds matching requests for `duration` before serving them.
    public func delay(_ duration: Duration, method: Method? = nil, pathPrefix: String? = nil, times: Int? = 1) {
        rules.withLock {
            $0.append(Rule(action: .delay(duration), method: method, pathPrefix: pathPrefix, remaining: times))
        }
    }

    /// Closes every open watch stream abruptly, mid-stream (no terminating chunk).
    public func breakWatches() { breaker() }

    /// Removes every rule.
    public func clear() { rules.withLock { $0.removeAll() } }

    func match(method: String, path: String) -> Action? {
        rules.withLock { rules in
            for i in rules.indices {
                let r = rules[i]
                if let m = r.method, m.rawValue != method { continue }
                if let p = r.pathPrefix, !path.hasPrefix(p) { continue }
                if let n = r.remaining {
                    if n <= 1 { rules.remove(at: i) } else { rules[i].remaining = n - 1 }
                }
                return r.action
            }
            return nil
        }
    }
}
