import Foundation
import HTTPTransport
import Logging

/// A client for one registry, speaking the OCI distribution API (`/v2/…`): blob existence checks and
/// uploads, manifest reads, writes and deletes, with anonymous, basic or bearer-token authentication and
/// retries of transient failures.
public struct OCIRegistryClient: Sendable {
    /// The registry host (and port) as written in references (`docker.io` is reached at `registry-1.docker.io`).
    public let registry: String
    /// `https://host` or, for an explicitly insecure registry, `http://host`.
    public let baseURL: String
    public let retry: RetryPolicy
    let transport: any HTTPTransport
    let authenticator: RegistryAuthenticator
    let logger: Logger

    /// A client for `registry`. `plainHTTP` speaks unencrypted HTTP and is only for registries explicitly
    /// configured as insecure; TLS settings belong to the transport (`CurlTransport.Configuration.tls`).
    public init(
        registry: String, transport: any HTTPTransport, credentials: RegistryCredentials? = nil, plainHTTP: Bool = false,
        retry: RetryPolicy = .default, logger: Logger = Logger(label: "ms2m.registry")
    ) {
        self.registry = registry
        let host = registry == "docker.io" ? "registry-1.docker.io" : registry
        self.baseURL = (plainHTTP ? "http://" : "https://") + host
        self.retry = retry
        self.transport = transport
        self.authenticator = RegistryAuthenticator(credentials: credentials, transport: transport, logger: logger)
        self.logger = logger
    }

    // MARK: - Requests

    static func pullScope(_ repository: String) -> String { "repository:\(repository):pull" }
    static func pushScope(_ repository: String) -> String { "repository:\(repository):pull,push" }
    static func deleteScope(_ repository: String) -> String { "repository:\(repository):delete" }

    /// Sends a request built fresh for every attempt, authenticating as the registry asks and retrying
    /// transient failures (`retrying` false: one attempt apart from authentication).
    func execute(
        _ operation: String, scope: String, retrying: Bool = true, _ build: () -> HTTPRequest
    ) async throws(RegistryError) -> HTTPResponse {
        var failures = 0
        var authenticated = false
        let attempts = retrying ? retry.maxAttempts : 1
        while true {
            var request = build()
            let authorization = try await authenticator.authorization(scope: scope)
            if let authorization { request.headers.set("Authorization", authorization) }
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as HTTPTransportError {
                failures += 1
                guard error.isTransient, failures < attempts else { throw .transport(error, operation: operation) }
                logger.debug("Registry request failed, retrying", metadata: ["operation": "\(operation)", "error": "\(error)"])
                try await sleep(afterFailure: failures)
                continue
            } catch let error as RegistryError {
                throw error
            } catch is CancellationError {
                throw .transport(HTTPTransportError(kind: .cancelled, message: "cancelled"), operation: operation)
            } catch {
                throw .io("\(operation) failed: \(error)")
            }
            if response.status == 401 {
                // One round of learning the scheme or refreshing a token; a second 401 is a refusal.
                try await authenticator.unauthorized(response, scope: scope, freshlyAuthorized: authenticated)
                if authenticated { throw .authenticationFailed("\(operation): the registry kept answering 401") }
                authenticated = true
                continue
            }
            if response.status >= 500 || response.status == 429 || response.status == 408 {
                failures += 1
                if failures < attempts {
                    logger.debug("Registry answered with a retryable status", metadata: ["operation": "\(operation)", "status": "\(response.status)"])
                    try await sleep(afterFailure: failures)
                    continue
                }
            }
            return response
        }
    }

    private func sleep(afterFailure failures: Int) async throws(RegistryError) {
        do {
            try await retry.sleep(afterFailure: failures)
        } catch {
            throw .transport(HTTPTransportError(kind: .cancelled, message: "cancelled"), operation: "waiting to retry")
        }
    }

    func url(_ repository: String, _ path: String) -> String {
        "\(baseURL)/v2/\(repository)/\(path)"
    }

