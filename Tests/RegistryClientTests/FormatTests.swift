import Foundation
import Testing
import TestSupport
@testable import RegistryClient

@Suite("Image references")
struct ImageReferenceTests {
    @Test("parses registry, repository, tag and digest", arguments: [
        ("127.0.0.1:5000/ms2m/counter:v1", "127.0.0.1:5000", "ms2m/counter", "v1", false),
        ("localhost/counter:latest", "localhost", "counter", "latest", false),
        ("registry.example.com/a/b/c@sha256:" + String(repeating: "a", count: 64), "registry.example.com", "a/b/c", nil, true),
        ("quay.io/ms2m/cp:1@sha256:" + String(repeating: "0", count: 64), "quay.io", "ms2m/cp", "1", true),
        ("busybox:1.36", "docker.io", "library/busybox", "1.36", false),
    ] as [(String, String, String, String?, Bool)])
    func valid(text: String, registry: String, repository: String, tag: String?, hasDigest: Bool) throws {
        let reference = try ImageReference(parsing: text)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
        #expect((reference.digest != nil) == hasDigest)
        #expect(try ImageReference(parsing: reference.description) == reference)
    }

    @Test("rejects malformed references with a reason", arguments: [
        "", "127.0.0.1:5000/Upper/case:v1", "host:5000/repo", "host:5000/repo:", "host:5000/repo@sha256:abc",
        "host:5000/repo:tag with space", "host:5000//repo:v1", "host:5000/repo-:v1", "host:5000/repo:-bad",
        "host:5000/repo@md5:" + String(repeating: "a", count: 32),
    ])
    func invalid(text: String) {
        #expect(throws: RegistryError.self) { try ImageReference(parsing: text) }
    }

