import Synchronization
import Unstructured

/// Identifies one stored resource across versions: API group plus plural name.
struct ResourceID: Hashable, Sendable, CustomStringConvertible {
    var group: String
    var resource: String
    var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// How names of a resource are validated.
enum NameRule: Sendable {
    /// RFC 1123 subdomain (most resources).
    case subdomain
    /// RFC 1123 label (namespaces, services).
    case label
    /// Any path segment: not `.` or `..`, no `/` or `%` (RBAC objects, whose names hold `:`).
    case pathSegment
}

/// Extra facts about a custom resource (served from a CustomResourceDefinition).
struct CustomResourceInfo: Sendable {
    /// The CRD's name (`<plural>.<group>`).
    var crdName: String
    /// The compiled schema of this version, if one is declared.
    var schema: CompiledSchema?
    /// Whether the status subresource is declared.
    var hasStatus: Bool
    /// The scale subresource paths, when declared.
    var scale: ScalePaths?
    /// The storage version (objects are stored with this apiVersion).
    var storageVersion: String
    /// `spec.versions[].selectableFields[].jsonPath`, without the leading dot.
    var selectableFields: [String]
}

/// The JSON paths of a scale subresource.
struct ScalePaths: Sendable {
    var specReplicasPath: [String]
    var statusReplicasPath: [String]
    var labelSelectorPath: [String]?
}

/// One resource of one group version: what routing, discovery and the write path need to know.
final class ResourceInfo: Sendable {
    let group: String
    let version: String
    let kind: String
    let plural: String
    let singular: String
    let namespaced: Bool
    let verbs: [String]
    let shortNames: [String]
    let categories: [String]
    /// Declared subresources: status, scale, binding, eviction, proxy, finalize.
    let subresources: Set<String>
    /// Field selector labels beyond metadata.name/metadata.namespace.
    let fieldLabels: [String: [String]]
    let nameRule: NameRule
    /// Whether DELETE answers with the object instead of a Status (pods, namespaces, custom resources…).
    let returnsDeletedObject: Bool
    /// The propagation policy when the request names none.
    let defaultPropagation: String
    let custom: CustomResourceInfo?

    init(
        group: String, version: String, kind: String, plural: String, namespaced: Bool,
        shortNames: [String] = [], categories: [String] = [], subresources: Set<String> = [],
        fieldLabels: [String: [String]] = [:], nameRule: NameRule = .subdomain, returnsDeletedObject: Bool = false,
        defaultPropagation: String = "Background", verbs: [String]? = nil, custom: CustomResourceInfo? = nil,
        singular: String? = nil
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = singular ?? kind.lowercased()
        self.namespaced = namespaced
        self.verbs = verbs ?? ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.fieldLabels = fieldLabels
        self.nameRule = nameRule
        self.returnsDeletedObject = returnsDeletedObject
        self.defaultPropagation = defaultPropagation
        self.custom = custom
    }

    var id: ResourceID { ResourceID(group: group, resource: plural) }
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var listKind: String { kind + "List" }
    var isCustom: Bool { custom != nil }
    var hasStatus: Bool { subresources.contains("status") }
    /// "pods" or "deployments.apps", as error messages name resources.
    var qualifiedResource: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// The apiVersion objects are stored with.
    var storageAPIVersion: String {
        guard let custom else { return apiVersion }
        return group.isEmpty ? custom.storageVersion : "\(group)/\(custom.storageVersion)"
    }
}

/// Resources served right now: the built-in table plus one entry per served version of each established CRD.
final class ResourceRegistry: Sendable {
    private struct State {
        var byVersion: [String: [String: ResourceInfo]] = [:]  // "group/version" → plural → info
        var order: [String] = []  // group versions in registration order
    }

    private let state: Mutex<State>

    init() {
        var s = State()
        for info in BuiltinResources.all { Self.add(info, to: &s) }
        state = Mutex(s)
    }

