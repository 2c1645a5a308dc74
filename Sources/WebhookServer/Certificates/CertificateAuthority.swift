import Crypto
public import Foundation
public import X509
import SwiftASN1

/// A certificate authority that issues serving certificates: its self-signed certificate and its private key.
///
/// Keys are ECDSA P-256 and certificates are signed with ECDSA-SHA256, which every TLS client the API server
/// uses (Go's crypto/tls) and OpenSSL accept.
public struct CertificateAuthority: Sendable {
    /// The CA's certificate.
    public let certificate: Certificate
    /// The CA's private key.
    public let privateKey: Certificate.PrivateKey

    /// How far certificates are backdated, so that a replica whose clock lags a little still accepts them.
    public static let clockSkewAllowance: TimeInterval = 5 * 60

    /// Wraps an existing CA; throws when the key does not belong to the certificate or the certificate is not
    /// a CA.
    public init(certificate: Certificate, privateKey: Certificate.PrivateKey) throws {
        guard privateKey.publicKey == certificate.publicKey else {
            throw WebhookCertificateError.keyMismatch(what: "CA \(certificate.subject)")
        }
        guard certificate.isCertificateAuthority else {
            throw WebhookCertificateError.notACertificateAuthority(subject: "\(certificate.subject)")
        }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// A CA from PEM text (the first certificate of `certificatePEM`).
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let parsed = PEM.certificates(in: certificatePEM)
        guard let certificate = parsed.certificates.first else {
            throw WebhookCertificateError.invalidPEM(what: "CA certificate", reason: parsed.problems.joined(separator: "; "))
        }
        try self.init(certificate: certificate, privateKey: try PEM.privateKey(from: privateKeyPEM))
    }

    /// A new self-signed CA with a fresh P-256 key, valid from a few minutes before `now` for `validity`.
    public static func generate(
        commonName: String, validity: Duration, now: Date = Date()
    ) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName(commonName) }
        do {
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: key.publicKey,
                notValidBefore: now - clockSkewAllowance,
                notValidAfter: now + validity.timeInterval,
                issuer: name,
                subject: name,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: key.publicKey)
                },
                issuerPrivateKey: key)
            return try CertificateAuthority(certificate: certificate, privateKey: key)
        } catch let error as WebhookCertificateError {
            throw error
        } catch {
            throw WebhookCertificateError.issuanceFailed(reason: "\(error)")
        }
    }

    /// A serving certificate for `dnsNames` (and `ipAddresses`, dotted IPv4 or IPv6 text) signed by this CA,
    /// with a fresh P-256 key: `serverAuth` only, valid from a few minutes before `now` for `validity` but
    /// never past the CA's own expiry. The first DNS name becomes the subject's common name.
    public func issueServingCertificate(
        dnsNames: [String], ipAddresses: [String] = [], validity: Duration, now: Date = Date()
    ) throws -> ServingCertificate {
        guard !dnsNames.isEmpty || !ipAddresses.isEmpty else {
            throw WebhookCertificateError.issuanceFailed(reason: "a serving certificate needs a DNS name or an IP address")
        }
        var names = dnsNames.map(GeneralName.dnsName)
        for text in ipAddresses {
            guard let bytes = IPAddress.bytes(of: text) else {
                throw WebhookCertificateError.issuanceFailed(reason: "\(text) is not an IP address")
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
        }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        do {
            let subject = try DistinguishedName { CommonName(dnsNames.first ?? ipAddresses.first ?? "webhook") }
            let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: key.publicKey,
                notValidBefore: max(now - Self.clockSkewAllowance, self.certificate.notValidBefore),
                notValidAfter: min(now + validity.timeInterval, self.certificate.notValidAfter),
                issuer: self.certificate.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(names)
                    SubjectKeyIdentifier(hash: key.publicKey)
                    if let authorityKeyID {
                        AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
                    }
                },
                issuerPrivateKey: privateKey)
            return try ServingCertificate(
                certificateChainPEM: try PEM.encode([certificate]), privateKeyPEM: try PEM.encode(key))
        } catch let error as WebhookCertificateError {
            throw error
        } catch {
            throw WebhookCertificateError.issuanceFailed(reason: "\(error)")
        }
    }

    /// The CA certificate as PEM.
    public var certificatePEM: String {
        get throws { try PEM.encode([certificate]) }
    }

    /// The CA key as PEM (PKCS#8).
    public var privateKeyPEM: String {
        get throws { try PEM.encode(privateKey) }
    }
}

/// Textual IP addresses to the bytes a certificate's `iPAddress` name holds.
enum IPAddress {
    /// 4 bytes for dotted IPv4, 16 for IPv6; nil for anything else.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds, as Foundation's `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
