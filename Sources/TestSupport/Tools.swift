import Foundation

/// External programs the integration tests need, and small process and socket helpers. A missing tool fails
/// the test with the package to install (CI installs them:
/// `apt-get install docker-registry skopeo apache2-utils openssl python3 tar gzip`).
public enum Tools {
    /// The install command named in "not installed" failures.
    public static let packages = "apt-get install -y docker-registry skopeo apache2-utils openssl python3"

    /// The absolute path of `name`, searched in PATH and the usual system directories; throws naming the Debian
    /// `package` to install when it is missing.
    public static func require(_ name: String, package: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestSupportError("'\(name)' is not installed: the registry integration tests need the Debian package '\(package)' (\(packages))")
    }

    /// The path of this package's executable `name`, built next to the test bundle (`swift build --build-tests`
    /// builds every product); throws saying so when it is missing.
    public static func builtExecutable(_ name: String) throws -> String {
        let directory = Bundle.main.executableURL?.deletingLastPathComponent().path ?? FileManager.default.currentDirectoryPath
        for candidate in [directory, directory + "/.."] {
            let path = candidate + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestSupportError("\(name) is not built next to \(directory); run swift build --build-tests")
    }

    /// What a program run by ``run(_:_:environment:check:)`` left behind.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
        /// Standard output as UTF-8 text.
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs a program to completion and collects its output (into files, so a chatty child never stalls).
    ///
    /// This blocks the calling thread while the program runs; from async code prefer ``ProcessRunner`` or wrap
    /// the call in ``onBlockingThread(_:)``.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, check: Bool = true) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("out")
        let errURL = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try wait(process, timeout: .seconds(120))
        try out.close()
        try err.close()
        let output = Output(
            status: process.terminationStatus, stdout: Array(try Data(contentsOf: outURL)),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        if check && output.status != 0 {
            throw TestSupportError("\(executable) \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)")
        }
        return output
    }

    /// Waits for a process by polling (Foundation's `waitUntilExit` spins a CPU on Linux); kills it after
    /// `timeout`. Blocks the calling thread.
    public static func wait(_ process: Process, timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                throw TestSupportError("\(process.executableURL?.path ?? "process") did not finish within \(timeout)")
            }
            usleep(10_000)
        }
    }

    /// Stops a server: SIGTERM, then SIGKILL if it is still running after two seconds (children of the test
    /// process may inherit a signal mask that blocks SIGTERM). Blocks the calling thread while it waits.
    public static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        if (try? wait(process, timeout: .seconds(2))) == nil {
            kill(process.processIdentifier, SIGKILL)
            try? wait(process, timeout: .seconds(5))
        }
    }

    /// A free TCP port on 127.0.0.1 (bound and released; the tests that use it run serialized, so it stays free).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw TestSupportError("bind failed") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw TestSupportError("getsockname failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` right now. Blocks briefly (a loopback connect).
    public static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0
    }

    /// A new, empty directory under the system's temporary directory, named `<prefix>-<random>`.
    public static func temporaryDirectory(_ prefix: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}
