import Foundation
import HTTPTransport
import Logging
import Synchronization

/// An upload in progress: where the registry keeps it and how many layer bytes it has confirmed. Saved
/// after every committed chunk so that a later run can resume instead of starting over.
public struct UploadSession: Codable, Hashable, Sendable {
    public var registry: String
    public var repository: String
    /// The absolute upload URL the registry returned last (it may carry state the registry needs).
    public var location: String
    /// Layer bytes the registry has confirmed.
    public var committedBytes: Int64
    /// The archive being uploaded; a session only resumes the same unchanged file.
    public var archive: ArchiveFile
    public var compressionLevel: Int32?

    public init(registry: String, repository: String, location: String, committedBytes: Int64, archive: ArchiveFile, compressionLevel: Int32?) {
        self.registry = registry
        self.repository = repository
        self.location = location
        self.committedBytes = committedBytes
        self.archive = archive
        self.compressionLevel = compressionLevel
    }
}

/// How a layer upload is cut into `PATCH` requests.
public enum ChunkSizing: Sendable, Hashable {
    /// Every request carries this many bytes (the last one what is left).
    case fixed(Int64)
    /// One request for the whole remaining layer: the fewest round trips, but registries that drop a session
    /// whose `PATCH` broke off (docker-registry does) make an interrupted upload start the layer over.
    case whole
    /// Chunks sized from the throughput measured so far, so that each takes about `target` (see `AdaptiveChunking`).
    case adaptive(AdaptiveChunking)
}

/// Chunk sizes that follow the link: few requests (each costs the registry a round trip and an fsync of
/// the chunk) on a fast link, yet a bounded amount of work lost to an interruption and a chunk that can
/// finish within the cancellation grace period on a slow one.
public struct AdaptiveChunking: Sendable, Hashable {
    /// How long one chunk should take at the measured throughput.
    public var target: Duration
    /// The first chunk's size, and the smallest size ever used.
    public var initial: Int64
    /// The largest chunk.
    public var maximum: Int64
    /// How much larger than the previous full chunk the next one may be.
    public var maximumGrowth: Int64

    public init(target: Duration = .seconds(3), initial: Int64 = 16 << 20, maximum: Int64 = 1 << 30, maximumGrowth: Int64 = 4) {
        self.target = target
        self.initial = max(1, initial)
        self.maximum = max(self.initial, maximum)
        self.maximumGrowth = max(1, maximumGrowth)
    }

    /// 3 s chunks between 16 MiB and 1 GiB, growing at most fourfold per chunk.
    public static let standard = AdaptiveChunking()
}

/// Decides the size of the next chunk (pure: fed with what the registry confirmed and how long it took).
struct ChunkPlanner: Sendable {
    let sizing: ChunkSizing
    /// The byte budget of the next request.
    private(set) var next: Int64

    init(_ sizing: ChunkSizing) {
        self.sizing = sizing
        switch sizing {
        case .fixed(let size): next = max(1, size)
        case .whole: next = Int64.max
        case .adaptive(let adaptive): next = adaptive.initial
        }
    }

    /// A chunk of `bytes` committed after `elapsed` (request sent to response received).
    mutating func committed(bytes: Int64, in elapsed: Duration) {
        guard case .adaptive(let adaptive) = sizing, bytes > 0 else { return }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let targetSeconds = Double(adaptive.target.components.seconds) + Double(adaptive.target.components.attoseconds) / 1e18
        let ideal = seconds > 0 ? Double(bytes) / seconds * targetSeconds : Double(adaptive.maximum)
        // A short (final or resumed) chunk says little about growth: grow from the larger of it and the plan.
        let ceiling = min(adaptive.maximum, max(bytes, next).multipliedReportingOverflow(by: adaptive.maximumGrowth).partialValue)
        var size = Int64(min(Double(ceiling), max(Double(adaptive.initial), ideal.rounded(.down))))
        if size >= 1 << 20 { size = (size >> 20) << 20 }  // whole MiB: easier to read in logs and Range headers
        next = max(adaptive.initial, size)
    }

