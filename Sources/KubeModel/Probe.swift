/// A health check of a container: one action plus timing (core/v1 `Probe`).
public struct Probe: Codable, Hashable, Sendable {
    /// Run a command; success is exit code 0.
    public var exec: ExecAction?
    /// HTTP GET; success is a status in 200..<400.
    public var httpGet: HTTPGetAction?
    /// Open a TCP connection.
    public var tcpSocket: TCPSocketAction?
    /// Call the gRPC health service.
    public var grpc: GRPCAction?
    /// Seconds after start before the first probe.
    public var initialDelaySeconds: Int?
    /// Seconds before a probe times out (default 1).
    public var timeoutSeconds: Int?
    /// Seconds between probes (default 10).
    public var periodSeconds: Int?
    /// Consecutive successes to count as healthy (default 1).
    public var successThreshold: Int?
    /// Consecutive failures to count as unhealthy (default 3).
    public var failureThreshold: Int?
    /// Grace period for a kill caused by this probe.
    public var terminationGracePeriodSeconds: Int64?

    /// Creates a value; every optional field defaults to absent.
    public init(
        exec: ExecAction? = nil,
        httpGet: HTTPGetAction? = nil,
        tcpSocket: TCPSocketAction? = nil,
        grpc: GRPCAction? = nil,
        initialDelaySeconds: Int? = nil,
        timeoutSeconds: Int? = nil,
        periodSeconds: Int? = nil,
        successThreshold: Int? = nil,
        failureThreshold: Int? = nil,
        terminationGracePeriodSeconds: Int64? = nil
    ) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.grpc = grpc
        self.initialDelaySeconds = initialDelaySeconds
        self.timeoutSeconds = timeoutSeconds
        self.periodSeconds = periodSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    }
}

/// A command run in the container.
public struct ExecAction: Codable, Hashable, Sendable {
    /// The command and its arguments (not run in a shell).
    public var command: [String]?

    /// Creates a value; every optional field defaults to absent.
    public init(command: [String]? = nil) {
        self.command = command
    }
}

/// An HTTP GET request against the container.
public struct HTTPGetAction: Codable, Hashable, Sendable {
    /// The request path.
    public var path: String?
    /// The port number or name.
    public var port: IntOrString
    /// The host (defaults to the pod IP).
    public var host: String?
    /// `HTTP` (default) or `HTTPS`.
    public var scheme: String?
    /// Extra request headers.
    public var httpHeaders: [HTTPHeader]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        path: String? = nil,
        port: IntOrString,
        host: String? = nil,
        scheme: String? = nil,
        httpHeaders: [HTTPHeader]? = nil
    ) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
        self.httpHeaders = httpHeaders
    }
}

/// A header of an HTTP probe request.
public struct HTTPHeader: Codable, Hashable, Sendable {
    /// The header name.
    public var name: String
    /// The header value.
    public var value: String

    /// Creates a value; every optional field defaults to absent.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A TCP connection attempt against the container.
public struct TCPSocketAction: Codable, Hashable, Sendable {
    /// The port number or name.
    public var port: IntOrString
    /// The host (defaults to the pod IP).
    public var host: String?

    /// Creates a value; every optional field defaults to absent.
    public init(port: IntOrString, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

/// A gRPC health check against the container.
public struct GRPCAction: Codable, Hashable, Sendable {
    /// The port number.
    public var port: Int
    /// The service name passed to the health check.
    public var service: String?

    /// Creates a value; every optional field defaults to absent.
    public init(port: Int, service: String? = nil) {
        self.port = port
        self.service = service
    }
}
