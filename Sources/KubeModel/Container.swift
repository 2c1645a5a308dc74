public import Unstructured

/// A container in a pod (core/v1 `Container`).
public struct Container: Codable, Hashable, Sendable {
    /// The container's name, unique within the pod.
    public var name: String
    /// The image reference.
    public var image: String?
    /// Ports the container exposes (informational).
    public var ports: [ContainerPort]?
    /// The other fields, out of line so a Container without them stays small; nil while all of them are
    /// absent (kept so by every initializer and setter, which makes the synthesized `==` exact).
    private var details: OutOfLine<ContainerDetails>?

    /// The entrypoint (replaces the image's ENTRYPOINT).
    public var command: [String]? {
        get { details?.value.command }
        set { setDetail(\.command, newValue) }
    }
    /// Arguments (replace the image's CMD).
    public var args: [String]? {
        get { details?.value.args }
        set { setDetail(\.args, newValue) }
    }
    /// The working directory.
    public var workingDir: String? {
        get { details?.value.workingDir }
        set { setDetail(\.workingDir, newValue) }
    }
    /// Sources of environment variables (config maps, secrets), kept raw.
    public var envFrom: [JSONValue]? {
        get { details?.value.envFrom }
        set { setDetail(\.envFrom, newValue) }
    }
    /// Environment variables.
    public var env: [EnvVar]? {
        get { details?.value.env }
        set { setDetail(\.env, newValue) }
    }
    /// Compute resource requests and limits.
    public var resources: ResourceRequirements? {
        get { details?.value.resources }
        set { setDetail(\.resources, newValue) }
    }
    /// In-place resize policies, kept raw.
    public var resizePolicy: [JSONValue]? {
        get { details?.value.resizePolicy }
        set { setDetail(\.resizePolicy, newValue) }
    }
    /// For init containers, `Always` makes it a sidecar.
    public var restartPolicy: String? {
        get { details?.value.restartPolicy }
        set { setDetail(\.restartPolicy, newValue) }
    }
    /// Volumes mounted into the filesystem.
    public var volumeMounts: [VolumeMount]? {
        get { details?.value.volumeMounts }
        set { setDetail(\.volumeMounts, newValue) }
    }
    /// Raw block devices, kept raw.
    public var volumeDevices: [JSONValue]? {
        get { details?.value.volumeDevices }
        set { setDetail(\.volumeDevices, newValue) }
    }
    /// Restarts the container when it fails.
    public var livenessProbe: Probe? {
        get { details?.value.livenessProbe }
        set { setDetail(\.livenessProbe, newValue) }
    }
    /// Removes the pod from endpoints when it fails.
    public var readinessProbe: Probe? {
        get { details?.value.readinessProbe }
        set { setDetail(\.readinessProbe, newValue) }
    }
    /// Holds the other probes until the container has started.
    public var startupProbe: Probe? {
        get { details?.value.startupProbe }
        set { setDetail(\.startupProbe, newValue) }
    }
    /// postStart/preStop hooks, kept raw.
    public var lifecycle: JSONValue? {
        get { details?.value.lifecycle }
        set { setDetail(\.lifecycle, newValue) }
    }
    /// Where the container writes its termination message.
    public var terminationMessagePath: String? {
        get { details?.value.terminationMessagePath }
        set { setDetail(\.terminationMessagePath, newValue) }
    }
    /// `File` or `FallbackToLogsOnError`.
    public var terminationMessagePolicy: String? {
        get { details?.value.terminationMessagePolicy }
        set { setDetail(\.terminationMessagePolicy, newValue) }
    }
    /// `Always`, `IfNotPresent` or `Never`.
    public var imagePullPolicy: String? {
        get { details?.value.imagePullPolicy }
        set { setDetail(\.imagePullPolicy, newValue) }
    }
    /// Container security attributes, kept raw.
    public var securityContext: JSONValue? {
        get { details?.value.securityContext }
        set { setDetail(\.securityContext, newValue) }
    }
    /// Whether a stdin buffer is allocated.
    public var stdin: Bool? {
        get { details?.value.stdin }
        set { setDetail(\.stdin, newValue) }
    }
    /// Whether stdin closes after the first attach.
    public var stdinOnce: Bool? {
        get { details?.value.stdinOnce }
        set { setDetail(\.stdinOnce, newValue) }
    }
    /// Whether a TTY is allocated.
    public var tty: Bool? {
        get { details?.value.tty }
        set { setDetail(\.tty, newValue) }
    }