    private static func add(_ info: ResourceInfo, to s: inout State) {
        let gv = info.apiVersion
        if s.byVersion[gv] == nil { s.order.append(gv) }
        s.byVersion[gv, default: [:]][info.plural] = info
    }

    /// The resource `plural` of `group`/`version`.
    func lookup(group: String, version: String, plural: String) -> ResourceInfo? {
        let gv = group.isEmpty ? version : "\(group)/\(version)"
        return state.withLock { $0.byVersion[gv]?[plural] }
    }

    /// The resource serving `kind` at `apiVersion`.
    func lookup(apiVersion: String, kind: String) -> ResourceInfo? {
        state.withLock { s in s.byVersion[apiVersion]?.values.first { $0.kind == kind } }
    }

    /// Every version of a stored resource (for CRDs, each served version).
    func versions(of id: ResourceID) -> [ResourceInfo] {
        state.withLock { s in
            s.order.compactMap { s.byVersion[$0]?[id.resource] }.filter { $0.group == id.group }
        }
    }

    /// Whether `group/version` is served.
    func hasGroupVersion(_ gv: String) -> Bool { state.withLock { $0.byVersion[gv] != nil } }

    /// Resources of one group version, sorted by plural.
    func resources(groupVersion gv: String) -> [ResourceInfo] {
        state.withLock { ($0.byVersion[gv].map { Array($0.values) } ?? []).sorted { $0.plural < $1.plural } }
    }

    /// Served group versions, in registration order.
    func groupVersions() -> [String] { state.withLock { $0.order } }

    /// Every namespaced resource, one entry per stored resource.
    func namespacedResources() -> [ResourceInfo] {
        state.withLock { s in
            var seen = Set<ResourceID>()
            var out: [ResourceInfo] = []
            for gv in s.order {
                for info in (s.byVersion[gv] ?? [:]).values where info.namespaced && seen.insert(info.id).inserted {
                    out.append(info)
                }
            }
            return out
        }
    }