    /// A chunk failed: start small again.
    mutating func failed() {
        if case .adaptive(let adaptive) = sizing { next = adaptive.initial }
    }
}

/// How a layer upload is cut into requests, and hooks to persist and report it.
public struct UploadOptions: Sendable, Hashable {
    /// How big each `PATCH` is.
    public var chunking: ChunkSizing
    /// On cancellation, how long an in-flight chunk may run to completion so the upload stops at a chunk
    /// boundary the registry has confirmed (and can be resumed with the saved session).
    public var gracePeriod: Duration
    /// Called with the session after every chunk the registry confirms (to persist it).
    public var onCommit: (@Sendable (UploadSession) -> Void)?
    /// Called on the transport's thread with the archive bytes read so far.
    public var progress: (@Sendable (Int64) -> Void)?

    /// Adaptive chunks (`AdaptiveChunking.standard`) unless `chunking` says otherwise.
    public init(
        chunking: ChunkSizing = .adaptive(.standard), gracePeriod: Duration = .seconds(10),
        onCommit: (@Sendable (UploadSession) -> Void)? = nil, progress: (@Sendable (Int64) -> Void)? = nil
    ) {
        self.chunking = chunking
        self.gracePeriod = gracePeriod
        self.onCommit = onCommit
        self.progress = progress
    }

    /// Fixed chunks of `chunkSize` bytes; 0 (or less) sends the whole layer in one request.
    public init(
        chunkSize: Int64, gracePeriod: Duration = .seconds(10), onCommit: (@Sendable (UploadSession) -> Void)? = nil,
        progress: (@Sendable (Int64) -> Void)? = nil
    ) {
        self.init(chunking: chunkSize > 0 ? .fixed(chunkSize) : .whole, gracePeriod: gracePeriod, onCommit: onCommit, progress: progress)
    }

    public static func == (lhs: UploadOptions, rhs: UploadOptions) -> Bool {
        lhs.chunking == rhs.chunking && lhs.gracePeriod == rhs.gracePeriod
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(chunking)
        hasher.combine(gracePeriod)
    }
}

