import CurlTransport
import Foundation
import HTTPTransport
import Testing
import TestSupport
@testable import RegistryClient

@Suite("Image sources")
struct ImageSourceTests {
    @Test("parses registry references and OCI layout tags and digests", arguments: [
        ("127.0.0.1:5000/ms2m/counter:v1", "127.0.0.1:5000/ms2m/counter:v1"),
        ("oci:/tmp/layout:cp1", "oci:/tmp/layout:cp1"),
        ("oci:/tmp/layout", "oci:/tmp/layout:latest"),
        ("oci:/tmp/layout@sha256:" + String(repeating: "ab", count: 32), "oci:/tmp/layout@sha256:" + String(repeating: "ab", count: 32)),
    ])
    func parses(text: String, expected: String) throws {
        #expect(try ImageSource(parsing: text).description == expected)
    }

    @Test("an OCI digest reference keeps the directory and the digest apart")
    func layoutDigest() throws {
        let digest = OCIDigest.sha256([1, 2, 3])
        guard case .layout(let directory, .digest(let parsed)) = try ImageSource(parsing: "oci:/var/images@\(digest)") else {
            Issue.record("not a layout digest reference")
            return
        }
        #expect(directory == "/var/images")
        #expect(parsed == digest)
    }

    @Test("rejects malformed references", arguments: ["oci:@sha256:" + String(repeating: "ab", count: 32), "oci:/x@sha256:zz", "Bad/Repo:v1"])
    func rejects(text: String) {
        #expect(throws: RegistryError.self) { try ImageSource(parsing: text) }
    }
}

@Suite("Layer files")
struct LayerFileWriterTests {
    @Test("gunzips concatenated gzip members fed in small pieces and hashes both forms")
    func concatenatedGzip() async throws {
        let gzip = try Tools.require("gzip", package: "gzip")
        let directory = try Tools.temporaryDirectory("ms2m-gunzip")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = TarBuilder.pseudoRandom(count: 300_000, seed: 7)
        let second = [UInt8](repeating: 0x61, count: 200_000)
        var compressed: [UInt8] = []
        for (index, part) in [first, second].enumerated() {
            try Data(part).write(to: URL(fileURLWithPath: "\(directory)/part\(index)"))
            compressed += try await ProcessRunner.check(gzip, ["-c", "\(directory)/part\(index)"]).standardOutput
        }
        let descriptor = OCIDescriptor(mediaType: OCIMediaType.layerTarGzip, digest: .sha256(compressed), size: Int64(compressed.count))
        let writer = try LayerFileWriter(destination: directory + "/layer.tar", descriptor: descriptor)
        var offset = 0
        while offset < compressed.count {
            let end = min(compressed.count, offset + 7_777)
            try writer.append(Array(compressed[offset..<end]))
            offset = end
        }
        let layer = try writer.finish()
        let unpacked = Array(try Data(contentsOf: URL(fileURLWithPath: layer.path)))
        #expect(unpacked == first + second)
        #expect(layer.diffID == OCIDigest.sha256(first + second))
        #expect(layer.size == Int64(first.count + second.count))
    }

    @Test("a blob whose bytes do not match its digest is refused and leaves no file")
    func wrongDigest() throws {
        let directory = try Tools.temporaryDirectory("ms2m-digest")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bytes = TarBuilder.pseudoRandom(count: 10_000, seed: 8)
        let descriptor = OCIDescriptor(mediaType: OCIMediaType.layerTar, digest: .sha256(bytes + [0]), size: Int64(bytes.count))
        let writer = try LayerFileWriter(destination: directory + "/layer.tar", descriptor: descriptor)
        try writer.append(bytes)
        #expect(throws: RegistryError.self) { try writer.finish() }
        #expect(!FileManager.default.fileExists(atPath: directory + "/layer.tar"))
    }
}

/// The failure a call threw, if it threw a `RegistryError`.
func registryError(_ body: () async throws -> Any) async -> RegistryError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? RegistryError
    }
}

/// The case of a `RegistryError`, without its payload, for comparisons.
enum RegistryErrorKind: Equatable {
    case notFound, verificationFailed, deletionDisabled, authenticationFailed, other

    init(_ error: RegistryError) {
        switch error {
        case .notFound: self = .notFound
        case .verificationFailed: self = .verificationFailed
        case .deletionDisabled: self = .deletionDisabled
        case .authenticationFailed: self = .authenticationFailed
        default: self = .other
        }
    }
}

