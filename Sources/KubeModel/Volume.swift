public import Unstructured

/// A volume of a pod: a name plus exactly one source (`hostPath`, `emptyDir`, `persistentVolumeClaim`,
/// `secret`, `configMap`, `projected`, …), kept as raw JSON so every source type, known or not, survives a
/// decode/encode round trip (core/v1 `Volume`).
public struct Volume: Codable, Hashable, Sendable {
    /// The volume's name, referred to by volume mounts.
    public var name: String
    /// Every member of the volume object other than `name`: normally one key naming the source.
    public var source: JSONObject

    /// Creates a volume from a name and its raw source members.
    public init(name: String, source: JSONObject) {
        self.name = name
        self.source = source
    }

    /// Creates a volume with one source, e.g. `Volume(name: "data", sourceKind: "emptyDir", [:])`.
    public init(name: String, sourceKind: String, _ value: JSONValue) {
        self.init(name: name, source: [sourceKind: value])
    }

    /// A volume backed by a persistent volume claim.
    public static func persistentVolumeClaim(name: String, claimName: String, readOnly: Bool? = nil) -> Volume {
        var claim: JSONValue = ["claimName": .string(claimName)]
        if let readOnly { claim["readOnly"] = .bool(readOnly) }
        return Volume(name: name, sourceKind: "persistentVolumeClaim", claim)
    }

    /// A scratch directory living as long as the pod.
    public static func emptyDir(name: String, medium: String? = nil, sizeLimit: Quantity? = nil) -> Volume {
        var dir: JSONValue = .object([:])
        if let medium { dir["medium"] = .string(medium) }
        if let sizeLimit { dir["sizeLimit"] = .string(sizeLimit.description) }
        return Volume(name: name, sourceKind: "emptyDir", dir)
    }

    /// A directory of the node.
    public static func hostPath(name: String, path: String, type: String? = nil) -> Volume {
        var source: JSONValue = ["path": .string(path)]
        if let type { source["type"] = .string(type) }
        return Volume(name: name, sourceKind: "hostPath", source)
    }

    /// The name of the (first) source member, e.g. `persistentVolumeClaim`.
    public var sourceKind: String? { source.keys.first }

    /// The `hostPath` source (`path`, `type`), if that is the source.
    public var hostPath: JSONValue? { source["hostPath"] }
    /// The `emptyDir` source (`medium`, `sizeLimit`), if that is the source.
    public var emptyDir: JSONValue? { source["emptyDir"] }
    /// The `persistentVolumeClaim` source (`claimName`, `readOnly`), if that is the source.
    public var persistentVolumeClaim: JSONValue? { source["persistentVolumeClaim"] }
    /// The `secret` source (`secretName`, `items`, …), if that is the source.
    public var secret: JSONValue? { source["secret"] }
    /// The `configMap` source (`name`, `items`, …), if that is the source.
    public var configMap: JSONValue? { source["configMap"] }
    /// The `projected` source (`sources`, `defaultMode`), if that is the source.
    public var projected: JSONValue? { source["projected"] }

    /// The claim name of a `persistentVolumeClaim` source.
    public var claimName: String? { persistentVolumeClaim?["claimName"]?.stringValue }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { self.stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        name = try c.decode(String.self, forKey: Key("name"))
        var source = JSONObject()
        for key in c.allKeys where key.stringValue != "name" {
            source[key.stringValue] = try c.decode(JSONValue.self, forKey: key)
        }
        self.source = source
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(name, forKey: Key("name"))
        for (key, value) in source where key != "name" {
            try c.encode(value, forKey: Key(key))
        }
    }
}
