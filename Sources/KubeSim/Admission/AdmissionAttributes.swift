import Unstructured

/// The operation a request performs, as admission sees it (admissionregistration.k8s.io OperationType).
enum AdmissionOperation: String, Sendable {
    case create = "CREATE"
    case update = "UPDATE"
    case delete = "DELETE"
    case connect = "CONNECT"
}

/// metav1.GroupVersionResource.
struct GroupVersionResource: Hashable, Sendable {
    var group: String
    var version: String
    var resource: String

    var json: JSONValue { ["group": .string(group), "version": .string(version), "resource": .string(resource)] }

    /// "pods", "deployments.apps": how error messages name the resource.
    var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// metav1.GroupVersionKind.
struct GroupVersionKind: Hashable, Sendable {
    var group: String
    var version: String
    var kind: String

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var json: JSONValue { ["group": .string(group), "version": .string(version), "kind": .string(kind)] }
}

/// Who sent a request, as webhooks see it in `request.userInfo` (authentication/v1 UserInfo).
struct AdmissionUser: Sendable, Equatable {
    var username: String
    var uid: String = ""
    var groups: [String]

    static let anonymous = AdmissionUser(username: "system:anonymous", groups: ["system:unauthenticated"])

    /// The JSON form: empty fields are omitted, as Go's `omitempty` does.
    var json: JSONValue {
        var o: JSONObject = [:]
        if !username.isEmpty { o["username"] = .string(username) }
        if !uid.isEmpty { o["uid"] = .string(uid) }
        if !groups.isEmpty { o["groups"] = .array(groups.map { .string($0) }) }
        return .object(o)
    }

    /// The CEL form of `request.userInfo`: every field present, as in the typed request.
    var celValue: CELValue {
        .map([
            "username": .string(username), "uid": .string(uid), "groups": .list(groups.map { .string($0) }),
            "extra": .map([:]),
        ])
    }
}

/// The attributes of one request that admission works on (k8s.io/apiserver admission.Attributes).
struct AdmissionAttributes: Sendable {
    var operation: AdmissionOperation
    /// The resource the request addresses (pods for `pods/eviction`).
    var resource: GroupVersionResource
    var subresource: String
    /// The kind of `object`/`oldObject` (policy/v1 Eviction for `pods/eviction`).
    var kind: GroupVersionKind
    /// The name from the URL or the object ("" when the server will generate it, and for a collection DELETE).
    var name: String
    /// The namespace of the request; for requests on a Namespace object itself, that namespace's name.
    var namespace: String
    /// The new object (nil for DELETE).
    var object: JSONValue?
    /// The current object (UPDATE and DELETE).
    var oldObject: JSONValue?
    /// CreateOptions, UpdateOptions or DeleteOptions as the client sent them (nil for CONNECT).
    var options: JSONValue?
    var dryRun: Bool
    var user: AdmissionUser
    /// The resource's other served versions (custom resources with several versions), which webhooks with
    /// `matchPolicy: Equivalent` also match.
    var equivalentVersions: [String] = []

    /// Whether `object`/`oldObject` are objects of the addressed resource itself (main resource, status), whose
    /// version follows the resource version a webhook is called with; subresource objects (Scale, Eviction,
    /// Binding, NodeProxyOptions) keep their own kind.
    var objectIsResource: Bool {
        subresource.isEmpty || subresource == "status" || subresource == "finalize"
    }
}

// MARK: Options objects

/// The options objects the API server hands to admission, in their JSON form (meta.k8s.io/v1, fields in Go's
/// order, empty fields omitted).
enum AdmissionOptions {
    /// CreateOptions from the query (`dryRun`, `fieldManager`, `fieldValidation`).
    static func create(_ query: QueryParameters) -> JSONValue {
        writeOptions("CreateOptions", query)
    }

    /// UpdateOptions from the query (PUT, and PATCH as the API server converts PatchOptions).
    static func update(_ query: QueryParameters) -> JSONValue {
        writeOptions("UpdateOptions", query)
    }

    private static func writeOptions(_ kind: String, _ query: QueryParameters) -> JSONValue {
        var o: JSONObject = ["kind": .string(kind), "apiVersion": "meta.k8s.io/v1"]
        let dryRun = query.all("dryRun").filter { !$0.isEmpty }
        if !dryRun.isEmpty { o["dryRun"] = .array(dryRun.map { .string($0) }) }
        if let manager = query["fieldManager"], !manager.isEmpty { o["fieldManager"] = .string(manager) }
        if let validation = query["fieldValidation"], !validation.isEmpty {
            o["fieldValidation"] = .string(validation)
        }
        return .object(o)
    }

    /// DeleteOptions as decoded from the body and query.
    static func delete(_ options: DeleteOptions) -> JSONValue {
        var o: JSONObject = ["kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"]
        if let grace = options.gracePeriodSeconds { o["gracePeriodSeconds"] = .int(grace) }
        if options.preconditionUID != nil || options.preconditionResourceVersion != nil {
            var p: JSONObject = [:]
            if let uid = options.preconditionUID { p["uid"] = .string(uid) }
            if let rv = options.preconditionResourceVersion { p["resourceVersion"] = .string(rv) }
            o["preconditions"] = .object(p)
        }
        if let orphan = options.orphanDependents { o["orphanDependents"] = .bool(orphan) }
        if let policy = options.propagationPolicy { o["propagationPolicy"] = .string(policy) }
        if options.dryRun { o["dryRun"] = ["All"] }
        return .object(o)
    }
}

// MARK: The requesting user

extension KubeSimCore {
    /// The user a request is attributed to: the verified client certificate (CN is the user, each O a group),
    /// a bearer token or basic credentials KubeSim knows the user of, else `system:anonymous`. Authenticated
    /// users also get `system:authenticated`, as the API server's group adder does.
    func requestUser(_ request: APIRequest) -> AdmissionUser {
        if let subject = request.clientSubject {
            var name = ""
            var groups: [String] = []
            for part in subject.split(separator: ",") {
                guard let eq = part.firstIndex(of: "=") else { continue }
                let key = part[..<eq]
                let value = String(part[part.index(after: eq)...])
                if key == "CN" { name = value } else if key == "O" { groups.append(value) }
            }
            if !name.isEmpty { return Self.authenticated(AdmissionUser(username: name, groups: groups)) }
        }
        guard let header = request.headers.first(name: "authorization") else { return .anonymous }
        let auth = configuration.authentication
        if header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst(7)).trimmingSpaces()
            if let user = auth?.tokenUsers[token] {
                return Self.authenticated(AdmissionUser(username: user.username, uid: user.uid, groups: user.groups))
            }
            if case .authenticated(let identity) = authenticateToken(token, audiences: []) { return identity.user }
        } else if header.hasPrefix("Basic "), let auth,
            let decoded = Sim.base64Decode(String(header.dropFirst(6)).trimmingSpaces())
        {
            let text = String(decoding: decoded, as: UTF8.self)
            if let colon = text.firstIndex(of: ":") {
                let user = String(text[..<colon])
                if let expected = auth.basicUsers[user], expected == String(text[text.index(after: colon)...]) {
                    return Self.authenticated(AdmissionUser(username: user, groups: []))
                }
            }
        }
        return .anonymous
    }

    private static func authenticated(_ user: AdmissionUser) -> AdmissionUser {
        var user = user
        if !user.groups.contains("system:authenticated") { user.groups.append("system:authenticated") }
        return user
    }
}
