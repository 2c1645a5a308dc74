public import Unstructured

/// The desired state of a pod (core/v1 `PodSpec`).
public struct PodSpec: Codable, Hashable, Sendable {
    /// The application containers.
    public var containers: [Container]
    /// Containers run in order before the application containers (sidecars alongside).
    public var initContainers: [Container]?
    /// Volumes the containers can mount.
    public var volumes: [Volume]?
    /// The node the pod is bound to (set by the scheduler, or directly to bypass it).
    public var nodeName: String?
    /// The pod's hostname (defaults to the pod name).
    public var hostname: String?
    /// With `hostname`, gives the FQDN `hostname.subdomain.namespace.svc`.
    public var subdomain: String?
    /// The scheduler that places the pod.
    public var schedulerName: String?
    /// The other fields, out of line so a PodSpec without them stays small; nil while all of them are
    /// absent (kept so by every initializer and setter, which makes the synthesized `==` exact).
    private var details: OutOfLine<PodSpecDetails>?

    /// Debugging containers added to a running pod, kept raw.
    public var ephemeralContainers: [JSONValue]? {
        get { details?.value.ephemeralContainers }
        set { setDetail(\.ephemeralContainers, newValue) }
    }
    /// `Always`, `OnFailure` or `Never`.
    public var restartPolicy: String? {
        get { details?.value.restartPolicy }
        set { setDetail(\.restartPolicy, newValue) }
    }
    /// Seconds between SIGTERM and SIGKILL on deletion.
    public var terminationGracePeriodSeconds: Int64? {
        get { details?.value.terminationGracePeriodSeconds }
        set { setDetail(\.terminationGracePeriodSeconds, newValue) }
    }
    /// Seconds the pod may run before it is failed.
    public var activeDeadlineSeconds: Int64? {
        get { details?.value.activeDeadlineSeconds }
        set { setDetail(\.activeDeadlineSeconds, newValue) }
    }
    /// `ClusterFirst`, `ClusterFirstWithHostNet`, `Default` or `None`.
    public var dnsPolicy: String? {
        get { details?.value.dnsPolicy }
        set { setDetail(\.dnsPolicy, newValue) }
    }
    /// Custom DNS settings, kept raw.
    public var dnsConfig: JSONValue? {
        get { details?.value.dnsConfig }
        set { setDetail(\.dnsConfig, newValue) }
    }
    /// Labels a node must have for the pod to fit.
    public var nodeSelector: [String: String]? {
        get { details?.value.nodeSelector }
        set { setDetail(\.nodeSelector, newValue) }
    }
    /// The service account the pod runs as.
    public var serviceAccountName: String? {
        get { details?.value.serviceAccountName }
        set { setDetail(\.serviceAccountName, newValue) }
    }
    /// Deprecated alias of `serviceAccountName`.
    public var serviceAccount: String? {
        get { details?.value.serviceAccount }
        set { setDetail(\.serviceAccount, newValue) }
    }
    /// Whether a service account token is mounted.
    public var automountServiceAccountToken: Bool? {
        get { details?.value.automountServiceAccountToken }
        set { setDetail(\.automountServiceAccountToken, newValue) }
    }
    /// Whether the pod uses the node's network namespace.
    public var hostNetwork: Bool? {
        get { details?.value.hostNetwork }
        set { setDetail(\.hostNetwork, newValue) }
    }
    /// Whether the pod uses the node's PID namespace.
    public var hostPID: Bool? {
        get { details?.value.hostPID }
        set { setDetail(\.hostPID, newValue) }
    }
    /// Whether the pod uses the node's IPC namespace.
    public var hostIPC: Bool? {
        get { details?.value.hostIPC }
        set { setDetail(\.hostIPC, newValue) }
    }
    /// Whether containers share one PID namespace.
    public var shareProcessNamespace: Bool? {
        get { details?.value.shareProcessNamespace }
        set { setDetail(\.shareProcessNamespace, newValue) }
    }
    /// Pod-level security attributes, kept raw.
    public var securityContext: JSONValue? {
        get { details?.value.securityContext }
        set { setDetail(\.securityContext, newValue) }
    }
    /// Secrets used to pull images.
    public var imagePullSecrets: [LocalObjectReference]? {
        get { details?.value.imagePullSecrets }
        set { setDetail(\.imagePullSecrets, newValue) }
    }
    /// Scheduling constraints.
    public var affinity: Affinity? {
        get { details?.value.affinity }
        set { setDetail(\.affinity, newValue) }
    }
    /// Taints the pod tolerates.
    public var tolerations: [Toleration]? {
        get { details?.value.tolerations }
        set { setDetail(\.tolerations, newValue) }
    }
    /// Extra `/etc/hosts` entries, kept raw.
    public var hostAliases: [JSONValue]? {
        get { details?.value.hostAliases }
        set { setDetail(\.hostAliases, newValue) }
    }
    /// The priority class.
    public var priorityClassName: String? {
        get { details?.value.priorityClassName }
        set { setDetail(\.priorityClassName, newValue) }
    }
    /// The resolved priority (set by admission from the class).
    public var priority: Int? {
        get { details?.value.priority }
        set { setDetail(\.priority, newValue) }
    }
    /// `PreemptLowerPriority` or `Never`.
    public var preemptionPolicy: String? {
        get { details?.value.preemptionPolicy }
        set { setDetail(\.preemptionPolicy, newValue) }
    }
    /// Extra conditions required for readiness, kept raw.
    public var readinessGates: [JSONValue]? {
        get { details?.value.readinessGates }
        set { setDetail(\.readinessGates, newValue) }
    }
    /// The RuntimeClass to run the pod with.
    public var runtimeClassName: String? {
        get { details?.value.runtimeClassName }
        set { setDetail(\.runtimeClassName, newValue) }
    }
    /// Whether service environment variables are injected.
    public var enableServiceLinks: Bool? {
        get { details?.value.enableServiceLinks }
        set { setDetail(\.enableServiceLinks, newValue) }
    }
    /// Resources the runtime uses on top of the containers'.
    public var overhead: [String: Quantity]? {
        get { details?.value.overhead }
        set { setDetail(\.overhead, newValue) }
    }
    /// Spreading constraints, kept raw.
    public var topologySpreadConstraints: [JSONValue]? {
        get { details?.value.topologySpreadConstraints }
        set { setDetail(\.topologySpreadConstraints, newValue) }
    }
    /// Whether the hostname is the FQDN.
    public var setHostnameAsFQDN: Bool? {
        get { details?.value.setHostnameAsFQDN }
        set { setDetail(\.setHostnameAsFQDN, newValue) }
    }
    /// The target OS (`{"name": "linux"}`), kept raw.
    public var os: JSONValue? {
        get { details?.value.os }
        set { setDetail(\.os, newValue) }
    }
    /// Whether the pod uses the host's user namespace.
    public var hostUsers: Bool? {
        get { details?.value.hostUsers }
        set { setDetail(\.hostUsers, newValue) }
    }
    /// Gates that block scheduling while present, kept raw.
    public var schedulingGates: [JSONValue]? {
        get { details?.value.schedulingGates }
        set { setDetail(\.schedulingGates, newValue) }
    }
    /// Dynamic resource claims, kept raw.
    public var resourceClaims: [JSONValue]? {
        get { details?.value.resourceClaims }
        set { setDetail(\.resourceClaims, newValue) }
    }
    /// Pod-level resources, overriding the containers' sum when set.
    public var resources: ResourceRequirements? {
        get { details?.value.resources }
        set { setDetail(\.resources, newValue) }
    }

