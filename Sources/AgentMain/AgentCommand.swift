import ArgumentParser
import Foundation
import KubeClient
import Logging
import ServiceLifecycle
import TransferAgent

/// `ms2m-agent`: the per-node transfer agent (DaemonSet). Pushes the kubelet's checkpoint archives as OCI images
/// when the operator asks over HTTPS, instead of a Job pod per migration.
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ms2m-agent",
        abstract: "Push CRIU checkpoint archives of this node as OCI images on the operator's request.",
        discussion: """
            API: POST /v1/transfers, GET /v1/transfers/{migration uid} (both need Authorization: Bearer), \
            GET /healthz, /readyz, /metrics. SIGTERM stops accepting transfers, lets running ones finish within \
            --shutdown-grace-seconds and cancels the rest (their archives stay).
            """
    )

    @Option(help: "host:port to listen on.")
    var listen = "0.0.0.0:10260"

    @Option(help: "Where the kubelet writes checkpoint archives; archives are read and deleted only here.")
    var checkpointDirectory = "/var/lib/kubelet/checkpoints"

    @Option(help: "The node's name (default: $NODE_NAME).")
    var nodeName: String?

    @Option(help: "PEM certificate (chain) to serve HTTPS with; plain HTTP without it (simulations only).")
    var tlsCertFile: String?

    @Option(help: "PEM private key of --tls-cert-file.")
    var tlsPrivateKeyFile: String?

    @Option(help: "The largest archive pushed, in bytes.")
    var maxArchiveBytes: Int64 = TransferLimits().maxArchiveBytes

    @Option(help: "Transfers pushing at once; more wait in a queue.")
    var maxConcurrentTransfers = 2

    @Option(help: "Seconds running transfers get to finish at shutdown before they are cancelled.")
    var shutdownGraceSeconds = 25

    @Option(help: "The kubeconfig to review callers' tokens with (default: the in-cluster service account).")
    var kubeconfig: String?

    @Option(help: "Simulations only: accept oci:<dir> destinations under this directory.")
    var allowOciLayoutRoot: String?

    @Option(help: "Simulations only: accept the bearer token in this file for every namespace instead of reviewing tokens.")
    var staticTokenFile: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Self.hostAndPort(listen) != nil else { throw ValidationError("--listen must be host:port, e.g. 0.0.0.0:10260") }
        guard (tlsCertFile == nil) == (tlsPrivateKeyFile == nil) else {
            throw ValidationError("--tls-cert-file and --tls-private-key-file go together")
        }
        guard maxArchiveBytes > 0 else { throw ValidationError("--max-archive-bytes must be positive") }
        guard maxConcurrentTransfers >= 1 else { throw ValidationError("--max-concurrent-transfers must be at least 1") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel)") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ms2m.agent")
        let (host, port) = Self.hostAndPort(listen)!
        let configuration = TransferAgent.Configuration(
            host: host, port: port, checkpointDirectory: checkpointDirectory,
            nodeName: nodeName ?? ProcessInfo.processInfo.environment["NODE_NAME"],
            tlsCertificateFile: tlsCertFile, tlsPrivateKeyFile: tlsPrivateKeyFile,
            limits: TransferLimits(maxArchiveBytes: maxArchiveBytes, allowedLayoutRoot: allowOciLayoutRoot),
            transfers: TransferManager.Configuration(maxConcurrentTransfers: maxConcurrentTransfers),
            shutdownGracePeriod: .seconds(shutdownGraceSeconds))
        if tlsCertFile == nil { logger.warning("Serving plain HTTP: for simulations only") }
        let agent = try TransferAgent(configuration: configuration, authorizer: try makeAuthorizer(logger: logger), logger: logger)
        let group = ServiceGroup(
            services: [agent], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
    }

    /// The static token of `--static-token-file` (simulations), else TokenReview and SubjectAccessReview against
    /// the cluster of `--kubeconfig` or the in-cluster service account.
    private func makeAuthorizer(logger: Logger) throws -> any AgentAuthorizer {
        if let staticTokenFile {
            let token = try String(contentsOfFile: staticTokenFile, encoding: .utf8)
            guard let authorizer = StaticTokenAuthorizer(token: token) else {
                throw ValidationError("--static-token-file \(staticTokenFile) is empty")
            }
            logger.warning("Accepting a static bearer token for every namespace: for simulations only")
            return authorizer
        }
        let configuration: ClientConfiguration
        if let kubeconfig {
            configuration = try Kubeconfig.load(paths: [kubeconfig]).resolve(context: nil)
        } else {
            configuration = try ClientConfiguration.automatic(context: nil)
        }
        return KubernetesAgentAuthorizer(reviews: KubeClient(configuration: configuration, logger: logger))
    }

    /// `host:port`, `:port` or `[v6]:port`.
    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}
