import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Unstructured

/// A request forwarded to a node's kubelet through `/api/v1/nodes/{node}/proxy/{path}`.
public struct NodeProxyRequest: Sendable {
    public var node: String
    public var method: String
    /// The path after `proxy/`, without a leading slash.
    public var path: String
    /// The raw query string ("" when none).
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
}

/// The kubelet's answer to a proxied request.
public struct NodeProxyResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Resolves a webhook service (namespace, name, port) to the host and port serving it; nil when unknown.
public typealias KubeSimServiceResolver =
    @Sendable (_ namespace: String, _ name: String, _ port: Int) -> (host: String, port: Int)?

/// A store-level failure of the Swift fixture API (`create`), carrying the Status the HTTP API would answer.
public struct KubeSimError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    /// The metav1.Status object.
    public var status: JSONValue
    public var description: String { "\(code) \(reason): \(message)" }
}

/// An in-process Kubernetes API server emulator speaking the real wire contract over HTTP(S) on loopback.
///
/// Serves the built-in resources of `BuiltinResources` plus every established CustomResourceDefinition:
/// discovery, CRUD, the four PATCH types, selectors, `limit`/`continue` pages served from one snapshot,
/// watches (bookmarks, `sendInitialEvents`, 410 for compacted revisions, selector transitions), graceful pod
/// deletion, finalizers, an asynchronous garbage collector, namespace and CRD finalization, the status, scale,
/// binding, eviction, finalize and node proxy subresources, TLS with client certificates, fault injection, and
/// dynamic admission control: the webhooks of stored `admissionregistration.k8s.io/v1` Mutating- and
/// ValidatingWebhookConfigurations are called over HTTPS for every write the API serves (CREATE, UPDATE,
/// DELETE, CONNECT, subresources included; `pods/eviction` before the disruption budget check), matched by
/// rules, namespace and object selectors and CEL matchConditions, with failurePolicy, timeouts, caBundle
/// verification, JSON patches, warnings and denials as kube-apiserver handles them (see docs/kubesim.md).
///
/// Known simplifications against kube-apiserver (docs/kubesim.md lists what is reproduced and how it was checked):
/// - Admission is webhooks plus the built-in plugins that change what clients see: NamespaceLifecycle, and for
///   pods ServiceAccount (a missing account is 403; the token volume is mounted), DefaultTolerationSeconds and
///   Priority (priority 0 without a class). No TaintNodesByCondition, ValidatingAdmissionPolicy, LimitRanger,
///   ResourceQuota or PodSecurity. Writes by the in-process controllers (garbage collector, namespace and CRD finalization) do not
///   go through admission; a real garbage collector's deletes would. Webhooks configured with
///   `clientConfig.service` are reached only through `setServiceResolver` (no Endpoints, no service network).
///   matchConditions use KubeSim's CEL subset without `authorizer`; audit annotations are dropped; a patched
///   object is not re-decoded into its Go type (unknown fields a webhook adds are kept); `reinvocationPolicy:
///   IfNeeded` gets one reinvocation round. Webhooks see the user of a verified client certificate, of a token in
///   `Authentication.tokenUsers` or issued by TokenRequest, or of basic credentials; any other request as
///   `system:anonymous`.
/// - Server-side apply merges the applied configuration into the live object (strategic merge rules for
///   built-ins, JSON merge patch for custom resources) and records one `Apply` managedFields entry per manager;
///   there is no field ownership (fields dropped from a later apply are kept) and no conflict detection
///   (`force` is accepted and ignored). Apply bodies must be JSON (valid YAML); other YAML is 415.
/// - `managedFields` `Update` entries name the request's `fieldManager` or its User-Agent's first part; their
///   FieldsV1 list the fields the request sent, not the fields it changed.
/// - Built-in validation and defaulting cover the rules clients run into (BuiltinValidation, WorkloadValidation,
///   ResourceValidation, DecodeChecks, BuiltinDefaults, PodAdmission), not every rule of pkg/apis/*/validation.
///   Unknown fields of built-in kinds are known down to the levels BuiltinFields describes; deeper parts (probes,
///   affinity, volume sources, statuses) are kept as sent.
/// - Each resource has its own storage: core `events` and `events.k8s.io` events are not the same objects.
///   Multi-version CRDs use conversion `None` (apiVersion rewritten). New namespaces get their `default`
///   ServiceAccount at once, not the `kube-root-ca.crt` ConfigMap.
/// - JSON is spoken, and the gnostic protobuf of `/openapi/v2`; no protobuf objects, no Table, no aggregated
///   discovery; YAML request bodies are not parsed. The OpenAPI documents describe operations, not schemas.
/// - TokenRequest, TokenReview and SubjectAccessReview are served, and SubjectAccessReviews are decided by RBAC over
///   the stored roles and bindings (see docs/kubesim.md, "Tokens, reviews and RBAC"); but KubeSim does not authorize
///   its own requests, tokens carry a random signature (validated by lookup), and aggregated ClusterRoles, the node
///   authorizer and most of the bootstrap policy are absent.
/// - A list or watch from a resourceVersion newer than the current one waits for it up to 3 s, then answers 504;
///   KubeSim has no watch cache lagging behind storage, so nothing else waits.
public final class KubeSimServer: Sendable {
    let core: KubeSimCore
    private struct Running {
        var group: MultiThreadedEventLoopGroup?
        var channel: (any Channel)?
        var port = 0
        var controllers: Task<Void, Never>?
    }
    private let running = Mutex(Running())

