import CurlTransport
import Foundation
import HTTPTransport
import RegistryClient
import Testing
import TestSupport

/// A temporary directory holding a checkpoint-like archive.
struct Fixture {
    let directory: String
    let archive: String

    static func make(pagesSize: Int = 600_000, seed: UInt64 = 1) throws -> Fixture {
        let directory = try Tools.temporaryDirectory("ms2m-fixture")
        let archive = directory + "/checkpoint-counter_default-counter-2026-11-01T10:05:00Z.tar"
        try TarBuilder.checkpointArchive(at: archive, pagesSize: pagesSize, seed: seed)
        return Fixture(directory: directory, archive: archive)
    }

    var archiveBytes: [UInt8] { Array((try? Data(contentsOf: URL(fileURLWithPath: archive))) ?? Data()) }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Runs `body` against a started registry and always stops it.
func withRegistry<T>(_ options: TestRegistry.Options = .init(), _ body: (TestRegistry) async throws -> T) async throws -> T {
    let registry = try await TestRegistry.start(options)
    do {
        let result = try await body(registry)
        registry.stop()
        return result
    } catch {
        let tail = registry.log.split(separator: "\n").suffix(8).joined(separator: "\n")
        registry.stop()
        Issue.record("registry log tail:\n\(tail)")
        throw error
    }
}

enum Skopeo {
    static func binary() throws -> String { try Tools.require("skopeo", package: "skopeo") }

    /// `skopeo inspect --raw` of a plain-HTTP registry image, as JSON.
    static func rawManifest(_ image: String) throws -> [String: Any] {
        let output = try Tools.run(try binary(), ["inspect", "--raw", "--tls-verify=false", "docker://\(image)"])
        return try JSONSerialization.jsonObject(with: Data(output.stdout)) as! [String: Any]
    }

    /// `skopeo copy docker://image oci:dir`, then the bytes of the image's only layer.
    static func copiedLayer(_ image: String, into directory: String) throws -> (bytes: [UInt8], mediaType: String) {
        try Tools.run(try binary(), ["copy", "--preserve-digests", "--src-tls-verify=false", "docker://\(image)", "oci:\(directory):copied"])
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/index.json"))) as! [String: Any]
        let manifestDigest = ((index["manifests"] as! [[String: Any]])[0]["digest"] as! String).dropFirst("sha256:".count)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/blobs/sha256/\(manifestDigest)"))) as! [String: Any]
        let layer = (manifest["layers"] as! [[String: Any]])[0]
        let layerDigest = (layer["digest"] as! String).dropFirst("sha256:".count)
        return (Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/blobs/sha256/\(layerDigest)"))), layer["mediaType"] as! String)
    }
}

/// A transport on its own curl loop (file reads for uploads happen on the loop thread).
func makeTransport(caFile: String? = nil) -> CurlTransport {
    CurlTransport(configuration: .init(tls: caFile.map { TLSOptions(caFile: $0) }, acceptCompressedResponses: false), loop: CurlEventLoop())
}

/// Fast retries for tests.
let testRetry = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(20), maxDelay: .milliseconds(100))
