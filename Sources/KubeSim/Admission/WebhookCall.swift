import CurlTransport
import HTTPTransport
import Unstructured

/// How a webhook call ended badly.
enum WebhookCallError: Error, Sendable {
    /// The webhook could not be called or answered nonsense (ErrCallingWebhook): subject to failurePolicy.
    /// The text follows `failed calling webhook "<name>": `.
    case calling(String)
    /// A Status the request fails with whatever the failurePolicy (a denial, dry run unsupported, an internal
    /// error applying the webhook's patch), with the warnings the webhook sent along.
    case status(APIError, warnings: [String])
}

/// A webhook's answer that let the request through.
struct WebhookAllowed: Sendable {
    /// The decoded JSON patch operations (mutating webhooks only; nil when none).
    var patch: JSONValue?
    var warnings: [String]
}

extension AdmissionAttributes {
    /// `object` and `oldObject` as a webhook called through `invocation` sees them: objects of the invoked
    /// kind carry its apiVersion (conversion between served versions of a resource is a rewrite of apiVersion).
    func versioned(for invocation: WebhookInvocation) -> (object: JSONValue?, oldObject: JSONValue?) {
        func convert(_ value: JSONValue?) -> JSONValue? {
            guard var value, !value.isNull else { return nil }
            if value.objectValue != nil {
                value["apiVersion"] = .string(invocation.kind.apiVersion)
                value["kind"] = .string(invocation.kind.kind)
            }
            return value
        }
        return (convert(object), convert(oldObject))
    }

    /// The AdmissionRequest of `invocation` (fields in admission/v1's order, empty optional fields omitted).
    func requestJSON(for invocation: WebhookInvocation, uid: String) -> JSONObject {
        let versioned = versioned(for: invocation)
        var r: JSONObject = [
            "uid": .string(uid), "kind": invocation.kind.json, "resource": invocation.resource.json,
        ]
        if !invocation.subresource.isEmpty { r["subResource"] = .string(invocation.subresource) }
        r["requestKind"] = kind.json
        r["requestResource"] = resource.json
        if !subresource.isEmpty { r["requestSubResource"] = .string(subresource) }
        if !name.isEmpty { r["name"] = .string(name) }
        if !namespace.isEmpty { r["namespace"] = .string(namespace) }
        r["operation"] = .string(operation.rawValue)
        r["userInfo"] = user.json
        r["object"] = versioned.object ?? .null
        r["oldObject"] = versioned.oldObject ?? .null
        r["dryRun"] = .bool(dryRun)
        r["options"] = options ?? .null
        return r
    }
}

