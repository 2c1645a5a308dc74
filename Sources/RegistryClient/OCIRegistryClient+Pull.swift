import Foundation
import HTTPTransport

/// Reading images back: manifests (an index resolved to this platform's entry), configs, and layers streamed
/// to local files with their digests checked as they arrive. Authentication, retries and TLS are the push's.
extension OCIRegistryClient {
    /// Reads the image `reference` names and stores its layers, uncompressed, in `directory` (created if
    /// missing) as `<layer digest hex>.tar`. When the reference names an index (or Docker manifest list), the
    /// entry for `platform` is pulled. Every byte is checked against a digest: the manifest against the
    /// reference's digest (or the registry's `Docker-Content-Digest`), the config and layers against the
    /// manifest, and the uncompressed layers against the config's `rootfs.diff_ids`.
    public func pullImage(
        _ reference: ImageReference, into directory: String, platform: ImagePlatform = .current
    ) async throws(RegistryError) -> PulledImage {
        let (manifest, digest) = try await platformManifest(reference, platform: platform)
        let repository = reference.repository
        let configBytes = try await fetchBlob(repository: repository, descriptor: manifest.config)
        try await BlockingIO.createDirectory(directory)
        var layers: [PulledLayer] = []
        for descriptor in manifest.layers {
            layers.append(try await downloadLayer(
                repository: repository, descriptor: descriptor, to: directory + "/" + descriptor.digest.hex + ".tar"))
        }
        let image = PulledImage(
            source: .registry(reference), manifestDigest: digest, manifest: manifest, configBytes: configBytes, layers: layers)
        try ImageVerification.checkDiffIDs(image)
        return image
    }

    // MARK: - Manifests

    /// The manifest to pull for `platform` and its digest: the manifest itself, or an index's matching entry.
    func platformManifest(_ reference: ImageReference, platform: ImagePlatform) async throws(RegistryError) -> (OCIImageManifest, OCIDigest) {
        let (bytes, mediaType, digest) = try await fetchVerifiedManifest(reference)
        guard let entry = try ImageVerification.platformEntry(bytes, mediaType: mediaType, platform: platform, image: reference.description) else {
            return (try ImageVerification.decodeManifest(bytes, image: reference.description), digest)
        }
        let pinned = reference.pinned(to: entry.digest)
        let (entryBytes, entryMediaType, entryDigest) = try await fetchVerifiedManifest(pinned)
        guard Int64(entryBytes.count) == entry.size else {
            throw .verificationFailed("the manifest \(entry.digest) has \(entryBytes.count) bytes, the index says \(entry.size)")
        }
        guard try ImageVerification.platformEntry(entryBytes, mediaType: entryMediaType, platform: platform, image: pinned.description) == nil else {
            throw .invalidInput("\(reference): the index's \(platform.os)/\(platform.architecture) entry is another index")
        }
        return (try ImageVerification.decodeManifest(entryBytes, image: pinned.description), entryDigest)
    }

    /// `GET` of a manifest whose bytes are checked against the reference's digest, or else against the
    /// `Docker-Content-Digest` the registry sends.
    func fetchVerifiedManifest(_ reference: ImageReference) async throws(RegistryError) -> (bytes: [UInt8], mediaType: String, digest: OCIDigest) {
        let operation = "GET manifest \(reference)"
        let response = try await execute(operation, scope: Self.pullScope(reference.repository)) {
            HTTPRequest(
                method: .get, url: url(reference.repository, "manifests/\(reference.manifestReference)"),
                headers: ["Accept": OCIMediaType.manifestAccept], timeout: .seconds(60), followRedirects: true)
        }
        guard response.status == 200 else {
            if response.status == 404 { throw .notFound("image \(reference)") }
            throw Self.unexpected(operation, response)
        }
        let digest = OCIDigest.sha256(response.body)
        let expected = reference.digest ?? response.headers["Docker-Content-Digest"].flatMap(OCIDigest.init)
        if let expected, expected != digest {
            throw .verificationFailed("\(operation): the manifest's content hashes to \(digest), not to \(expected)")
        }
        return (response.body, response.headers["Content-Type"] ?? "", digest)
    }

    // MARK: - Blobs

    /// A small blob (a config) in memory, checked against its descriptor.
    func fetchBlob(repository: String, descriptor: OCIDescriptor) async throws(RegistryError) -> [UInt8] {
        let operation = "GET blob \(descriptor.digest)"
        let response = try await execute(operation, scope: Self.pullScope(repository)) {
            HTTPRequest(method: .get, url: url(repository, "blobs/\(descriptor.digest)"), timeout: .seconds(120), followRedirects: true)
        }
        guard response.status == 200 else {
            if response.status == 404 { throw .notFound("blob \(descriptor.digest) in \(repository)") }
            throw Self.unexpected(operation, response)
        }
        try ImageVerification.check(response.body, against: descriptor)
        return response.body
    }

