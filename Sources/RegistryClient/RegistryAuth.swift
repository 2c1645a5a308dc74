import Foundation
import HTTPTransport
import Logging

/// One `WWW-Authenticate` challenge: a scheme and its parameters (`Bearer realm="…",service="…",scope="…"`).
struct AuthChallenge: Hashable, Sendable {
    var scheme: String
    var parameters: [String: String]

    /// Parses the first challenge of a header value (registries send one).
    init?(header: String) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard let space = text.firstIndex(of: " ") else {
            guard !text.isEmpty else { return nil }
            scheme = text.lowercased()
            parameters = [:]
            return
        }
        scheme = text[..<space].lowercased()
        parameters = [:]
        var rest = text[text.index(after: space)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped { value.append(character); escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { break } else { value.append(character) }
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = value
        }
    }
}

/// Keeps a registry's authentication state: anonymous, HTTP basic, or bearer tokens per scope obtained from
/// the token endpoint the registry names in its `401` challenge (the Docker token flow), refreshed when
/// they expire or the registry answers `401` again.
actor RegistryAuthenticator {
    private enum Mode {
        case anonymous
        case basic
        case bearer(realm: String, service: String?)
    }

    private struct Token {
        var value: String
        var expires: ContinuousClock.Instant
    }

    private let credentials: RegistryCredentials?
    private let transport: any HTTPTransport
    private let logger: Logger
    private var mode = Mode.anonymous
    private var tokens: [String: Token] = [:]

    init(credentials: RegistryCredentials?, transport: any HTTPTransport, logger: Logger) {
        self.credentials = credentials
        self.transport = transport
        self.logger = logger
    }

    /// The `Authorization` header for a request needing `scope` (nil: send none).
    func authorization(scope: String) async throws(RegistryError) -> String? {
        switch mode {
        case .anonymous:
            return nil
        case .basic:
            return credentials?.basicAuthorization
        case .bearer(let realm, let service):
            if let token = tokens[scope], token.expires > .now { return "Bearer " + token.value }
            let token = try await fetchToken(realm: realm, service: service, scope: scope)
            tokens[scope] = token
            return "Bearer " + token.value
        }
    }

    /// Learns from a `401`: switches scheme, or drops the token that was refused. Throws when retrying
    /// cannot help (no credentials for basic, an unsupported scheme, a second refusal of fresh credentials).
    func unauthorized(_ response: HTTPResponse, scope: String, freshlyAuthorized: Bool) async throws(RegistryError) {
        let message = RegistryErrorBody.message(response.body)
        guard let header = response.headers["WWW-Authenticate"], let challenge = AuthChallenge(header: header) else {
            throw .authenticationFailed("HTTP 401 without a WWW-Authenticate challenge\(message.isEmpty ? "" : ": \(message)")")
        }
        switch challenge.scheme {
        case "basic":
            guard let credentials else {
                throw .authenticationFailed("the registry wants HTTP basic credentials and none were given")
            }
            if case .basic = mode, freshlyAuthorized {
                throw .authenticationFailed("the registry refused the credentials of user '\(credentials.username)'\(message.isEmpty ? "" : ": \(message)")")
            }
            mode = .basic
        case "bearer":
            guard let realm = challenge.parameters["realm"], !realm.isEmpty else {
                throw .authenticationFailed("the bearer challenge names no token realm")
            }
            if case .bearer = mode, freshlyAuthorized {
                tokens[scope] = nil
                throw .authenticationFailed("the registry refused a fresh token for scope '\(scope)'\(message.isEmpty ? "" : ": \(message)")")
            }
            tokens[scope] = nil
            mode = .bearer(realm: realm, service: challenge.parameters["service"])
        default:
            throw .authenticationFailed("unsupported authentication scheme '\(challenge.scheme)'")
        }
        logger.debug("Registry asked for authentication", metadata: ["scheme": "\(challenge.scheme)", "scope": "\(scope)"])
    }

    private func fetchToken(realm: String, service: String?, scope: String) async throws(RegistryError) -> Token {
        var query: [String] = []
        if let service { query.append("service=" + Self.encode(service)) }
        query.append("scope=" + Self.encode(scope))
        let url = realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
        var headers = HTTPHeaders()
        if let credentials { headers.set("Authorization", credentials.basicAuthorization) }
        headers.set("Accept", "application/json")
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: .get, url: url, headers: headers, timeout: .seconds(30)))
        } catch let error as HTTPTransportError {
            throw .transport(error, operation: "fetching a registry token from \(realm)")
        } catch {
            throw .authenticationFailed("fetching a token from \(realm) failed: \(error)")
        }
        guard response.status == 200 else {
            let why = response.status == 401 || response.status == 403
                ? (credentials == nil ? "no credentials were given" : "the credentials of user '\(credentials!.username)' were refused")
                : "HTTP \(response.status)"
            throw .authenticationFailed("the token endpoint \(realm) answered \(response.status): \(why)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
            let value = (object["token"] as? String) ?? (object["access_token"] as? String), !value.isEmpty
        else { throw .authenticationFailed("the token endpoint \(realm) returned no token") }
        let lifetime = max(10, (object["expires_in"] as? Int) ?? 60)
        // Refresh a little early so a long upload does not start with a token about to expire.
        return Token(value: value, expires: .now + .seconds(max(5, lifetime - 10)))
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// The registry's error document (`{"errors":[{"code":…,"message":…}]}`), for messages.
enum RegistryErrorBody {
    static func message(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        if let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let errors = object["errors"] as? [[String: Any]], !errors.isEmpty
        {
            return errors.map { error in
                let code = error["code"] as? String ?? "UNKNOWN"
                let message = error["message"] as? String ?? ""
                return message.isEmpty ? code : "\(code): \(message)"
            }.joined(separator: "; ")
        }
        return String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func codes(_ body: [UInt8]) -> [String] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let errors = object["errors"] as? [[String: Any]]
        else { return [] }
        return errors.compactMap { $0["code"] as? String }
    }
}
