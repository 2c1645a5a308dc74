public import Unstructured

/// A container in a pod (core/v1 `Container`).
public struct Container: Codable, Hashable, Sendable {
    /// The container's name, unique within the pod.
    public var name: String
    /// The image reference.
    public var image: String?
    /// The entrypoint (replaces the image's ENTRYPOINT).
    public var command: [String]?
    /// Arguments (replace the image's CMD).
    public var args: [String]?
    /// The working directory.
    public var workingDir: String?
    /// Ports the container exposes (informational).
    public var ports: [ContainerPort]?
    /// Sources of environment variables (config maps, secrets), kept raw.
    public var envFrom: [JSONValue]?
    /// Environment variables.
    public var env: [EnvVar]?
    /// Compute resource requests and limits.
    public var resources: ResourceRequirements?
    /// In-place resize policies, kept raw.
    public var resizePolicy: [JSONValue]?
    /// For init containers, `Always` makes it a sidecar.
    public var restartPolicy: String?
    /// Volumes mounted into the filesystem.
    public var volumeMounts: [VolumeMount]?
    /// Raw block devices, kept raw.
    public var volumeDevices: [JSONValue]?
    /// Restarts the container when it fails.
    public var livenessProbe: Probe?
    /// Removes the pod from endpoints when it fails.
    public var readinessProbe: Probe?
    /// Holds the other probes until the container has started.
    public var startupProbe: Probe?
    /// postStart/preStop hooks, kept raw.
    public var lifecycle: JSONValue?
    /// Where the container writes its termination message.
    public var terminationMessagePath: String?
    /// `File` or `FallbackToLogsOnError`.
    public var terminationMessagePolicy: String?
    /// `Always`, `IfNotPresent` or `Never`.
    public var imagePullPolicy: String?
    /// Container security attributes, kept raw.
    public var securityContext: JSONValue?
    /// Whether a stdin buffer is allocated.
    public var stdin: Bool?
    /// Whether stdin closes after the first attach.
    public var stdinOnce: Bool?
    /// Whether a TTY is allocated.
    public var tty: Bool?

    /// Creates a value; every optional field defaults to absent.
    public init(
        name: String,
        image: String? = nil,
        command: [String]? = nil,
        args: [String]? = nil,
        workingDir: String? = nil,
        ports: [ContainerPort]? = nil,
        envFrom: [JSONValue]? = nil,
        env: [EnvVar]? = nil,
        resources: ResourceRequirements? = nil,
        resizePolicy: [JSONValue]? = nil,
        restartPolicy: String? = nil,
        volumeMounts: [VolumeMount]? = nil,
        volumeDevices: [JSONValue]? = nil,
        livenessProbe: Probe? = nil,
        readinessProbe: Probe? = nil,
        startupProbe: Probe? = nil,
        lifecycle: JSONValue? = nil,
        terminationMessagePath: String? = nil,
        terminationMessagePolicy: String? = nil,
        imagePullPolicy: String? = nil,
        securityContext: JSONValue? = nil,
        stdin: Bool? = nil,
        stdinOnce: Bool? = nil,
        tty: Bool? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.ports = ports
        self.envFrom = envFrom
        self.env = env
        self.resources = resources
        self.resizePolicy = resizePolicy
        self.restartPolicy = restartPolicy
        self.volumeMounts = volumeMounts
        self.volumeDevices = volumeDevices
        self.livenessProbe = livenessProbe
        self.readinessProbe = readinessProbe
        self.startupProbe = startupProbe
        self.lifecycle = lifecycle
        self.terminationMessagePath = terminationMessagePath
        self.terminationMessagePolicy = terminationMessagePolicy
        self.imagePullPolicy = imagePullPolicy
        self.securityContext = securityContext
        self.stdin = stdin
        self.stdinOnce = stdinOnce
        self.tty = tty
    }
}

/// A port a container listens on.
public struct ContainerPort: Codable, Hashable, Sendable {
    /// An IANA_SVC_NAME, referable from services and probes.
    public var name: String?
    /// The port number in the container.
    public var containerPort: Int
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?
    /// The port on the host, if exposed there.
    public var hostPort: Int?
    /// The host IP to bind the host port to.
    public var hostIP: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        name: String? = nil,
        containerPort: Int,
        protocol: String? = nil,
        hostPort: Int? = nil,
        hostIP: String? = nil
    ) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostPort = hostPort
        self.hostIP = hostIP
    }
}

/// An environment variable of a container.
public struct EnvVar: Codable, Hashable, Sendable {
    /// The variable's name.
    public var name: String
    /// A literal value (may reference other variables as `$(VAR)`).
    public var value: String?
    /// A source (field, resource, config map or secret key), kept raw.
    public var valueFrom: JSONValue?

    /// Creates a value; every optional field defaults to absent.
    public init(name: String, value: String? = nil, valueFrom: JSONValue? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// Compute resources of a container (or pod): `cpu`, `memory`, `ephemeral-storage`, ….
public struct ResourceRequirements: Codable, Hashable, Sendable {
    /// What the scheduler reserves.
    public var requests: [String: Quantity]?
    /// The most that may be used.
    public var limits: [String: Quantity]?
    /// Dynamic resource claims used, kept raw.
    public var claims: [JSONValue]?

    /// Creates a value; every optional field defaults to absent.
    public init(requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil, claims: [JSONValue]? = nil) {
        self.requests = requests
        self.limits = limits
        self.claims = claims
    }
}

/// A volume mounted into a container.
public struct VolumeMount: Codable, Hashable, Sendable {
    /// The volume's name in the pod.
    public var name: String
    /// Where to mount it.
    public var mountPath: String
    /// Whether it is mounted read-only.
    public var readOnly: Bool?
    /// A path within the volume to mount instead of its root.
    public var subPath: String?
    /// Like `subPath`, with `$(VAR)` expansion.
    public var subPathExpr: String?
    /// `None`, `HostToContainer` or `Bidirectional`.
    public var mountPropagation: String?
    /// `Disabled`, `IfPossible` or `Enabled`.
    public var recursiveReadOnly: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        name: String,
        mountPath: String,
        readOnly: Bool? = nil,
        subPath: String? = nil,
        subPathExpr: String? = nil,
        mountPropagation: String? = nil,
        recursiveReadOnly: String? = nil
    ) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
        self.subPathExpr = subPathExpr
        self.mountPropagation = mountPropagation
        self.recursiveReadOnly = recursiveReadOnly
    }
}
