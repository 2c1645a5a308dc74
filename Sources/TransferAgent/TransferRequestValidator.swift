import Foundation
public import TransferAgentAPI
import RegistryClient

/// The limits a transfer request is checked against.
public struct TransferLimits: Sendable, Equatable {
    /// The largest request body; larger ones are refused with 413 before they are read in full.
    public var maxBodyBytes: Int
    /// The most images one transfer pushes (as `checkpoint-transfer`, whose termination message lists them all).
    public var maxPushes: Int
    /// The largest archive pushed.
    public var maxArchiveBytes: Int64
    /// The directory `oci:` layout destinations must lie in; nil refuses them (they are for simulations only:
    /// on a real node they would let a caller write anywhere the agent can).
    public var allowedLayoutRoot: String?

    /// 64 KiB bodies, 16 pushes, 64 GiB archives, no OCI layouts.
    public init(
        maxBodyBytes: Int = 64 * 1024, maxPushes: Int = 16, maxArchiveBytes: Int64 = 64 << 30,
        allowedLayoutRoot: String? = nil
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxPushes = maxPushes
        self.maxArchiveBytes = maxArchiveBytes
        self.allowedLayoutRoot = allowedLayoutRoot
    }
}

/// A request that passed every check that needs no file system: names well-formed, archive names the kubelet's
/// for this pod and container, destinations parsed and allowed, credentials decoded.
public struct ValidatedTransfer: Sendable {
    /// The request as received.
    public let request: TransferRequest
    /// `request.pushes[i].destination`, parsed.
    public let destinations: [ImageDestination]
    /// The decoded `.dockerconfigjson`, if one was sent.
    public let dockerConfig: [UInt8]?
}

/// Checks a transfer request without touching the file system; every refusal names the field.
public struct TransferRequestValidator: Sendable {
    public let limits: TransferLimits

    public init(limits: TransferLimits = TransferLimits()) {
        self.limits = limits
    }

