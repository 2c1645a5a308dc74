import CurlTransport
import Foundation
import HTTPTransport
import Synchronization
import Testing
import TestSupport
@testable import RegistryClient

extension RegistryIntegration {
    @Suite("Interrupted uploads")
    struct Resume {
        @Test("a push cancelled mid-stream stops at a confirmed chunk and the next run resumes from there")
        func cancelAndResume() async throws {
            let fixture = try Fixture.make(pagesSize: 3_000_000, seed: 21)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let counting = FaultTransport(base: makeTransport())
                let pusher = CheckpointImagePusher(transport: counting, plainHTTP: true, retry: testRetry)
                let destination = try ImageDestination(parsing: "\(registry.host)/ms2m/resume:v1")
                let chunk: Int64 = 256 << 10
                let box = CancelBox<CheckpointPushResult>()
                let saved = Mutex<UploadSession?>(nil)
                var options = UploadOptions(chunkSize: chunk)
                options.onCommit = { session in saved.withLock { $0 = session } }
                options.progress = { bytes in if bytes >= 1_000_000 { box.cancel() } }
                let first = Task { try await pusher.push(CheckpointPushRequest(archivePath: fixture.archive, containerName: "counter", destination: destination, upload: options)) }
                box.set(first)
                var interrupted: UploadSession?
                do {
                    _ = try await first.value
                    Issue.record("the push was not interrupted")
                } catch RegistryError.interrupted(let session) {
                    interrupted = session
                }
                let session = try #require(interrupted)
                let size = Int64(fixture.archiveBytes.count)
                #expect(session.committedBytes >= 1_000_000 - chunk && session.committedBytes < size)
                #expect(session.committedBytes % chunk == 0)
                #expect(saved.withLock { $0 } == session)
                let sentBefore = counting.counters.patchBytes
                #expect(sentBefore == session.committedBytes)

                counting.reset()
                let result = try await pusher.push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter", destination: destination,
                    upload: UploadOptions(chunkSize: chunk), resume: session))
                #expect(counting.counters.patchBytes == size - session.committedBytes)
                #expect(counting.counters.contentRanges.first?.hasPrefix("\(session.committedBytes)-") == true)
                #expect(counting.counters.posts == 1)  // the config blob's session only
                let (layer, _) = try Skopeo.copiedLayer("\(registry.host)/ms2m/resume:v1", into: fixture.directory + "/copy")
                #expect(OCIDigest.sha256(layer) == OCIDigest.sha256(fixture.archiveBytes), "the copied layer is byte-identical to the archive")
                #expect(result.layerDigest == OCIDigest.sha256(fixture.archiveBytes))
            }
        }

        @Test("a connection refused before a chunk resumes from the registry's Range without a new session")
        func failBeforeChunk() async throws {
            let fixture = try Fixture.make(pagesSize: 1_500_000, seed: 22)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let faulty = FaultTransport(base: makeTransport(), faults: [.failBeforeSending(patch: 3)])
                let pusher = CheckpointImagePusher(transport: faulty, plainHTTP: true, retry: testRetry)
                let result = try await pusher.push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter",
                    destination: try ImageDestination(parsing: "\(registry.host)/ms2m/refused:v1"),
                    upload: UploadOptions(chunkSize: 256 << 10)))
                #expect(faulty.counters.patchBytes == Int64(fixture.archiveBytes.count))
                #expect(faulty.counters.posts == 2)  // the layer session and the config blob
                #expect(registry.requestCount("GET") >= 1)  // the upload status query
                let (layer, _) = try Skopeo.copiedLayer("\(registry.host)/ms2m/refused:v1", into: fixture.directory + "/copy")
                #expect(OCIDigest.sha256(layer) == OCIDigest.sha256(fixture.archiveBytes), "the copied layer is byte-identical to the archive")
                #expect(result.layerUploaded)
            }
        }

        @Test("adaptive chunks grow from the initial size and the pushed layer is byte-identical")
        func adaptiveChunks() async throws {
            let fixture = try Fixture.make(pagesSize: 3_000_000, seed: 24)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let counting = FaultTransport(base: makeTransport())
                let pusher = CheckpointImagePusher(transport: counting, plainHTTP: true, retry: testRetry)
                // Loopback moves 64 KiB in far less than the 10 s target, so every chunk may grow fourfold up to 1 MiB.
                let chunking = AdaptiveChunking(target: .seconds(10), initial: 64 << 10, maximum: 1 << 20)
                let result = try await pusher.push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter",
                    destination: try ImageDestination(parsing: "\(registry.host)/ms2m/adaptive:v1"),
                    upload: UploadOptions(chunking: .adaptive(chunking))))
                let size = Int64(fixture.archiveBytes.count)
                let layerRanges = counting.counters.contentRanges  // the config blob goes in one PUT, not PATCHes
                let lengths = layerRanges.compactMap { range -> Int64? in
                    let parts = range.split(separator: "-").compactMap { Int64($0) }
                    return parts.count == 2 ? parts[1] - parts[0] + 1 : nil
                }
                #expect(Array(lengths.prefix(3)) == [64 << 10, 256 << 10, 1 << 20])
                #expect(lengths.dropLast().allSatisfy { $0 <= 1 << 20 })
                #expect(lengths.reduce(0, +) == size)
                let (layer, _) = try Skopeo.copiedLayer("\(registry.host)/ms2m/adaptive:v1", into: fixture.directory + "/copy")
                #expect(OCIDigest.sha256(layer) == OCIDigest.sha256(fixture.archiveBytes), "the copied layer is byte-identical to the archive")
                #expect(result.layerDigest == OCIDigest.sha256(fixture.archiveBytes))
            }
        }

        @Test("a connection dropped mid-chunk recovers (docker-registry drops such sessions, so it starts over)")
        func dropMidChunk() async throws {
            let fixture = try Fixture.make(pagesSize: 1_500_000, seed: 23)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let faulty = FaultTransport(base: makeTransport(), faults: [.dropMidStream(patch: 2, afterBytes: 100_000)])
                let pusher = CheckpointImagePusher(transport: faulty, plainHTTP: true, retry: testRetry)
                _ = try await pusher.push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter",
                    destination: try ImageDestination(parsing: "\(registry.host)/ms2m/dropped:v1"),
                    upload: UploadOptions(chunkSize: 512 << 10)))
                let (layer, _) = try Skopeo.copiedLayer("\(registry.host)/ms2m/dropped:v1", into: fixture.directory + "/copy")
                #expect(OCIDigest.sha256(layer) == OCIDigest.sha256(fixture.archiveBytes), "the copied layer is byte-identical to the archive")
            }
        }
    }
}
