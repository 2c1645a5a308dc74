import NIOSSL
import Synchronization

/// The certificate an `AdmissionWebhookServer` presents, replaceable at run time (rotation).
///
/// Each new TLS connection takes the certificate current when it is accepted; connections already open keep
/// the one they started with. A certificate manager (or a test) calls `update(_:)`; the server waits for the
/// first certificate before it listens.
public final class ServingCertificateSource: Sendable {
    /// A certificate with the TLS context built from it.
    struct Loaded: Sendable {
        let certificate: ServingCertificate
        let context: NIOSSLContext
    }

    private struct State {
        var loaded: Loaded?
        var nextWaiterID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// A source with no certificate yet.
    public init() {}

    /// A source that starts with `certificate`.
    public convenience init(certificate: ServingCertificate) throws {
        self.init()
        try update(certificate)
    }

    /// The certificate new connections get; nil until the first `update`.
    public var current: ServingCertificate? { state.withLock { $0.loaded?.certificate } }

    /// Makes `certificate` the one new connections present. Returns false when it already was. Throws when
    /// the TLS library rejects the material; the previous certificate then stays in use.
    @discardableResult
    public func update(_ certificate: ServingCertificate) throws -> Bool {
        if current == certificate { return false }
        let context = try Self.makeContext(for: certificate)
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.loaded = Loaded(certificate: certificate, context: context)
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
        return true
    }

    /// Waits until a certificate is available and returns it; nil when the task is cancelled first.
    public func waitForCertificate() async -> ServingCertificate? {
        let id = state.withLock { s -> Int in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.loaded != nil || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
        return current
    }

    /// The TLS context for a connection accepted now.
    func currentContext() -> NIOSSLContext? { state.withLock { $0.loaded?.context } }

    /// A server context for `certificate`: TLS 1.2 or newer, HTTP/1.1 by ALPN.
    static func makeContext(for certificate: ServingCertificate) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.certificateChainPEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: configuration)
    }
}
