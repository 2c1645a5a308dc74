import Foundation

/// Runs the real `checkpoint-transfer` binary for the simulated transfer Job's container.
public enum TransferProgram {
    /// The environment variable that, when set, names the binary ``locateBinary()`` returns.
    public static let binaryVariable = "MS2M_CHECKPOINT_TRANSFER"
    static let binaryName = "checkpoint-transfer"

    /// A ``SimulatedProgram`` that runs `binary` as a local child process (a ``TransferProcess``) with the
    /// launch's arguments — a leading argv[0] naming checkpoint-transfer dropped, and
    /// `--termination-message-path <launch.terminationMessageFile>` added when the arguments lack it — and
    /// exactly the launch's environment. `run()` returns the exit status (128 + signal when killed by one);
    /// `terminate()` sends SIGTERM; the last 64 KiB of output is `TransferProcess.logs`.
    public static func program(binary: String) -> SimulatedProgram {
        { launch in
            TransferProcess(executable: binary, arguments: arguments(for: launch), environment: launch.environment)
        }
    }

    /// The command line the child gets for `launch`.
    static func arguments(for launch: ContainerLaunch) -> [String] {
        var arguments = launch.arguments
        if let first = arguments.first, (first as NSString).lastPathComponent == binaryName { arguments.removeFirst() }
        let flag = "--termination-message-path"
        if !arguments.contains(where: { $0 == flag || $0.hasPrefix(flag + "=") }) {
            arguments += [flag, launch.terminationMessageFile]
        }
        return arguments
    }

    /// Locates `checkpoint-transfer`: `$MS2M_CHECKPOINT_TRANSFER`, next to the running executable, or in
    /// `.build/debug` / `.build/release` of the package (found from the working directory or this source
    /// file). Throws `SimRuntimeError.runtime` naming the build command and the places looked in.
    public static func locateBinary() throws -> String {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment[binaryVariable], !explicit.isEmpty { candidates.append(explicit) }
        for executable in [Bundle.main.executablePath, CommandLine.arguments.first].compactMap({ $0 }) {
            candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(binaryName).path)
        }
        for start in [FileManager.default.currentDirectoryPath, URL(fileURLWithPath: #filePath).deletingLastPathComponent().path] {
            if let root = packageRoot(from: start) {
                candidates += ["debug", "release"].map { "\(root)/.build/\($0)/\(binaryName)" }
            }
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw SimRuntimeError.runtime(
            "\(binaryName) is not built (run `swift build --product \(binaryName)`); looked in \(candidates.joined(separator: ", "))")
    }

    /// The nearest directory at or above `path` holding a `Package.swift`.
    private static func packageRoot(from path: String) -> String? {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
            url.deleteLastPathComponent()
        }
        return nil
    }
}