extension RegistryIntegration {
    @Suite("Pull and delete")
    struct PullAndDelete {
        private func pusher() -> CheckpointImagePusher {
            CheckpointImagePusher(transport: makeTransport(), plainHTTP: true, retry: testRetry)
        }

        private func store(credentials: RegistryCredentials? = nil, retry: RetryPolicy = testRetry) -> ImageStoreClient {
            ImageStoreClient(transport: makeTransport(), credentials: credentials, plainHTTP: true, retry: retry)
        }

        private func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

        @Test("pulls a pushed image by tag and by digest: byte-identical layer, annotations, config")
        func pullRegistry() async throws {
            let fixture = try Fixture.make(pagesSize: 400_000, seed: 41)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let image = "\(registry.host)/ms2m/pull:v1"
                let pushed = try await pusher().push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter", destination: try ImageDestination(parsing: image)))
                for reference in [image, pushed.image] {
                    let pulled = try await store().pull(reference, into: fixture.directory + "/pulled-\(reference.hashValue)")
                    #expect(pulled.manifestDigest == pushed.digest)
                    #expect(pulled.annotations[CheckpointAnnotation.crioName] == "counter")
                    #expect(pulled.annotations[CheckpointAnnotation.crioRootfsImageName] == "quay.io/ms2m/counter:1.4.2")
                    #expect(pulled.config?.rootfs.diffIDs == [OCIDigest.sha256(fixture.archiveBytes)])
                    #expect(pulled.layers.count == 1)
                    #expect(try bytes(pulled.layers[0].path) == fixture.archiveBytes)
                }
            }
        }