    private mutating func setDetail<Field>(_ field: WritableKeyPath<ContainerDetails, Field>, _ value: Field) {
        var values = details?.value ?? ContainerDetails()
        values[keyPath: field] = value
        details = values.isEmpty ? nil : OutOfLine(values)
    }

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
        self.ports = ports
        let details = ContainerDetails(
            command: command,
            args: args,
            workingDir: workingDir,
            envFrom: envFrom,
            env: env,
            resources: resources,
            resizePolicy: resizePolicy,
            restartPolicy: restartPolicy,
            volumeMounts: volumeMounts,
            volumeDevices: volumeDevices,
            livenessProbe: livenessProbe,
            readinessProbe: readinessProbe,
            startupProbe: startupProbe,
            lifecycle: lifecycle,
            terminationMessagePath: terminationMessagePath,
            terminationMessagePolicy: terminationMessagePolicy,
            imagePullPolicy: imagePullPolicy,
            securityContext: securityContext,
            stdin: stdin,
            stdinOnce: stdinOnce,
            tty: tty)
        self.details = details.isEmpty ? nil : OutOfLine(details)
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

/// The out-of-line fields of `Container`.
struct ContainerDetails: Hashable, Sendable {
    var command: [String]? = nil
    var args: [String]? = nil
    var workingDir: String? = nil
    var envFrom: [JSONValue]? = nil
    var env: [EnvVar]? = nil
    var resources: ResourceRequirements? = nil
    var resizePolicy: [JSONValue]? = nil
    var restartPolicy: String? = nil
    var volumeMounts: [VolumeMount]? = nil
    var volumeDevices: [JSONValue]? = nil
    var livenessProbe: Probe? = nil
    var readinessProbe: Probe? = nil
    var startupProbe: Probe? = nil
    var lifecycle: JSONValue? = nil
    var terminationMessagePath: String? = nil
    var terminationMessagePolicy: String? = nil
    var imagePullPolicy: String? = nil
    var securityContext: JSONValue? = nil
    var stdin: Bool? = nil
    var stdinOnce: Bool? = nil
    var tty: Bool? = nil

