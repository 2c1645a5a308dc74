import Unstructured

/// `/openapi/v2` and `/openapi/v3`: the operations KubeSim serves, described as kube-apiserver describes
/// them — one path per collection and per object of every served resource (custom resources included), each
/// operation with its query parameters (`dryRun`, `fieldManager`, `fieldValidation`, …), `x-kubernetes-action`
/// and `x-kubernetes-group-version-kind`.
///
/// This is what clients discover features from: kubectl reads the PATCH operation of a kind to see whether the
/// server validates fields itself (then it sends `fieldValidation=Strict` instead of validating on its side).
/// `/openapi/v2` is served as JSON or, when asked for it (kubectl does), as the gnostic protobuf encoding.
///
/// Not published: the schema definitions of the kinds. kubectl takes a strategic-merge patch's list semantics
/// from the schemas when they are published and from its compiled-in types otherwise; schemas without every
/// `x-kubernetes-patch-strategy` would make `kubectl apply` compute different patches than against a cluster,
/// so none are published and `kubectl explain` finds no schema.
extension KubeSimCore {
    static let openAPIV2Protobuf = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"

    /// `GET /openapi/v2`.
    func openAPIV2(_ request: APIRequest) -> APIResponse {
        let document = openAPIV2Document()
        let accept = request.headers.first(name: "accept") ?? ""
        if accept.contains("application/com.github.proto-openapi.spec.v2") {
            var response = APIResponse.bytes(200, OpenAPIProtobuf.document(document))
            response.contentType = Self.openAPIV2Protobuf
            return response
        }
        return .json(200, document)
    }

    /// `GET /openapi/v3`: the group versions, each with the URL of its document.
    func openAPIV3Root() -> JSONValue {
        var paths = JSONObject()
        for gv in registry.groupVersions() {
            let path = gv.contains("/") ? "apis/\(gv)" : "api/\(gv)"
            let hash = Sim.hashHex(openAPIV3Document(groupVersion: gv).jsonBytes())
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// `GET /openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>`; nil for an unknown group version.
    func openAPIV3(path: String) -> JSONValue? {
        let trimmed = path.hasPrefix("/openapi/v3/") ? String(path.dropFirst("/openapi/v3/".count)) : path
        let gv: String
        if trimmed.hasPrefix("api/") {
            gv = String(trimmed.dropFirst(4))
        } else if trimmed.hasPrefix("apis/") {
            gv = String(trimmed.dropFirst(5))
        } else {
            return nil
        }
        guard registry.hasGroupVersion(gv) else { return nil }
        return openAPIV3Document(groupVersion: gv)
    }

    func openAPIV2Document() -> JSONValue {
        var paths = JSONObject()
        for gv in registry.groupVersions() {
            for (path, item) in operations(groupVersion: gv, version: 2) { paths[path] = item }
        }
        return [
            "swagger": "2.0", "info": ["title": "Kubernetes", "version": .string(Self.gitVersion)],
            "paths": .object(paths), "definitions": [:],
        ]
    }

    func openAPIV3Document(groupVersion gv: String) -> JSONValue {
        var paths = JSONObject()
        for (path, item) in operations(groupVersion: gv, version: 3) { paths[path] = item }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": .string(Self.gitVersion)],
            "paths": .object(paths), "components": ["schemas": [:]],
        ]
    }

    static let gitVersion = "v1.31.0-kubesim"

    /// The path items of one group version's resources (status and scale subresources included).
    private func operations(groupVersion gv: String, version: Int) -> [(String, JSONValue)] {
        var items: [(String, JSONValue)] = []
        for info in registry.resources(groupVersion: gv) {
            let prefix = info.group.isEmpty ? "/api/\(info.version)" : "/apis/\(info.group)/\(info.version)"
            let scope = info.namespaced ? "\(prefix)/namespaces/{namespace}/\(info.plural)" : "\(prefix)/\(info.plural)"
            let gvk: JSONValue = ["group": .string(info.group), "kind": .string(info.kind), "version": .string(info.version)]
            let make = { (action: String, parameters: [String]) in
                OpenAPIOperation.operation(action: action, info: info, gvk: gvk, parameters: parameters, version: version)
            }
            let verbs = Set(info.verbs)
            var collection = JSONObject()
            if verbs.contains("list") { collection["get"] = make("list", OpenAPIOperation.listParameters) }
            if verbs.contains("create") { collection["post"] = make("post", OpenAPIOperation.writeParameters) }
            if verbs.contains("deletecollection") {
                collection["delete"] = make("deletecollection", OpenAPIOperation.deleteParameters + OpenAPIOperation.listParameters)
            }
            items.append((scope, .object(collection)))
            var object = JSONObject()
            if verbs.contains("get") { object["get"] = make("get", []) }
            if verbs.contains("update") { object["put"] = make("put", OpenAPIOperation.writeParameters) }
            if verbs.contains("patch") { object["patch"] = make("patch", OpenAPIOperation.writeParameters + ["force"]) }
            if verbs.contains("delete") { object["delete"] = make("delete", OpenAPIOperation.deleteParameters) }
            if !object.isEmpty { items.append(("\(scope)/{name}", .object(object))) }
            for sub in ["status", "scale"] where info.subresources.contains(sub) {
                items.append((
                    "\(scope)/{name}/\(sub)",
                    [
                        "get": make("get", []), "put": make("put", OpenAPIOperation.writeParameters),
                        "patch": make("patch", OpenAPIOperation.writeParameters + ["force"]),
                    ]
                ))
            }
        }
        return items
    }
}

/// The operation objects of the OpenAPI documents.
enum OpenAPIOperation {
    static let listParameters = [
        "allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
        "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch",
    ]
    static let writeParameters = ["dryRun", "fieldManager", "fieldValidation"]
    static let deleteParameters = ["dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"]