        @Test("gunzips a +gzip layer back to the archive")
        func pullCompressed() async throws {
            let fixture = try Fixture.make(pagesSize: 300_000, seed: 42)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let pushed = try await pusher().push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter",
                    destination: try ImageDestination(parsing: "\(registry.host)/ms2m/gz:v1"), compressionLevel: 6))
                let pulled = try await store().pull("\(registry.host)/ms2m/gz:v1", into: fixture.directory + "/pulled")
                #expect(pulled.layers[0].descriptor.mediaType == OCIMediaType.layerTarGzip)
                #expect(pulled.layers[0].descriptor.digest == pushed.layerDigest)
                #expect(try bytes(pulled.layers[0].path) == fixture.archiveBytes)
                #expect(pulled.layers[0].diffID == OCIDigest.sha256(fixture.archiveBytes))
            }
        }

        @Test("resolves an image index to this platform's manifest")
        func pullIndex() async throws {
            let fixture = try Fixture.make(pagesSize: 20_000, seed: 43)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let pushed = try await pusher().push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter",
                    destination: try ImageDestination(parsing: "\(registry.host)/ms2m/multi:single")))
                let client = pusher().client(for: registry.host)
                let index = Self.index(pointingAt: pushed)
                _ = try await client.putManifest(index, mediaType: OCIMediaType.imageIndex, repository: "ms2m/multi", reference: "all")
                let pulled = try await store().pull("\(registry.host)/ms2m/multi:all", into: fixture.directory + "/pulled")
                #expect(pulled.manifestDigest == pushed.digest)
                #expect(try bytes(pulled.layers[0].path) == fixture.archiveBytes)

                let elsewhere = ImageStoreClient(transport: makeTransport(), plainHTTP: true, retry: testRetry, platform: ImagePlatform(architecture: "riscv64"))
                await #expect(throws: RegistryError.self) {
                    try await elsewhere.pull("\(registry.host)/ms2m/multi:all", into: fixture.directory + "/other")
                }
            }
        }

        /// An OCI index whose entry for this machine's platform is `image`, next to one for another platform.
        static func index(pointingAt image: CheckpointPushResult) -> [UInt8] {
            let platform = ImagePlatform.current
            let other = platform.architecture == "arm64" ? "amd64" : "arm64"
            let text = """
                {"schemaVersion":2,"mediaType":"\(OCIMediaType.imageIndex)","manifests":[\
                {"mediaType":"\(OCIMediaType.imageManifest)","digest":"\(image.digest)","size":\(image.size),"platform":{"os":"linux","architecture":"\(other)"}},\
                {"mediaType":"\(OCIMediaType.imageManifest)","digest":"\(image.digest)","size":\(image.size),"platform":{"os":"linux","architecture":"\(platform.architecture)"}}]}
                """
            return Array(text.utf8)
        }

        @Test("a blob corrupted in the registry's storage fails the digest check and leaves no layer file")
        func corruptedBlob() async throws {
            let fixture = try Fixture.make(pagesSize: 100_000, seed: 44)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let pushed = try await pusher().push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter",
                    destination: try ImageDestination(parsing: "\(registry.host)/ms2m/bad:v1")))
                let path = registry.blobDataPath(hex: pushed.layerDigest.hex)
                var stored = try bytes(path)
                stored[stored.count / 2] ^= 0xFF
                try Data(stored).write(to: URL(fileURLWithPath: path))
                let target = fixture.directory + "/pulled"
                let error = await registryError { try await store(retry: .none).pull("\(registry.host)/ms2m/bad:v1", into: target) }
                #expect(error.map(RegistryErrorKind.init) == .verificationFailed, "\(String(describing: error))")
                #expect(error?.description.contains(pushed.layerDigest.description) == true)
                #expect(!FileManager.default.fileExists(atPath: "\(target)/\(pushed.layerDigest.hex).tar"))
            }
        }

        @Test("deleteManifest deletes by tag, then pull is not-found and a second delete is already-gone")
        func deleteRegistry() async throws {
            let fixture = try Fixture.make(pagesSize: 10_000, seed: 45)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let image = "\(registry.host)/ms2m/gone:v1"
                let pushed = try await pusher().push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter", destination: try ImageDestination(parsing: image)))
                let source = try ImageSource(parsing: image)
                #expect(try await store().deleteManifest(source) == .deleted(pushed.digest))
                for reference in [image, pushed.image] {
                    let error = await registryError { try await store().pull(reference, into: fixture.directory + "/pulled") }
                    #expect(error.map(RegistryErrorKind.init) == .notFound, "\(String(describing: error))")
                }
                #expect(try await store().deleteManifest(source) == .alreadyGone)
                #expect(try await store().deleteManifest(try ImageSource(parsing: pushed.image)) == .alreadyGone)
            }
            try await withRegistry(TestRegistry.Options(deleteEnabled: false)) { registry in
                let image = "\(registry.host)/ms2m/kept:v1"
                _ = try await pusher().push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter", destination: try ImageDestination(parsing: image)))
                let error = await registryError { try await store().deleteManifest(try ImageSource(parsing: image)) }
                #expect(error.map(RegistryErrorKind.init) == .deletionDisabled, "\(String(describing: error))")
                #expect(try await store().pull(image, into: fixture.directory + "/kept").layers.count == 1)
            }
        }

        @Test("a blob download authenticates on its own (basic), and a wrong password is refused")
        func authenticatedDownload() async throws {
            let fixture = try Fixture.make(pagesSize: 150_000, seed: 46)
            defer { fixture.remove() }
            let credentials = RegistryCredentials(username: "ms2m", password: "pull-me")
            try await withRegistry(TestRegistry.Options(auth: .htpasswd(user: "ms2m", password: "pull-me"))) { registry in
                let pushed = try await CheckpointImagePusher(transport: makeTransport(), credentials: credentials, plainHTTP: true, retry: testRetry)
                    .push(CheckpointPushRequest(
                        archivePath: fixture.archive, containerName: "counter",
                        destination: try ImageDestination(parsing: "\(registry.host)/ms2m/auth:v1")))
                // A fresh client's first request is the streamed blob GET: it meets the 401 there.
                let client = store(credentials: credentials).client(for: registry.host)
                let descriptor = OCIDescriptor(mediaType: OCIMediaType.layerTar, digest: pushed.layerDigest, size: pushed.layerSize)
                let layer = try await client.downloadLayer(repository: "ms2m/auth", descriptor: descriptor, to: fixture.directory + "/layer.tar")
                #expect(try bytes(layer.path) == fixture.archiveBytes)

                let wrong = store(credentials: RegistryCredentials(username: "ms2m", password: "nope"), retry: .none)
                let error = await registryError { try await wrong.pull("\(registry.host)/ms2m/auth:v1", into: fixture.directory + "/wrong") }
                #expect(error.map(RegistryErrorKind.init) == .authenticationFailed, "\(String(describing: error))")
            }
        }
    }
}