extension KubeSimCore {
    /// Calls one webhook (a POST of an AdmissionReview over HTTPS) and checks its answer as kube-apiserver's
    /// dispatchers do. Returns the allowed answer; a denial and every failure come back as `WebhookCallError`.
    func callWebhook(_ invocation: WebhookInvocation, _ attrs: AdmissionAttributes) async throws(WebhookCallError)
        -> WebhookAllowed
    {
        let hook = invocation.webhook
        let mutating = hook.phase == .mutating
        if attrs.dryRun && hook.sideEffects != "None" && hook.sideEffects != "NoneOnDryRun" {
            throw .status(.badRequest("admission webhook \"\(hook.name)\" does not support dry run"), warnings: [])
        }
        guard let version = hook.admissionReviewVersions.first(where: { $0 == "v1" || $0 == "v1beta1" }) else {
            throw .calling("webhook does not accept known AdmissionReview versions (v1, v1beta1)")
        }
        let uid = Sim.newUID()
        let review: JSONValue = [
            "kind": "AdmissionReview", "apiVersion": .string("admission.k8s.io/\(version)"),
            "request": .object(attrs.requestJSON(for: invocation, uid: uid)),
        ]
        let target = try webhookTarget(hook)
        let response: HTTPResponse
        do {
            let transport = CurlTransport(
                configuration: .init(
                    tls: target.tls, connectTimeout: .seconds(min(hook.timeoutSeconds, 10)),
                    userAgent: "kube-apiserver-admission", acceptCompressedResponses: false))
            response = try await transport.send(
                HTTPRequest(
                    method: .post, url: target.url,
                    headers: ["Content-Type": "application/json", "Accept": "application/json, */*"],
                    body: review.jsonBytes(), timeout: .seconds(hook.timeoutSeconds)))
        } catch let error as HTTPTransportError {
            let reason = error.kind == .timeout ? "context deadline exceeded" : error.message
            throw .calling("failed to call webhook: Post \"\(target.displayURL)\": \(reason)")
        } catch {
            throw .calling("failed to call webhook: Post \"\(target.displayURL)\": \(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw .calling("failed to call webhook: \(Self.unexpectedStatusMessage(response))")
        }
        let body: JSONValue
        do {
            body = try JSONValue.parse(response.body)
        } catch {
            throw .calling("failed to call webhook: couldn't get version/kind; json parse error: \(error.description)")
        }
        guard body.objectValue != nil else {
            throw .calling("failed to call webhook: couldn't get version/kind; json parse error: expected an object")
        }
        return try Self.verifyResponse(
            body, uid: uid, version: version, mutating: mutating, hookName: hook.name)
    }

    /// VerifyAdmissionResponse and the dispatchers' handling of the verified answer.
    static func verifyResponse(
        _ body: JSONValue, uid: String, version: String, mutating: Bool, hookName: String
    ) throws(WebhookCallError) -> WebhookAllowed {
        func invalid(_ detail: String) -> WebhookCallError { .calling("received invalid webhook response: \(detail)") }
        guard let response = body["response"], response.objectValue != nil else {
            throw invalid("webhook response was absent")
        }
        // Field types the JSON decoder insists on.
        if let allowed = response["allowed"], !allowed.isNull, allowed.boolValue == nil {
            throw .calling(
                "failed to call webhook: json: cannot unmarshal \(allowed.typeName) into Go struct field "
                    + "AdmissionResponse.response.allowed of type bool"
            )
        }
        var patchBytes: [UInt8]?
        if let p = response["patch"], !p.isNull {
            guard let text = p.stringValue,
                let bytes = WebhookConfigurations.decodeBase64(text) ?? (text.isEmpty ? [] : nil)
            else {
                throw .calling("failed to call webhook: illegal base64 data in response.patch")
            }
            patchBytes = bytes
        }
        var patchType = response["patchType"]?.stringValue
        if version == "v1" {
            let gotUID = response["uid"]?.stringValue ?? ""
            if gotUID != uid { throw invalid("expected response.uid=\"\(uid)\", got \"\(gotUID)\"") }
            let apiVersion = body["apiVersion"]?.stringValue ?? ""
            let kind = body["kind"]?.stringValue ?? ""
            if apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview" {
                let gv = apiVersion.contains("/") ? apiVersion : (apiVersion.isEmpty ? "/" : "/\(apiVersion)")
                throw invalid(
                    "expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got \(gv), Kind=\(kind)")
            }
            let hasPatch = !(patchBytes ?? []).isEmpty
            if mutating {
                if hasPatch && patchType == nil {
                    throw invalid("webhook returned response.patch but not response.patchType")
                }
                if !hasPatch && patchType != nil {
                    throw invalid("webhook returned response.patchType but not response.patch")
                }
                if let t = patchType, t.isEmpty { throw invalid("webhook returned invalid response.patchType of \"\"") }
            } else {
                if hasPatch { throw invalid("validating webhook may not return response.patch") }
                if let t = response["patchType"], !t.isNull {
                    throw invalid("validating webhook may not return response.patchType")
                }
            }
        } else {
            // admission/v1beta1: uid and kind were never checked; a patch is a JSON patch.
            patchType = mutating && !(patchBytes ?? []).isEmpty ? "JSONPatch" : nil
            if !mutating { patchBytes = nil }
        }
        let warnings = response["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard response["allowed"]?.boolValue == true else {
            throw .status(webhookDenial(hookName, status: response["status"]), warnings: warnings)
        }
        guard mutating, let bytes = patchBytes, !bytes.isEmpty else {
            return WebhookAllowed(patch: nil, warnings: warnings)
        }
        let patch: JSONValue
        do {
            patch = try JSONValue.parse(bytes)
        } catch {
            throw .calling("received undecodable patch in webhook response: \(error.description)")
        }
        guard patch.arrayValue != nil else {
            throw .calling(
                "received undecodable patch in webhook response: a JSON patch must be an array of operations")
        }
        if patch.arrayValue!.isEmpty { return WebhookAllowed(patch: nil, warnings: warnings) }
        guard patchType == "JSONPatch" else {
            throw .calling("unsupported patch type \"\(patchType ?? "")\"")
        }
        return WebhookAllowed(patch: patch, warnings: warnings)
    }

