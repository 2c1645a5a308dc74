import CurlTransport
import Foundation
import HTTPTransport
import KubeClient
import KubeModel
import KubeSim
import Logging
import OperatorCore
import Synchronization
import TestSupport
@testable import WebhookServer

/// A logger that drops everything.
let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// The names the test webhook's certificates are for.
enum TestNames {
    static let service = "ms2m-webhook"
    static let namespace = "ms2m-system"
    static let dnsName = "ms2m-webhook.ms2m-system.svc"
}

/// A client for `server` with no rate limit and quick retries.
func makeClient(_ server: KubeSimServer) -> KubeClient {
    KubeClient(configuration: ClientConfiguration(
        server: server.baseURL, rateLimit: nil,
        retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))))
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func set(_ date: Date) { current.withLock { $0 = date } }
    /// The clock as the manager takes it.
    var function: @Sendable () -> Date { { self.now } }
}

/// One day in seconds.
let day: TimeInterval = 86_400

/// Log records kept for assertions.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    /// A logger writing into this capture.
    var logger: Logger {
        Logger(label: "capture", factory: { _ in Handler(capture: self) })
    }

    fileprivate func append(_ record: Record) { records.withLock { $0.append(record) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged: [String: String] = [:]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
                merged[key] = "\(value)"
            }
            capture.append(Record(level: event.level, message: "\(event.message)", metadata: merged))
        }
    }
}

/// Runs `service` in a task while `body` runs, then cancels it and waits for it to end.
func whileRunning<T>(
    _ services: [@Sendable () async throws -> Void], _ body: () async throws -> T
) async throws -> T {
    let tasks = services.map { run in Task { try await run() } }
    defer { for task in tasks { task.cancel() } }
    let result = try await body()
    for task in tasks {
        task.cancel()
        _ = await task.result
    }
    return result
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
@discardableResult
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// An HTTPS client that trusts `caPEM` and verifies the server as `serverName` while connecting to loopback,
/// on its own curl loop (so it shares no pooled connection with other clients).
struct TestClient {
    let transport: CurlTransport
    let loop: CurlEventLoop

    init(caPEM: String, serverName: String? = TestNames.dnsName) {
        loop = CurlEventLoop()
        transport = CurlTransport(
            configuration: .init(tls: TLSOptions(caCertificatesPEM: Array(caPEM.utf8), serverName: serverName)),
            loop: loop)
    }

    func post(
        port: Int, path: String, body: [UInt8] = Array(#"{"kind":"AdmissionReview"}"#.utf8),
        contentType: String = "application/json"
    ) async throws -> HTTPResponse {
        try await transport.send(HTTPRequest(
            method: .post, url: "https://127.0.0.1:\(port)\(path)", headers: ["Content-Type": contentType], body: body,
            timeout: .seconds(10)))
    }

    func get(port: Int, path: String) async throws -> HTTPResponse {
        try await transport.send(HTTPRequest(method: .get, url: "https://127.0.0.1:\(port)\(path)", timeout: .seconds(10)))
    }

    func shutdown() { loop.shutdown() }
}

/// The leaf certificate a new TLS connection to `port` is presented, as whitespace-free PEM, read with
/// `openssl s_client`.
func presentedCertificate(port: Int, serverName: String = TestNames.dnsName) async throws -> String? {
    let result = try await ProcessRunner.run(
        "/bin/sh", ["-c", "openssl s_client -connect 127.0.0.1:\(port) -servername \(serverName) </dev/null 2>/dev/null"])
    return PEM.blocks(in: result.output).first.map(normalizedPEM)
}

/// The first certificate of a chain, as whitespace-free PEM.
func leafPEM(_ serving: ServingCertificate) -> String {
    PEM.blocks(in: serving.certificateChainPEM).first.map(normalizedPEM) ?? ""
}

func normalizedPEM(_ block: String) -> String { block.filter { !$0.isWhitespace } }

/// A CA and a serving certificate for the test names and 127.0.0.1.
func makeTestIdentity(validity: Duration = .seconds(86_400)) throws -> (ca: CertificateAuthority, serving: ServingCertificate) {
    let ca = try CertificateAuthority.generate(commonName: "test-ca", validity: .seconds(7 * 86_400))
    let serving = try ca.issueServingCertificate(
        dnsNames: [TestNames.dnsName, "\(TestNames.dnsName).cluster.local"], ipAddresses: ["127.0.0.1"],
        validity: validity)
    return (ca, serving)
}

/// A ValidatingWebhookConfiguration with two webhooks on `pods/eviction`, reached through the test Service.
func evictionWebhookConfiguration(_ name: String, caBundle: String? = nil) -> ValidatingWebhookConfiguration {
    func webhook(_ hookName: String) -> ValidatingWebhook {
        ValidatingWebhook(
            name: hookName,
            clientConfig: WebhookClientConfig(
                service: WebhookServiceReference(
                    namespace: TestNames.namespace, name: TestNames.service, path: "/validate-eviction", port: 443),
                caBundle: caBundle),
            rules: [RuleWithOperations(operations: [.create], apiGroups: [""], apiVersions: ["v1"], resources: ["pods/eviction"], scope: .namespaced)],
            failurePolicy: .ignore,
            sideEffects: .noSideEffects,
            timeoutSeconds: 5,
            admissionReviewVersions: ["v1"],
            matchConditions: [WebhookMatchCondition(name: "not-kube-system", expression: "request.namespace != 'kube-system'")])
    }
    return ValidatingWebhookConfiguration(
        metadata: ObjectMeta(name: name),
        webhooks: [webhook("evictions.ms2m.io"), webhook("evictions-dry-run.ms2m.io")])
}

/// Self-managed options for the test names.
func secretOptions(
    secret: String = "ms2m-webhook-cert",
    validating: [String] = [],
    mutating: [String] = [],
    caValidity: Duration = .seconds(10 * 365 * 86_400),
    servingValidity: Duration = .seconds(365 * 86_400)
) -> WebhookCertificateManager.SecretOptions {
    WebhookCertificateManager.SecretOptions(
        secretName: secret, namespace: TestNames.namespace,
        policy: CertificatePolicy(
            service: TestNames.service, namespace: TestNames.namespace, ipAddresses: ["127.0.0.1"],
            caValidity: caValidity, servingValidity: servingValidity),
        validatingWebhookConfigurations: validating, mutatingWebhookConfigurations: mutating)
}

extension KubeSimConfiguration {
    /// The emulator with the operator's namespace.
    static func withOperatorNamespace(_ configuration: inout KubeSimConfiguration) {
        configuration.initialNamespaces.append(TestNames.namespace)
    }
}

/// A barrier for `parties` tasks: each `arrive()` suspends until all have arrived.
final class Barrier: Sendable {
    private struct State {
        var remaining: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(parties: Int) { state = Mutex(State(remaining: parties)) }

    func arrive() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let release = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.remaining -= 1
                s.waiting.append(continuation)
                guard s.remaining <= 0 else { return [] }
                defer { s.waiting = [] }
                return s.waiting
            }
            for waiter in release { waiter.resume() }
        }
    }
}

