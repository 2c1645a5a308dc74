/// Where an HTTP endpoint listens: `host:port`, with `:8081` meaning every interface, and `127.0.0.1:0` an
/// ephemeral port on loopback (tests).
public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    /// The interface address; `0.0.0.0` for all.
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int

    /// An address from its parts.
    public init(host: String = "0.0.0.0", port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `:port` or `[v6]:port`; nil when it is not one.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