    /// Whether every field is absent.
    var isEmpty: Bool {
        command == nil && args == nil && workingDir == nil && envFrom == nil && env == nil && resources == nil && resizePolicy == nil && restartPolicy == nil && volumeMounts == nil && volumeDevices == nil && livenessProbe == nil && readinessProbe == nil && startupProbe == nil && lifecycle == nil && terminationMessagePath == nil && terminationMessagePolicy == nil && imagePullPolicy == nil && securityContext == nil && stdin == nil && stdinOnce == nil && tty == nil
    }
}

extension Container {
    private enum CodingKeys: String, CodingKey {
        case name
        case image
        case command
        case args
        case workingDir
        case ports
        case envFrom
        case env
        case resources
        case resizePolicy
        case restartPolicy
        case volumeMounts
        case volumeDevices
        case livenessProbe
        case readinessProbe
        case startupProbe
        case lifecycle
        case terminationMessagePath
        case terminationMessagePolicy
        case imagePullPolicy
        case securityContext
        case stdin
        case stdinOnce
        case tty
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var details = ContainerDetails()
        self.name = try c.decode(String.self, forKey: .name)
        self.image = try c.decodeIfPresent(String.self, forKey: .image)
        details.command = try c.decodeIfPresent([String].self, forKey: .command)
        details.args = try c.decodeIfPresent([String].self, forKey: .args)
        details.workingDir = try c.decodeIfPresent(String.self, forKey: .workingDir)
        self.ports = try c.decodeIfPresent([ContainerPort].self, forKey: .ports)
        details.envFrom = try c.decodeIfPresent([JSONValue].self, forKey: .envFrom)
        details.env = try c.decodeIfPresent([EnvVar].self, forKey: .env)
        details.resources = try c.decodeIfPresent(ResourceRequirements.self, forKey: .resources)
        details.resizePolicy = try c.decodeIfPresent([JSONValue].self, forKey: .resizePolicy)
        details.restartPolicy = try c.decodeIfPresent(String.self, forKey: .restartPolicy)
        details.volumeMounts = try c.decodeIfPresent([VolumeMount].self, forKey: .volumeMounts)
        details.volumeDevices = try c.decodeIfPresent([JSONValue].self, forKey: .volumeDevices)
        details.livenessProbe = try c.decodeIfPresent(Probe.self, forKey: .livenessProbe)
        details.readinessProbe = try c.decodeIfPresent(Probe.self, forKey: .readinessProbe)
        details.startupProbe = try c.decodeIfPresent(Probe.self, forKey: .startupProbe)
        details.lifecycle = try c.decodeIfPresent(JSONValue.self, forKey: .lifecycle)
        details.terminationMessagePath = try c.decodeIfPresent(String.self, forKey: .terminationMessagePath)
        details.terminationMessagePolicy = try c.decodeIfPresent(String.self, forKey: .terminationMessagePolicy)
        details.imagePullPolicy = try c.decodeIfPresent(String.self, forKey: .imagePullPolicy)
        details.securityContext = try c.decodeIfPresent(JSONValue.self, forKey: .securityContext)
        details.stdin = try c.decodeIfPresent(Bool.self, forKey: .stdin)
        details.stdinOnce = try c.decodeIfPresent(Bool.self, forKey: .stdinOnce)
        details.tty = try c.decodeIfPresent(Bool.self, forKey: .tty)
        self.details = details.isEmpty ? nil : OutOfLine(details)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(image, forKey: .image)
        try c.encodeIfPresent(command, forKey: .command)
        try c.encodeIfPresent(args, forKey: .args)
        try c.encodeIfPresent(workingDir, forKey: .workingDir)
        try c.encodeIfPresent(ports, forKey: .ports)
        try c.encodeIfPresent(envFrom, forKey: .envFrom)
        try c.encodeIfPresent(env, forKey: .env)
        try c.encodeIfPresent(resources, forKey: .resources)
        try c.encodeIfPresent(resizePolicy, forKey: .resizePolicy)
        try c.encodeIfPresent(restartPolicy, forKey: .restartPolicy)
        try c.encodeIfPresent(volumeMounts, forKey: .volumeMounts)
        try c.encodeIfPresent(volumeDevices, forKey: .volumeDevices)
        try c.encodeIfPresent(livenessProbe, forKey: .livenessProbe)
        try c.encodeIfPresent(readinessProbe, forKey: .readinessProbe)
        try c.encodeIfPresent(startupProbe, forKey: .startupProbe)
        try c.encodeIfPresent(lifecycle, forKey: .lifecycle)
        try c.encodeIfPresent(terminationMessagePath, forKey: .terminationMessagePath)
        try c.encodeIfPresent(terminationMessagePolicy, forKey: .terminationMessagePolicy)
        try c.encodeIfPresent(imagePullPolicy, forKey: .imagePullPolicy)
        try c.encodeIfPresent(securityContext, forKey: .securityContext)
        try c.encodeIfPresent(stdin, forKey: .stdin)
        try c.encodeIfPresent(stdinOnce, forKey: .stdinOnce)
        try c.encodeIfPresent(tty, forKey: .tty)
    }
}
