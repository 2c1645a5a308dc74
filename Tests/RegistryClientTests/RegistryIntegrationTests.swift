import CurlTransport
import Foundation
import HTTPTransport
import Synchronization
import Testing
import TestSupport
@testable import RegistryClient

/// Everything that starts a real `docker-registry`; serialized so the suite stays light on a shared machine.
@Suite("Registry integration", .serialized)
struct RegistryIntegration {}

extension RegistryIntegration {
    @Suite("Push over plain HTTP")
    struct Push {
        @Test("pushes an OCI image that skopeo reads with both annotations and a byte-identical layer")
        func pushAndInspect() async throws {
            let fixture = try Fixture.make()
            defer { fixture.remove() }
            try await withRegistry { registry in
                let pusher = CheckpointImagePusher(transport: makeTransport(), plainHTTP: true, retry: testRetry)
                let destination = try ImageDestination(parsing: "\(registry.host)/ms2m/counter:cp1")
                let result = try await pusher.push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter", destination: destination,
                    upload: UploadOptions(chunkSize: 256 << 10)))
                #expect(result.image == "\(registry.host)/ms2m/counter@\(result.digest)")
                #expect(result.layerUploaded)
                #expect(result.layerDigest == OCIDigest.sha256(fixture.archiveBytes))

                let manifest = try Skopeo.rawManifest("\(registry.host)/ms2m/counter:cp1")
                #expect(manifest["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
                #expect(manifest["schemaVersion"] as? Int == 2)
                let annotations = manifest["annotations"] as? [String: String] ?? [:]
                #expect(annotations["io.kubernetes.cri-o.annotations.checkpoint.name"] == "counter")
                #expect(annotations["org.criu.checkpoint.container.name"] == "counter")
                #expect(annotations["io.kubernetes.cri-o.annotations.checkpoint.rootfsImageName"] == "quay.io/ms2m/counter:1.4.2")
                #expect(annotations["org.criu.checkpoint.runtime.name"] == "runc")