    /// Resolves a `Location` header against the registry (it may be absolute, or a path).
    func resolve(location: String) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        if location.hasPrefix("/") { return baseURL + location }
        return baseURL + "/" + location
    }

    static func unexpected(_ operation: String, _ response: HTTPResponse) -> RegistryError {
        if response.status == 401 || response.status == 403 {
            return .authenticationFailed("\(operation): HTTP \(response.status) \(RegistryErrorBody.message(response.body))")
        }
        return .unexpectedStatus(operation: operation, status: response.status, message: RegistryErrorBody.message(response.body))
    }

    // MARK: - Registry

    /// Checks the registry answers the API (`GET /v2/`), authenticating if it asks to.
    public func ping() async throws(RegistryError) {
        let response = try await execute("GET /v2/", scope: "registry:catalog:*") {
            HTTPRequest(method: .get, url: "\(baseURL)/v2/", timeout: .seconds(30))
        }
        guard response.status == 200 else { throw Self.unexpected("GET /v2/", response) }
    }

    // MARK: - Blobs

    /// Whether the repository has the blob (`HEAD /v2/<name>/blobs/<digest>`).
    public func blobExists(repository: String, digest: OCIDigest) async throws(RegistryError) -> Bool {
        let operation = "HEAD blob \(digest)"
        let response = try await execute(operation, scope: Self.pullScope(repository)) {
            HTTPRequest(method: .head, url: url(repository, "blobs/\(digest)"), timeout: .seconds(60), followRedirects: true)
        }
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw Self.unexpected(operation, response)
        }
    }

    /// Uploads a small blob held in memory (`POST` then `PUT ?digest=`), unless the registry already has it.
    public func pushBlob(repository: String, bytes: [UInt8], digest: OCIDigest? = nil) async throws(RegistryError) -> OCIDigest {
        let digest = digest ?? .sha256(bytes)
        if try await blobExists(repository: repository, digest: digest) { return digest }
        var failures = 0
        while true {
            let location = try await startUpload(repository: repository)
            let response = try await execute("PUT blob \(digest)", scope: Self.pushScope(repository), retrying: false) {
                HTTPRequest(
                    method: .put, url: Self.appendingDigest(location, digest),
                    headers: ["Content-Type": "application/octet-stream"], body: bytes, timeout: .seconds(120))
            }
            if response.status == 201 || response.status == 204 {
                try Self.checkDigestHeader(response, expected: digest, operation: "PUT blob")
                return digest
            }
            failures += 1
            guard response.status >= 500, failures < retry.maxAttempts else { throw Self.unexpected("PUT blob \(digest)", response) }
            try await sleep(afterFailure: failures)
        }
    }

    /// Opens an upload session (`POST /v2/<name>/blobs/uploads/`) and returns its absolute location.
    func startUpload(repository: String) async throws(RegistryError) -> String {
        let operation = "POST blob upload"
        let response = try await execute(operation, scope: Self.pushScope(repository)) {
            HTTPRequest(method: .post, url: url(repository, "blobs/uploads/"), timeout: .seconds(60))
        }
        guard response.status == 202, let location = response.headers["Location"] else {
            throw Self.unexpected(operation, response)
        }
        return resolve(location: location)
    }

    /// Deletes a blob (`DELETE /v2/<name>/blobs/<digest>`).
    public func deleteBlob(repository: String, digest: OCIDigest) async throws(RegistryError) {
        let operation = "DELETE blob \(digest)"
        let response = try await execute(operation, scope: Self.deleteScope(repository)) {
            HTTPRequest(method: .delete, url: url(repository, "blobs/\(digest)"), timeout: .seconds(60))
        }
        switch response.status {
        case 200, 202, 204: return
        case 404: throw .notFound("blob \(digest) in \(repository)")
        case 405: throw .deletionDisabled("blob \(digest)")
        default: throw Self.unexpected(operation, response)
        }
    }

    static func appendingDigest(_ location: String, _ digest: OCIDigest) -> String {
        location + (location.contains("?") ? "&" : "?") + "digest=" + digest.description
    }

    static func checkDigestHeader(_ response: HTTPResponse, expected: OCIDigest, operation: String) throws(RegistryError) {
        if let header = response.headers["Docker-Content-Digest"], let stored = OCIDigest(header), stored != expected {
            throw .verificationFailed("\(operation): the registry stored \(stored), not \(expected)")
        }
    }

    // MARK: - Manifests

    /// A manifest's digest, media type and size as the registry reports them (`HEAD`), or nil if absent.
    public func manifestDescriptor(_ reference: ImageReference) async throws(RegistryError) -> OCIDescriptor? {
        let operation = "HEAD manifest \(reference)"
        let response = try await execute(operation, scope: Self.pullScope(reference.repository)) {
            HTTPRequest(
                method: .head, url: url(reference.repository, "manifests/\(reference.manifestReference)"),
                headers: ["Accept": OCIMediaType.manifestAccept], timeout: .seconds(60))
        }
        switch response.status {
        case 200:
            guard let digest = response.headers["Docker-Content-Digest"].flatMap(OCIDigest.init) ?? reference.digest else {
                throw .verificationFailed("\(operation): the registry sent no Docker-Content-Digest")
            }
            return OCIDescriptor(
                mediaType: response.headers["Content-Type"] ?? OCIMediaType.imageManifest, digest: digest,
                size: Int64(response.headers["Content-Length"] ?? "") ?? 0)
        case 404:
            return nil
        default:
            throw Self.unexpected(operation, response)
        }
    }

    /// Whether the image exists.
    public func imageExists(_ reference: ImageReference) async throws(RegistryError) -> Bool {
        try await manifestDescriptor(reference) != nil
    }

    /// The manifest's bytes, media type and digest (checked against the bytes when the reference has one).
    public func fetchManifest(_ reference: ImageReference) async throws(RegistryError) -> (bytes: [UInt8], mediaType: String, digest: OCIDigest) {
        let operation = "GET manifest \(reference)"
        let response = try await execute(operation, scope: Self.pullScope(reference.repository)) {
            HTTPRequest(
                method: .get, url: url(reference.repository, "manifests/\(reference.manifestReference)"),
                headers: ["Accept": OCIMediaType.manifestAccept], timeout: .seconds(60))
        }
        guard response.status == 200 else {
            if response.status == 404 { throw .notFound("image \(reference)") }
            throw Self.unexpected(operation, response)
        }
        let digest = OCIDigest.sha256(response.body)
        if let expected = reference.digest, expected != digest {
            throw .verificationFailed("\(operation): the manifest's digest is \(digest), not \(expected)")
        }
        return (response.body, response.headers["Content-Type"] ?? OCIMediaType.imageManifest, digest)
    }

    /// The image's OCI manifest (Docker schema 2 manifests decode too: the fields are the same).
    public func imageManifest(_ reference: ImageReference) async throws(RegistryError) -> OCIImageManifest {
        let (bytes, mediaType, _) = try await fetchManifest(reference)
        guard mediaType != OCIMediaType.imageIndex, mediaType != OCIMediaType.dockerManifestList else {
            throw .invalidInput("\(reference) is an image index, not a single checkpoint image")
        }
        do {
            return try CanonicalJSON.decode(OCIImageManifest.self, from: bytes)
        } catch {
            throw .invalidInput("the manifest of \(reference) is not an image manifest: \(error)")
        }
    }

    /// The manifest annotations of an image (the checkpoint annotations, among others).
    public func annotations(_ reference: ImageReference) async throws(RegistryError) -> [String: String] {
        try await imageManifest(reference).annotations ?? [:]
    }

    /// Stores a manifest under a tag or digest and returns the digest the registry reports.
    public func putManifest(
        _ bytes: [UInt8], mediaType: String = OCIMediaType.imageManifest, repository: String, reference: String
    ) async throws(RegistryError) -> OCIDigest {
        let operation = "PUT manifest \(repository):\(reference)"
        let response = try await execute(operation, scope: Self.pushScope(repository)) {
            HTTPRequest(
                method: .put, url: url(repository, "manifests/\(reference)"), headers: ["Content-Type": mediaType],
                body: bytes, timeout: .seconds(60))
        }
        guard response.status == 201 || response.status == 200 || response.status == 202 else {
            throw .unexpectedStatus(
                operation: operation + " (the registry rejected the manifest)", status: response.status,
                message: RegistryErrorBody.message(response.body))
        }
        let expected = OCIDigest.sha256(bytes)
        try Self.checkDigestHeader(response, expected: expected, operation: operation)
        return expected
    }

    /// Deletes an image by digest (resolving a tag first) and returns the digest deleted. A registry with
    /// deletion disabled answers 405, reported as `RegistryError.deletionDisabled`.
    @discardableResult
    public func deleteImage(_ reference: ImageReference) async throws(RegistryError) -> OCIDigest {
        let digest: OCIDigest
        if let pinned = reference.digest {
            digest = pinned
        } else {
            guard let descriptor = try await manifestDescriptor(reference) else { throw .notFound("image \(reference)") }
            digest = descriptor.digest
        }
        let operation = "DELETE manifest \(reference.repository)@\(digest)"
        let response = try await execute(operation, scope: Self.deleteScope(reference.repository)) {
            HTTPRequest(method: .delete, url: url(reference.repository, "manifests/\(digest)"), timeout: .seconds(60))
        }
        switch response.status {
        case 200, 202, 204: return digest
        case 404: throw .notFound("image \(reference.repository)@\(digest)")
        case 405: throw .deletionDisabled("image \(reference.repository)@\(digest)")
        default: throw Self.unexpected(operation, response)
        }
    }
}