    /// errors/statuserror.go ToStatusErr: the webhook's Status with its message prefixed, a code below 400
    /// raised to 400, and status Failure.
    static func webhookDenial(_ hookName: String, status: JSONValue?) -> APIError {
        let deniedBy = "admission webhook \"\(hookName)\" denied the request"
        let s = status?.objectValue ?? [:]
        var code = Int(s["code"]?.intValue ?? 0)
        if code < 400 { code = 400 }
        let reason = s["reason"]?.stringValue ?? ""
        let message: String
        if let m = s["message"]?.stringValue, !m.isEmpty {
            message = "\(deniedBy): \(m)"
        } else if !reason.isEmpty {
            message = "\(deniedBy): \(reason)"
        } else {
            message = "\(deniedBy) without explanation"
        }
        let details = s["details"]?.objectValue
        var error = APIError(code: code, reason: reason, message: message, details: details)
        if let retry = details?["retryAfterSeconds"]?.intValue, retry > 0 { error.retryAfterSeconds = Int(retry) }
        return error
    }

    /// What client-go reports for a non-2xx answer: the message of a Status body, else a generic text.
    static func unexpectedStatusMessage(_ response: HTTPResponse) -> String {
        if let status = try? JSONValue.parse(response.body), status["kind"]?.stringValue == "Status",
            let message = status["message"]?.stringValue, !message.isEmpty
        {
            return message
        }
        let text = String(decoding: response.body.prefix(1024), as: UTF8.self)
        switch response.status {
        case 404: return "the server could not find the requested resource"
        case 500...599 where !text.isEmpty:
            return "an error on the server (\"\(text)\") has prevented the request from succeeding"
        default:
            return "the server responded with the status code \(response.status) but did not return more information"
        }
    }

    /// Where to send a webhook's requests: the URL to connect to, the URL as error messages show it (with
    /// `?timeout=Ns`, as client-go adds), and how to verify the server (caBundle; the service's DNS name).
    func webhookTarget(_ hook: AdmissionWebhook) throws(WebhookCallError)
        -> (url: String, displayURL: String, tls: TLSOptions)
    {
        let timeout = "?timeout=\(hook.timeoutSeconds)s"
        switch hook.endpoint {
        case .url(let url)?:
            return (url + timeout, url + timeout, TLSOptions(caCertificatesPEM: hook.caBundle))
        case .service(let namespace, let name, let path, let port)?:
            let serverName = "\(name).\(namespace).svc"
            let servicePath = path.isEmpty ? "/" : path
            let display = "https://\(serverName):\(port)\(servicePath)\(timeout)"
            guard let endpoint = try resolveService(namespace: namespace, name: name, port: port, display: display)
            else {
                throw .calling(
                    "failed to call webhook: Post \"\(display)\": no endpoint for service \"\(namespace)/\(name)\": "
                        + "KubeSim has no service network (set one with KubeSimServer.setServiceResolver)")
            }
            let host = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
            return (
                "https://\(host):\(endpoint.port)\(servicePath)\(timeout)", display,
                TLSOptions(caCertificatesPEM: hook.caBundle, serverName: serverName)
            )
        case nil:
            throw .calling("webhook has no clientConfig")
        }
    }

    /// The service resolver's answer; without one (or when it has none), the Service must exist and KubeSim
    /// has no network to reach its ClusterIP or endpoints, so there is no endpoint.
    private func resolveService(namespace: String, name: String, port: Int, display: String)
        throws(WebhookCallError) -> (host: String, port: Int)?
    {
        if let resolver = serviceResolver.withLock({ $0 }), let endpoint = resolver(namespace, name, port) {
            return endpoint
        }
        let services = registry.lookup(group: "", version: "v1", plural: "services")
        let exists =
            services.map { info in
                store.state.withLock { $0.get(info.id, "\(namespace)/\(name)") != nil }
            } ?? false
        if !exists {
            throw .calling("failed to call webhook: Post \"\(display)\": service \"\(name)\" not found")
        }
        return nil
    }
}
