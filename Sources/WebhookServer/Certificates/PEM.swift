import Foundation
public import X509
import SwiftASN1

/// Reading and writing PEM text: certificate bundles (several `CERTIFICATE` blocks, as in `ca.crt`) and
/// private keys.
public enum PEM {
    /// The certificates of a PEM bundle, in order. Blocks that are not certificates, or do not decode, are
    /// skipped and described in `problems`; text outside blocks is ignored (as OpenSSL does).
    public static func certificates(in text: String) -> (certificates: [Certificate], problems: [String]) {
        var certificates: [Certificate] = []
        var problems: [String] = []
        for (index, block) in blocks(in: text).enumerated() {
            do {
                let document = try PEMDocument(pemString: block)
                guard document.discriminator == "CERTIFICATE" else {
                    problems.append("block \(index + 1) is a \(document.discriminator), not a CERTIFICATE")
                    continue
                }
                certificates.append(try Certificate(derEncoded: document.derBytes))
            } catch {
                problems.append("block \(index + 1) does not decode: \(error)")
            }
        }
        if certificates.isEmpty && problems.isEmpty { problems.append("no PEM block found") }
        return (certificates, problems)
    }

    /// The certificates as consecutive PEM blocks, each ending in a newline.
    public static func encode(_ certificates: [Certificate]) throws -> String {
        try certificates.map { try $0.serializeAsPEM().pemString + "\n" }.joined()
    }

    /// A private key from PEM: PKCS#8 (`PRIVATE KEY`), SEC 1 (`EC PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
    public static func privateKey(from text: String) throws -> Certificate.PrivateKey {
        guard let block = blocks(in: text).first else {
            throw WebhookCertificateError.invalidPEM(what: "private key", reason: "no PEM block found")
        }
        do {
            return try Certificate.PrivateKey(pemEncoded: block)
        } catch {
            throw WebhookCertificateError.invalidPEM(what: "private key", reason: "\(error)")
        }
    }

    /// A private key as a PEM block ending in a newline.
    public static func encode(_ key: Certificate.PrivateKey) throws -> String {
        try key.serializeAsPEM().pemString + "\n"
    }

    /// The `-----BEGIN …-----` … `-----END …-----` blocks of `text`, delimiters included.
    static func blocks(in text: String) -> [String] {
        var blocks: [String] = []
        var rest = text[...]
        while let begin = rest.range(of: "-----BEGIN ") {
            guard let endMarker = rest.range(of: "-----END ", range: begin.upperBound..<rest.endIndex),
                let close = rest.range(of: "-----", range: endMarker.upperBound..<rest.endIndex)
            else { break }
            blocks.append(String(rest[begin.lowerBound..<close.upperBound]))
            rest = rest[close.upperBound...]
        }
        return blocks
    }
}
