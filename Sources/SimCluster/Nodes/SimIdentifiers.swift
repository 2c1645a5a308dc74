/// Deterministic identifiers in the shapes real nodes report (hex digests, UUIDs, container IDs), derived from
/// a seed text with FNV-1a so that no cryptographic library is needed.
enum SimIdentifiers {
    /// `length` lowercase hex digits derived from `seed`.
    static func hex(_ seed: String, length: Int = 64) -> String {
        var out = ""
        var round: UInt64 = 0
        while out.count < length {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (round &* 0x9e37_79b9_7f4a_7c15)
            for byte in seed.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            let digits = String(hash, radix: 16)
            out += String(repeating: "0", count: 16 - digits.count) + digits
            round += 1
        }
        return String(out.prefix(length))
    }

    /// A UUID-shaped identifier derived from `seed`.
    static func uuid(_ seed: String) -> String {
        let h = Array(hex(seed, length: 32))
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-"
            + String(h[20..<32])
    }

    /// The `imageID` a runtime reports for `image`: the reference pinned to a digest.
    static func imageID(_ image: String) -> String {
        let base = image.split(separator: "@").first.map(String.init) ?? image
        var repository = base
        if let colon = base.lastIndex(of: ":"), !base[colon...].contains("/") { repository = String(base[..<colon]) }
        return repository + "@sha256:" + hex("image/" + image)
    }
}
