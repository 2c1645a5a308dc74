import KubeModel
import Unstructured

/// The revision of a StatefulSet's pod template: its name `<set>-<hash>` and the patch a ControllerRevision
/// records (`history.NewControllerRevision` and `HashControllerRevision`).
///
/// The hash is FNV-1a (32 bit) of the template's canonical JSON (object keys sorted), mixed with the
/// collision count, and spelled with `rand.SafeEncodeString` as kube-controller-manager spells it. It
/// depends only on the template, so a set deleted with `propagationPolicy: Orphan` and created again with
/// the same template computes the same revision and leaves its pods alone.
struct StatefulSetRevision: Equatable, Sendable {
    /// `<set>-<hash>`: the revision object's name and the pods' `controller-revision-hash` label.
    var name: String
    /// The hash alone (the ControllerRevision's `controller-revision-hash` label).
    var hash: String
    /// `{"spec":{"template":{…,"$patch":"replace"}}}`.
    var data: JSONValue

    /// The revision of `set`'s current template.
    init(of set: StatefulSet) throws {
        let template = try JSONValueEncoder().encode(set.spec?.template ?? PodTemplateSpec())
        var replaced = template.objectValue ?? [:]
        replaced["$patch"] = "replace"
        data = .object(["spec": .object(["template": .object(replaced)])])
        var hasher = FNV1a32()
        hasher.combine(Self.canonical(data).jsonBytes())
        // The controller always hashes a collision count, 0 until a collision happened.
        hasher.combine(Array(String(set.status?.collisionCount ?? 0).utf8))
        hash = Self.safeEncode(String(hasher.value))
        name = "\(set.metadata.name ?? "")-\(hash)"
    }

    /// The template a revision's data records, if it holds one.
    static func template(in data: JSONValue?) -> PodTemplateSpec? {
        guard var template = data?[path: ["spec", "template"]]?.objectValue else { return nil }
        template.removeValue(forKey: "$patch")
        return try? JSONValueDecoder().decode(PodTemplateSpec.self, from: .object(template))
    }

    /// `value` with every object's keys sorted, so equal templates serialize to equal bytes.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var sorted = JSONObject()
            for key in object.keys.sorted() { sorted[key] = canonical(object[key]!) }
            return .object(sorted)
        case .array(let items): return .array(items.map(canonical))
        default: return value
        }
    }

    /// `rand.SafeEncodeString`: each byte mapped into consonants and digits that cannot spell words.
    static func safeEncode(_ text: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(text.utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}

/// The 32-bit FNV-1a hash.
struct FNV1a32 {
    private(set) var value: UInt32 = 2_166_136_261

    mutating func combine(_ bytes: [UInt8]) {
        for byte in bytes {
            value ^= UInt32(byte)
            value = value &* 16_777_619
        }
    }
}