@Suite("OCI layout pull and delete")
struct LayoutPullAndDeleteTests {
    private func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    private func blobs(_ directory: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: directory + "/blobs/sha256"))
    }

    @Test("pulls a layout image byte-identically, through an index too; delete removes only unshared blobs")
    func pullAndDelete() async throws {
        let first = try Fixture.make(pagesSize: 120_000, seed: 51)
        let second = try Fixture.make(pagesSize: 80_000, seed: 52)
        defer { first.remove(); second.remove() }
        let layout = first.directory + "/layout"
        let pusher = CheckpointImagePusher(transport: makeTransport())
        let one = try await pusher.push(CheckpointPushRequest(
            archivePath: first.archive, containerName: "counter", destination: .layout(directory: layout, tag: "one")))
        let two = try await pusher.push(CheckpointPushRequest(
            archivePath: second.archive, containerName: "counter", destination: .layout(directory: layout, tag: "two")))
        let store = ImageStoreClient(transport: makeTransport())

        let pulled = try await store.pull("oci:\(layout):one", into: first.directory + "/pulled")
        #expect(pulled.manifestDigest == one.digest)
        #expect(pulled.annotations[CheckpointAnnotation.criuName] == "counter")
        #expect(try bytes(pulled.layers[0].path) == first.archiveBytes)
        let byDigest = try await store.pull(one.image, into: first.directory + "/by-digest")
        #expect(byDigest.manifestDigest == one.digest)

        // An index tagged "all" whose platform entry is image one.
        let ociLayout = OCILayout(directory: layout)
        let index = RegistryIntegration.PullAndDelete.index(pointingAt: one)
        let indexDigest = try ociLayout.writeBlob(index)
        try ociLayout.tag(OCIDescriptor(mediaType: OCIMediaType.imageIndex, digest: indexDigest, size: Int64(index.count)), as: "all")
        let viaIndex = try await store.pull("oci:\(layout):all", into: first.directory + "/via-index")
        #expect(viaIndex.manifestDigest == one.digest)

        // Deleting "one" keeps its blobs: the index still references its manifest.
        let before = try blobs(layout)
        let deletedOne = try await store.deleteManifest(try ImageSource(parsing: "oci:\(layout):one"))
        #expect(deletedOne == .deleted(one.digest))
        #expect(try blobs(layout) == before)
        let error = await registryError { try await store.pull("oci:\(layout):one", into: first.directory + "/gone") }
        #expect(error.map(RegistryErrorKind.init) == .notFound, "\(String(describing: error))")

        // Deleting "all" makes image one's blobs unreferenced: they go, image two's stay.
        let deletedAll = try await store.deleteManifest(try ImageSource(parsing: "oci:\(layout):all"))
        #expect(deletedAll == .deleted(indexDigest))
        let after = try blobs(layout)
        #expect(!after.contains(one.layerDigest.hex))
        #expect(!after.contains(one.digest.hex))
        #expect(!after.contains(indexDigest.hex))
        #expect(after.contains(two.layerDigest.hex) && after.contains(two.digest.hex))
        let goneError = await registryError { try await store.pull(one.image, into: first.directory + "/gone-digest") }
        #expect(goneError.map(RegistryErrorKind.init) == .notFound, "\(String(describing: goneError))")
        let pulledTwo = try await store.pull("oci:\(layout):two", into: second.directory + "/pulled")
        #expect(try bytes(pulledTwo.layers[0].path) == second.archiveBytes)
        let deletedAgain = try await store.deleteManifest(try ImageSource(parsing: "oci:\(layout):one"))
        #expect(deletedAgain == .alreadyGone)
    }

    @Test("a corrupted layout blob fails the digest check")
    func corrupted() async throws {
        let fixture = try Fixture.make(pagesSize: 50_000, seed: 53)
        defer { fixture.remove() }
        let layout = fixture.directory + "/layout"
        let pushed = try await CheckpointImagePusher(transport: makeTransport()).push(CheckpointPushRequest(
            archivePath: fixture.archive, containerName: "counter", destination: .layout(directory: layout, tag: "v1")))
        let path = "\(layout)/blobs/sha256/\(pushed.layerDigest.hex)"
        var stored = try bytes(path)
        stored[100] ^= 0x01
        try Data(stored).write(to: URL(fileURLWithPath: path))
        let error = await registryError { try await ImageStoreClient(transport: makeTransport()).pull("oci:\(layout):v1", into: fixture.directory + "/pulled") }
        #expect(error.map(RegistryErrorKind.init) == .verificationFailed, "\(String(describing: error))")
    }
}
