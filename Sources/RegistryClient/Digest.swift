import Crypto

/// A content digest in the OCI form `sha256:<64 lowercase hex digits>` (only SHA-256 is produced or accepted).
public struct OCIDigest: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The lowercase hex encoding of the 32-byte SHA-256 value.
    public let hex: String

    /// Parses `sha256:<hex>`; nil for other algorithms or malformed values.
    public init?(_ description: String) {
        guard description.hasPrefix("sha256:") else { return nil }
        let hex = description.dropFirst("sha256:".count)
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        self.hex = String(hex)
    }

    init(sha256 digest: SHA256.Digest) {
        self.hex = Self.hexString(digest)
    }

    /// The digest of `bytes`.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> OCIDigest {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return OCIDigest(sha256: hasher.finalize())
    }

    public var description: String { "sha256:" + hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = OCIDigest(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a sha256 digest: \(text)"))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func hexString(_ digest: SHA256.Digest) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(alphabet[Int(byte >> 4)])
            out.append(alphabet[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