/// The Kubernetes port over a `KubeClient`, except that the next `gatedSecretReads` reads of a Secret wait at
/// `barrier` once they have their answer: replicas sharing the barrier all read the same Secret before any of
/// them writes, so their writes race for certain.
final class LockstepAPI: KubernetesAPI {
    private let client: KubeClient
    private let barrier: Barrier
    private let gatedSecretReads = Mutex(0)

    init(_ client: KubeClient, barrier: Barrier, gatedSecretReads: Int = 1) {
        self.client = client
        self.barrier = barrier
        self.gatedSecretReads.withLock { $0 = gatedSecretReads }
    }

    func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?) async throws -> T {
        let gated = T.self == Secret.self && gatedSecretReads.withLock { count -> Bool in
            defer { count -= 1 }
            return count > 0
        }
        let result = await Result(catching: { try await client.get(T.self, name: name, namespace: namespace) })
        if gated { await barrier.arrive() }
        return try result.get()
    }

    func list<T: KubernetesObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ObjectList<T> {
        try await client.list(T.self, namespace: namespace, options: options)
    }

    func create<T: KubernetesObject>(_ object: T, namespace: String?, options: WriteOptions) async throws -> T {
        try await client.create(object, namespace: namespace, options: options)
    }

    func update<T: KubernetesObject>(_ object: T, options: WriteOptions) async throws -> T {
        try await client.update(object, options: options)
    }

    func patch<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, subresource: String?, options: WriteOptions
    ) async throws -> T {
        try await client.patch(T.self, name: name, namespace: namespace, patch: patch, subresource: subresource, options: options)
    }

    func delete<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?, options: DeleteOptions) async throws -> T? {
        try await client.delete(T.self, name: name, namespace: namespace, options: options)
    }

    func updateStatus<T: HasStatus>(_ object: T, options: WriteOptions) async throws -> T {
        try await client.updateStatus(object, options: options)
    }

    func patchStatus<T: HasStatus>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, options: WriteOptions
    ) async throws -> T {
        try await client.patchStatus(T.self, name: name, namespace: namespace, patch: patch, options: options)
    }

    func watch<T: KubernetesObject>(
        _ type: T.Type, namespace: String?, options: WatchOptions
    ) -> AsyncThrowingStream<TypedWatchEvent<T>, any Error> {
        client.watch(T.self, namespace: namespace, options: options)
    }

    func evict(podName: String, namespace: String?, options: DeleteOptions?) async throws {
        try await client.evict(podName: podName, namespace: namespace, options: options)
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