    private mutating func setDetail<Field>(_ field: WritableKeyPath<PodSpecDetails, Field>, _ value: Field) {
        var values = details?.value ?? PodSpecDetails()
        values[keyPath: field] = value
        details = values.isEmpty ? nil : OutOfLine(values)
    }

    /// Creates a value; every optional field defaults to absent.
    public init(
        containers: [Container] = [],
        initContainers: [Container]? = nil,
        ephemeralContainers: [JSONValue]? = nil,
        volumes: [Volume]? = nil,
        restartPolicy: String? = nil,
        terminationGracePeriodSeconds: Int64? = nil,
        activeDeadlineSeconds: Int64? = nil,
        dnsPolicy: String? = nil,
        dnsConfig: JSONValue? = nil,
        nodeSelector: [String: String]? = nil,
        serviceAccountName: String? = nil,
        serviceAccount: String? = nil,
        automountServiceAccountToken: Bool? = nil,
        nodeName: String? = nil,
        hostNetwork: Bool? = nil,
        hostPID: Bool? = nil,
        hostIPC: Bool? = nil,
        shareProcessNamespace: Bool? = nil,
        securityContext: JSONValue? = nil,
        imagePullSecrets: [LocalObjectReference]? = nil,
        hostname: String? = nil,
        subdomain: String? = nil,
        affinity: Affinity? = nil,
        schedulerName: String? = nil,
        tolerations: [Toleration]? = nil,
        hostAliases: [JSONValue]? = nil,
        priorityClassName: String? = nil,
        priority: Int? = nil,
        preemptionPolicy: String? = nil,
        readinessGates: [JSONValue]? = nil,
        runtimeClassName: String? = nil,
        enableServiceLinks: Bool? = nil,
        overhead: [String: Quantity]? = nil,
        topologySpreadConstraints: [JSONValue]? = nil,
        setHostnameAsFQDN: Bool? = nil,
        os: JSONValue? = nil,
        hostUsers: Bool? = nil,
        schedulingGates: [JSONValue]? = nil,
        resourceClaims: [JSONValue]? = nil,
        resources: ResourceRequirements? = nil
    ) {
        self.containers = containers
        self.initContainers = initContainers
        self.volumes = volumes
        self.nodeName = nodeName
        self.hostname = hostname
        self.subdomain = subdomain
        self.schedulerName = schedulerName
        let details = PodSpecDetails(
            ephemeralContainers: ephemeralContainers,
            restartPolicy: restartPolicy,
            terminationGracePeriodSeconds: terminationGracePeriodSeconds,
            activeDeadlineSeconds: activeDeadlineSeconds,
            dnsPolicy: dnsPolicy,
            dnsConfig: dnsConfig,
            nodeSelector: nodeSelector,
            serviceAccountName: serviceAccountName,
            serviceAccount: serviceAccount,
            automountServiceAccountToken: automountServiceAccountToken,
            hostNetwork: hostNetwork,
            hostPID: hostPID,
            hostIPC: hostIPC,
            shareProcessNamespace: shareProcessNamespace,
            securityContext: securityContext,
            imagePullSecrets: imagePullSecrets,
            affinity: affinity,
            tolerations: tolerations,
            hostAliases: hostAliases,
            priorityClassName: priorityClassName,
            priority: priority,
            preemptionPolicy: preemptionPolicy,
            readinessGates: readinessGates,
            runtimeClassName: runtimeClassName,
            enableServiceLinks: enableServiceLinks,
            overhead: overhead,
            topologySpreadConstraints: topologySpreadConstraints,
            setHostnameAsFQDN: setHostnameAsFQDN,
            os: os,
            hostUsers: hostUsers,
            schedulingGates: schedulingGates,
            resourceClaims: resourceClaims,
            resources: resources)
        self.details = details.isEmpty ? nil : OutOfLine(details)
    }



