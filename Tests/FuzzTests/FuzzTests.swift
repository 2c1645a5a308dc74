import Foundation
import Testing

/// Every parser of outside input, fuzzed for a bounded time (3 s per target in CI; `MS2M_FUZZ_SECONDS` for
/// longer runs): none may trap on any input. The corpus in `Corpus/<target>/` seeds each run, with the inputs
/// that once trapped kept as regressions.
@Suite("fuzzing: parsers never trap", .serialized)
struct FuzzTests {
    @Test("fuzz", arguments: FuzzTarget.all)
    func fuzz(_ target: FuzzTarget) throws {
        let seeds = try Self.corpus(target.name) + target.builtSeeds()
        #expect(!seeds.isEmpty, "target \(target.name) has no seeds")
        var fuzzer = Fuzzer(
            target: target.name, seeds: seeds, tokens: target.tokens.map { Array($0.utf8) },
            random: SplitMix64(state: Fuzzer.seed &+ UInt64(truncatingIfNeeded: target.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) })))
        let runs = fuzzer.run(seconds: Fuzzer.secondsPerTarget, target.run)
        #expect(runs > seeds.count, "\(target.name): only the seeds ran")
    }

    /// The files of `Corpus/<target>/`.
    static func corpus(_ target: String) throws -> [[UInt8]] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus/\(target)").path
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return try names.sorted().map { Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
    }
}
