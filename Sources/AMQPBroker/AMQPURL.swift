public import OperatorCore

/// A parsed broker URL: `amqp://user:pass@host:port/vhost` or `amqps://…` (RabbitMQ's URI specification).
///
/// User, password and virtual host are percent-decoded (`%2F` is `/`). Missing parts take RabbitMQ's
/// defaults: user and password `guest`, port 5672 (`amqp`) or 5671 (`amqps`), and virtual host `/` when the
/// path is absent or empty (`amqp://host/` means `/`, as pika and most clients read it, not the empty virtual
/// host the specification would give). Query parameters `heartbeat` (seconds), `frame_max` (bytes), `connection_timeout` (milliseconds),
/// `cacertfile`, `certfile`, `keyfile`, `verify` (`verify_peer` or `verify_none`) and
/// `server_name_indication` override ``RabbitMQBrokerOptions``.
public struct AMQPURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS (`amqps`).
    public var usesTLS: Bool
    /// The host name or IP address (IPv6 without brackets).
    public var host: String
    public var port: Int
    public var virtualHost: String
    public var username: String
    public var password: String
    /// Query parameters, decoded.
    public var parameters: [String: String]

    /// Parses `string`; throws ``BrokerError/Kind/invalidArgument`` naming what is wrong.
    public init(_ string: String) throws(BrokerError) {
        let rest: Substring
        if string.lowercased().hasPrefix("amqp://") {
            usesTLS = false
            rest = string.dropFirst("amqp://".count)
        } else if string.lowercased().hasPrefix("amqps://") {
            usesTLS = true
            rest = string.dropFirst("amqps://".count)
        } else {
            throw Self.invalid("the scheme must be amqp or amqps")
        }

        var remainder = rest
        var query: Substring = ""
        if let mark = remainder.firstIndex(of: "?") {
            query = remainder[remainder.index(after: mark)...]
            remainder = remainder[..<mark]
        }
        if remainder.contains("#") { throw Self.invalid("fragments are not allowed") }
        var authority = remainder
        var path: Substring? = nil
        if let slash = remainder.firstIndex(of: "/") {
            authority = remainder[..<slash]
            path = remainder[remainder.index(after: slash)...]
        }

        username = "guest"
        password = "guest"
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                username = try Self.percentDecode(userInfo[..<colon], what: "user")
                password = try Self.percentDecode(userInfo[userInfo.index(after: colon)...], what: "password")
            } else {
                username = try Self.percentDecode(userInfo, what: "user")
                password = ""
            }
        }

        var portText: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Self.invalid("unterminated IPv6 address") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Self.invalid("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = try Self.percentDecode(authority[..<colon], what: "host")
            portText = authority[authority.index(after: colon)...]
        } else {
            host = try Self.percentDecode(authority, what: "host")
        }
        guard !host.isEmpty else { throw Self.invalid("the host is missing") }
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw Self.invalid("the port '\(portText)' is not a number from 1 to 65535")
            }
            port = value
        } else {
            port = usesTLS ? 5671 : 5672
        }

        if let path, !path.isEmpty {
            guard !path.contains("/") else {
                throw Self.invalid("the virtual host must be one path segment (write '/' as %2F)")
            }
            virtualHost = try Self.percentDecode(path, what: "virtual host")
        } else {
            virtualHost = "/"
        }

        parameters = [:]
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.percentDecode(parts[0], what: "query parameter")
            let value = parts.count > 1 ? try Self.percentDecode(parts[1], what: "query parameter") : ""
            parameters[key] = value
        }
    }

    /// This URL with `credentials`' user and password, when given.
    public func applying(_ credentials: BrokerCredentials?) -> AMQPURL {
        guard let credentials else { return self }
        var url = self
        url.username = credentials.username
        url.password = credentials.password
        return url
    }

    /// The URL with the password masked, for logs and errors.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let vhost = virtualHost == "/" ? "" : "/\(Self.percentEncode(virtualHost))"
        return "\(usesTLS ? "amqps" : "amqp")://\(Self.percentEncode(username)):***@\(hostPart):\(port)\(vhost)"
    }

    /// The options this URL's query parameters override in `options`.
    public func resolvedOptions(_ options: RabbitMQBrokerOptions) throws(BrokerError) -> RabbitMQBrokerOptions {
        var resolved = options
        for (key, value) in parameters {
            switch key {
            case "heartbeat":
                guard let seconds = Int(value), seconds >= 0 else { throw Self.invalid("heartbeat must be seconds") }
                resolved.heartbeat = .seconds(seconds)
            case "frame_max":
                guard let bytes = Int(value), bytes >= 4096 else {
                    throw Self.invalid("frame_max must be at least 4096")
                }
                resolved.frameMax = bytes
            case "connection_timeout":
                guard let milliseconds = Int(value), milliseconds > 0 else {
                    throw Self.invalid("connection_timeout must be milliseconds")
                }
                resolved.connectTimeout = .milliseconds(milliseconds)
            case "cacertfile": resolved.tls.caCertificateFile = value
            case "certfile": resolved.tls.clientCertificateFile = value
            case "keyfile": resolved.tls.clientKeyFile = value
            case "verify":
                switch value {
                case "verify_peer": resolved.tls.verifyPeer = true
                case "verify_none":
                    resolved.tls.verifyPeer = false
                    resolved.tls.verifyHostname = false
                default: throw Self.invalid("verify must be verify_peer or verify_none")
                }
            case "server_name_indication": break  // librabbitmq sends the host name; nothing to override
            default: break  // Unknown parameters are ignored, as RabbitMQ clients do.
            }
        }
        return resolved
    }

    // MARK: Percent-encoding

    static func percentDecode(_ text: Substring, what: String) throws(BrokerError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid("bad percent-encoding in the \(what)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw invalid("the \(what) is not UTF-8 after percent-decoding")
        }
        return decoded
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func invalid(_ reason: String) -> BrokerError {
        BrokerError(.invalidArgument, message: "invalid broker URL: \(reason)")
    }
}
