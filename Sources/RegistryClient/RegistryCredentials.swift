import Foundation

/// A user name and password (or token) for a registry.
///
/// Read from a Docker `config.json` — the format of a mounted `kubernetes.io/dockerconfigjson` Secret
/// (`auths.<host>.auth` = base64 `user:password`, or `username`/`password`) and of the older
/// `kubernetes.io/dockercfg` (the same entries without the `auths` wrapper) — or from the environment.
public struct RegistryCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The environment variables `fromEnvironment` reads.
    public static let usernameVariable = "MS2M_REGISTRY_USERNAME"
    public static let passwordVariable = "MS2M_REGISTRY_PASSWORD"

    /// Credentials from `MS2M_REGISTRY_USERNAME` and `MS2M_REGISTRY_PASSWORD`, if both are set.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> RegistryCredentials? {
        guard let username = environment[usernameVariable], !username.isEmpty,
            let password = environment[passwordVariable]
        else { return nil }
        return RegistryCredentials(username: username, password: password)
    }

    /// The credentials for `registry` in a Docker config file, or in a directory holding `config.json` or
    /// `.dockerconfigjson` (a mounted Secret). Nil when the file has no entry for the registry.
    public static func fromDockerConfig(path: String, registry: String) throws(RegistryError) -> RegistryCredentials? {
        var file = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .invalidInput("the registry credentials file \(path) does not exist")
        }
        if isDirectory.boolValue {
            let candidates = ["config.json", ".dockerconfigjson", ".dockercfg"].map { (path as NSString).appendingPathComponent($0) }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw .invalidInput("the directory \(path) holds no config.json, .dockerconfigjson or .dockercfg")
            }
            file = found
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .invalidInput("cannot read the registry credentials file \(file)")
        }
        return try fromDockerConfig(data: Array(data), registry: registry, source: file)
    }

    /// Parses Docker config JSON and picks the entry for `registry`.
    public static func fromDockerConfig(data: [UInt8], registry: String, source: String = "docker config") throws(RegistryError) -> RegistryCredentials? {
        guard let root = (try? JSONSerialization.jsonObject(with: Data(data))) as? [String: Any] else {
            throw .invalidInput("\(source) is not a JSON object")
        }
        let auths = (root["auths"] as? [String: Any]) ?? root
        let wanted = hostAliases(registry)
        for (key, value) in auths {
            guard wanted.contains(normalizeHost(key)), let entry = value as? [String: Any] else { continue }
            if let auth = entry["auth"] as? String, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth), let text = String(data: decoded, encoding: .utf8),
                    let colon = text.firstIndex(of: ":")
                else { throw .invalidInput("\(source): the auth entry for \(key) is not base64 'user:password'") }
                return RegistryCredentials(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            }
            if let username = entry["username"] as? String, let password = entry["password"] as? String {
                return RegistryCredentials(username: username, password: password)
            }
        }
        return nil
    }

    /// `https://index.docker.io/v1/` → `index.docker.io`; `Registry.Example:5000` → `registry.example:5000`.
    static func normalizeHost(_ key: String) -> String {
        var host = Substring(key)
        if let scheme = host.range(of: "://") { host = host[scheme.upperBound...] }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        return host.lowercased()
    }

    static func hostAliases(_ registry: String) -> Set<String> {
        let host = normalizeHost(registry)
        let hub: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]
        return hub.contains(host) ? hub : [host]
    }

    /// The `Authorization` value for HTTP basic authentication.
    var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}
