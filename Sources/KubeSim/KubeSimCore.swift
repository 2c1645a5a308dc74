import NIOHTTP1
import Synchronization
import Unstructured

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The API server proper, independent of the transport: registry, store, controllers, fault injection.
final class KubeSimCore: Sendable {
    let configuration: KubeSimConfiguration
    let registry = ResourceRegistry()
    let store: ObjectStore
    let requests = RequestLog()
    let faults: FaultInjector
    let nodeProxyHandler = Mutex<(@Sendable (NodeProxyRequest) async -> NodeProxyResponse)?>(nil)
    /// "host:port" for discovery's serverAddressByClientCIDRs.
    let serverAddress = Mutex<String>("127.0.0.1:0")
    /// The admission webhooks of the stored configurations, compiled.
    let webhookCache = AdmissionWebhookCache()
    /// Where webhook services are reached (KubeSim has no service network).
    let serviceResolver = Mutex<KubeSimServiceResolver?>(nil)
    /// ServiceAccount tokens issued through the TokenRequest API.
    let tokens = ServiceAccountTokens()

    init(configuration: KubeSimConfiguration) {
        self.configuration = configuration
        self.store = ObjectStore(historyLimit: configuration.watchHistoryLimit)
        let storeRef = store
        self.faults = FaultInjector(breakWatches: {
            let all = storeRef.state.withLock { s in
                let w = s.watchers.values.flatMap(\.values)
                s.watchers = [:]
                return w
            }
            for w in all { w.abort() }
        })
        for ns in configuration.initialNamespaces {
            _ = try? createObject(
                BuiltinResources.namespaces, namespace: nil,
                body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]],
                options: WriteOptions(fromFixture: true))
        }
        seedBootstrapPolicy()
    }

    /// 401 unless the request carries an accepted credential (when authentication is configured).
    func authenticate(_ request: APIRequest) -> APIError? {
        guard let auth = configuration.authentication else { return nil }
        if auth.acceptClientCertificates, request.clientSubject != nil { return nil }
        if let header = request.headers.first(name: "authorization") {
            if header.hasPrefix("Bearer ") {
                let token = String(header.dropFirst(7)).trimmingSpaces()
                if auth.bearerTokens.contains(token) || auth.tokenUsers[token] != nil { return nil }
                if case .authenticated = authenticateToken(token, audiences: []) { return nil }
            } else if header.hasPrefix("Basic ") {
                if let decoded = Sim.base64Decode(String(header.dropFirst(6)).trimmingSpaces()) {
                    let text = String(decoding: decoded, as: UTF8.self)
                    if let colon = text.firstIndex(of: ":") {
                        let user = String(text[..<colon])
                        let password = String(text[text.index(after: colon)...])
                        if let expected = auth.basicUsers[user], expected == password { return nil }
                    }
                }
            }
        }
        return .unauthorized()
    }

    /// Ends every watch (shutdown).
    func closeAllWatches() {
        let all = store.state.withLock { s in
            let w = s.watchers.values.flatMap(\.values)
            s.watchers = [:]
            return w
        }
        for w in all { w.abort() }
    }
}

/// Options of one write.
struct WriteOptions: Sendable {
    var dryRun = false
    var fieldManager: String?
    /// Fixture writes through the Swift API: status is kept as given on create.
    var fromFixture = false

    init(dryRun: Bool = false, fieldManager: String? = nil, fromFixture: Bool = false) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fromFixture = fromFixture
    }

    init(_ query: QueryParameters) {
        dryRun = query.isDryRun
        fieldManager = query["fieldManager"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The options of a request: without a `fieldManager` the manager is the User-Agent up to its first `/`,
    /// at most 128 characters (`managerOrUserAgent` in k8s.io/apiserver), so every write is recorded in
    /// `metadata.managedFields`.
    init(_ request: APIRequest) {
        self.init(request.query)
        if fieldManager == nil, let agent = request.headers.first(name: "user-agent"), !agent.isEmpty {
            let prefix = agent.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? agent
            if !prefix.isEmpty { fieldManager = String(prefix.prefix(128)) }
        }
    }
}