extension OCIRegistryClient {
    /// Streams an archive into the repository as a layer blob, reading the file once while hashing it.
    ///
    /// The upload follows the OCI distribution spec: `POST …/blobs/uploads/` for a session, `PATCH` chunks
    /// sized by `options.chunking` (adaptive by default: few requests on a fast link, a bounded loss on an
    /// interruption) with `Content-Range` and `Content-Type: application/octet-stream` (compressed layers, whose length is
    /// only known at the end, stream with chunked encoding), then `PUT <location>?digest=`. When a chunk fails
    /// (connection, 5xx, an expired token), the client asks the registry how much it has (`GET <location>` →
    /// `Range: 0-N`) and continues at N+1; if the registry dropped the session, it starts a new one. A
    /// `resume` session continues an upload an earlier run left behind.
    public func uploadLayer(
        repository: String, archive: ArchiveFile, compressionLevel: Int32?, options: UploadOptions = UploadOptions(),
        resume: UploadSession? = nil
    ) async throws(RegistryError) -> (LayerDigests, TarScanner) {
        var session = resume.flatMap { candidate -> UploadSession? in
            candidate.repository == repository && candidate.registry == registry && candidate.archive == archive
                && candidate.compressionLevel == compressionLevel ? candidate : nil
        }
        var source: LayerSource
        var failures = 0
        var restarts = 0
        var planner = ChunkPlanner(options.chunking)

        /// Opens the archive again and (to resume) reads and hashes it up to `offset`, off the cooperative pool.
        func freshSource(at offset: Int64) async throws(RegistryError) -> LayerSource {
            let progress = options.progress
            do {
                return try await BlockingIO.run { () throws(RegistryError) -> LayerSource in
                    let source = try LayerSource(archive: archive, compressionLevel: compressionLevel, progress: progress)
                    if offset > 0 { try source.discard(offset) }
                    return source
                }
            } catch let error as RegistryError {
                throw error
            } catch {
                throw .io("reading the archive failed: \(error)")
            }
        }

        if let resumed = session, let offset = try await uploadedBytes(at: resumed.location, repository: repository) {
            logger.info("Resuming blob upload", metadata: ["offset": "\(offset)", "repository": "\(repository)"])
            session?.committedBytes = offset
            session?.location = resumed.location
            source = try await freshSource(at: offset)
        } else {
            session = nil
            source = try await freshSource(at: 0)
        }

        while true {
            if session == nil {
                if source.produced > 0 { source = try await freshSource(at: 0) }
                let location = try await startUpload(repository: repository)
                session = UploadSession(
                    registry: registry, repository: repository, location: location, committedBytes: 0, archive: archive,
                    compressionLevel: compressionLevel)
            }
            guard var current = session else { continue }
            do {
                while !source.isDone {
                    let offset = source.produced
                    let started = ContinuousClock.now
                    let response = try await sendChunk(current, source: source, budget: planner.next, options: options)
                    guard response.status == 202 || response.status == 204 else {
                        throw ChunkFailure.status(response)
                    }
                    if let location = response.headers["Location"] { current.location = resolve(location: location) }
                    if let range = response.headers["Range"], let end = Self.rangeEnd(range), end + 1 != source.produced {
                        throw ChunkFailure.offsetMismatch(expected: source.produced, registry: end + 1)
                    }
                    current.committedBytes = source.produced
                    session = current
                    failures = 0
                    planner.committed(bytes: source.produced - offset, in: ContinuousClock.now - started)
                    options.onCommit?(current)
                    logger.trace("Committed chunk", metadata: ["from": "\(offset)", "to": "\(source.produced)"])
                    if Task.isCancelled && !source.isDone { throw RegistryError.interrupted(current) }
                }
                let (digests, scanner) = try source.digests()
                let put = try await execute("PUT blob \(digests.digest)", scope: Self.pushScope(repository)) {
                    HTTPRequest(method: .put, url: Self.appendingDigest(current.location, digests.digest), body: [], timeout: .seconds(300))
                }
                guard put.status == 201 || put.status == 204 else {
                    if RegistryErrorBody.codes(put.body).contains(where: { $0 == "DIGEST_INVALID" || $0 == "SIZE_INVALID" }), restarts < 1 {
                        // The stored bytes do not hash to what we sent (a resumed offset was off): start over once.
                        restarts += 1
                        logger.warning("Registry rejected the uploaded digest, restarting the upload", metadata: ["repository": "\(repository)"])
                        session = nil
                        continue
                    }
                    throw Self.unexpected("PUT blob \(digests.digest)", put)
                }
                try Self.checkDigestHeader(put, expected: digests.digest, operation: "PUT blob")
                return (digests, scanner)
            } catch let failure as ChunkFailure {
                failures += 1
                planner.failed()
                let description = failure.description
                if case .status(let response) = failure, !Self.isRetryable(response) {
                    throw Self.unexpected("PATCH blob upload", response)
                }
                if case .status(let response) = failure, response.status == 401 {
                    try await authenticator.unauthorized(response, scope: Self.pushScope(repository), freshlyAuthorized: false)
                }
                guard failures < retry.maxAttempts else {
                    throw .io("uploading the layer failed after \(failures) attempts: \(description)")
                }
                logger.info("Blob upload chunk failed, resuming", metadata: ["error": "\(description)", "attempt": "\(failures)"])
                try await pause(afterFailure: failures)
                if let offset = try await uploadedBytes(at: current.location, repository: repository) {
                    current.committedBytes = offset
                    session = current
                    source = try await freshSource(at: offset)
                } else {
                    logger.info("Registry dropped the upload session, starting a new one", metadata: ["repository": "\(repository)"])
                    session = nil
                }
            } catch let error as RegistryError {
                throw error
            } catch let error as HTTPTransportError {
                throw .transport(error, operation: "PATCH blob upload")
            } catch {
                throw .io("uploading the layer failed: \(error)")
            }
        }
    }

