import CurlTransport
import Foundation
import Unstructured
import YAMLCodec

/// A kubeconfig file (`apiVersion: v1, kind: Config`), as kubectl reads it.
public struct Kubeconfig: Sendable, Equatable, Codable {
    /// A named cluster entry.
    public struct NamedCluster: Sendable, Equatable, Codable {
        public var name: String
        public var cluster: Cluster
    }

    /// How to reach a cluster.
    public struct Cluster: Sendable, Equatable, Codable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?
        public var proxyURL: String?
        public var disableCompression: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
            case disableCompression = "disable-compression"
        }
    }

    /// A named user entry.
    public struct NamedUser: Sendable, Equatable, Codable {
        public var name: String
        public var user: User
    }

    /// Credentials for a user.
    public struct User: Sendable, Equatable, Codable {
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var token: String?
        public var tokenFile: String?
        public var username: String?
        public var password: String?
        public var exec: ExecCredentialConfig?
        public var authProvider: AuthProvider?

        /// The legacy `auth-provider` stanza (removed from client-go); only its name is read, to reject it clearly.
        public struct AuthProvider: Sendable, Equatable, Codable {
            public var name: String?
        }

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, username, password, exec
            case authProvider = "auth-provider"
        }
    }

    /// A named context entry.
    public struct NamedContext: Sendable, Equatable, Codable {
        public var name: String
        public var context: Context
    }

    /// A cluster, a user and a default namespace.
    public struct Context: Sendable, Equatable, Codable {
        public var cluster: String?
        public var user: String?
        public var namespace: String?
    }

    public var apiVersion: String?
    public var kind: String?
    public var clusters: [NamedCluster]?
    public var users: [NamedUser]?
    public var contexts: [NamedContext]?
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, clusters, users, contexts
        case currentContext = "current-context"
    }

    /// Where each cluster and user entry came from, to resolve relative paths against its file's directory.
    var clusterDirectories: [String: String] = [:]
    var userDirectories: [String: String] = [:]

    public init() {}

    /// Parses one kubeconfig document; `path` is used for error messages and relative paths.
    public static func parse(_ text: String, path: String) throws(KubeClientError) -> Kubeconfig {
        var config: Kubeconfig
        do {
            // An empty file is an empty configuration, as kubectl reads it.
            let tree = try YAML.parse(text)
            config = tree.isNull ? Kubeconfig() : try JSONValueDecoder().decode(Kubeconfig.self, from: tree)
        } catch {
            throw .configuration("cannot read kubeconfig \(path): \(error)")
        }
        if let kind = config.kind, !kind.isEmpty, kind != "Config" {
            throw .configuration("kubeconfig \(path) has kind \(kind); expected Config")
        }
        let directory = (path as NSString).deletingLastPathComponent
        for cluster in config.clusters ?? [] { config.clusterDirectories[cluster.name] = directory }
        for user in config.users ?? [] { config.userDirectories[user.name] = directory }
        return config
    }

    /// Reads and merges kubeconfig files by kubectl's rules: for clusters, users and contexts the first file
    /// that defines a name wins, and so does the first file that sets `current-context`. Files in the list
    /// that do not exist are skipped, but at least one must exist.
    public static func load(paths: [String]) throws(KubeClientError) -> Kubeconfig {
        var merged = Kubeconfig()
        var found = 0
        for path in paths where !path.isEmpty {
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let text: String
            do {
                text = try TextFile.read(path)
            } catch {
                throw .configuration("kubeconfig: \(error)")
            }
            found += 1
            merged.merge(try parse(text, path: path))
        }
        guard found > 0 else {
            throw .configuration("no kubeconfig file found (looked at \(paths.joined(separator: ", ")))")
        }
        return merged
    }

    /// The kubeconfig paths kubectl would use: `$KUBECONFIG` (colon-separated) or `~/.kube/config`.
    public static func defaultPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [(home as NSString).appendingPathComponent(".kube/config")]
    }

    mutating func merge(_ other: Kubeconfig) {
        if (currentContext ?? "").isEmpty, let context = other.currentContext, !context.isEmpty {
            currentContext = context
        }
        for cluster in other.clusters ?? [] where !(clusters ?? []).contains(where: { $0.name == cluster.name }) {
            clusters = (clusters ?? []) + [cluster]
            clusterDirectories[cluster.name] = other.clusterDirectories[cluster.name]
        }
        for user in other.users ?? [] where !(users ?? []).contains(where: { $0.name == user.name }) {
            users = (users ?? []) + [user]
            userDirectories[user.name] = other.userDirectories[user.name]
        }
        for context in other.contexts ?? [] where !(contexts ?? []).contains(where: { $0.name == context.name }) {
            contexts = (contexts ?? []) + [context]
        }
    }

    /// Resolves a context (the current one unless `context` names another) into a client configuration.
    public func resolve(context contextName: String? = nil) throws(KubeClientError) -> ClientConfiguration {
        let name = contextName ?? currentContext ?? ""
        guard !name.isEmpty else {
            throw .configuration("no context chosen: current-context is not set and no context was given")
        }
        guard let context = contexts?.first(where: { $0.name == name })?.context else {
            let known = (contexts ?? []).map(\.name).joined(separator: ", ")
            throw .configuration("context \"\(name)\" not found in kubeconfig (contexts: \(known.isEmpty ? "none" : known))")
        }
        guard let clusterName = context.cluster, !clusterName.isEmpty,
            let cluster = clusters?.first(where: { $0.name == clusterName })?.cluster
        else {
            throw .configuration("cluster \"\(context.cluster ?? "")\" of context \"\(name)\" not found in kubeconfig")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw .configuration("cluster \"\(clusterName)\" has no server")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw .configuration("cluster \"\(clusterName)\" server \"\(server)\" is not an http(s) URL")
        }
        let clusterDirectory = clusterDirectories[clusterName] ?? ""

        var tls = TLSOptions()
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            tls.caCertificatesPEM = try Self.decodeBase64(data, field: "certificate-authority-data of cluster \"\(clusterName)\"")
        } else if let file = cluster.certificateAuthority, !file.isEmpty {
            tls.caCertificatesPEM = try Self.readFile(Self.resolvePath(file, in: clusterDirectory), field: "certificate-authority of cluster \"\(clusterName)\"")
        }
        tls.insecureSkipVerify = cluster.insecureSkipTLSVerify ?? false
        if tls.insecureSkipVerify && tls.caCertificatesPEM != nil {
            throw .configuration("cluster \"\(clusterName)\": certificate-authority and insecure-skip-tls-verify cannot both be set")
        }
        tls.serverName = cluster.tlsServerName

        var credentials = Credentials.none
        if let userName = context.user, !userName.isEmpty {
            guard let user = users?.first(where: { $0.name == userName })?.user else {
                throw .configuration("user \"\(userName)\" of context \"\(name)\" not found in kubeconfig")
            }
            let userDirectory = userDirectories[userName] ?? ""
            if let provider = user.authProvider {
                throw .configuration("user \"\(userName)\" uses the removed auth-provider \"\(provider.name ?? "")\"; use an exec credential plugin instead")
            }
            if let data = user.clientCertificateData, !data.isEmpty {
                tls.clientCertificatePEM = try Self.decodeBase64(data, field: "client-certificate-data of user \"\(userName)\"")
            } else if let file = user.clientCertificate, !file.isEmpty {
                tls.clientCertificatePEM = try Self.readFile(Self.resolvePath(file, in: userDirectory), field: "client-certificate of user \"\(userName)\"")
            }
            if let data = user.clientKeyData, !data.isEmpty {
                tls.clientKeyPEM = try Self.decodeBase64(data, field: "client-key-data of user \"\(userName)\"")
            } else if let file = user.clientKey, !file.isEmpty {
                tls.clientKeyPEM = try Self.readFile(Self.resolvePath(file, in: userDirectory), field: "client-key of user \"\(userName)\"")
            }
            if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
                throw .configuration("user \"\(userName)\" needs both a client certificate and a client key")
            }
            let hasToken = !(user.token ?? "").isEmpty || !(user.tokenFile ?? "").isEmpty
            let hasBasic = !(user.username ?? "").isEmpty || !(user.password ?? "").isEmpty
            if hasToken && hasBasic {
                throw .configuration("user \"\(userName)\": username/password or a token may be set, but not both")
            }
            if var exec = user.exec {
                guard exec.apiVersion == ExecCredentialRunner.v1 || exec.apiVersion == ExecCredentialRunner.v1beta1 else {
                    throw .configuration("user \"\(userName)\": exec apiVersion \"\(exec.apiVersion)\" is not supported (use \(ExecCredentialRunner.v1) or \(ExecCredentialRunner.v1beta1))")
                }
                if exec.command.contains("/") && !exec.command.hasPrefix("/") {
                    exec.command = Self.resolvePath(exec.command, in: userDirectory)
                }
                exec.cluster = ExecCredentialConfig.ClusterInfo(
                    server: server, certificateAuthorityData: cluster.certificateAuthorityData,
                    insecureSkipTLSVerify: cluster.insecureSkipTLSVerify, tlsServerName: cluster.tlsServerName,
                    proxyURL: cluster.proxyURL)
                credentials = .exec(exec)
            } else if let file = user.tokenFile, !file.isEmpty {
                credentials = .bearerTokenFile(Self.resolvePath(file, in: userDirectory))
            } else if let token = user.token, !token.isEmpty {
                credentials = .bearerToken(token)
            } else if hasBasic {
                credentials = .basic(username: user.username ?? "", password: user.password ?? "")
            }
        }

        let hasTLSSettings = tls != TLSOptions()
        return ClientConfiguration(
            server: server.hasSuffix("/") ? String(server.dropLast()) : server,
            namespace: (context.namespace ?? "").isEmpty ? "default" : context.namespace!,
            tls: hasTLSSettings ? tls : nil,
            proxyURL: cluster.proxyURL,
            credentials: credentials,
            disableCompression: cluster.disableCompression ?? false
        )
    }

    static func resolvePath(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        if path.hasPrefix("~/") {
            return (NSHomeDirectory() as NSString).appendingPathComponent(String(path.dropFirst(2)))
        }
        return ((directory as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    static func decodeBase64(_ text: String, field: String) throws(KubeClientError) -> [UInt8] {
        let cleaned = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: cleaned) else {
            throw .configuration("\(field) is not valid base64")
        }
        return Array(data)
    }

    static func readFile(_ path: String, field: String) throws(KubeClientError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("cannot read \(field): \(path) does not exist or is not readable")
        }
        return Array(data)
    }
}

extension ClientConfiguration {
    /// The configuration kubectl would use: `$KUBECONFIG` or `~/.kube/config`, with `context` or the current one.
    public static func fromKubeconfig(
        paths: [String] = Kubeconfig.defaultPaths(),
        context: String? = nil
    ) throws(KubeClientError) -> ClientConfiguration {
        try Kubeconfig.load(paths: paths).resolve(context: context)
    }
}
