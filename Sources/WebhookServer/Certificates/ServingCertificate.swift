import Foundation
public import X509

/// A TLS serving identity: a certificate chain (leaf first) and the leaf's private key, as PEM, checked to
/// belong together.
public struct ServingCertificate: Sendable, Hashable, CustomStringConvertible {
    /// The chain, leaf first, as PEM blocks.
    public let certificateChainPEM: String
    /// The leaf's private key, PEM.
    public let privateKeyPEM: String
    /// The leaf certificate.
    public let leaf: Certificate

    /// A serving certificate from PEM text. Throws when the chain holds no certificate, the key does not
    /// parse, or the key does not belong to the first certificate.
    public init(certificateChainPEM: String, privateKeyPEM: String) throws {
        let parsed = PEM.certificates(in: certificateChainPEM)
        guard let leaf = parsed.certificates.first else {
            throw WebhookCertificateError.invalidPEM(
                what: "certificate chain", reason: parsed.problems.joined(separator: "; "))
        }
        let key = try PEM.privateKey(from: privateKeyPEM)
        guard key.publicKey == leaf.publicKey else {
            throw WebhookCertificateError.keyMismatch(what: "serving certificate \(leaf.subject)")
        }
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.leaf = leaf
    }

    /// When the leaf stops being valid.
    public var notValidAfter: Date { leaf.notValidAfter }

    /// When the leaf became valid.
    public var notValidBefore: Date { leaf.notValidBefore }

    /// The leaf's DNS subject alternative names.
    public var dnsNames: [String] { leaf.dnsNames }

    /// The leaf's serial number in hex, for logs.
    public var serialNumber: String { leaf.serialNumber.description }

    public var description: String {
        "certificate \(serialNumber) for \(dnsNames.joined(separator: ",")) valid until \(notValidAfter)"
    }

    public static func == (lhs: ServingCertificate, rhs: ServingCertificate) -> Bool {
        lhs.certificateChainPEM == rhs.certificateChainPEM && lhs.privateKeyPEM == rhs.privateKeyPEM
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(certificateChainPEM)
        hasher.combine(privateKeyPEM)
    }
}

extension Certificate {
    /// The DNS names among the subject alternative names; empty when there are none or they do not decode.
    var dnsNames: [String] {
        guard let names = try? extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { if case .dnsName(let name) = $0 { return name } else { return nil } }
    }

    /// The IP addresses among the subject alternative names, as raw bytes (4 for IPv4, 16 for IPv6).
    var ipAddressBytes: [[UInt8]] {
        guard let names = try? extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { if case .ipAddress(let address) = $0 { return Array(address.bytes) } else { return nil } }
    }

    /// Whether the certificate says it is a CA allowed to sign certificates.
    var isCertificateAuthority: Bool {
        guard case .isCertificateAuthority = try? extensions.basicConstraints else { return false }
        if let usage = try? extensions.keyUsage { return usage.keyCertSign }
        return true
    }

    /// Whether `issuer` signed this certificate: names chain and the signature verifies with its key.
    func isIssued(by issuer: Certificate) -> Bool {
        self.issuer == issuer.subject && issuer.publicKey.isValidSignature(signature, for: self)
    }

    /// How much of the validity period is left at `now`, from 0 (expired) to 1 (not yet started).
    func remainingFraction(at now: Date) -> Double {
        let lifetime = notValidAfter.timeIntervalSince(notValidBefore)
        guard lifetime > 0 else { return 0 }
        return min(1, max(0, notValidAfter.timeIntervalSince(now) / lifetime))
    }
}
