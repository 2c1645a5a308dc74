import Testing
@testable import RegistryClient

@Suite("Chunk planning")
struct ChunkPlannerTests {
    private static let mib: Int64 = 1 << 20

    @Test("fixed and whole sizing never change, whatever the measured throughput")
    func fixedAndWhole() {
        var fixed = ChunkPlanner(.fixed(64 * Self.mib))
        fixed.committed(bytes: 64 * Self.mib, in: .milliseconds(10))
        #expect(fixed.next == 64 * Self.mib)
        fixed.failed()
        #expect(fixed.next == 64 * Self.mib)
        var whole = ChunkPlanner(.whole)
        whole.committed(bytes: 1 << 30, in: .seconds(1))
        #expect(whole.next == Int64.max)
    }

    @Test(
        "adaptive chunks aim at the target duration, grow at most fourfold, stay within bounds",
        arguments: [
            // (committed MiB, seconds it took, expected next MiB) with 16 MiB initial, 1 GiB maximum, 3 s target
            (16, 0.1, 64),  // 160 MiB/s → ideal 480 MiB, capped at 4 × 16
            (64, 0.4, 256),  // 160 MiB/s → ideal 480 MiB, capped at 4 × 64
            (256, 1.6, 480),  // 160 MiB/s → 480 MiB
            (480, 1.0, 1024),  // 480 MiB/s → ideal 1440 MiB, capped at the 1 GiB maximum
            (16, 6.0, 16),  // 2.7 MiB/s → ideal 8 MiB, never below the initial size
            (64, 12.0, 16),  // 5.3 MiB/s → 16 MiB: shrinks at once on a slow link
            (64, 6.0, 32),  // 10.7 MiB/s → 32 MiB
            (100, 3.3, 90),  // 30.3 MiB/s → 90.9 MiB, rounded down to whole MiB
        ] as [(Int64, Double, Int64)])
    func adaptive(committed: Int64, seconds: Double, expected: Int64) {
        var planner = ChunkPlanner(.adaptive(.standard))
        #expect(planner.next == 16 * Self.mib)
        planner.committed(bytes: committed * Self.mib, in: .milliseconds(Int64(seconds * 1000)))
        #expect(planner.next == expected * Self.mib)
    }

    @Test("a failed chunk starts the adaptive size over; a short final chunk does not shrink the plan's growth base")
    func failureAndShortChunk() {
        var planner = ChunkPlanner(.adaptive(.standard))
        planner.committed(bytes: 16 * Self.mib, in: .milliseconds(100))
        #expect(planner.next == 64 * Self.mib)
        // A 1 MiB remainder sent quickly still lets the next size grow from the planned 64 MiB.
        planner.committed(bytes: 1 * Self.mib, in: .milliseconds(5))
        #expect(planner.next == 256 * Self.mib)
        planner.failed()
        #expect(planner.next == 16 * Self.mib)
    }

    @Test("adaptive bounds are sanitised: the maximum is never below the initial size")
    func sanitisedBounds() {
        let settings = AdaptiveChunking(target: .seconds(1), initial: 8 * Self.mib, maximum: Self.mib, maximumGrowth: 0)
        #expect(settings.maximum == 8 * Self.mib)
        #expect(settings.maximumGrowth == 1)
        var planner = ChunkPlanner(.adaptive(settings))
        planner.committed(bytes: 8 * Self.mib, in: .milliseconds(1))
        #expect(planner.next == 8 * Self.mib)
    }

    @Test("UploadOptions(chunkSize:) keeps its meaning: positive is fixed, 0 is one request; the default is adaptive")
    func optionsMapping() {
        #expect(UploadOptions(chunkSize: 4096).chunking == .fixed(4096))
        #expect(UploadOptions(chunkSize: 0).chunking == .whole)
        #expect(UploadOptions().chunking == .adaptive(.standard))
    }
}