    /// Decodes a request body: 413 above `maxBodyBytes`, 400 when it is not a transfer request.
    public func decode(_ body: [UInt8]) throws(AgentError) -> TransferRequest {
        guard body.count <= limits.maxBodyBytes else {
            throw AgentError(status: 413, "the request body exceeds \(limits.maxBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(TransferRequest.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalid(Self.path(context.codingPath + [key]), "is required")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalid(Self.path(context.codingPath), "has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalid(Self.path(context.codingPath), "must not be null")
        } catch {
            throw AgentError(status: 400, "the body is not a JSON transfer request")
        }
    }

    /// Checks `request`; throws the first problem found.
    public func validate(_ request: TransferRequest) throws(AgentError) -> ValidatedTransfer {
        let migration = request.migration
        guard Self.isUID(migration.uid) else {
            throw .invalid("migration.uid", "must be 1 to 128 letters, digits and dashes (the migration's metadata.uid)")
        }
        guard Self.isDNSLabel(migration.namespace) else { throw .invalid("migration.namespace", "is not a namespace name (a DNS label)") }
        guard Self.isDNSSubdomain(migration.name) else { throw .invalid("migration.name", "is not an object name (a DNS subdomain)") }
        guard Self.isDNSSubdomain(request.pod) else { throw .invalid("pod", "is not a pod name (a DNS subdomain)") }
        guard !request.pushes.isEmpty else { throw .invalid("pushes", "is empty: at least one container's archive is needed") }
        guard request.pushes.count <= limits.maxPushes else {
            throw .invalid("pushes", "has \(request.pushes.count) entries, at most \(limits.maxPushes) are allowed")
        }
        var containers = Set<String>()
        var destinations: [ImageDestination] = []
        for (index, push) in request.pushes.enumerated() {
            let field = "pushes[\(index)]"
            guard Self.isDNSLabel(push.container) else { throw .invalid("\(field).container", "is not a container name (a DNS label)") }
            guard containers.insert(push.container).inserted else {
                throw .invalid("\(field).container", "\(push.container) is given twice: each container is pushed as its own image")
            }
            try checkArchiveName(push.archive, field: "\(field).archive", pod: request.pod, namespace: migration.namespace, container: push.container)
            destinations.append(try destination(push.destination, field: "\(field).destination"))
        }
        return ValidatedTransfer(request: request, destinations: destinations, dockerConfig: try dockerConfig(request.registry))
    }

    /// An archive is named by the kubelet, `checkpoint-<pod>_<namespace>-<container>-<time>.tar`, for exactly
    /// this request's pod, namespace and container: a plain file name, never a path.
    func checkArchiveName(_ name: String, field: String, pod: String, namespace: String, container: String) throws(AgentError) {
        guard !name.isEmpty else { throw .invalid(field, "is empty") }
        guard !name.utf8.contains(0) else { throw .invalid(field, "contains a NUL byte") }
        guard !name.contains("/") else { throw .invalid(field, "must be a file name in the checkpoint directory, not a path") }
        guard !name.contains("..") else { throw .invalid(field, "must not contain '..'") }
        guard name.utf8.count <= 255 else { throw .invalid(field, "is longer than 255 bytes") }
        let expected = CheckpointArchiveName.prefix(pod: pod, namespace: namespace, container: container)
        guard let parsed = CheckpointArchiveName(name), parsed.prefix == expected else {
            throw .invalid(
                field,
                "\(name) is not a checkpoint archive of container \(container) in pod \(namespace)/\(pod) (expected \(expected)<RFC 3339 time>.tar)")
        }
    }

    /// Parses a destination; `oci:` layouts only inside the allowed root.
    func destination(_ text: String, field: String) throws(AgentError) -> ImageDestination {
        let destination: ImageDestination
        do {
            destination = try ImageDestination(parsing: text)
        } catch {
            throw .invalid(field, "\(error)")
        }
        guard case .layout(let directory, _) = destination else { return destination }
        guard let root = limits.allowedLayoutRoot else {
            throw .invalid(field, "OCI layout destinations (oci:) are refused: the agent was not started with --allow-oci-layout-root")
        }
        let components = directory.split(separator: "/", omittingEmptySubsequences: false)
        guard directory.hasPrefix("/"), !components.contains(where: { $0 == ".." || $0 == "." }) else {
            throw .invalid(field, "the OCI layout directory must be an absolute path without . or .. components")
        }
        let rootPrefix = root.hasSuffix("/") ? root : root + "/"
        guard directory == root || directory + "/" == rootPrefix || directory.hasPrefix(rootPrefix) else {
            throw .invalid(field, "the OCI layout directory must be \(root) or lie under it")
        }
        return destination
    }

    /// The decoded `.dockerconfigjson`: base64 of a JSON object.
    func dockerConfig(_ registry: RegistryOptions) throws(AgentError) -> [UInt8]? {
        guard let encoded = registry.dockerConfigJSON else { return nil }
        guard let data = Data(base64Encoded: encoded),
            (try? JSONSerialization.jsonObject(with: data)) is [String: Any]
        else { throw .invalid("registry.dockerConfigJSON", "must be base64 of a .dockerconfigjson JSON object") }
        return Array(data)
    }

    // MARK: Names

    /// A Kubernetes DNS label: 1 to 63 of `[a-z0-9-]`, starting and ending alphanumeric.
    public static func isDNSLabel(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 63, isLowerAlphanumeric(bytes.first!), isLowerAlphanumeric(bytes.last!) else {
            return false
        }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// A Kubernetes DNS subdomain: at most 253 bytes of DNS labels joined by dots.
    public static func isDNSSubdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// An object UID: 1 to 128 letters, digits and dashes (Kubernetes makes RFC 4122 UUIDs).
    public static func isUID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128
            && text.utf8.allSatisfy { isLowerAlphanumeric($0) || (0x41...0x5A).contains($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "body" : text
    }
}
