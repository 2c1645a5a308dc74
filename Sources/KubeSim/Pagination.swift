import Unstructured

/// The opaque `continue` token: base64url (no padding) of `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`,
/// the format the API server's etcd3 store uses. `rv: -1` asks for the latest state (an inconsistent remainder).
struct ContinueToken: Sendable {
    var rv: Int64
    /// Keys >= this are served.
    var start: String

    func encode() -> String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(rv), "start": .string(start)]
        return Sim.base64Encode(json.jsonBytes()).replacing("+", with: "-").replacing("/", with: "_")
            .replacing("=", with: "")
    }

    /// Decodes a token; malformed tokens are 400 BadRequest as the API server answers.
    static func decode(_ token: String) throws -> ContinueToken {
        guard let bytes = Sim.base64Decode(token), let json = try? JSONValue.parse(bytes),
            json["v"]?.stringValue == "meta.k8s.io/v1", let rv = json["rv"]?.intValue,
            let start = json["start"]?.stringValue
        else {
            throw APIError.badRequest(
                "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        return ContinueToken(rv: rv, start: start)
    }

    /// The token for the page after `lastKey`.
    static func after(_ lastKey: String, rv: Int64) -> ContinueToken {
        ContinueToken(rv: rv, start: lastKey + "\u{0}")
    }

    static let expiredMessage =
        "The provided continue parameter is too old to display a consistent list result. You can start a new "
        + "list without the continue parameter, or use the continue token in this response to retrieve the "
        + "remainder of the results. Continuing with the provided token results in an inconsistent list - "
        + "objects that were created, modified, or deleted between the time the first chunk was returned and "
        + "now may show up in the list."
}