    /// Replaces the versions served for a CRD (empty removes them).
    func setCustomResource(group: String, plural: String, versions: [ResourceInfo]) {
        state.withLock { s in
            for gv in s.order {
                if let info = s.byVersion[gv]?[plural], info.group == group, info.custom != nil {
                    s.byVersion[gv]?[plural] = nil
                }
            }
            for info in versions { Self.add(info, to: &s) }
            let empty = Set(s.byVersion.filter { $0.value.isEmpty }.keys)
            for gv in empty { s.byVersion[gv] = nil }
            s.order.removeAll { empty.contains($0) }
        }
    }
}

/// The built-in resources KubeSim serves.
enum BuiltinResources {
    static let pods = ResourceInfo(
        group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true, shortNames: ["po"],
        categories: ["all"], subresources: ["status", "binding", "eviction"],
        fieldLabels: [
            "spec.nodeName": ["spec", "nodeName"], "spec.restartPolicy": ["spec", "restartPolicy"],
            "spec.schedulerName": ["spec", "schedulerName"],
            "spec.serviceAccountName": ["spec", "serviceAccountName"],
            "spec.hostNetwork": ["spec", "hostNetwork"], "status.phase": ["status", "phase"],
            "status.podIP": ["status", "podIP"], "status.nominatedNodeName": ["status", "nominatedNodeName"],
        ],
        returnsDeletedObject: true)
    static let nodes = ResourceInfo(
        group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false, shortNames: ["no"],
        subresources: ["status", "proxy"], fieldLabels: ["spec.unschedulable": ["spec", "unschedulable"]])
    static let namespaces = ResourceInfo(
        group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, shortNames: ["ns"],
        subresources: ["status", "finalize"], fieldLabels: ["status.phase": ["status", "phase"]], nameRule: .label,
        returnsDeletedObject: true,
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"])
    static let events = ResourceInfo(
        group: "", version: "v1", kind: "Event", plural: "events", namespaced: true, shortNames: ["ev"],
        fieldLabels: [
            "involvedObject.kind": ["involvedObject", "kind"],
            "involvedObject.namespace": ["involvedObject", "namespace"],
            "involvedObject.name": ["involvedObject", "name"], "involvedObject.uid": ["involvedObject", "uid"],
            "involvedObject.apiVersion": ["involvedObject", "apiVersion"],
            "involvedObject.resourceVersion": ["involvedObject", "resourceVersion"],
            "involvedObject.fieldPath": ["involvedObject", "fieldPath"], "reason": ["reason"],
            "reportingComponent": ["reportingComponent"], "source": ["source", "component"], "type": ["type"],
        ])

    static let configMaps = ResourceInfo(
        group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, shortNames: ["cm"])
    static let serviceAccounts = ResourceInfo(
        group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true,
        shortNames: ["sa"], subresources: ["token"])

    static let all: [ResourceInfo] = [
        pods, nodes, namespaces, events,
        ResourceInfo(
            group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true,
            fieldLabels: ["type": ["type"]]),
        configMaps,
        ResourceInfo(
            group: "", version: "v1", kind: "Service", plural: "services", namespaced: true, shortNames: ["svc"],
            categories: ["all"], subresources: ["status"], nameRule: .label),
        ResourceInfo(
            group: "", version: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims",
            namespaced: true, shortNames: ["pvc"], subresources: ["status"]),
        ResourceInfo(
            group: "", version: "v1", kind: "PersistentVolume", plural: "persistentvolumes", namespaced: false,
            shortNames: ["pv"], subresources: ["status"]),
        ResourceInfo(
            group: "", version: "v1", kind: "ResourceQuota", plural: "resourcequotas", namespaced: true,
            shortNames: ["quota"], subresources: ["status"]),
        serviceAccounts,
        ResourceInfo(
            group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true,
            shortNames: ["sts"], categories: ["all"], subresources: ["status", "scale"]),
        ResourceInfo(
            group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true,
            shortNames: ["rs"], categories: ["all"], subresources: ["status", "scale"]),
        ResourceInfo(
            group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true,
            shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"]),
        ResourceInfo(
            group: "apps", version: "v1", kind: "ControllerRevision", plural: "controllerrevisions", namespaced: true),
        ResourceInfo(
            group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true, categories: ["all"],
            subresources: ["status"], defaultPropagation: "Orphan"),
        ResourceInfo(group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true),
        ResourceInfo(
            group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", namespaced: true,
            shortNames: ["ev"],
            fieldLabels: [
                "regarding.kind": ["regarding", "kind"], "regarding.namespace": ["regarding", "namespace"],
                "regarding.name": ["regarding", "name"], "regarding.uid": ["regarding", "uid"],
                "reason": ["reason"], "type": ["type"], "reportingController": ["reportingController"],
            ]),
        ResourceInfo(
            group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets",
            namespaced: true, shortNames: ["pdb"], subresources: ["status"]),
        ResourceInfo(
            group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
            plural: "customresourcedefinitions", namespaced: false, shortNames: ["crd", "crds"],
            categories: ["api-extensions"], subresources: ["status"], returnsDeletedObject: true),
        validatingWebhookConfigurations, mutatingWebhookConfigurations,
    ] + AuthResources.all

    /// Cluster-scoped admissionregistration.k8s.io/v1 resources; their webhooks are called by the admission chain.
    static let validatingWebhookConfigurations = ResourceInfo(
        group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfiguration",
        plural: "validatingwebhookconfigurations", namespaced: false, categories: ["api-extensions"])
    static let mutatingWebhookConfigurations = ResourceInfo(
        group: "admissionregistration.k8s.io", version: "v1", kind: "MutatingWebhookConfiguration",
        plural: "mutatingwebhookconfigurations", namespaced: false, categories: ["api-extensions"])
}

extension BuiltinResources {
    static let crdID = ResourceID(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")
    static let podDisruptionBudgets = all.first { $0.plural == "poddisruptionbudgets" }!
    static let crds = all.first { $0.id == crdID }!
}
