import CurlTransport
import HTTPTransport
import KubeClient
import KubeModel
import KubeSim
import OperatorCore
import Unstructured

/// What the API server does for `/api/v1/nodes/{node}/proxy/{path}`: reads the Node, takes its InternalIP and
/// kubelet endpoint port, forwards the request over HTTP and relays the kubelet's answer — or answers 503
/// when the node has no kubelet endpoint and 502 when the kubelet cannot be reached.
struct NodeProxyForwarder: Sendable {
    var client: KubeClient
    var transport: CurlTransport
    /// The limit on one proxied request (checkpoints of large programs take a while).
    var timeout: Duration = .seconds(300)

    func forward(_ request: NodeProxyRequest) async -> NodeProxyResponse {
        let node: Node
        do {
            node = try await client.get(Node.self, name: request.node, namespace: nil)
        } catch {
            return Self.status(KubernetesErrors.code(of: error) ?? 500, reason: "InternalError", "\(error)")
        }
        guard let address = node.address(ofType: "InternalIP") ?? node.address(ofType: "Hostname"),
            let port = node.status?.daemonEndpoints?.kubeletEndpoint?.port, port > 0
        else {
            return Self.status(503, reason: "ServiceUnavailable", "no kubelet endpoint for node \"\(request.node)\"")
        }
        let host = address.contains(":") ? "[\(address)]" : address
        var url = "http://\(host):\(port)/\(request.path)"
        if !request.query.isEmpty { url += "?" + request.query }
        var headers = HTTPHeaders()
        for (name, value) in request.headers {
            switch name.lowercased() {
            case "host", "content-length", "connection", "authorization", "transfer-encoding", "accept-encoding": continue
            default: headers.add(name, value)
            }
        }
        let forwarded = HTTPRequest(
            method: HTTPMethod(rawValue: request.method), url: url, headers: headers,
            body: request.body.isEmpty && request.method != "POST" && request.method != "PUT" ? nil : request.body,
            timeout: timeout)
        do {
            let response = try await transport.send(forwarded)
            return NodeProxyResponse(status: response.status, headers: response.headers.fields, body: response.body)
        } catch {
            return Self.status(
                502, reason: "ServiceUnavailable",
                "error trying to reach service: dial tcp \(address):\(port): \(error)")
        }
    }

    /// A `metav1.Status` answer, as the API server writes its own proxy errors.
    private static func status(_ code: Int, reason: String, _ message: String) -> NodeProxyResponse {
        let status = Status(status: "Failure", message: message, reason: StatusReason(rawValue: reason), code: code)
        let body = (try? JSONValueEncoder().encode(status).jsonBytes()) ?? Array(message.utf8)
        return NodeProxyResponse(status: code, headers: [("Content-Type", "application/json")], body: body)
    }
}
