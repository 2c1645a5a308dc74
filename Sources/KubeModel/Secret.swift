#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sensitive data, base64-encoded on the wire (core/v1 `Secret`).
public struct Secret: KubernetesObject, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Secret"
    public static let plural = "secrets"
    public static let isNamespaced = true

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `Secret`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// Values, each base64-encoded as the API sends them.
    public var data: [String: String]?
    /// Write-only plain-text values, merged into `data` by the server.
    public var stringData: [String: String]?
    /// E.g. `Opaque`, `kubernetes.io/tls`, `kubernetes.io/dockerconfigjson`.
    public var type: String?
    /// Whether the data can no longer change.
    public var immutable: Bool?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Secret.apiVersion,
        kind: String? = Secret.kind,
        metadata: ObjectMeta = ObjectMeta(),
        data: [String: String]? = nil,
        stringData: [String: String]? = nil,
        type: String? = nil,
        immutable: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
        self.immutable = immutable
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case data
        case stringData
        case type
        case immutable
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Secret.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Secret.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.data = try c.decodeIfPresent([String: String].self, forKey: .data)
        self.stringData = try c.decodeIfPresent([String: String].self, forKey: .stringData)
        self.type = try c.decodeIfPresent(String.self, forKey: .type)
        self.immutable = try c.decodeIfPresent(Bool.self, forKey: .immutable)
    }

    /// The decoded bytes of a `data` entry; nil when absent or not valid base64.
    public func decodedData(_ key: String) -> Data? {
        data?[key].flatMap { Data(base64Encoded: $0) }
    }

    /// A `data` entry decoded as UTF-8 text (falling back to `stringData`); nil when absent.
    public func string(_ key: String) -> String? {
        if let bytes = decodedData(key) { return String(decoding: bytes, as: UTF8.self) }
        return stringData?[key]
    }

    /// Sets a `data` entry from raw bytes, base64-encoding them.
    public mutating func setData(_ key: String, _ bytes: Data) {
        var entries = data ?? [:]
        entries[key] = bytes.base64EncodedString()
        data = entries
    }

    /// Sets a `data` entry from UTF-8 text, base64-encoding it.
    public mutating func setString(_ key: String, _ value: String) {
        setData(key, Data(value.utf8))
    }
}
