import Foundation
import Testing
import TestSupport
@testable import RegistryClient

extension RegistryIntegration {
    /// The `checkpoint-transfer` executable as the Job runs it.
    @Suite("checkpoint-transfer executable")
    struct CLI {
        /// The binary next to the test bundle (built by `swift build --build-tests`).
        static func binary() throws -> String {
            var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("checkpoint-transfer").path]
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            candidates.append(root.appendingPathComponent(".build/debug/checkpoint-transfer").path)
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw TestSupportError("checkpoint-transfer is not built (run swift build --build-tests); looked in \(candidates)")
            }
            return found
        }

        @Test("prints the digest, writes the termination message, and removes the archive only after a confirmed push")
        func pushAndRemove() async throws {
            let fixture = try Fixture.make(pagesSize: 200_000, seed: 31)
            defer { fixture.remove() }
            let binary = try Self.binary()
            try await withRegistry { registry in
                let message = fixture.directory + "/termination-log"
                let image = "\(registry.host)/ms2m/cli:v1"
                let output = try Tools.run(binary, [
                    "--archive", fixture.archive, "--container", "counter", "--destination", image, "--insecure",
                    "--termination-message-path", message, "--remove-archive", "--quiet",
                ])
                let digest = output.text.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(OCIDigest(digest) != nil)
                let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: message))) as! [String: Any]
                #expect(written["digest"] as? String == digest)
                #expect(written["image"] as? String == "\(registry.host)/ms2m/cli@\(digest)")
                #expect((written["size"] as? Int ?? 0) > 0)
                #expect(!FileManager.default.fileExists(atPath: fixture.archive))
                let manifest = try Skopeo.rawManifest(image)
                #expect((manifest["annotations"] as? [String: String])?[CheckpointAnnotation.criuName] == "counter")
            }
        }

        @Test("failures exit non-zero, explain themselves, and never delete the archive", arguments: [
            (["--container", ""], "container name is empty"),
            (["--container", "c", "--destination-override", "127.0.0.1:1/Bad:v1"], "invalid image reference"),
            (["--container", "c", "--destination-override", "127.0.0.1:1/ms2m/x:v1"], "failed"),
        ])
        func failures(arguments: [String], message: String) async throws {
            let fixture = try Fixture.make(pagesSize: 1000, seed: 32)
            defer { fixture.remove() }
            var args = ["--archive", fixture.archive, "--insecure", "--remove-archive", "--retries", "1", "--termination-message-path", fixture.directory + "/log"]
            var destination = "oci:\(fixture.directory)/layout:v1"
            var rest = arguments
            if let index = rest.firstIndex(of: "--destination-override") {
                destination = rest[index + 1]
                rest.removeSubrange(index...(index + 1))
            }
            args += rest + ["--destination", destination]
            let output = try Tools.run(try Self.binary(), args, check: false)
            #expect(output.status != 0)
            #expect(output.stderr.contains(message), "\(output.stderr)")
            #expect(FileManager.default.fileExists(atPath: fixture.archive))
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/log"))) as! [String: Any]
            #expect((written["error"] as? String)?.isEmpty == false)
        }

        /// Two archives that trapped the tool (SIGILL) in the PAX path parser: a record whose declared length is
        /// shorter than its own prefix, and one whose length overflows.
        @Test("archives with malformed PAX headers end cleanly, never in a trap", arguments: [0, 1])
        func malformedPAX(_ index: Int) throws {
            let directory = try Tools.temporaryDirectory("ms2m-pax-cli")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try TarBuilder.write(at: directory + "/a.tar", members: [
                TarBuilder.Member(name: "PaxHeaders/config.dump", contents: MalformedPAXTests.malformed[index].1, type: UInt8(ascii: "x")),
                TarBuilder.Member(name: "config.dump", contents: Array("{}".utf8)),
            ])
            let output = try Tools.run(try Self.binary(), [
                "--archive", directory + "/a.tar", "--container", "c", "--destination", "oci:\(directory)/layout:v1",
                "--termination-message-path", directory + "/log", "--quiet",
            ], check: false)
            #expect(output.status == 0 || output.status == 1, "exit status \(output.status): \(output.stderr)")
            #expect(!output.stderr.contains("Fatal error"), "\(output.stderr)")
        }

        @Test("--remove-only deletes the recorded archive and the container's archives since a time, nothing else")
        func removeOnly() throws {
            let directory = try Tools.temporaryDirectory("ms2m-cli")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let names = [
                "checkpoint-web-1_shop-app-2026-12-07T10:00:00Z.tar",  // before the migration: kept
                "checkpoint-web-1_shop-app-2026-12-07T10:05:00Z.tar",  // recorded
                "checkpoint-web-1_shop-app-2026-12-07T10:05:30Z.tar",  // written for the migration, never recorded
                "checkpoint-web-1_shop-app-sidecar-2026-12-07T10:05:30Z.tar",  // another container: kept
                "checkpoint-web-2_shop-app-2026-12-07T10:05:30Z.tar",  // another pod: kept
                "notes.txt",
            ]
            for name in names { try Data("x".utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)")) }
            let output = try Tools.run(try Self.binary(), [
                "--remove-only", "--archive", "\(directory)/\(names[1])", "--container", "app", "--pod", "web-1",
                "--namespace", "shop", "--remove-stale-since", "2026-12-07T10:04:00Z", "--checkpoint-directory", directory,
                "--termination-message-path", directory + "/log",
            ])
            #expect(output.status == 0)
            let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(left == [names[0], names[3], names[4], "log", "notes.txt"].sorted())
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/log"))) as! [String: Any]
            #expect(written["removed"] as? Int == 2)
            // Run again: nothing left to remove is not an error.
            #expect(try Tools.run(try Self.binary(), [
                "--remove-only", "--archive", "\(directory)/\(names[1])", "--container", "app",
            ]).status == 0)
            let refused = try Tools.run(try Self.binary(), ["--remove-only", "--container", "app"], check: false)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("--remove-only needs"))
        }

        @Test("several containers in one run: one image each, every digest reported in order, archives removed after all pushes")
        func pushSeveral() async throws {
            let counter = try Fixture.make(pagesSize: 150_000, seed: 41)
            let ledger = try Fixture.make(pagesSize: 120_000, seed: 42)
            defer { counter.remove(); ledger.remove() }
            let binary = try Self.binary()
            try await withRegistry { registry in
                let message = counter.directory + "/termination-log"
                let images = ["\(registry.host)/ms2m/counter:v1", "\(registry.host)/ms2m/ledger:v1"]
                let output = try Tools.run(binary, [
                    "--archive", counter.archive, "--container", "counter", "--destination", images[0],
                    "--archive", ledger.archive, "--container", "ledger", "--destination", images[1],
                    "--insecure", "--termination-message-path", message, "--remove-archive", "--quiet",
                ])
                let digests = output.text.split(separator: "\n").map(String.init)
                #expect(digests.count == 2)
                #expect(digests.allSatisfy { OCIDigest($0) != nil })
                #expect(Set(digests).count == 2)
                let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: message))) as! [String: Any]
                #expect(written["digest"] as? String == digests.first)
                #expect(written["image"] as? String == "\(registry.host)/ms2m/counter@\(digests[0])")
                let listed = written["images"] as? [[String: Any]] ?? []
                #expect(listed.map { $0["container"] as? String } == ["counter", "ledger"])
                #expect(listed.map { $0["digest"] as? String } == digests)
                #expect(listed.allSatisfy { ($0["size"] as? Int ?? 0) > 0 })
                #expect(!FileManager.default.fileExists(atPath: counter.archive))
                #expect(!FileManager.default.fileExists(atPath: ledger.archive))
                for (image, container) in zip(images, ["counter", "ledger"]) {
                    let manifest = try Skopeo.rawManifest(image)
                    #expect((manifest["annotations"] as? [String: String])?[CheckpointAnnotation.criuName] == container)
                }
            }
        }

        @Test("a failed second push names its container and leaves every archive in place")
        func secondPushFails() throws {
            let counter = try Fixture.make(pagesSize: 1000, seed: 43)
            let ledger = try Fixture.make(pagesSize: 1000, seed: 44)
            defer { counter.remove(); ledger.remove() }
            let message = counter.directory + "/log"
            let output = try Tools.run(try Self.binary(), [
                "--archive", counter.archive, "--container", "counter", "--destination", "oci:\(counter.directory)/layout:v1",
                "--archive", ledger.archive, "--container", "ledger", "--destination", "127.0.0.1:1/ms2m/x:v1",
                "--insecure", "--retries", "1", "--remove-archive", "--termination-message-path", message,
            ], check: false)
            #expect(output.status != 0)
            #expect(output.stderr.contains("pushing the checkpoint of container ledger"), "\(output.stderr)")
            #expect(output.text.isEmpty)
            #expect(FileManager.default.fileExists(atPath: counter.archive))
            #expect(FileManager.default.fileExists(atPath: ledger.archive))
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: message))) as! [String: Any]
            #expect((written["error"] as? String)?.contains("container ledger") == true)
            #expect(written["digest"] == nil)
        }

        @Test("archives, containers and destinations that do not pair up are refused before anything is pushed", arguments: [
            (["--archive", "a.tar", "--archive", "b.tar", "--container", "counter", "--container", "ledger", "--destination", "oci:l:v1"],
             "got 2 --archive, 2 --container, 1 --destination"),
            (["--archive", "a.tar", "--archive", "b.tar", "--container", "counter", "--container", "counter",
              "--destination", "oci:l:v1", "--destination", "oci:l:v2"], "container counter is given twice"),
            (["--archive", "a.tar", "--archive", "b.tar", "--container", "counter", "--container", " ",
              "--destination", "oci:l:v1", "--destination", "oci:l:v2"], "container name is empty (--container 2 of 2)"),
            (["--remove-only", "--archive", "a.tar", "--archive", "b.tar", "--container", "counter"],
             "at most one --archive per --container"),
            (Array(repeating: ["--archive", "a.tar", "--destination", "oci:l:v1"], count: 17).flatMap { $0 }
                + (1...17).flatMap { ["--container", "c\($0)"] }, "at most 16 containers"),
        ])
        func mismatched(arguments: [String], message: String) throws {
            let directory = try Tools.temporaryDirectory("ms2m-cli")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let output = try Tools.run(try Self.binary(), arguments + ["--termination-message-path", directory + "/log"], check: false)
            #expect(output.status != 0)
            #expect(output.stderr.contains(message), "\(output.stderr)")
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/log"))) as! [String: Any]
            #expect((written["error"] as? String)?.contains(message) == true)
        }

        @Test("--remove-only with several containers deletes each container's stale archives")
        func removeOnlySeveral() throws {
            let directory = try Tools.temporaryDirectory("ms2m-cli")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let names = [
                "checkpoint-web-1_shop-app-2026-12-07T10:05:00Z.tar",  // app's recorded archive
                "checkpoint-web-1_shop-app-2026-12-07T10:05:30Z.tar",  // app's, never recorded
                "checkpoint-web-1_shop-app-sidecar-2026-12-07T10:05:30Z.tar",  // sidecar's, never recorded
                "checkpoint-web-1_shop-app-sidecar-2026-12-07T10:00:00Z.tar",  // sidecar's, before the migration: kept
                "checkpoint-web-1_shop-db-2026-12-07T10:05:30Z.tar",  // a container not named: kept
            ]
            for name in names { try Data("x".utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)")) }
            let output = try Tools.run(try Self.binary(), [
                "--remove-only", "--archive", "\(directory)/\(names[0])", "--container", "app", "--container", "app-sidecar",
                "--pod", "web-1", "--namespace", "shop", "--remove-stale-since", "2026-12-07T10:04:00Z",
                "--termination-message-path", directory + "/log",
            ])
            #expect(output.status == 0)
            let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(left == [names[3], names[4], "log"].sorted())
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/log"))) as! [String: Any]
            #expect(written["removed"] as? Int == 3)
        }

        @Test("a non-tar archive is refused")
        func notATar() throws {
            let directory = try Tools.temporaryDirectory("ms2m-cli")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: directory + "/x.tar"))
            let output = try Tools.run(try Self.binary(), [
                "--archive", directory + "/x.tar", "--container", "c", "--destination", "oci:\(directory)/l:v1", "--remove-archive",
            ], check: false)
            #expect(output.status != 0)
            #expect(output.stderr.contains("not a tar file"))
            #expect(FileManager.default.fileExists(atPath: directory + "/x.tar"))
        }
    }
}