    /// The resources the scheduler reserves for the pod, computed as Kubernetes does (`PodRequests`):
    /// the sum of the containers' requests plus sidecars (init containers with `restartPolicy: Always`),
    /// raised per resource to the largest need of any one init container (plus the sidecars started before
    /// it), plus `overhead`. Pod-level `resources.requests`, when set, take the place of the containers' sum
    /// for the resources they name.
    public var totalRequests: [String: Quantity] {
        var requests: [String: Quantity] = [:]
        for container in containers {
            requests.addQuantities(container.resources?.requests)
        }
        var sidecars: [String: Quantity] = [:]
        var initMaximum: [String: Quantity] = [:]
        for container in initContainers ?? [] {
            let own = container.resources?.requests ?? [:]
            var need: [String: Quantity]
            if container.restartPolicy == "Always" {
                requests.addQuantities(own)
                sidecars.addQuantities(own)
                need = sidecars
            } else {
                need = own
                need.addQuantities(sidecars)
            }
            initMaximum.maxQuantities(need)
        }
        requests.maxQuantities(initMaximum)
        if let podLevel = resources?.requests, !podLevel.isEmpty {
            for (name, quantity) in podLevel { requests[name] = quantity }
        }
        requests.addQuantities(overhead)
        return requests
    }

    /// All containers: init containers first, then the application containers.
    public var allContainers: [Container] { (initContainers ?? []) + containers }
}

