import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A small mutation fuzzer for the parsers of outside input: it replays a seed corpus, then feeds mutations of
/// it (bit flips, random and "interesting" bytes, inserted, deleted, duplicated and spliced ranges, truncation,
/// numbers at their limits) to a target for a bounded time. A target may throw — that is the clean refusal a
/// parser owes bad input — but must never trap: a trap kills the test process, and the crash handler first
/// writes the input that caused it to `ms2m-fuzz-crash-<target>.bin` in the temporary directory and says so on
/// standard error, so it can be added to the corpus as a regression.
///
/// Deterministic for a given seed (`MS2M_FUZZ_SEED`, default 1); `MS2M_FUZZ_SECONDS` sets the time per target
/// (default 3 s, as CI runs it); longer runs: `MS2M_FUZZ_SECONDS=600 swift test --filter FuzzTests`.
struct Fuzzer {
    /// The largest input tried (mutations that would grow past it are cut).
    static let maximumInputSize = 1 << 20

    var target: String
    var seeds: [[UInt8]]
    var tokens: [[UInt8]]
    var random: SplitMix64

    /// Runs `body` on every seed, then on mutations until `seconds` passed; returns how many inputs ran.
    mutating func run(seconds: Double, _ body: ([UInt8]) -> Void) -> Int {
        CrashCapture.arm(target: target)
        defer { CrashCapture.disarm() }
        var count = 0
        for seed in seeds {
            CrashCapture.record(seed)
            body(seed)
            count += 1
        }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            for _ in 0..<64 {
                let input = mutate()
                CrashCapture.record(input)
                body(input)
                count += 1
            }
        }
        return count
    }

    /// One mutation of a random seed: one to four edits.
    mutating func mutate() -> [UInt8] {
        var bytes = seeds.isEmpty ? [] : seeds[random.next(below: seeds.count)]
        for _ in 0...random.next(below: 4) { edit(&bytes) }
        if bytes.count > Self.maximumInputSize { bytes.removeLast(bytes.count - Self.maximumInputSize) }
        return bytes
    }

    private mutating func edit(_ bytes: inout [UInt8]) {
        let position = bytes.isEmpty ? 0 : random.next(below: bytes.count + 1)
        switch random.next(below: 9) {
        case 0 where !bytes.isEmpty:  // flip a bit
            let index = min(position, bytes.count - 1)
            bytes[index] ^= 1 << UInt8(random.next(below: 8))
        case 1 where !bytes.isEmpty:  // a random byte
            bytes[min(position, bytes.count - 1)] = UInt8(truncatingIfNeeded: random.next())
        case 2:  // insert random bytes
            let count = 1 + random.next(below: 8)
            bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position)
        case 3 where !bytes.isEmpty:  // delete a range
            let end = min(bytes.count, position + 1 + random.next(below: 32))
            bytes.removeSubrange(min(position, bytes.count - 1)..<end)
        case 4 where !bytes.isEmpty:  // duplicate a range
            let start = min(position, bytes.count - 1)
            let end = min(bytes.count, start + 1 + random.next(below: 64))
            bytes.insert(contentsOf: bytes[start..<end], at: random.next(below: bytes.count + 1))
        case 5 where seeds.count > 1:  // splice another seed's tail
            let other = seeds[random.next(below: seeds.count)]
            let from = other.isEmpty ? 0 : random.next(below: other.count)
            bytes = Array(bytes[..<position]) + other[from...]
        case 6 where !bytes.isEmpty:  // truncate
            bytes.removeLast(bytes.count - position)
        case 7:  // a number at a limit, where a number (or anything) was
            let numbers = ["0", "-1", "1", "4096", "65536", "2147483648", "9223372036854775807", "18446744073709551616", "1e309", "-0"]
            let text = Array(numbers[random.next(below: numbers.count)].utf8)
            let end = bytes.isEmpty ? 0 : min(bytes.count, position + random.next(below: 4))
            bytes.replaceSubrange(min(position, bytes.count)..<end, with: text)
        default:  // a token of the format
            if !tokens.isEmpty { bytes.insert(contentsOf: tokens[random.next(below: tokens.count)], at: position) }
        }
    }

    /// Seconds per target from `MS2M_FUZZ_SECONDS`, default 3.
    static var secondsPerTarget: Double {
        ProcessInfo.processInfo.environment["MS2M_FUZZ_SECONDS"].flatMap(Double.init) ?? 3
    }

    /// The seed from `MS2M_FUZZ_SEED`, default 1.
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["MS2M_FUZZ_SEED"].flatMap(UInt64.init) ?? 1
    }
}

/// SplitMix64: a small, fast, deterministic generator.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
}

/// Keeps the input being tried where a signal handler can write it out: a trap (SIGILL/SIGTRAP on a Swift
/// precondition), an abort or a crash writes it to a file before the process dies.
enum CrashCapture {
    nonisolated(unsafe) private static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Fuzzer.maximumInputSize)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?

    static func arm(target: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-fuzz-crash-\(target).bin").path
        path = strdup(file)
        for number in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE] {
            signal(number) { number in
                if let path = CrashCapture.path {
                    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                    if fd >= 0 {
                        _ = write(fd, CrashCapture.buffer, CrashCapture.length)
                        close(fd)
                    }
                    let prefix = "\nfuzz: the input that crashed the parser is in "
                    _ = prefix.withCString { write(2, $0, strlen($0)) }
                    _ = write(2, path, strlen(path))
                    _ = "\n".withCString { write(2, $0, 1) }
                }
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    static func record(_ input: [UInt8]) {
        length = min(input.count, Fuzzer.maximumInputSize)
        input.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { buffer.update(from: base, count: length) }
        }
    }

    static func disarm() {
        for number in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE] { signal(number, SIG_DFL) }
        free(path)
        path = nil
    }
}