    /// Why a chunk did not commit; all of these are handled by asking the registry where it stands.
    private enum ChunkFailure: Error, CustomStringConvertible {
        case transport(HTTPTransportError)
        case status(HTTPResponse)
        case offsetMismatch(expected: Int64, registry: Int64)

        var description: String {
            switch self {
            case .transport(let error): return error.description
            case .status(let response): return "HTTP \(response.status) \(RegistryErrorBody.message(response.body))"
            case .offsetMismatch(let expected, let registry): return "the registry has \(registry) bytes, expected \(expected)"
            }
        }
    }

    private static func isRetryable(_ response: HTTPResponse) -> Bool {
        response.status >= 500 || response.status == 429 || response.status == 408 || response.status == 401
            || response.status == 416 || response.status == 404
    }

    private func pause(afterFailure failures: Int) async throws(RegistryError) {
        do {
            try await retry.sleep(afterFailure: failures)
        } catch {
            throw .transport(HTTPTransportError(kind: .cancelled, message: "cancelled"), operation: "waiting to resume the upload")
        }
    }

    /// Sends the next chunk. When chunked, cancellation lets the chunk finish (within the grace period) so
    /// the upload stops at a boundary the registry confirmed.
    private func sendChunk(_ session: UploadSession, source: LayerSource, budget: Int64, options: UploadOptions) async throws -> HTTPResponse {
        let offset = source.produced
        let known = source.compressed ? nil : source.archive.size - offset
        let length = known.map { min($0, budget) }
        var headers: HTTPHeaders = ["Content-Type": "application/octet-stream"]
        if let length { headers.set("Content-Range", "\(offset)-\(offset + length - 1)") }
        if let authorization = try await authenticator.authorization(scope: Self.pushScope(session.repository)) {
            headers.set("Authorization", authorization)
        }
        let remaining = Mutex(length ?? budget)
        let request = HTTPRequest(
            method: .patch, url: session.location, headers: headers,
            content: .stream(length: length) { buffer in
                let allowed = remaining.withLock { Int(min(Int64(buffer.count), $0)) }
                guard allowed > 0 else { return 0 }
                let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<allowed]))
                remaining.withLock { $0 -= Int64(count) }
                return count
            })
        let transport = self.transport
        let task = Task { try await transport.send(request) }
        let graceful = options.chunking != .whole
        let grace = options.gracePeriod
        do {
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                if graceful {
                    Task { try? await Task.sleep(for: grace); task.cancel() }
                } else {
                    task.cancel()
                }
            }
        } catch let error as HTTPTransportError where error.kind != .cancelled && error.kind != .invalidRequest && error.kind != .tls {
            throw ChunkFailure.transport(error)
        } catch let error as HTTPTransportError where error.kind == .cancelled {
            throw RegistryError.interrupted(session)
        }
    }

    /// How many bytes the registry holds for an upload (`GET <location>` → `Range: 0-N`), or nil if it no
    /// longer knows the session.
    func uploadedBytes(at location: String, repository: String) async throws(RegistryError) -> Int64? {
        let response = try await execute("GET blob upload status", scope: Self.pushScope(repository)) {
            HTTPRequest(method: .get, url: location, timeout: .seconds(60))
        }
        guard response.status == 204 || response.status == 202 || response.status == 200 else { return nil }
        guard let range = response.headers["Range"], let end = Self.rangeEnd(range) else { return 0 }
        // "0-0" is what registries send for an empty session as well as for one byte; assume empty.
        return end == 0 ? 0 : end + 1
    }

    /// The end of a `Range: 0-N` header (some registries write `bytes=0-N`).
    static func rangeEnd(_ header: String) -> Int64? {
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("bytes=") { text = text.dropFirst(6) }
        guard let dash = text.firstIndex(of: "-"), text[..<dash] == "0" else { return nil }
        return Int64(text[text.index(after: dash)...])
    }
}