/// A reference by name to an object in the same namespace.
public struct LocalObjectReference: Codable, Hashable, Sendable {
    /// The referent's name.
    public var name: String?

    /// Creates a value; every optional field defaults to absent.
    public init(name: String? = nil) {
        self.name = name
    }
}

extension Dictionary where Key == String, Value == Quantity {
    /// Adds each quantity of `other` to the one of the same name here.
    public mutating func addQuantities(_ other: [String: Quantity]?) {
        for (name, quantity) in other ?? [:] { self[name] = (self[name] ?? .zero) + quantity }
    }

    /// Raises each quantity here to the one of the same name in `other`, where that one is larger.
    public mutating func maxQuantities(_ other: [String: Quantity]?) {
        for (name, quantity) in other ?? [:] where self[name].map({ quantity > $0 }) ?? true {
            self[name] = quantity
        }
    }
}

/// The out-of-line fields of `PodSpec`.
struct PodSpecDetails: Hashable, Sendable {
    var ephemeralContainers: [JSONValue]? = nil
    var restartPolicy: String? = nil
    var terminationGracePeriodSeconds: Int64? = nil
    var activeDeadlineSeconds: Int64? = nil
    var dnsPolicy: String? = nil
    var dnsConfig: JSONValue? = nil
    var nodeSelector: [String: String]? = nil
    var serviceAccountName: String? = nil
    var serviceAccount: String? = nil
    var automountServiceAccountToken: Bool? = nil
    var hostNetwork: Bool? = nil
    var hostPID: Bool? = nil
    var hostIPC: Bool? = nil
    var shareProcessNamespace: Bool? = nil
    var securityContext: JSONValue? = nil
    var imagePullSecrets: [LocalObjectReference]? = nil
    var affinity: Affinity? = nil
    var tolerations: [Toleration]? = nil
    var hostAliases: [JSONValue]? = nil
    var priorityClassName: String? = nil
    var priority: Int? = nil
    var preemptionPolicy: String? = nil
    var readinessGates: [JSONValue]? = nil
    var runtimeClassName: String? = nil
    var enableServiceLinks: Bool? = nil
    var overhead: [String: Quantity]? = nil
    var topologySpreadConstraints: [JSONValue]? = nil
    var setHostnameAsFQDN: Bool? = nil
    var os: JSONValue? = nil
    var hostUsers: Bool? = nil
    var schedulingGates: [JSONValue]? = nil
    var resourceClaims: [JSONValue]? = nil
    var resources: ResourceRequirements? = nil

    /// Whether every field is absent.
    var isEmpty: Bool {
        ephemeralContainers == nil && restartPolicy == nil && terminationGracePeriodSeconds == nil && activeDeadlineSeconds == nil && dnsPolicy == nil && dnsConfig == nil && nodeSelector == nil && serviceAccountName == nil && serviceAccount == nil && automountServiceAccountToken == nil && hostNetwork == nil && hostPID == nil && hostIPC == nil && shareProcessNamespace == nil && securityContext == nil && imagePullSecrets == nil && affinity == nil && tolerations == nil && hostAliases == nil && priorityClassName == nil && priority == nil && preemptionPolicy == nil && readinessGates == nil && runtimeClassName == nil && enableServiceLinks == nil && overhead == nil && topologySpreadConstraints == nil && setHostnameAsFQDN == nil && os == nil && hostUsers == nil && schedulingGates == nil && resourceClaims == nil && resources == nil
    }
}

