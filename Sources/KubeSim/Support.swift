import Unstructured

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small helpers shared by the emulator: timestamps, UIDs, generated names, query strings.
enum Sim {
    /// The current time as RFC 3339 with second precision, UTC ("2024-05-01T12:00:00Z"), as metav1.Time encodes.
    static func timestamp(offsetSeconds: Int64 = 0) -> String {
        var t = time_t(Int64(Date().timeIntervalSince1970) + offsetSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
    }

    /// A MicroTime (RFC 3339 with microseconds), as used by managedFields-free types such as leases and events.
    static func microTimestamp() -> String {
        let now = Date().timeIntervalSince1970
        let micros = Int64((now - now.rounded(.down)) * 1_000_000)
        let base = timestamp()
        let frac = String(micros)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 6 - frac.count) + frac + "Z"
    }

    /// A new object UID (a random UUID in lower case, like the API server's).
    static func newUID() -> String { UUID().uuidString.lowercased() }

    /// A stable 64-bit FNV-1a digest of `bytes` as 16 upper-case hex digits (OpenAPI v3 `hash` parameters).
    static func hashHex(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The alphabet of `generateName` suffixes (k8s.io/apimachinery/pkg/util/rand: no vowels, no confusables).
    static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// `generateName` plus five random characters; the prefix is cut to 58 characters as the API server does.
    static func generatedName(_ prefix: String) -> String {
        let base = prefix.count > 58 ? String(prefix.prefix(58)) : prefix
        var suffix = ""
        for _ in 0..<5 { suffix.append(nameAlphabet.randomElement()!) }
        return base + suffix
    }

    /// Decodes `%XX` escapes and `+` (as a space), as Go's url.ParseQuery does.
    static func percentDecode(_ s: Substring, plusIsSpace: Bool = true) -> String {
        if !s.contains("%") && !(plusIsSpace && s.contains("+")) { return String(s) }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
                let hi = hexValue(bytes[bytes.startIndex]), let lo = hexValue(bytes[bytes.startIndex + 1])
            {
                out.append(hi << 4 | lo)
                bytes = bytes.dropFirst(2)
            } else if b == UInt8(ascii: "+") && plusIsSpace {
                out.append(0x20)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func base64Encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func base64Decode(_ s: String) -> [UInt8]? {
        var padded = s.replacing("-", with: "+").replacing("_", with: "/")
        while padded.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded).map { Array($0) }
    }
}

/// Query-string parameters of a request, decoded; repeated names keep every value.
struct QueryParameters: Sendable {
    private var values: [String: [String]] = [:]
    /// The query string as received.
    let raw: String

    init(_ query: Substring) {
        raw = String(query)
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let eq = pair.firstIndex(of: "=") {
                let key = Sim.percentDecode(pair[..<eq])
                values[key, default: []].append(Sim.percentDecode(pair[pair.index(after: eq)...]))
            } else {
                values[Sim.percentDecode(pair), default: []].append("")
            }
        }
    }

    /// The first value of the named parameter.
    subscript(_ name: String) -> String? { values[name]?.first }

    /// Every value of the named parameter, in order.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Whether the parameter is a true boolean ("true" or "1", as Go's strconv.ParseBool accepts more).
    func bool(_ name: String) -> Bool {
        guard let v = values[name]?.first else { return false }
        return ["1", "t", "T", "true", "TRUE", "True"].contains(v)
    }

    /// The parameter as an integer; nil when absent; throws a 400 when not a number.
    func int(_ name: String) throws -> Int64? {
        guard let v = values[name]?.first, !v.isEmpty else { return nil }
        guard let i = Int64(v) else {
            throw APIError.badRequest("invalid value for \(name): \(v)")
        }
        return i
    }

    /// Whether any `dryRun` value is `All` (the only value the API accepts).
    var isDryRun: Bool { values["dryRun"]?.contains("All") ?? false }
}

extension JSONValue {
    /// `metadata.name`, or "".
    var metaName: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
    /// `metadata.namespace`, or "".
    var metaNamespace: String { self[path: ["metadata", "namespace"]]?.stringValue ?? "" }
    /// `metadata.uid`, or "".
    var metaUID: String { self[path: ["metadata", "uid"]]?.stringValue ?? "" }
    /// `metadata.labels` as strings.
    var metaLabels: [String: String] {
        guard let labels = self[path: ["metadata", "labels"]]?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in labels { out[k] = v.stringValue ?? "" }
        return out
    }
    /// `metadata.finalizers` as strings.
    var metaFinalizers: [String] {
        self[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
    /// Whether `metadata.deletionTimestamp` is set.
    var isDeleting: Bool {
        if let ts = self[path: ["metadata", "deletionTimestamp"]], !ts.isNull { return true }
        return false
    }
    /// `metadata.ownerReferences`.
    var ownerReferences: [JSONValue] { self[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] }

    /// Sets `metadata.finalizers`, removing the key when empty (as the API server omits empty lists).
    mutating func setFinalizers(_ finalizers: [String]) {
        self[path: ["metadata", "finalizers"]] = finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) })
    }
}
