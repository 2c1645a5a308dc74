import Foundation
import Synchronization

/// A private RabbitMQ node on loopback, started once per test process (lazily, by the first test that needs
/// it) and shared by every suite.
///
/// The node runs as the `rabbitmq` user from a fresh temporary directory (database, logs, Erlang cookie,
/// plugins file, TLS files), with a unique node name and free ports, so parallel test runs never collide.
/// It is started under `setsid` next to a watchdog that kills the whole process group when this test process
/// exits — normally (an `atexit` handler does it at once) or not.
///
/// A machine without `rabbitmq-server` fails the tests that need it, with the command that installs it.
/// Readiness is probed with a raw AMQP protocol handshake, so this module needs no AMQP client.
public final class RabbitMQTestServer: Sendable {
    /// The running node's coordinates.
    public struct Node: Sendable {
        /// The node's private directory (database, logs, configuration).
        public var directory: String
        /// The Erlang node name (`rabbitmqctl -n`).
        public var nodeName: String
        /// The plain AMQP port on 127.0.0.1.
        public var amqpPort: Int
        /// The AMQPS port on 127.0.0.1.
        public var tlsPort: Int
        /// The CA certificate that signed the node's TLS certificate.
        public var caCertificatePath: String

        /// `amqp://guest:guest@127.0.0.1:<port>/<vhost>`.
        public func url(virtualHost: String = "/") -> String {
            "amqp://guest:guest@127.0.0.1:\(amqpPort)/\(virtualHost == "/" ? "" : Self.percentEncoded(virtualHost))"
        }

        /// `amqps://guest:guest@localhost:<tls port>/` (the server certificate names `localhost`).
        public var tlsURL: String { "amqps://guest:guest@localhost:\(tlsPort)/" }

        /// Percent-encodes a virtual host for a URL path.
        static func percentEncoded(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        }
    }

    /// The node every test of the process shares.
    public static let shared = RabbitMQTestServer()

    private let startup = Mutex<Task<Node, any Error>?>(nil)

    /// The node, started on first call; throws (with the server's log) when it cannot start.
    public func node() async throws -> Node {
        let task = startup.withLock { task in
            if let task { return task }
            let started = Task { try await Self.start() }
            task = started
            return started
        }
        return try await task.value
    }

    /// Runs `rabbitmqctl` against the node as the `rabbitmq` user; returns its output.
    @discardableResult
    public func rabbitmqctl(_ arguments: [String]) async throws -> String {
        let node = try await node()
        return try await Self.runTool(
            "/usr/lib/rabbitmq/bin/rabbitmqctl", ["-n", node.nodeName] + arguments, directory: node.directory)
    }

    /// Adds a virtual host the guest user may use fully.
    public func addVirtualHost(_ name: String) async throws {
        try await rabbitmqctl(["add_vhost", name])
        try await rabbitmqctl(["set_permissions", "-p", name, "guest", ".*", ".*", ".*"])
    }

    // MARK: Starting

    private static let serverScript = "/usr/lib/rabbitmq/bin/rabbitmq-server"