extension PodSpec {
    private enum CodingKeys: String, CodingKey {
        case containers
        case initContainers
        case ephemeralContainers
        case volumes
        case restartPolicy
        case terminationGracePeriodSeconds
        case activeDeadlineSeconds
        case dnsPolicy
        case dnsConfig
        case nodeSelector
        case serviceAccountName
        case serviceAccount
        case automountServiceAccountToken
        case nodeName
        case hostNetwork
        case hostPID
        case hostIPC
        case shareProcessNamespace
        case securityContext
        case imagePullSecrets
        case hostname
        case subdomain
        case affinity
        case schedulerName
        case tolerations
        case hostAliases
        case priorityClassName
        case priority
        case preemptionPolicy
        case readinessGates
        case runtimeClassName
        case enableServiceLinks
        case overhead
        case topologySpreadConstraints
        case setHostnameAsFQDN
        case os
        case hostUsers
        case schedulingGates
        case resourceClaims
        case resources
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var details = PodSpecDetails()
        self.containers = try c.decodeIfPresent([Container].self, forKey: .containers) ?? []
        self.initContainers = try c.decodeIfPresent([Container].self, forKey: .initContainers)
        details.ephemeralContainers = try c.decodeIfPresent([JSONValue].self, forKey: .ephemeralContainers)
        self.volumes = try c.decodeIfPresent([Volume].self, forKey: .volumes)
        details.restartPolicy = try c.decodeIfPresent(String.self, forKey: .restartPolicy)
        details.terminationGracePeriodSeconds = try c.decodeIfPresent(Int64.self, forKey: .terminationGracePeriodSeconds)
        details.activeDeadlineSeconds = try c.decodeIfPresent(Int64.self, forKey: .activeDeadlineSeconds)
        details.dnsPolicy = try c.decodeIfPresent(String.self, forKey: .dnsPolicy)
        details.dnsConfig = try c.decodeIfPresent(JSONValue.self, forKey: .dnsConfig)
        details.nodeSelector = try c.decodeIfPresent([String: String].self, forKey: .nodeSelector)
        details.serviceAccountName = try c.decodeIfPresent(String.self, forKey: .serviceAccountName)
        details.serviceAccount = try c.decodeIfPresent(String.self, forKey: .serviceAccount)
        details.automountServiceAccountToken = try c.decodeIfPresent(Bool.self, forKey: .automountServiceAccountToken)
        self.nodeName = try c.decodeIfPresent(String.self, forKey: .nodeName)
        details.hostNetwork = try c.decodeIfPresent(Bool.self, forKey: .hostNetwork)
        details.hostPID = try c.decodeIfPresent(Bool.self, forKey: .hostPID)
        details.hostIPC = try c.decodeIfPresent(Bool.self, forKey: .hostIPC)
        details.shareProcessNamespace = try c.decodeIfPresent(Bool.self, forKey: .shareProcessNamespace)
        details.securityContext = try c.decodeIfPresent(JSONValue.self, forKey: .securityContext)
        details.imagePullSecrets = try c.decodeIfPresent([LocalObjectReference].self, forKey: .imagePullSecrets)
        self.hostname = try c.decodeIfPresent(String.self, forKey: .hostname)
        self.subdomain = try c.decodeIfPresent(String.self, forKey: .subdomain)
        details.affinity = try c.decodeIfPresent(Affinity.self, forKey: .affinity)
        self.schedulerName = try c.decodeIfPresent(String.self, forKey: .schedulerName)
        details.tolerations = try c.decodeIfPresent([Toleration].self, forKey: .tolerations)
        details.hostAliases = try c.decodeIfPresent([JSONValue].self, forKey: .hostAliases)
        details.priorityClassName = try c.decodeIfPresent(String.self, forKey: .priorityClassName)
        details.priority = try c.decodeIfPresent(Int.self, forKey: .priority)
        details.preemptionPolicy = try c.decodeIfPresent(String.self, forKey: .preemptionPolicy)
        details.readinessGates = try c.decodeIfPresent([JSONValue].self, forKey: .readinessGates)
        details.runtimeClassName = try c.decodeIfPresent(String.self, forKey: .runtimeClassName)
        details.enableServiceLinks = try c.decodeIfPresent(Bool.self, forKey: .enableServiceLinks)
        details.overhead = try c.decodeIfPresent([String: Quantity].self, forKey: .overhead)
        details.topologySpreadConstraints = try c.decodeIfPresent([JSONValue].self, forKey: .topologySpreadConstraints)
        details.setHostnameAsFQDN = try c.decodeIfPresent(Bool.self, forKey: .setHostnameAsFQDN)
        details.os = try c.decodeIfPresent(JSONValue.self, forKey: .os)
        details.hostUsers = try c.decodeIfPresent(Bool.self, forKey: .hostUsers)
        details.schedulingGates = try c.decodeIfPresent([JSONValue].self, forKey: .schedulingGates)
        details.resourceClaims = try c.decodeIfPresent([JSONValue].self, forKey: .resourceClaims)
        details.resources = try c.decodeIfPresent(ResourceRequirements.self, forKey: .resources)
        self.details = details.isEmpty ? nil : OutOfLine(details)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(containers, forKey: .containers)
        try c.encodeIfPresent(initContainers, forKey: .initContainers)
        try c.encodeIfPresent(ephemeralContainers, forKey: .ephemeralContainers)
        try c.encodeIfPresent(volumes, forKey: .volumes)
        try c.encodeIfPresent(restartPolicy, forKey: .restartPolicy)
        try c.encodeIfPresent(terminationGracePeriodSeconds, forKey: .terminationGracePeriodSeconds)
        try c.encodeIfPresent(activeDeadlineSeconds, forKey: .activeDeadlineSeconds)
        try c.encodeIfPresent(dnsPolicy, forKey: .dnsPolicy)
        try c.encodeIfPresent(dnsConfig, forKey: .dnsConfig)
        try c.encodeIfPresent(nodeSelector, forKey: .nodeSelector)
        try c.encodeIfPresent(serviceAccountName, forKey: .serviceAccountName)
        try c.encodeIfPresent(serviceAccount, forKey: .serviceAccount)
        try c.encodeIfPresent(automountServiceAccountToken, forKey: .automountServiceAccountToken)
        try c.encodeIfPresent(nodeName, forKey: .nodeName)
        try c.encodeIfPresent(hostNetwork, forKey: .hostNetwork)
        try c.encodeIfPresent(hostPID, forKey: .hostPID)
        try c.encodeIfPresent(hostIPC, forKey: .hostIPC)
        try c.encodeIfPresent(shareProcessNamespace, forKey: .shareProcessNamespace)
        try c.encodeIfPresent(securityContext, forKey: .securityContext)
        try c.encodeIfPresent(imagePullSecrets, forKey: .imagePullSecrets)
        try c.encodeIfPresent(hostname, forKey: .hostname)
        try c.encodeIfPresent(subdomain, forKey: .subdomain)
        try c.encodeIfPresent(affinity, forKey: .affinity)
        try c.encodeIfPresent(schedulerName, forKey: .schedulerName)
        try c.encodeIfPresent(tolerations, forKey: .tolerations)
        try c.encodeIfPresent(hostAliases, forKey: .hostAliases)
        try c.encodeIfPresent(priorityClassName, forKey: .priorityClassName)
        try c.encodeIfPresent(priority, forKey: .priority)
        try c.encodeIfPresent(preemptionPolicy, forKey: .preemptionPolicy)
        try c.encodeIfPresent(readinessGates, forKey: .readinessGates)
        try c.encodeIfPresent(runtimeClassName, forKey: .runtimeClassName)
        try c.encodeIfPresent(enableServiceLinks, forKey: .enableServiceLinks)
        try c.encodeIfPresent(overhead, forKey: .overhead)
        try c.encodeIfPresent(topologySpreadConstraints, forKey: .topologySpreadConstraints)
        try c.encodeIfPresent(setHostnameAsFQDN, forKey: .setHostnameAsFQDN)
        try c.encodeIfPresent(os, forKey: .os)
        try c.encodeIfPresent(hostUsers, forKey: .hostUsers)
        try c.encodeIfPresent(schedulingGates, forKey: .schedulingGates)
        try c.encodeIfPresent(resourceClaims, forKey: .resourceClaims)
        try c.encodeIfPresent(resources, forKey: .resources)
    }
}