                let copy = fixture.directory + "/copy"
                let (layer, mediaType) = try Skopeo.copiedLayer("\(registry.host)/ms2m/counter:cp1", into: copy)
                #expect(mediaType == "application/vnd.oci.image.layer.v1.tar")
                #expect(OCIDigest.sha256(layer) == OCIDigest.sha256(fixture.archiveBytes), "the copied layer is byte-identical to the archive")
            }
        }

        @Test("a second push of the same archive uploads no blob")
        func secondPushUploadsNothing() async throws {
            let fixture = try Fixture.make(seed: 2)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let pusher = CheckpointImagePusher(transport: makeTransport(), plainHTTP: true, retry: testRetry)
                let destination = try ImageDestination(parsing: "\(registry.host)/ms2m/again:v1")
                let request = CheckpointPushRequest(archivePath: fixture.archive, containerName: "counter", destination: destination)
                let first = try await pusher.push(request)
                let patches = registry.requestCount("PATCH")
                let posts = registry.requestCount("POST")
                let puts = registry.log.split(separator: "\n").filter { $0.contains("\"PUT /v2/ms2m/again/blobs/uploads/") }.count
                #expect(patches >= 1)
                let second = try await pusher.push(request)
                #expect(second.digest == first.digest)
                #expect(!second.layerUploaded)
                #expect(registry.requestCount("PATCH") == patches)
                #expect(registry.requestCount("POST") == posts)
                #expect(registry.log.split(separator: "\n").filter { $0.contains("\"PUT /v2/ms2m/again/blobs/uploads/") }.count == puts)
            }
        }

        @Test("gzips the layer on the fly with --compress semantics")
        func compressed() async throws {
            let gzip = try Tools.require("gzip", package: "gzip")
            let fixture = try Fixture.make(seed: 3)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let pusher = CheckpointImagePusher(transport: makeTransport(), plainHTTP: true, retry: testRetry)
                let result = try await pusher.push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "counter",
                    destination: try ImageDestination(parsing: "\(registry.host)/ms2m/gz:v1"), compressionLevel: 6,
                    upload: UploadOptions(chunkSize: 200_000)))
                let copy = fixture.directory + "/copy"
                let (layer, mediaType) = try Skopeo.copiedLayer("\(registry.host)/ms2m/gz:v1", into: copy)
                #expect(mediaType == "application/vnd.oci.image.layer.v1.tar+gzip")
                #expect(OCIDigest.sha256(layer) == result.layerDigest)
                try Data(layer).write(to: URL(fileURLWithPath: fixture.directory + "/layer.gz"))
                let unpacked = try Tools.run(gzip, ["-dc", fixture.directory + "/layer.gz"]).stdout
                #expect(OCIDigest.sha256(unpacked) == OCIDigest.sha256(fixture.archiveBytes), "the gunzipped layer is the archive")
                let config = try JSONSerialization.jsonObject(with: Data(Tools.run(try Skopeo.binary(), [
                    "inspect", "--config", "--raw", "--tls-verify=false", "docker://\(registry.host)/ms2m/gz:v1",
                ]).stdout)) as! [String: Any]
                #expect((config["rootfs"] as? [String: Any])?["diff_ids"] as? [String] == [OCIDigest.sha256(fixture.archiveBytes).description])
            }
        }

        @Test("reads, checks and deletes images; a registry without deletion says so")
        func manifestOperations() async throws {
            let fixture = try Fixture.make(pagesSize: 10_000, seed: 4)
            defer { fixture.remove() }
            try await withRegistry { registry in
                let pusher = CheckpointImagePusher(transport: makeTransport(), plainHTTP: true, retry: testRetry)
                let reference = try ImageReference(parsing: "\(registry.host)/ms2m/ops:v1")
                let result = try await pusher.push(CheckpointPushRequest(
                    archivePath: fixture.archive, containerName: "web", destination: .registry(reference)))
                let client = pusher.client(for: registry.host)
                #expect(try await client.imageExists(reference))
                #expect(try await client.annotations(reference)[CheckpointAnnotation.criuName] == "web")
                #expect(try await client.deleteImage(reference) == result.digest)
                #expect(try await !client.imageExists(reference.pinned(to: result.digest)))
                await #expect(throws: RegistryError.self) { try await client.deleteImage(reference) }

                // A manifest naming a blob the registry lacks is rejected.
                let bogus = OCIImageManifest(
                    config: OCIDescriptor(mediaType: OCIMediaType.imageConfig, digest: .sha256([9]), size: 1), layers: [])
                do {
                    _ = try await client.putManifest(try CanonicalJSON.encode(bogus), repository: "ms2m/ops", reference: "bogus")
                    Issue.record("the registry accepted a manifest with a missing config blob")
                } catch let error as RegistryError {
                    #expect(error.description.contains("rejected the manifest"))
                }
            }
            var options = TestRegistry.Options()
            options.deleteEnabled = false
            try await withRegistry(options) { registry in
                let pusher = CheckpointImagePusher(transport: makeTransport(), plainHTTP: true, retry: testRetry)
                let reference = try ImageReference(parsing: "\(registry.host)/ms2m/keep:v1")
                _ = try await pusher.push(CheckpointPushRequest(archivePath: fixture.archive, containerName: "web", destination: .registry(reference)))
                do {
                    try await pusher.client(for: registry.host).deleteImage(reference)
                    Issue.record("deleted although deletion is disabled")
                } catch RegistryError.deletionDisabled {
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
        }

        @Test("bad input fails clearly before anything is sent")
        func badInput() async throws {
            let fixture = try Fixture.make(pagesSize: 1000, seed: 5)
            defer { fixture.remove() }
            try Data("just text, not a tar archive".utf8 + [UInt8](repeating: 32, count: 600)).write(to: URL(fileURLWithPath: fixture.directory + "/text.tar"))
            let pusher = CheckpointImagePusher(transport: makeTransport(), plainHTTP: true, retry: .none)
            let destination = ImageDestination.layout(directory: fixture.directory + "/layout", tag: "v1")
            let cases: [(String, String, String)] = [
                (fixture.directory + "/missing.tar", "counter", "cannot read the archive"),
                (fixture.directory + "/text.tar", "counter", "not a tar file"),
                (fixture.archive, "  ", "container name is empty"),
            ]
            for (archive, container, message) in cases {
                do {
                    _ = try await pusher.push(CheckpointPushRequest(archivePath: archive, containerName: container, destination: destination))
                    Issue.record("pushed \(archive) with container '\(container)'")
                } catch {
                    #expect(error.description.contains(message), "\(error)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/layout/index.json"))
        }

        @Test("writes an OCI image layout that skopeo reads")
        func layout() async throws {
            let fixture = try Fixture.make(pagesSize: 50_000, seed: 6)
            defer { fixture.remove() }
            let pusher = CheckpointImagePusher(transport: makeTransport())
            let directory = fixture.directory + "/layout"
            let result = try await pusher.push(CheckpointPushRequest(
                archivePath: fixture.archive, containerName: "counter", destination: .layout(directory: directory, tag: "cp")))
            let inspected = try JSONSerialization.jsonObject(with: Data(Tools.run(try Skopeo.binary(), ["inspect", "--raw", "oci:\(directory):cp"]).stdout)) as! [String: Any]
            #expect((inspected["annotations"] as? [String: String])?[CheckpointAnnotation.crioName] == "counter")
            #expect(OCIDigest.sha256(Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/blobs/sha256/\(result.layerDigest.hex)")))) == OCIDigest.sha256(fixture.archiveBytes))
            #expect(FileManager.default.fileExists(atPath: directory + "/oci-layout"))
            let again = try await pusher.push(CheckpointPushRequest(
                archivePath: fixture.archive, containerName: "counter", destination: .layout(directory: directory, tag: "cp")))
            #expect(again.digest == result.digest)
            #expect(try OCILayout(directory: directory).index().manifests.count == 1)
        }
    }
}