    private static func start() async throws -> Node {
        guard FileManager.default.isExecutableFile(atPath: serverScript) else {
            throw TestSupportError(
                "rabbitmq-server is not installed (\(serverScript) is missing); these tests need a real broker: "
                    + "run `apt-get install -y rabbitmq-server`")
        }
        guard getuid() == 0 else {
            throw TestSupportError("starting RabbitMQ as the rabbitmq user needs root (runuser); run the tests as root")
        }

        let directory = try makeDirectory()
        let amqpPort = try freePort()
        let tlsPort = try freePort()
        let distributionPort = try freePort(in: 20_000...40_000)  // the CLI uses dist port + 10000
        let nodeName = "ms2m-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))@localhost"

        let certificates = try await TestCertificates.create(caName: "ms2m-amqp-test-ca")
        defer { certificates.remove() }
        let tls = directory + "/tls"
        try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
        for (source, name) in [
            (certificates.caCertificatePath, "ca.crt"), (certificates.serverCertificatePath, "server.crt"),
            (certificates.serverKeyPath, "server.key"),
        ] {
            try FileManager.default.copyItem(atPath: source, toPath: "\(tls)/\(name)")
        }
        try """
            listeners.ssl.1 = 127.0.0.1:\(tlsPort)
            ssl_options.cacertfile = \(tls)/ca.crt
            ssl_options.certfile = \(tls)/server.crt
            ssl_options.keyfile = \(tls)/server.key
            ssl_options.verify = verify_none
            ssl_options.fail_if_no_peer_cert = false
            log.console = false
            """.write(toFile: directory + "/rabbitmq.conf", atomically: true, encoding: .utf8)
        try "".write(toFile: directory + "/enabled_plugins", atomically: true, encoding: .utf8)
        try chownToRabbitMQ(directory)

        let environment = [
            "HOME=\(directory)", "RABBITMQ_MNESIA_BASE=\(directory)/mnesia", "RABBITMQ_LOG_BASE=\(directory)/log",
            "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1", "RABBITMQ_NODE_PORT=\(amqpPort)",
            "RABBITMQ_DIST_PORT=\(distributionPort)", "RABBITMQ_NODENAME=\(nodeName)",
            "RABBITMQ_PID_FILE=\(directory)/rabbitmq.pid", "RABBITMQ_ENABLED_PLUGINS_FILE=\(directory)/enabled_plugins",
            "RABBITMQ_CONFIG_FILE=\(directory)/rabbitmq.conf",
        ]
        // The watchdog shell leads a new process group holding the server; it kills the group when the test
        // process is gone.
        let script = """
            echo $$ > '\(directory)/group.pid'
            runuser -u rabbitmq -- env \(environment.map { "'\($0)'" }.joined(separator: " ")) \
              \(serverScript) > '\(directory)/server.log' 2>&1 &
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            rm -rf '\(directory)'
            kill -KILL 0
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["/bin/sh", "-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        registerExitCleanup(directory: directory)

        let node = Node(
            directory: directory, nodeName: nodeName, amqpPort: amqpPort, tlsPort: tlsPort,
            caCertificatePath: "\(tls)/ca.crt")
        try await waitUntilReady(node)
        return node
    }

    /// Waits until the node answers the AMQP protocol header with `connection.start` (RabbitMQ opens its
    /// listeners last in its boot, after the default user exists; that takes a few seconds, more on a busy
    /// machine).
    private static func waitUntilReady(_ node: Node) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        var lastError = "no attempt"
        while ContinuousClock.now < deadline {
            let port = node.amqpPort
            switch try await onBlockingThread({ probeAMQP(port: port) }) {
            case .success: return
            case .failure(let error): lastError = error.description
            }
            let log = (try? String(contentsOfFile: node.directory + "/server.log", encoding: .utf8)) ?? ""
            if log.contains("ERROR:") || log.contains("BOOT FAILED") || log.contains("Error description") {
                throw TestSupportError("RabbitMQ failed to start:\n\(log.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let log = (try? String(contentsOfFile: node.directory + "/server.log", encoding: .utf8)) ?? ""
        throw TestSupportError(
            "RabbitMQ did not accept AMQP connections within 120 s (last error: \(lastError)):\n"
                + "\(log.suffix(3000))")
    }

    /// Connects to 127.0.0.1:`port`, sends the AMQP 0-9-1 protocol header and checks that the answer is a
    /// `connection.start` method frame (type 1, channel 0, class 10, method 10). Blocks up to about 2 s.
    private static func probeAMQP(port: Int) -> Result<Void, TestSupportError> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(TestSupportError("socket() failed")) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return .failure(TestSupportError("connect: errno \(errno)")) }
        let header: [UInt8] = Array("AMQP".utf8) + [0, 0, 9, 1]
        guard header.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == header.count else {
            return .failure(TestSupportError("send: errno \(errno)"))
        }
        var reply = [UInt8](repeating: 0, count: 11)
        var received = 0
        while received < reply.count {
            let count = reply.withUnsafeMutableBytes { buffer in
                recv(fd, buffer.baseAddress! + received, buffer.count - received, 0)
            }
            guard count > 0 else {
                return .failure(TestSupportError("the broker closed the connection after \(received) bytes"))
            }
            received += count
        }
        // Frame type 1 (method), channel 0, then after the 4-byte size: class 10, method 10.
        guard reply[0] == 1, reply[1] == 0, reply[2] == 0, reply[7] == 0, reply[8] == 10, reply[9] == 0,
            reply[10] == 10
        else { return .failure(TestSupportError("unexpected reply \(reply)")) }
        return .success(())
    }

    // MARK: Helpers

    private static func makeDirectory() throws -> String {
        var template = Array("/tmp/ms2m-rabbitmq-XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else { throw TestSupportError("mkdtemp failed") }
        let directory = String(cString: path)
        chmod(directory, 0o755)
        return directory
    }

    private static func chownToRabbitMQ(_ directory: String) throws {
        guard let user = getpwnam("rabbitmq") else {
            throw TestSupportError("there is no rabbitmq user; is rabbitmq-server installed?")
        }
        let (uid, gid) = (user.pointee.pw_uid, user.pointee.pw_gid)
        chown(directory, uid, gid)
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            chown(directory + "/" + relative, uid, gid)
        }
    }

    /// A TCP port nothing listens on now (in `range`, or any the kernel picks).
    public static func freePort(in range: ClosedRange<Int>? = nil) throws -> Int {
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(range.map { Int.random(in: $0) } ?? 0).bigEndian)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
                }
            }
            if bound { return Int(UInt16(bigEndian: address.sin_port)) }
        }
        throw TestSupportError("no free port")
    }

    private static func runTool(_ tool: String, _ arguments: [String], directory: String) async throws -> String {
        let result = try await ProcessRunner.run(
            "/usr/sbin/runuser", ["-u", "rabbitmq", "--", "env", "HOME=\(directory)", tool] + arguments,
            currentDirectory: URL(fileURLWithPath: directory))
        let text = result.output + result.errorOutput
        guard result.status == 0 else {
            throw TestSupportError("\(tool) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}

/// The server's directory, for the exit handler.
private let serverDirectory = Mutex<String?>(nil)

/// Kills the server's process group and removes its directory when the test process exits normally (the
/// watchdog does the same, a second later, when it does not).
private func registerExitCleanup(directory: String) {
    serverDirectory.withLock { $0 = directory }
    atexit {
        guard let directory = serverDirectory.withLock({ $0 }) else { return }
        if let text = try? String(contentsOfFile: directory + "/group.pid", encoding: .utf8),
            let group = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(-group, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
