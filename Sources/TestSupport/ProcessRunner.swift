import Dispatch
import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: Data
    public var standardError: Data

    /// Standard output as UTF-8 text.
    public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    /// Standard error as UTF-8 text.
    public var errorOutput: String { String(decoding: standardError, as: UTF8.self) }
}

/// Runs child processes for tests without blocking Swift's cooperative thread pool.
///
/// Waiting for a process and draining its pipes block a thread; on a two-core machine the cooperative pool has
/// two threads, so one blocked test stalls every other async test in the run. The waiting happens here, on
/// threads of a Dispatch queue, and the caller's task just suspends.
public enum ProcessRunner {
    private static let queue = DispatchQueue(label: "ms2m.test-process-runner", attributes: .concurrent)

    /// Runs `executable` with `arguments` to completion and returns its status and output.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result {
                    try runSynchronously(executable, arguments, environment: environment, currentDirectory: currentDirectory)
                })
            }
        }
    }

    /// Runs and throws when the process exits non-zero, with its error output in the message.
    @discardableResult
    public static func check(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) async throws -> ProcessResult {
        let result = try await run(executable, arguments, environment: environment, currentDirectory: currentDirectory)
        guard result.status == 0 else {
            let name = (executable as NSString).lastPathComponent
            throw TestSupportError("\(name) \(arguments.first ?? "") exited with \(result.status): \(result.errorOutput)")
        }
        return result
    }

    /// Runs to completion on the calling thread (one of the runner's own).
    private static func runSynchronously(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes at once so a chatty child cannot fill one and stall.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        queue.async {
            errorData = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, standardOutput: outputData, standardError: errorData)
    }
}

/// Runs blocking test code (raw sockets, synchronous loops) on a Dispatch thread while the calling task
/// suspends, so it does not hold one of the cooperative pool's threads.
public func onBlockingThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try body() })
        }
    }
}
