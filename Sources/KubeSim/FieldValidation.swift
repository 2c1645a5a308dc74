import Unstructured

/// The `fieldValidation` query parameter of writes (KEP-2885, GA in v1.27): what happens to members of the body
/// the kind does not declare. `Strict` fails the request (400), `Warn` — the default — answers with a
/// `Warning` header per field, `Ignore` drops them silently.
enum FieldValidationDirective: String, Sendable {
    case ignore = "Ignore"
    case warn = "Warn"
    case strict = "Strict"

    /// The directive of a request; 422 for an unknown value, as `ValidateCreateOptions` answers.
    static func of(_ query: QueryParameters, method: String) throws -> FieldValidationDirective {
        guard let raw = query["fieldValidation"], !raw.isEmpty else { return .warn }
        guard let directive = FieldValidationDirective(rawValue: raw) else {
            let kind = method == "POST" ? "CreateOptions" : method == "PATCH" ? "PatchOptions" : "UpdateOptions"
            throw APIError.invalid(
                kind: kind, group: "meta.k8s.io", name: "",
                errors: [.notSupported("fieldValidation", value: raw, supported: ["", "Ignore", "Strict", "Warn"])])
        }
        return directive
    }
}

extension KubeSimCore {
    /// Checks the body of a create, update or (merge, strategic or apply) patch for unknown fields under the
    /// request's `fieldValidation`: throws 400 under `Strict`, returns the warnings to send under `Warn`.
    /// Built-in kinds are checked against ``BuiltinFields``; custom resources against their structural schema
    /// (what pruning would drop). JSON patches are not checked.
    func fieldValidationWarnings(_ info: ResourceInfo, _ request: APIRequest, subresource: String?) throws -> [String] {
        let method = request.method
        guard method == "POST" || method == "PUT" || method == "PATCH" else { return [] }
        guard subresource == nil || subresource == "status" else { return [] }
        let directive = try FieldValidationDirective.of(request.query, method: method)
        if directive == .ignore { return [] }
        if method == "PATCH" && request.contentType == PatchType.json.rawValue { return [] }
        guard let body = try? request.bodyValue(), body.objectValue != nil else { return [] }
        let unknown = unknownFields(info, body)
        guard !unknown.isEmpty else { return [] }
        let listed = unknown.map { "unknown field \"\($0)\"" }
        if directive == .strict {
            throw APIError.badRequest(
                "\(info.kind) in version \"\(info.version)\" cannot be handled as a \(info.kind): strict decoding error: "
                    + listed.joined(separator: ", "))
        }
        return listed
    }

    /// The paths of the members of `body` the kind does not declare.
    func unknownFields(_ info: ResourceInfo, _ body: JSONValue) -> [String] {
        if let schema = info.custom?.schema?.schema {
            var unknown = BuiltinFields.objectMeta.unknownFields(in: body["metadata"] ?? [:], path: "metadata")
            unknown += Self.dropped(from: body, to: schema.prune(body))
            return unknown
        }
        return BuiltinFields.schema(info)?.unknownFields(in: body) ?? []
    }

    /// The paths present in `original` but not in `pruned`.
    static func dropped(from original: JSONValue, to pruned: JSONValue, path: String = "") -> [String] {
        switch (original, pruned) {
        case (.object(let before), .object(let after)):
            var paths: [String] = []
            for (key, value) in before {
                let at = path.isEmpty ? key : "\(path).\(key)"
                if let kept = after[key] {
                    paths += dropped(from: value, to: kept, path: at)
                } else {
                    paths.append(at)
                }
            }
            return paths
        case (.array(let before), .array(let after)) where before.count == after.count:
            return zip(before, after).enumerated().flatMap { index, pair in
                dropped(from: pair.0, to: pair.1, path: "\(path)[\(index)]")
            }
        default:
            return []
        }
    }

    /// `result` with one `Warning` header per text.
    static func withWarnings(_ result: APIResult, _ warnings: [String]) -> APIResult {
        guard !warnings.isEmpty else { return result }
        @Sendable func decorate(_ response: APIResponse) -> APIResponse {
            var r = response
            for w in warnings { r.headers.append(("Warning", AdmissionChain.warningHeader(w))) }
            return r
        }
        switch result {
        case .response(let response): return .response(decorate(response))
        case .deferred(let work):
            return .deferred {
                let inner = await work()
                if case .response(let response) = inner { return .response(decorate(response)) }
                return inner
            }
        case .watch: return result
        }
    }
}
