#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Non-confidential configuration data (core/v1 `ConfigMap`).
public struct ConfigMap: KubernetesObject, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "ConfigMap"
    public static let plural = "configmaps"
    public static let isNamespaced = true

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `ConfigMap`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// UTF-8 values.
    public var data: [String: String]?
    /// Binary values, base64-encoded.
    public var binaryData: [String: String]?
    /// Whether the data can no longer change.
    public var immutable: Bool?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = ConfigMap.apiVersion,
        kind: String? = ConfigMap.kind,
        metadata: ObjectMeta = ObjectMeta(),
        data: [String: String]? = nil,
        binaryData: [String: String]? = nil,
        immutable: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case data
        case binaryData
        case immutable
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ConfigMap.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ConfigMap.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.data = try c.decodeIfPresent([String: String].self, forKey: .data)
        self.binaryData = try c.decodeIfPresent([String: String].self, forKey: .binaryData)
        self.immutable = try c.decodeIfPresent(Bool.self, forKey: .immutable)
    }

    /// The decoded bytes of a `binaryData` entry; nil when absent or not valid base64.
    public func decodedBinaryData(_ key: String) -> Data? {
        binaryData?[key].flatMap { Data(base64Encoded: $0) }
    }
}