    /// Streams a layer blob into `destination` (gunzipped if its media type says so), hashing as it goes.
    /// A connection that breaks mid-body is retried from the start, as the retry policy allows.
    func downloadLayer(repository: String, descriptor: OCIDescriptor, to destination: String) async throws(RegistryError) -> PulledLayer {
        let writer = try await BlockingIO.runTyped { () throws(RegistryError) in
            try LayerFileWriter(destination: destination, descriptor: descriptor)
        }
        var failures = 0
        while true {
            let response = try await openBlobStream(repository: repository, digest: descriptor.digest)
            do {
                try await BlockingIO.runTyped { () throws(RegistryError) in try writer.restart() }
                var pending: [UInt8] = []
                pending.reserveCapacity(1 << 20)
                for try await chunk in response.body {
                    pending.append(contentsOf: chunk)
                    if pending.count >= 1 << 20 {
                        let batch = pending
                        pending.removeAll(keepingCapacity: true)
                        try await BlockingIO.runTyped { () throws(RegistryError) in try writer.append(batch) }
                    }
                }
                let batch = pending
                return try await BlockingIO.runTyped { () throws(RegistryError) in
                    try writer.append(batch)
                    return try writer.finish()
                }
            } catch let error as HTTPTransportError where error.isTransient {
                failures += 1
                guard failures < retry.maxAttempts else { throw .transport(error, operation: "GET blob \(descriptor.digest)") }
                logger.debug("Blob download broke off, retrying", metadata: ["digest": "\(descriptor.digest)", "error": "\(error)"])
                do { try await retry.sleep(afterFailure: failures) } catch { throw .transport(HTTPTransportError(kind: .cancelled, message: "cancelled"), operation: "waiting to retry") }
            } catch let error as HTTPTransportError {
                throw .transport(error, operation: "GET blob \(descriptor.digest)")
            } catch let error as RegistryError {
                throw error
            } catch is CancellationError {
                throw .transport(HTTPTransportError(kind: .cancelled, message: "cancelled"), operation: "GET blob \(descriptor.digest)")
            } catch {
                throw .io("GET blob \(descriptor.digest) failed: \(error)")
            }
        }
    }

    /// `GET /v2/<name>/blobs/<digest>` with the body streaming, following redirects to storage, with the
    /// same authentication and retry rules as buffered requests. Returns only a `200` response.
    func openBlobStream(repository: String, digest: OCIDigest) async throws(RegistryError) -> HTTPStreamingResponse {
        let operation = "GET blob \(digest)"
        let scope = Self.pullScope(repository)
        var failures = 0
        var authenticated = false
        while true {
            var request = HTTPRequest(method: .get, url: url(repository, "blobs/\(digest)"), followRedirects: true)
            if let authorization = try await authenticator.authorization(scope: scope) { request.headers.set("Authorization", authorization) }
            let head: HTTPResponseHead
            var errorBody: [UInt8] = []
            do {
                let streaming = try await transport.stream(request)
                if streaming.head.status == 200 { return streaming }
                head = streaming.head
                // An error document is small; keep enough of it for the message.
                for try await chunk in streaming.body where errorBody.count < 64 << 10 { errorBody.append(contentsOf: chunk) }
            } catch let error as HTTPTransportError {
                failures += 1
                guard error.isTransient, failures < retry.maxAttempts else { throw .transport(error, operation: operation) }
                do { try await retry.sleep(afterFailure: failures) } catch { throw .transport(HTTPTransportError(kind: .cancelled, message: "cancelled"), operation: operation) }
                continue
            } catch is CancellationError {
                throw .transport(HTTPTransportError(kind: .cancelled, message: "cancelled"), operation: operation)
            } catch {
                throw .io("\(operation) failed: \(error)")
            }
            let response = HTTPResponse(status: head.status, headers: head.headers, body: errorBody)
            switch response.status {
            case 401:
                try await authenticator.unauthorized(response, scope: scope, freshlyAuthorized: authenticated)
                if authenticated { throw .authenticationFailed("\(operation): the registry kept answering 401") }
                authenticated = true
            case 404:
                throw .notFound("blob \(digest) in \(repository)")
            case 408, 429, 500...:
                failures += 1
                guard failures < retry.maxAttempts else { throw Self.unexpected(operation, response) }
                do { try await retry.sleep(afterFailure: failures) } catch { throw .transport(HTTPTransportError(kind: .cancelled, message: "cancelled"), operation: operation) }
            default:
                throw Self.unexpected(operation, response)
            }
        }
    }
}
