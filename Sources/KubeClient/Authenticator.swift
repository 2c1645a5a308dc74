import Foundation
import HTTPTransport

/// What a request needs to prove who sends it: an Authorization header and, for exec plugins that issue
/// certificates, a client certificate and key.
struct AuthMaterial: Sendable, Equatable {
    var authorization: String?
    var clientCertificatePEM: [UInt8]?
    var clientKeyPEM: [UInt8]?
}

/// Produces credentials for requests and refreshes them: token files are re-read at most every minute (and
/// at once after a 401), exec plugins are re-run when their credential expires (or after a 401). Concurrent
/// callers share one plugin run.
actor Authenticator {
    private let credentials: Credentials
    private let tokenFileRefreshInterval: Duration
    private var fileToken: (value: String, readAt: ContinuousClock.Instant)?
    private var execResult: ExecCredentialRunner.Result?
    private var execRun: Task<ExecCredentialRunner.Result, any Error>?

    init(credentials: Credentials, tokenFileRefreshInterval: Duration = .seconds(60)) {
        self.credentials = credentials
        self.tokenFileRefreshInterval = tokenFileRefreshInterval
    }

    /// Whether `invalidate()` can produce different credentials (so a 401 is worth one retry).
    nonisolated var canRefresh: Bool {
        switch credentials {
        case .bearerTokenFile, .exec: return true
        default: return false
        }
    }

    func material() async throws(KubeClientError) -> AuthMaterial {
        switch credentials {
        case .none:
            return AuthMaterial()
        case .bearerToken(let token):
            return AuthMaterial(authorization: "Bearer \(token)")
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            return AuthMaterial(authorization: "Basic \(encoded)")
        case .bearerTokenFile(let path):
            return AuthMaterial(authorization: "Bearer \(try token(fromFile: path))")
        case .exec(let config):
            let result = try await execCredential(config)
            return AuthMaterial(
                authorization: result.token.map { "Bearer \($0)" },
                clientCertificatePEM: result.clientCertificatePEM,
                clientKeyPEM: result.clientKeyPEM)
        }
    }

    /// Forgets cached credentials so the next request reads or runs them again.
    func invalidate() {
        fileToken = nil
        execResult = nil
    }

    private func token(fromFile path: String) throws(KubeClientError) -> String {
        let now = ContinuousClock.now
        if let fileToken, now - fileToken.readAt < tokenFileRefreshInterval { return fileToken.value }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .credentials("cannot read token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .credentials("token file \(path) is empty") }
        fileToken = (token, now)
        return token
    }

    private func execCredential(_ config: ExecCredentialConfig) async throws(KubeClientError) -> ExecCredentialRunner.Result {
        if let execResult, !Self.isExpired(execResult) { return execResult }
        let run: Task<ExecCredentialRunner.Result, any Error>
        if let execRun {
            run = execRun
        } else {
            run = Task { try await ExecCredentialRunner.run(config) }
            execRun = run
        }
        defer { if execRun == run { execRun = nil } }
        do {
            let result = try await run.value
            execResult = result
            return result
        } catch let error as KubeClientError {
            throw error
        } catch {
            throw .credentials("\(error)")
        }
    }

    private static func isExpired(_ result: ExecCredentialRunner.Result) -> Bool {
        guard let expiration = result.expiration else { return false }
        return expiration.timeIntervalSinceNow < 10
    }
}

/// A token bucket shared by every request of a client (client-go's `flowcontrol.NewTokenBucketRateLimiter`).
/// Callers reserve a token and sleep until it is theirs, so waiting callers are served in order.
actor TokenBucket {
    private let rate: Double
    private let capacity: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(_ limit: RateLimit) {
        rate = max(limit.qps, 0.001)
        capacity = Double(max(limit.burst, 1))
        tokens = capacity
        updated = .now
    }

    func acquire() async throws {
        let now = ContinuousClock.now
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + seconds * rate)
        updated = now
        tokens -= 1
        if tokens < 0 {
            try await Task.sleep(for: .seconds(-tokens / rate))
        }
    }
}