    static func operation(action: String, info: ResourceInfo, gvk: JSONValue, parameters: [String], version: Int) -> JSONValue {
        var params: [JSONValue] = parameters.map { name in
            let type: String = switch name {
            case "limit", "timeoutSeconds", "gracePeriodSeconds": "integer"
            case "allowWatchBookmarks", "watch", "sendInitialEvents", "orphanDependents", "force": "boolean"
            default: "string"
            }
            if version == 2 {
                return ["name": .string(name), "in": "query", "type": .string(type), "uniqueItems": true]
            }
            return ["name": .string(name), "in": "query", "schema": ["type": .string(type), "uniqueItems": true]]
        }
        params.append(
            version == 2
                ? ["name": "pretty", "in": "query", "type": "string", "uniqueItems": true]
                : ["name": "pretty", "in": "query", "schema": ["type": "string", "uniqueItems": true]])
        let verb = action == "post" ? "create" : action == "put" ? "replace" : action
        return [
            "description": .string("\(verb) \(info.kind)"),
            "operationId": .string("\(verb)\(info.group.replacing(".", with: ""))\(info.version)\(info.kind)"),
            "parameters": .array(params),
            "responses": ["200": ["description": "OK"], "401": ["description": "Unauthorized"]],
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": gvk,
        ]
    }
}

/// The gnostic `openapi.v2.Document` protobuf encoding (google/gnostic openapiv2/OpenAPIv2.proto) of the
/// documents ``KubeSimCore/openAPIV2Document()`` builds: swagger, info, paths with their operations'
/// parameters, responses and vendor extensions (values as YAML; JSON is YAML).
enum OpenAPIProtobuf {
    static func document(_ doc: JSONValue) -> [UInt8] {
        var out = ProtobufWriter()
        out.string(1, doc["swagger"]?.stringValue ?? "2.0")
        out.message(2) { info in
            info.string(1, doc[path: ["info", "title"]]?.stringValue ?? "")
            info.string(2, doc[path: ["info", "version"]]?.stringValue ?? "")
        }
        out.message(8) { paths in
            for (name, item) in doc["paths"]?.objectValue ?? [:] {
                paths.message(2) { named in
                    named.string(1, name)
                    named.message(2) { pathItem in
                        for (field, method) in [(2, "get"), (3, "put"), (4, "post"), (5, "delete"), (8, "patch")] {
                            guard let op = item[method] else { continue }
                            pathItem.message(field) { operation(&$0, op) }
                        }
                    }
                }
            }
        }
        out.message(9) { _ in }
        return out.bytes
    }

    static func operation(_ w: inout ProtobufWriter, _ op: JSONValue) {
        w.string(3, op["description"]?.stringValue ?? "")
        w.string(5, op["operationId"]?.stringValue ?? "")
        for parameter in op["parameters"]?.arrayValue ?? [] {
            w.message(8) { item in  // ParametersItem
                item.message(1) { p in  // Parameter
                    p.message(2) { nonBody in  // NonBodyParameter
                        nonBody.message(3) { query in  // QueryParameterSubSchema
                            query.string(2, parameter["in"]?.stringValue ?? "query")
                            query.string(4, parameter["name"]?.stringValue ?? "")
                            query.string(6, parameter["type"]?.stringValue ?? "string")
                            if parameter["uniqueItems"]?.boolValue == true { query.bool(20, true) }
                        }
                    }
                }
            }
        }
        w.message(9) { responses in
            for (code, response) in op["responses"]?.objectValue ?? [:] {
                responses.message(1) { named in  // NamedResponseValue
                    named.string(1, code)
                    named.message(2) { value in  // ResponseValue
                        value.message(1) { $0.string(1, response["description"]?.stringValue ?? "") }
                    }
                }
            }
        }
        for (name, value) in op.objectValue ?? [:] where name.hasPrefix("x-") {
            w.message(13) { named in  // NamedAny
                named.string(1, name)
                named.message(2) { $0.string(2, value.jsonString()) }  // Any.yaml
            }
        }
    }
}

/// Protocol buffers wire format, for the fields the documents use: strings, booleans, embedded messages.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        key(field, wireType: 2)
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        key(field, wireType: 0)
        varint(value ? 1 : 0)
    }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        key(field, wireType: 2)
        varint(UInt64(inner.bytes.count))
        bytes.append(contentsOf: inner.bytes)
    }
}
