import Foundation
import Unstructured

/// What the API server's decoder rejects before any validation runs: values that do not decode into their Go
/// type answer 400 Bad Request, `<Kind> in version "<v>" cannot be handled as a <Kind>: <why>`.
///
/// Checked here: `metav1.MicroTime` fields, which must carry exactly six fractional digits
/// (`RFC3339Micro`), and the `[]byte` maps of Secrets and ConfigMaps, which must be standard padded base64.
enum DecodeChecks {
    static let microTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

    /// The MicroTime fields of each kind.
    static func microTimePaths(_ info: ResourceInfo) -> [[String]] {
        switch (info.group, info.kind) {
        case ("events.k8s.io", "Event"), ("", "Event"): return [["eventTime"], ["series", "lastObservedTime"]]
        case ("coordination.k8s.io", "Lease"): return [["spec", "acquireTime"], ["spec", "renewTime"]]
        default: return []
        }
    }

    /// Throws 400 when `obj` would not decode as the kind's Go type.
    static func check(_ info: ResourceInfo, _ obj: JSONValue) throws {
        guard !info.isCustom else { return }
        func fail(_ why: String) -> APIError {
            APIError.badRequest("\(info.kind) in version \"\(info.version)\" cannot be handled as a \(info.kind): \(why)")
        }
        for path in microTimePaths(info) {
            guard let value = obj[path: path], !value.isNull else { continue }
            guard let text = value.stringValue else {
                throw fail("json: cannot unmarshal \(value.typeName) into Go value of type string")
            }
            if !isMicroTime(text) {
                throw fail("parsing time \"\(text)\" as \"\(microTimeLayout)\": cannot parse \"\(text)\" as a time with "
                    + "six fractional digits")
            }
        }
        let byteMaps: [String] = switch (info.group, info.kind) {
        case ("", "Secret"): ["data"]
        case ("", "ConfigMap"): ["binaryData"]
        default: []
        }
        for field in byteMaps {
            for (_, value) in obj[field]?.objectValue ?? [:] {
                guard let text = value.stringValue else { continue }
                if let index = invalidBase64Index(text) { throw fail("illegal base64 data at input byte \(index)") }
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffff` followed by `Z` or `±hh:mm`.
    static func isMicroTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 27 else { return false }
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { bytes[$0] >= 48 && bytes[$0] <= 57 } }
        let shape = digits(0..<4) && bytes[4] == 45 && digits(5..<7) && bytes[7] == 45 && digits(8..<10)
            && bytes[10] == 84 && digits(11..<13) && bytes[13] == 58 && digits(14..<16) && bytes[16] == 58
            && digits(17..<19) && bytes[19] == 46 && digits(20..<26)
        guard shape else { return false }
        let zone = Array(bytes[26...])
        if zone == [90] { return true }  // "Z"
        return zone.count == 6 && (zone[0] == 43 || zone[0] == 45) && zone[3] == 58
            && [1, 2, 4, 5].allSatisfy { zone[$0] >= 48 && zone[$0] <= 57 }
    }

    /// Where Go's `base64.StdEncoding` stops decoding `text` (nil when it decodes). Line breaks are skipped, as
    /// Go does.
    static func invalidBase64Index(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        var count = 0
        var padding = 0
        for (index, byte) in bytes.enumerated() {
            if byte == 10 || byte == 13 { continue }
            let isAlphabet = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
                || byte == 43 || byte == 47
            if byte == 61 {
                // Padding may only end the last quantum, after at least two characters of it.
                if count % 4 < 2 { return index }
                padding += 1
                count += 1
                continue
            }
            if !isAlphabet || padding > 0 { return index }
            count += 1
        }
        return count % 4 == 0 ? nil : bytes.count
    }
}
