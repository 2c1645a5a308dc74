import AMQPBroker
import Foundation
@testable import KubeClient
import KubeModel
import MigrationAPI
@testable import MS2MCLI
@testable import RegistryClient
import TestSupport
import Unstructured
import YAMLCodec

/// A parser of outside input, fed whole inputs: every error it throws is a clean refusal; a trap is a bug.
struct FuzzTarget: Sendable, CustomStringConvertible {
    var name: String
    /// Seeds beyond the files in `Corpus/<name>/` (inputs that are easier built than stored, such as archives).
    var builtSeeds: @Sendable () throws -> [[UInt8]] = { [] }
    /// Fragments of the format the mutator inserts.
    var tokens: [String]
    var run: @Sendable ([UInt8]) -> Void

    var description: String { name }

    static let yamlTokens = [":", "- ", "\n", "  ", "---\n", "{", "}", "[", "]", "&a ", "*a", "!!binary ", "'", "\"", "|\n", ">-\n", "? ", "#", "\t", "<<: *a", "~", "null", "0x1F", ".inf"]
    static let jsonTokens = ["{", "}", "[", "]", ",", ":", "\"", "\\u0000", "\\ud800", "\\", "null", "true", "1e999", "-", "0.", "\"\":"]

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "yaml", builtSeeds: { try repositoryFiles("policies") + repositoryFiles("config/samples") }, tokens: yamlTokens) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            for document in (try? YAML.parseAll(text)) ?? [] {
                _ = try? JSONValueDecoder().decode(MigrationPolicy.self, from: document)
                _ = try? JSONValueDecoder().decode(Pod.self, from: document)
            }
            _ = try? YAML.decode(StatefulMigration.self, from: text)
        },
        FuzzTarget(name: "json", tokens: jsonTokens) { bytes in
            if let value = try? JSONValue.parse(bytes) {
                _ = try? JSONValueDecoder().decode(Pod.self, from: value)
                _ = value.jsonBytes()
            }
            _ = try? JSONBytesDecoder().decode(Pod.self, from: bytes)
            _ = try? JSONBytesDecoder().decode(StatefulMigration.self, from: bytes)
        },
        FuzzTarget(name: "kubeconfig", tokens: yamlTokens + ["clusters", "users", "contexts", "exec", "current-context", "certificate-authority-data"]) { bytes in
            _ = try? Kubeconfig.parse(String(decoding: bytes, as: UTF8.self), path: "fuzz")
        },
        FuzzTarget(name: "exec-credential", tokens: jsonTokens + ["\"status\"", "\"token\"", "\"expirationTimestamp\"", "\"2026-12-07T10:00:00Z\""]) { bytes in
            _ = try? JSONDecoder().decode(ExecCredentialRunner.ExecCredential.self, from: Data(bytes))
        },
        FuzzTarget(name: "tar", builtSeeds: tarSeeds, tokens: ["ustar\u{0}00", "00000000000", "77777777777", "path=", "x", "L", "././@LongLink"]) { bytes in
            var scanner = TarScanner(capturing: ["config.dump", "spec.dump"], captureLimit: 1 << 16)
            var index = 0
            var piece = 1
            do {
                while index < bytes.count {
                    let end = min(bytes.count, index + piece)
                    try bytes[index..<end].withUnsafeBytes { try scanner.consume($0) }
                    index = end
                    piece = piece * 7 % 1021 + 1
                }
                try scanner.finish()
            } catch {}
            _ = CheckpointMetadata(configDump: scanner.captured["config.dump"], specDump: scanner.captured["spec.dump"])
            _ = try? TarScanner.validateFirstBlock(Array(bytes.prefix(512)))
        },
        FuzzTarget(name: "pax", tokens: ["path=", " ", "\n", "9223372036854775807", "1", "=", "linkpath="]) { bytes in
            _ = TarScanner.paxPath(bytes)
        },
        FuzzTarget(name: "image-reference", tokens: ["/", ":", "@", "sha256:", "[", "]", "::1", "localhost", ".", "oci:", "-", "_"]) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? ImageReference(parsing: text)
            _ = try? ImageDestination(parsing: text)
        },
        FuzzTarget(name: "amqp-url", tokens: ["amqp://", "amqps://", "@", ":", "/", "%", "%2F", "%zz", "[", "]", "?", "heartbeat="]) { bytes in
            _ = try? AMQPURL(String(decoding: bytes, as: UTF8.self))
        },
        FuzzTarget(name: "watch-framing", tokens: jsonTokens + ["\n", "{\"type\":\"ADDED\",\"object\":"]) { bytes in
            var framer = JSONObjectFramer(maximumValueSize: 1 << 16)
            var index = 0
            var piece = 3
            while index < bytes.count {
                let end = min(bytes.count, index + piece)
                guard let values = try? framer.push(Array(bytes[index..<end])) else { break }
                for value in values { _ = try? JSONValue.parse(value) }
                index = end
                piece = piece * 5 % 97 + 1
            }
        },
        FuzzTarget(name: "admission-review", tokens: jsonTokens + ["\"request\"", "\"uid\"", "\"object\"", "\"dryRun\""]) { bytes in
            _ = try? JSONBytesDecoder().decode(AdmissionReview.self, from: bytes)
        },
        FuzzTarget(name: "snapshot", tokens: yamlTokens + ["kind: List", "items:", "kind: Node", "kind: Pod"]) { bytes in
            _ = try? ClusterSnapshot.parse(yaml: String(decoding: bytes, as: UTF8.self), source: "fuzz")
        },
        FuzzTarget(name: "scenario", builtSeeds: { try repositoryFiles("scenarios") }, tokens: yamlTokens + ["nodes:", "workloads:", "simulation:", "ratePerSecond: "]) { bytes in
            _ = try? SimulationScenario(yaml: String(decoding: bytes, as: UTF8.self), source: "fuzz")
        },
    ]

    /// The YAML files of a directory of the repository (policies, scenarios, samples), as seeds.
    @Sendable static func repositoryFiles(_ directory: String) throws -> [[UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(directory).path
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".yaml") }.sorted()
        return try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + $0))) }
    }

    /// Checkpoint-like archives: plain, with a PAX path header, with a GNU long name, and the two PAX headers
    /// that trapped checkpoint-transfer (a record shorter than its length prefix, a length that overflows).
    @Sendable static func tarSeeds() throws -> [[UInt8]] {
        let config = TarBuilder.Member(name: "config.dump", contents: Array(#"{"name":"app","rootfsImageName":"quay.io/x:1"}"#.utf8))
        let spec = TarBuilder.Member(name: "spec.dump", contents: Array(#"{"annotations":{"io.kubernetes.pod.name":"p"}}"#.utf8))
        let pages = TarBuilder.Member(name: "checkpoint/pages-1.img", contents: TarBuilder.pseudoRandom(count: 700, seed: 5))
        func pax(_ records: String) -> TarBuilder.Member {
            TarBuilder.Member(name: "PaxHeaders/x", contents: Array(records.utf8), type: UInt8(ascii: "x"))
        }
        return [
            try TarBuilder.archive([config, spec, pages]),
            try TarBuilder.archive([pax("28 path=checkpoint/long-name\n"), pages, config]),
            try TarBuilder.archive([TarBuilder.Member(name: "././@LongLink", contents: Array(("checkpoint/" + String(repeating: "d", count: 120)).utf8), type: UInt8(ascii: "L")), pages]),
            try TarBuilder.archive([pax("1 path=evil\n"), config]),
            try TarBuilder.archive([pax("12 path=abc\n9223372036854775807 path=evil\n"), config]),
        ]
    }
}
