import NIOHTTP1
import Unstructured

/// Where a resource request points (k8s.io/apiserver RequestInfo).
struct ResourcePath: Sendable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?
    /// The rest after the subresource (node proxy path).
    var subpath: String
    var watchPrefix: Bool
}

extension KubeSimCore {
    /// Answers one request: authentication, faults, then routing.
    func handle(_ request: APIRequest) -> APIResult {
        requests.record(request)
        if let failure = authenticate(request) { return .response(.error(failure)) }
        if let fault = faults.match(method: request.method, path: request.path) {
            switch fault {
            case .fail(let error): return .response(.error(error))
            case .delay(let duration):
                return .deferred {
                    try? await Task.sleep(for: duration)
                    return self.route(request)
                }
            }
        }
        return route(request)
    }

    func route(_ request: APIRequest) -> APIResult {
        result(of: { try routeThrowing(request) })
    }

    /// The result of `work`, with a thrown error as its Status response.
    func result(of work: () throws -> APIResult) -> APIResult {
        do {
            return try work()
        } catch let e as APIError {
            return .response(.error(e))
        } catch {
            return .response(.error(.internalError("\(error)")))
        }
    }

    private func routeThrowing(_ request: APIRequest) throws -> APIResult {
        let path = request.path
        switch path {
        case "/healthz", "/readyz", "/livez": return .response(.text(200, "ok"))
        case "/version", "/version/": return .response(.json(200, versionInfo()))
        case "/api", "/api/": return .response(.json(200, apiVersions()))
        case "/apis", "/apis/": return .response(.json(200, apiGroupList()))
        case "/openapi/v2": return .response(openAPIV2(request))
        case "/openapi/v3", "/openapi/v3/": return .response(.json(200, openAPIV3Root()))
        default: break
        }
        if path.hasPrefix("/openapi/v3/") {
            guard let document = openAPIV3(path: path) else { throw APIError.resourceNotFound() }
            return .response(.json(200, document))
        }
        if path.hasPrefix("/healthz/") || path.hasPrefix("/readyz/") || path.hasPrefix("/livez/") {
            return .response(.text(200, "ok"))
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = segments.first, first == "api" || first == "apis" else {
            throw APIError.resourceNotFound()
        }
        var rest: ArraySlice<String>
        let group: String
        let version: String
        if first == "api" {
            guard segments.count >= 2 else { throw APIError.resourceNotFound() }
            group = ""
            version = segments[1]
            rest = segments[2...]
        } else {
            guard segments.count >= 2 else { throw APIError.resourceNotFound() }
            group = segments[1]
            if segments.count == 2 {
                guard let g = apiGroup(group) else { throw APIError.resourceNotFound() }
                return .response(.json(200, g))
            }
            version = segments[2]
            rest = segments[3...]
        }
        let gv = group.isEmpty ? version : "\(group)/\(version)"
        guard registry.hasGroupVersion(gv) else { throw APIError.resourceNotFound() }
        if rest.isEmpty {
            guard request.method == "GET" else { throw APIError.methodNotAllowed() }
            return .response(.json(200, resourceList(groupVersion: gv)))
        }
        var watchPrefix = false
        if rest.first == "watch" {
            watchPrefix = true
            rest = rest.dropFirst()
        }
        var namespace: String?
        if rest.first == "namespaces", rest.count > 1 {
            namespace = rest[rest.startIndex + 1]
            if rest.count > 2 && !["status", "finalize"].contains(rest[rest.startIndex + 2]) {
                rest = rest.dropFirst(2)
            } else {
                // /namespaces/{name}[/status|finalize] addresses the namespace itself.
                namespace = nil
            }
        }
        guard let resource = rest.first else { throw APIError.resourceNotFound() }
        let name = rest.count > 1 ? rest[rest.startIndex + 1] : nil
        let sub = rest.count > 2 ? rest[rest.startIndex + 2] : nil
        let subpath = rest.count > 3 ? rest[(rest.startIndex + 3)...].joined(separator: "/") : ""
        let rp = ResourcePath(
            group: group, version: version, namespace: namespace, resource: resource, name: name,
            subresource: sub, subpath: path.hasSuffix("/") && !subpath.isEmpty ? subpath + "/" : subpath,
            watchPrefix: watchPrefix)
        return try dispatch(request, rp)
    }

    private func dispatch(_ request: APIRequest, _ rp: ResourcePath) throws -> APIResult {
        guard let info = registry.lookup(group: rp.group, version: rp.version, plural: rp.resource) else {
            throw APIError.resourceNotFound()
        }
        if rp.namespace != nil && !info.namespaced { throw APIError.resourceNotFound() }
        if AuthResources.reviews.contains(info.id) { return try serveReview(request.parsingBody(), rp, info) }
        // Field validation, admission and the handler all read a write's body: parse it once.
        let request = ["POST", "PUT", "PATCH"].contains(request.method) ? request.parsingBody() : request
        let fieldWarnings = try fieldValidationWarnings(info, request, subresource: rp.subresource)
        return Self.withWarnings(try dispatch(request, rp, info), fieldWarnings)
    }

    private func dispatch(_ request: APIRequest, _ rp: ResourcePath, _ info: ResourceInfo) throws -> APIResult {
        if let admitted = admissionControlled(request, rp, info) { return admitted }
        let q = request.query
        let method = request.method
        let isWatch = rp.watchPrefix || q.bool("watch")
        guard let name = rp.name else {
            // Collection.
            switch method {
            case "GET":
                if isWatch { return try watchRequest(info, namespace: rp.namespace, query: q, name: nil) }
                return try listRequest(info, namespace: rp.namespace, query: q)
            case "POST":
                if info.namespaced && rp.namespace == nil { throw APIError.methodNotAllowed() }
                return .response(try createRequest(info, namespace: rp.namespace, request: request))
            case "DELETE":
                if info.namespaced && rp.namespace == nil { throw APIError.methodNotAllowed() }
                guard info.verbs.contains("deletecollection") else { throw APIError.methodNotAllowed() }
                return .response(try deleteCollection(info, namespace: rp.namespace, request: request))
            default: throw APIError.methodNotAllowed()
            }
        }
        if info.namespaced && rp.namespace == nil { throw APIError.resourceNotFound() }
        let ns = rp.namespace ?? ""
        guard let sub = rp.subresource else {
            switch method {
            case "GET":
                if isWatch { return try watchRequest(info, namespace: rp.namespace, query: q, name: name) }
                return .response(try getRequest(info, namespace: ns, name: name, query: q))
            case "PUT": return .response(try updateRequest(info, namespace: ns, name: name, request: request))
            case "PATCH":
                return .response(try patchRequest(info, namespace: ns, name: name, request: request, status: false))
            case "DELETE": return .response(try deleteRequest(info, namespace: ns, name: name, request: request))
            default: throw APIError.methodNotAllowed()
            }
        }
        guard info.subresources.contains(sub) else { throw APIError.resourceNotFound() }
        switch (sub, method) {
        case ("status", "GET"): return .response(try getRequest(info, namespace: ns, name: name, query: q))
        case ("status", "PUT"):
            return .response(try updateStatusRequest(info, namespace: ns, name: name, request: request))
        case ("status", "PATCH"):
            return .response(try patchRequest(info, namespace: ns, name: name, request: request, status: true))
        case ("scale", "GET"): return .response(try getScale(info, namespace: ns, name: name))
        case ("scale", "PUT"): return .response(try updateScale(info, namespace: ns, name: name, request: request))
        case ("scale", "PATCH"): return .response(try patchScale(info, namespace: ns, name: name, request: request))
        case ("binding", "POST"): return .response(try bindPod(namespace: ns, name: name, request: request))
        case ("eviction", "POST"): return .response(try evictPod(namespace: ns, name: name, request: request))
        case ("finalize", "PUT"): return .response(try finalizeNamespace(name: name, request: request))
        case ("token", "POST"): return .response(try createToken(namespace: ns, name: name, request: request))
        case ("proxy", _): return nodeProxy(node: name, path: rp.subpath, request: request)
        default: throw APIError.methodNotAllowed()
        }
    }
}