    public init(configuration: KubeSimConfiguration = .init()) {
        core = KubeSimCore(configuration: configuration)
    }

    /// The configuration the server was made with.
    public var configuration: KubeSimConfiguration { core.configuration }

    /// Binds and starts serving; afterwards `port` and `baseURL` are valid.
    public func start() async throws {
        let config = core.configuration
        var sslContext: NIOSSLContext?
        if let tls = config.tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChainFile).map {
                NIOSSLCertificateSource.certificate($0)
            }
            var tlsConfig = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain,
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.privateKeyFile, format: .pem)))
            if let ca = tls.clientCAFile {
                tlsConfig.certificateVerification = .noHostnameVerification
                tlsConfig.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            }
            sslContext = try NIOSSLContext(configuration: tlsConfig)
        }
        let ssl = sslContext
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, config.eventLoopThreads))
        let core = self.core
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let ssl {
                        try sync.addHandler(NIOSSLServerHandler(context: ssl))
                    }
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(HTTPHandler(core: core, tls: ssl != nil))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: config.host, port: config.port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let port = channel.localAddress?.port ?? config.port
        core.serverAddress.withLock { $0 = "\(config.host):\(port)" }
        let controllers = Task { await core.runControllers() }
        running.withLock {
            $0.group = group
            $0.channel = channel
            $0.port = port
            $0.controllers = controllers
        }
    }

    /// Stops listening, ends open watches and connections, and stops the controllers.
    public func shutdown() async throws {
        let r = running.withLock { r -> Running in
            let old = r
            r = Running()
            return old
        }
        r.controllers?.cancel()
        core.closeAllWatches()
        if let channel = r.channel { try? await channel.close() }
        if let group = r.group { try await group.shutdownGracefully() }
    }

    /// The bound port (0 before `start()`).
    public var port: Int { running.withLock { $0.port } }

    /// `http://127.0.0.1:PORT`, or https when TLS is configured.
    public var baseURL: String {
        let scheme = core.configuration.tls == nil ? "http" : "https"
        let host = core.configuration.host.contains(":") ? "[\(core.configuration.host)]" : core.configuration.host
        return "\(scheme)://\(host):\(port)"
    }

    /// A kubeconfig (YAML) whose current context is this server, anonymous, in `namespace` (a TLS server
    /// also needs its CA in the cluster entry).
    public func kubeconfig(namespace: String) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: kubesim, cluster: {server: "\(baseURL)"}}]
        users: [{name: kubesim, user: {}}]
        contexts: [{name: kubesim, context: {cluster: kubesim, user: kubesim, namespace: \(namespace)}}]
        current-context: kubesim

        """
    }

    /// Scripted failures, delays and broken watches.
    public var faults: FaultInjector { core.faults }

    /// The requests received so far.
    public var requests: RequestLog { core.requests }

    /// Serves `/api/v1/nodes/{node}/proxy/{path}`; without a handler those answer 503 "no kubelet for node".
    public func setNodeProxyHandler(_ handler: @escaping @Sendable (NodeProxyRequest) async -> NodeProxyResponse) {
        core.nodeProxyHandler.withLock { $0 = handler }
    }

    /// Tells KubeSim where admission webhooks configured with `clientConfig.service` listen, standing in for
    /// cluster DNS and kube-proxy: the resolver gets the service's namespace, name and port and answers the
    /// address to connect to (e.g. `("127.0.0.1", 8443)` for a test server), or nil. The server certificate is
    /// still verified for `<name>.<namespace>.svc` against the webhook's `caBundle`. Without an answer the call
    /// fails (`service "<name>" not found` when no such Service is stored; KubeSim has no endpoints to route
    /// to otherwise), and the webhook's failurePolicy decides. Pass nil to remove the resolver.
    public func setServiceResolver(_ resolver: KubeSimServiceResolver?) {
        core.serviceResolver.withLock { $0 = resolver }
    }

    /// The current resourceVersion (the global revision counter).
    public var currentResourceVersion: String { String(core.store.currentRV) }

    // MARK: Direct store access for fixtures

    /// Creates an object as a POST would (server-set metadata, watch event, new revision), but keeps `status`
    /// as given, so fixtures can create e.g. running pods. Throws `KubeSimError` with the API's Status.
    @discardableResult
    public func create(_ object: JSONValue) throws -> JSONValue {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
            let info = core.registry.lookup(apiVersion: apiVersion, kind: kind)
        else {
            throw Self.error(APIError.badRequest("no resource serves apiVersion/kind of the object"))
        }
        do {
            let ns = info.namespaced ? (object.metaNamespace.isEmpty ? "default" : object.metaNamespace) : nil
            return try core.createObject(info, namespace: ns, body: object, options: WriteOptions(fromFixture: true))
                .value
        } catch let e as APIError {
            throw Self.error(e)
        }
    }

    /// Replaces an object (as a PUT without resourceVersion, status included). Throws `KubeSimError`.
    @discardableResult
    public func update(_ object: JSONValue) throws -> JSONValue {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
            let info = core.registry.lookup(apiVersion: apiVersion, kind: kind)
        else {
            throw Self.error(APIError.badRequest("no resource serves apiVersion/kind of the object"))
        }
        do {
            return try core.updateObject(
                info, namespace: object.metaNamespace, name: object.metaName, body: object,
                options: WriteOptions(fromFixture: true), mode: .fixture
            ).value
        } catch let e as APIError {
            throw Self.error(e)
        }
    }

    /// The object, or nil.
    public func get(apiVersion: String, kind: String, namespace: String?, name: String) -> JSONValue? {
        guard let info = core.registry.lookup(apiVersion: apiVersion, kind: kind) else { return nil }
        let key = info.namespaced ? "\(namespace ?? "default")/\(name)" : name
        return core.store.state.withLock { $0.get(info.id, key)?.value }
    }

    /// Objects of a kind, in one namespace (nil = all), ordered by namespace/name.
    public func list(apiVersion: String, kind: String, namespace: String?) -> [JSONValue] {
        guard let info = core.registry.lookup(apiVersion: apiVersion, kind: kind) else { return [] }
        return core.store.state.withLock { s in
            s.snapshot(info.id, namespace: info.namespaced ? namespace : nil, at: nil)?.map(\.value) ?? []
        }
    }

    private static func error(_ e: APIError) -> KubeSimError {
        KubeSimError(code: e.code, reason: e.reason, message: e.message, status: e.status)
    }
}
