public import Unstructured

/// The desired state of a pod (core/v1 `PodSpec`).
public struct PodSpec: Codable, Hashable, Sendable {
    /// The application containers.
    public var containers: [Container]
    /// Containers run in order before the application containers (sidecars alongside).
    public var initContainers: [Container]?
    /// Debugging containers added to a running pod, kept raw.
    public var ephemeralContainers: [JSONValue]?
    /// Volumes the containers can mount.
    public var volumes: [Volume]?
    /// `Always`, `OnFailure` or `Never`.
    public var restartPolicy: String?
    /// Seconds between SIGTERM and SIGKILL on deletion.
    public var terminationGracePeriodSeconds: Int64?
    /// Seconds the pod may run before it is failed.
    public var activeDeadlineSeconds: Int64?
    /// `ClusterFirst`, `ClusterFirstWithHostNet`, `Default` or `None`.
    public var dnsPolicy: String?
    /// Custom DNS settings, kept raw.
    public var dnsConfig: JSONValue?
    /// Labels a node must have for the pod to fit.
    public var nodeSelector: [String: String]?
    /// The service account the pod runs as.
    public var serviceAccountName: String?
    /// Deprecated alias of `serviceAccountName`.
    public var serviceAccount: String?
    /// Whether a service account token is mounted.
    public var automountServiceAccountToken: Bool?
    /// The node the pod is bound to (set by the scheduler, or directly to bypass it).
    public var nodeName: String?
    /// Whether the pod uses the node's network namespace.
    public var hostNetwork: Bool?
    /// Whether the pod uses the node's PID namespace.
    public var hostPID: Bool?
    /// Whether the pod uses the node's IPC namespace.
    public var hostIPC: Bool?
    /// Whether containers share one PID namespace.
    public var shareProcessNamespace: Bool?
    /// Pod-level security attributes, kept raw.
    public var securityContext: JSONValue?
    /// Secrets used to pull images.
    public var imagePullSecrets: [LocalObjectReference]?
    /// The pod's hostname (defaults to the pod name).
    public var hostname: String?
    /// With `hostname`, gives the FQDN `hostname.subdomain.namespace.svc`.
    public var subdomain: String?
    /// Scheduling constraints.
    public var affinity: Affinity?
    /// The scheduler that places the pod.
    public var schedulerName: String?
    /// Taints the pod tolerates.
    public var tolerations: [Toleration]?
    /// Extra `/etc/hosts` entries, kept raw.
    public var hostAliases: [JSONValue]?
    /// The priority class.
    public var priorityClassName: String?
    /// The resolved priority (set by admission from the class).
    public var priority: Int?
    /// `PreemptLowerPriority` or `Never`.
    public var preemptionPolicy: String?
    /// Extra conditions required for readiness, kept raw.
    public var readinessGates: [JSONValue]?
    /// The RuntimeClass to run the pod with.
    public var runtimeClassName: String?
    /// Whether service environment variables are injected.
    public var enableServiceLinks: Bool?
    /// Resources the runtime uses on top of the containers'.
    public var overhead: [String: Quantity]?
    /// Spreading constraints, kept raw.
    public var topologySpreadConstraints: [JSONValue]?
    /// Whether the hostname is the FQDN.
    public var setHostnameAsFQDN: Bool?
    /// The target OS (`{"name": "linux"}`), kept raw.
    public var os: JSONValue?
    /// Whether the pod uses the host's user namespace.
    public var hostUsers: Bool?
    /// Gates that block scheduling while present, kept raw.
    public var schedulingGates: [JSONValue]?
    /// Dynamic resource claims, kept raw.
    public var resourceClaims: [JSONValue]?
    /// Pod-level resources, overriding the containers' sum when set.
    public var resources: ResourceRequirements?

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
        self.ephemeralContainers = ephemeralContainers
        self.volumes = volumes
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.dnsPolicy = dnsPolicy
        self.dnsConfig = dnsConfig
        self.nodeSelector = nodeSelector
        self.serviceAccountName = serviceAccountName
        self.serviceAccount = serviceAccount
        self.automountServiceAccountToken = automountServiceAccountToken
        self.nodeName = nodeName
        self.hostNetwork = hostNetwork
        self.hostPID = hostPID
        self.hostIPC = hostIPC
        self.shareProcessNamespace = shareProcessNamespace
        self.securityContext = securityContext
        self.imagePullSecrets = imagePullSecrets
        self.hostname = hostname
        self.subdomain = subdomain
        self.affinity = affinity
        self.schedulerName = schedulerName
        self.tolerations = tolerations
        self.hostAliases = hostAliases
        self.priorityClassName = priorityClassName
        self.priority = priority
        self.preemptionPolicy = preemptionPolicy
        self.readinessGates = readinessGates
        self.runtimeClassName = runtimeClassName
        self.enableServiceLinks = enableServiceLinks
        self.overhead = overhead
        self.topologySpreadConstraints = topologySpreadConstraints
        self.setHostnameAsFQDN = setHostnameAsFQDN
        self.os = os
        self.hostUsers = hostUsers
        self.schedulingGates = schedulingGates
        self.resourceClaims = resourceClaims
        self.resources = resources
    }

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
        self.containers = try c.decodeIfPresent([Container].self, forKey: .containers) ?? []
        self.initContainers = try c.decodeIfPresent([Container].self, forKey: .initContainers)
        self.ephemeralContainers = try c.decodeIfPresent([JSONValue].self, forKey: .ephemeralContainers)
        self.volumes = try c.decodeIfPresent([Volume].self, forKey: .volumes)
        self.restartPolicy = try c.decodeIfPresent(String.self, forKey: .restartPolicy)
        self.terminationGracePeriodSeconds = try c.decodeIfPresent(Int64.self, forKey: .terminationGracePeriodSeconds)
        self.activeDeadlineSeconds = try c.decodeIfPresent(Int64.self, forKey: .activeDeadlineSeconds)
        self.dnsPolicy = try c.decodeIfPresent(String.self, forKey: .dnsPolicy)
        self.dnsConfig = try c.decodeIfPresent(JSONValue.self, forKey: .dnsConfig)
        self.nodeSelector = try c.decodeIfPresent([String: String].self, forKey: .nodeSelector)
        self.serviceAccountName = try c.decodeIfPresent(String.self, forKey: .serviceAccountName)
        self.serviceAccount = try c.decodeIfPresent(String.self, forKey: .serviceAccount)
        self.automountServiceAccountToken = try c.decodeIfPresent(Bool.self, forKey: .automountServiceAccountToken)
        self.nodeName = try c.decodeIfPresent(String.self, forKey: .nodeName)
        self.hostNetwork = try c.decodeIfPresent(Bool.self, forKey: .hostNetwork)
        self.hostPID = try c.decodeIfPresent(Bool.self, forKey: .hostPID)
        self.hostIPC = try c.decodeIfPresent(Bool.self, forKey: .hostIPC)
        self.shareProcessNamespace = try c.decodeIfPresent(Bool.self, forKey: .shareProcessNamespace)
        self.securityContext = try c.decodeIfPresent(JSONValue.self, forKey: .securityContext)
        self.imagePullSecrets = try c.decodeIfPresent([LocalObjectReference].self, forKey: .imagePullSecrets)
        self.hostname = try c.decodeIfPresent(String.self, forKey: .hostname)
        self.subdomain = try c.decodeIfPresent(String.self, forKey: .subdomain)
        self.affinity = try c.decodeIfPresent(Affinity.self, forKey: .affinity)
        self.schedulerName = try c.decodeIfPresent(String.self, forKey: .schedulerName)
        self.tolerations = try c.decodeIfPresent([Toleration].self, forKey: .tolerations)
        self.hostAliases = try c.decodeIfPresent([JSONValue].self, forKey: .hostAliases)
        self.priorityClassName = try c.decodeIfPresent(String.self, forKey: .priorityClassName)
        self.priority = try c.decodeIfPresent(Int.self, forKey: .priority)
        self.preemptionPolicy = try c.decodeIfPresent(String.self, forKey: .preemptionPolicy)
        self.readinessGates = try c.decodeIfPresent([JSONValue].self, forKey: .readinessGates)
        self.runtimeClassName = try c.decodeIfPresent(String.self, forKey: .runtimeClassName)
        self.enableServiceLinks = try c.decodeIfPresent(Bool.self, forKey: .enableServiceLinks)
        self.overhead = try c.decodeIfPresent([String: Quantity].self, forKey: .overhead)
        self.topologySpreadConstraints = try c.decodeIfPresent([JSONValue].self, forKey: .topologySpreadConstraints)
        self.setHostnameAsFQDN = try c.decodeIfPresent(Bool.self, forKey: .setHostnameAsFQDN)
        self.os = try c.decodeIfPresent(JSONValue.self, forKey: .os)
        self.hostUsers = try c.decodeIfPresent(Bool.self, forKey: .hostUsers)
        self.schedulingGates = try c.decodeIfPresent([JSONValue].self, forKey: .schedulingGates)
        self.resourceClaims = try c.decodeIfPresent([JSONValue].self, forKey: .resourceClaims)
        self.resources = try c.decodeIfPresent(ResourceRequirements.self, forKey: .resources)
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