    /// The distribution reference grammar's `domain-and-port` (github.com/distribution/reference): host name
    /// components or a bracketed IPv6 address, and a port that is a number a TCP port can be.
    @Test("validates the registry host and port up front, saying what is wrong", arguments: [
        ("host:0/ms2m/x:v1", "port 0 is out of range"),
        ("host:65536/ms2m/x:v1", "port 65536 is out of range"),
        ("host:50:00/ms2m/x:v1", "the port must be a number"),
        ("host:/ms2m/x:v1", "the port must be a number"),
        ("host:http/ms2m/x:v1", "the port must be a number"),
        ("[::1/ms2m/x:v1", "must end with ]"),
        ("[::1]5000/ms2m/x:v1", "only :port may follow"),
        ("[zz::1]:5000/ms2m/x:v1", "is not an IPv6 address"),
        ("-host.example.com/ms2m/x:v1", "is not a host name component"),
        ("reg..example.com/ms2m/x:v1", "is not a host name component"),
        ("reg_istry.example.com/ms2m/x:v1", "is not a host name component"),
    ])
    func registryHostAndPort(text: String, reason: String) {
        do {
            _ = try ImageReference(parsing: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test("accepts registries the grammar allows", arguments: [
        "[::1]:5000/ms2m/x:v1", "[fd00::a:1]/ms2m/x:v1", "localhost:5000/ms2m/x:v1", "registry-1.example.com/ms2m/x:v1",
        "127.0.0.1:65535/ms2m/x:v1", "Registry.Example.COM:1/ms2m/x:v1",
    ])
    func validRegistries(text: String) throws {
        let reference = try ImageReference(parsing: text)
        #expect(reference.repository == "ms2m/x")
    }

    @Test("parses OCI layout destinations")
    func layout() throws {
        #expect(try ImageDestination(parsing: "oci:/tmp/x:v2") == .layout(directory: "/tmp/x", tag: "v2"))
        #expect(try ImageDestination(parsing: "oci:/tmp/x") == .layout(directory: "/tmp/x", tag: "latest"))
        #expect(throws: RegistryError.self) { try ImageDestination(parsing: "oci::v1") }
    }
}

@Suite("Tar scanning")
struct TarScannerTests {
    @Test("walks a checkpoint archive fed in odd-sized pieces and keeps config.dump and spec.dump")
    func streaming() throws {
        let directory = try Tools.temporaryDirectory("ms2m-tar")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TarBuilder.checkpointArchive(at: directory + "/a.tar", pagesSize: 100_000)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/a.tar")))
        var scanner = TarScanner()
        var index = 0
        var piece = 1
        while index < bytes.count {
            let end = min(bytes.count, index + piece)
            try bytes[index..<end].withUnsafeBytes { try scanner.consume($0) }
            index = end
            piece = piece * 3 % 7919 + 1
        }
        try scanner.finish()
        #expect(scanner.isAtEnd)
        #expect(scanner.entryCount == 5)
        #expect(scanner.names == ["config.dump", "spec.dump", "checkpoint/", "checkpoint/inventory.img", "checkpoint/pages-1.img"])
        let metadata = CheckpointMetadata(configDump: scanner.captured["config.dump"], specDump: scanner.captured["spec.dump"])
        #expect(metadata.rootfsImageName == "quay.io/ms2m/counter:1.4.2")
        #expect(metadata.runtimeName == "runc")
        #expect(metadata.podName == "counter-0")
        #expect(metadata.engine == "cri-o")
    }

    @Test("follows GNU long names written by /bin/tar and can skip entry data")
    func gnuTarAndSkipping() throws {
        let tar = try Tools.require("tar", package: "tar")
        let directory = try Tools.temporaryDirectory("ms2m-tar")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let deep = "checkpoint/" + String(repeating: "d", count: 120)
        try FileManager.default.createDirectory(atPath: directory + "/src/" + deep, withIntermediateDirectories: true)
        try Data("{\"name\":\"web\"}".utf8).write(to: URL(fileURLWithPath: directory + "/src/config.dump"))
        try Data(TarBuilder.pseudoRandom(count: 70_000, seed: 3)).write(to: URL(fileURLWithPath: directory + "/src/\(deep)/pages-1.img"))
        try Tools.run(tar, ["--format=gnu", "-C", directory + "/src", "-cf", directory + "/g.tar", "config.dump", "checkpoint"])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/g.tar")))
        var scanner = TarScanner()
        var index = 0
        while index < bytes.count {
            let skippable = Int(scanner.skippable)
            if skippable > 0 {
                scanner.skip(Int64(min(skippable, bytes.count - index)))
                index += min(skippable, bytes.count - index)
                continue
            }
            let end = min(bytes.count, index + 512)
            try bytes[index..<end].withUnsafeBytes { try scanner.consume($0) }
            index = end
        }
        try scanner.finish()
        #expect(scanner.names.contains(deep + "/pages-1.img"))
        #expect(scanner.captured["config.dump"] == Array("{\"name\":\"web\"}".utf8))
    }

    @Test("rejects what is not a tar, and truncated archives")
    func rejects() throws {
        #expect(throws: RegistryError.self) { try TarScanner.validateFirstBlock(Array(repeating: 0x41, count: 512)) }
        #expect(throws: RegistryError.self) { try TarScanner.validateFirstBlock([0x1F, 0x8B] + Array(repeating: 0, count: 510)) }
        var header = try TarBuilder.header(.init(name: "config.dump", contents: Array(repeating: 1, count: 1000)))
        try TarScanner.validateFirstBlock(header)
        header[0] ^= 0x01
        #expect(throws: RegistryError.self) { try TarScanner.validateFirstBlock(header) }

        var scanner = TarScanner()
        let truncated = try TarBuilder.header(.init(name: "pages.img", contents: Array(repeating: 1, count: 1000))) + Array(repeating: 1, count: 600)
        try truncated.withUnsafeBytes { try scanner.consume($0) }
        #expect(throws: RegistryError.self) { try scanner.finish() }
    }
}

/// PAX extended headers (POSIX pax, "pax Extended Header Format": records `"%d %s=%s\n"`, the length counting
/// the whole record, its own digits included) that lie about their length.
@Suite("Tar scanning: malformed PAX headers")
struct MalformedPAXTests {
    /// Each case: what is wrong, the header's bytes, and the path read before the malformed record.
    static let malformed: [(String, [UInt8], String?)] = [
        ("a record whose length is shorter than its own prefix", Array("1 path=evil\n".utf8), nil),
        ("a record whose length overflows", Array("12 path=abc\n9223372036854775807 path=evil\n".utf8), "abc"),
        ("a length of more than 20 digits", Array("000000000000000000000000011 path=x\n".utf8), nil),
        ("a negative length", Array("-12 path=evil\n".utf8), nil),
        ("no space after the length", Array("12path=evil\n".utf8), nil),
        ("a length past the end", Array("12 path=abc\n40 path=evil\n".utf8), "abc"),
    ]

    @Test("paxPath stops at a malformed record, keeping what came before, and never traps")
    func paxRecords() {
        #expect(TarScanner.paxPath(Array("16 path=a/b/cde\n".utf8)) == "a/b/cde")
        for (what, bytes, path) in Self.malformed {
            #expect(TarScanner.paxPath(bytes) == path, "\(what)")
            #expect(TarScanner.paxPath(Array("12 path=xyz\n".utf8) + bytes) == path ?? "xyz", "\(what), after a good record")
        }
    }

    @Test("an archive with a malformed PAX header scans without trapping", arguments: Self.malformed.map(\.0))
    func archives(_ case_: String) throws {
        let bytes = try #require(Self.malformed.first { $0.0 == case_ }?.1)
        let directory = try Tools.temporaryDirectory("ms2m-pax")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TarBuilder.write(at: directory + "/a.tar", members: [
            TarBuilder.Member(name: "PaxHeaders/config.dump", contents: bytes, type: UInt8(ascii: "x")),
            TarBuilder.Member(name: "config.dump", contents: Array("{}".utf8)),
        ])
        let archive = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/a.tar")))
        var scanner = TarScanner()
        try archive.withUnsafeBytes { try scanner.consume($0) }
        try scanner.finish()
        let expected = Self.malformed.first { $0.0 == case_ }?.2 ?? "config.dump"
        #expect(scanner.names == [expected], "a malformed record is ignored, with the records after it")
    }
}

@Suite("Credentials and challenges")
struct CredentialTests {
    @Test("reads auths.<host>.auth, username/password, legacy dockercfg and URL keys")
    func dockerConfig() throws {
        let auth = Data("alice:s3cr:et".utf8).base64EncodedString()
        let config = #"{"auths":{"https://127.0.0.1:5000/v1/":{"auth":"\#(auth)"},"quay.io":{"username":"bob","password":"pw"}}}"#
        #expect(try RegistryCredentials.fromDockerConfig(data: Array(config.utf8), registry: "127.0.0.1:5000")
            == RegistryCredentials(username: "alice", password: "s3cr:et"))
        #expect(try RegistryCredentials.fromDockerConfig(data: Array(config.utf8), registry: "quay.io")
            == RegistryCredentials(username: "bob", password: "pw"))
        #expect(try RegistryCredentials.fromDockerConfig(data: Array(config.utf8), registry: "ghcr.io") == nil)
        let legacy = #"{"https://index.docker.io/v1/":{"auth":"\#(auth)"}}"#
        #expect(try RegistryCredentials.fromDockerConfig(data: Array(legacy.utf8), registry: "docker.io")?.username == "alice")
        #expect(throws: RegistryError.self) { try RegistryCredentials.fromDockerConfig(data: Array("[]".utf8), registry: "x") }
        #expect(RegistryCredentials.fromEnvironment(["MS2M_REGISTRY_USERNAME": "u", "MS2M_REGISTRY_PASSWORD": "p"])?.password == "p")
    }

    @Test("parses bearer and basic challenges")
    func challenges() {
        let bearer = AuthChallenge(header: #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#)
        #expect(bearer?.scheme == "bearer")
        #expect(bearer?.parameters["realm"] == "https://auth.example/token")
        #expect(bearer?.parameters["scope"] == "repository:a/b:pull,push")
        #expect(AuthChallenge(header: #"Basic realm="ms2m""#)?.scheme == "basic")
    }
}

@Suite("Checkpoint image assembly")
struct ImageBuilderTests {
    @Test("writes a valid OCI config and manifest with the runtimes' annotations, deterministically")
    func build() throws {
        var metadata = CheckpointMetadata()
        metadata.rootfsImageName = "quay.io/ms2m/counter:1"
        metadata.criuVersion = "3.19"
        let layer = LayerDigests(digest: .sha256([1, 2, 3]), size: 3, diffID: .sha256([1, 2, 3]), compressed: false)
        let image = try CheckpointImageBuilder.build(
            containerName: "counter", metadata: metadata, layer: layer, platform: ImagePlatform(architecture: "arm64"),
            created: "2026-11-01T10:00:00Z")
        let again = try CheckpointImageBuilder.build(
            containerName: "counter", metadata: metadata, layer: layer, platform: ImagePlatform(architecture: "arm64"),
            created: "2026-11-01T10:00:00Z")
        #expect(image.manifestDigest == again.manifestDigest)
        let manifest = try JSONSerialization.jsonObject(with: Data(image.manifestBytes)) as! [String: Any]
        #expect(manifest["schemaVersion"] as? Int == 2)
        #expect(manifest["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
        #expect((manifest["config"] as? [String: Any])?["mediaType"] as? String == "application/vnd.oci.image.config.v1+json")
        let annotations = manifest["annotations"] as! [String: String]
        #expect(annotations["io.kubernetes.cri-o.annotations.checkpoint.name"] == "counter")
        #expect(annotations["org.criu.checkpoint.container.name"] == "counter")
        #expect(annotations["io.kubernetes.cri-o.annotations.checkpoint.rootfsImageName"] == "quay.io/ms2m/counter:1")
        #expect(annotations["org.criu.checkpoint.criu.version"] == "3.19")
        let config = try JSONSerialization.jsonObject(with: Data(image.config)) as! [String: Any]
        #expect(config["architecture"] as? String == "arm64")
        #expect(config["os"] as? String == "linux")
        let rootfs = config["rootfs"] as! [String: Any]
        #expect(rootfs["type"] as? String == "layers")
        #expect(rootfs["diff_ids"] as? [String] == [layer.diffID.description])
    }
}
