import Synchronization
import Unstructured

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A ServiceAccount token KubeSim issued through the TokenRequest API, with the claims kube-apiserver signs
/// into its JWT.
struct IssuedToken: Sendable {
    var namespace: String
    var serviceAccountName: String
    var serviceAccountUID: String
    var audiences: [String]
    /// Seconds since the epoch.
    var issuedAt: Int64
    var expiresAt: Int64
    /// The `jti` claim; TokenReview reports it as `authentication.kubernetes.io/credential-id: JTI=<id>`.
    var id: String
    /// The object the token is bound to (`spec.boundObjectRef`): the token dies with it.
    var boundObject: BoundObject?

    struct BoundObject: Sendable {
        var resource: ResourceInfo
        var kind: String
        var name: String
        var uid: String
    }

    var username: String { "system:serviceaccount:\(namespace):\(serviceAccountName)" }
    var groups: [String] { ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"] }
}

/// The tokens KubeSim has issued, and the clock their expiry is judged by.
///
/// kube-apiserver issues signed JWTs and validates them by signature; KubeSim issues tokens of the same shape
/// (`header.claims.signature`, base64url, with `aud`, `exp`, `iat`, `iss`, `jti`, `nbf`, `sub` and the
/// `kubernetes.io` claim) whose signature part is random, and validates them by looking them up here. A client
/// may decode the claims as it would a real token's; it cannot verify the signature (KubeSim publishes no JWKS).
final class ServiceAccountTokens: Sendable {
    private let issued = Mutex<[String: IssuedToken]>([:])
    private let clockOffset = Mutex<Int64>(0)

    /// The go-jose leeway kube-apiserver allows around `exp` and `nbf` (`jwt.DefaultLeeway`, one minute).
    static let leewaySeconds: Int64 = 60

    /// Seconds since the epoch, as the token clock reads them.
    func now() -> Int64 { Int64(Date().timeIntervalSince1970) + clockOffset.withLock { $0 } }

    /// Moves the token clock forward (tests of expiry).
    func advance(seconds: Int64) { clockOffset.withLock { $0 += seconds } }

    /// Issues a token with these claims.
    func issue(_ token: IssuedToken, issuer: String) -> String {
        var claims: JSONObject = [
            "aud": .array(token.audiences.map { .string($0) }), "exp": .int(token.expiresAt),
            "iat": .int(token.issuedAt), "iss": .string(issuer), "jti": .string(token.id),
        ]
        var kubernetes: JSONObject = [
            "namespace": .string(token.namespace),
            "serviceaccount": ["name": .string(token.serviceAccountName), "uid": .string(token.serviceAccountUID)],
        ]
        if let bound = token.boundObject {
            kubernetes[bound.kind.lowercased()] = ["name": .string(bound.name), "uid": .string(bound.uid)]
        }
        claims["kubernetes.io"] = .object(kubernetes)
        claims["nbf"] = .int(token.issuedAt)
        claims["sub"] = .string(token.username)
        let header: JSONValue = ["alg": "RS256", "kid": "kubesim"]
        var signature: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<64 { signature.append(UInt8.random(in: 0...255, using: &generator)) }
        let jwt = [header.jsonBytes(), JSONValue.object(claims).jsonBytes(), signature]
            .map(Self.base64URL).joined(separator: ".")
        issued.withLock { $0[jwt] = token }
        return jwt
    }

    /// The token issued as `jwt`, if KubeSim issued it.
    func lookup(_ jwt: String) -> IssuedToken? { issued.withLock { $0[jwt] } }

    static func base64URL(_ bytes: [UInt8]) -> String {
        var s = Sim.base64Encode(bytes)
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }
}
