import KubeModel
import Unstructured

/// What makes a StatefulSet pod the pod it is — its ordinal name, identity labels, hostname, claims and
/// revision — as pure functions of the set (kube-controller-manager's `stateful_set_utils.go`).
enum StatefulSetIdentity {
    /// The pod at `ordinal`: `<set>-<ordinal>`.
    static func podName(set: String, ordinal: Int) -> String { "\(set)-\(ordinal)" }

    /// The claim of `template` for the pod at `ordinal`: `<claim>-<set>-<ordinal>`.
    static func claimName(template: String, set: String, ordinal: Int) -> String {
        "\(template)-\(set)-\(ordinal)"
    }

    /// The parent set name and ordinal encoded in a pod name (`(.*)-([0-9]+)$`), or nil.
    static func parentAndOrdinal(ofPodName name: String) -> (parent: String, ordinal: Int)? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let ordinal = Int(digits)
        else { return nil }
        return (String(name[..<dash]), ordinal)
    }

    /// The ordinal of a pod of `set`, or nil when the pod's name is not one of the set's (`isMemberOf`).
    static func ordinal(of pod: Pod, inSet set: String) -> Int? {
        guard let parsed = parentAndOrdinal(ofPodName: pod.metadata.name ?? ""), parsed.parent == set else {
            return nil
        }
        return parsed.ordinal
    }

    /// The revision label of a pod (`controller-revision-hash`), or nil.
    static func revision(of pod: Pod) -> String? { pod.metadata.labels?[WorkloadLabels.controllerRevisionHash] }

    /// The first ordinal of the set (`spec.ordinals.start`, default 0).
    static func startOrdinal(_ set: StatefulSet) -> Int { set.spec?.ordinals?.start ?? 0 }

    /// The desired replica count (`spec.replicas`, default 1).
    static func replicas(_ set: StatefulSet) -> Int { set.spec?.replicas ?? 1 }

    /// Whether the pod's identity labels are those of `ordinal` (`identityMatches`, labels only: hostname and
    /// subdomain cannot change on an existing pod).
    static func identityLabelsMatch(_ pod: Pod, set: StatefulSet, ordinal: Int) -> Bool {
        let name = podName(set: set.metadata.name ?? "", ordinal: ordinal)
        let labels = pod.metadata.labels ?? [:]
        return pod.metadata.name == name && labels[WorkloadLabels.statefulSetPodName] == name
            && labels[WorkloadLabels.podIndex] == String(ordinal)
    }

    /// The identity labels of the pod at `ordinal`.
    static func identityLabels(set: StatefulSet, ordinal: Int) -> [String: String] {
        [
            WorkloadLabels.statefulSetPodName: podName(set: set.metadata.name ?? "", ordinal: ordinal),
            WorkloadLabels.podIndex: String(ordinal),
        ]
    }

    /// The claims the pod at `ordinal` mounts, one per volume claim template, keyed by template name
    /// (`getPersistentVolumeClaims`): the template with its name made unique and the selector's labels added.
    static func claims(set: StatefulSet, ordinal: Int) -> [(template: String, claim: PersistentVolumeClaim)] {
        let setName = set.metadata.name ?? ""
        return (set.spec?.volumeClaimTemplates ?? []).compactMap { template in
            guard let templateName = template.metadata.name else { return nil }
            var claim = PersistentVolumeClaim(spec: template.spec)
            claim.metadata.name = claimName(template: templateName, set: setName, ordinal: ordinal)
            claim.metadata.namespace = set.metadata.namespace
            claim.metadata.annotations = template.metadata.annotations
            var labels = template.metadata.labels ?? [:]
            for (key, value) in set.spec?.selector.matchLabels ?? [:] { labels[key] = value }
            claim.metadata.labels = labels.isEmpty ? nil : labels
            return (templateName, claim)
        }
    }

    /// A new pod for `ordinal` from the set's template at `revision` (`newVersionedStatefulSetPod`): the
    /// template's labels, annotations and spec; the ordinal name, identity labels, hostname and subdomain;
    /// volumes for the claims replacing template volumes of the same name; the revision label; and a
    /// controller ownerReference to the set.
    static func newPod(set: StatefulSet, template: PodTemplateSpec, ordinal: Int, revision: String) -> Pod {
        let setName = set.metadata.name ?? ""
        let name = podName(set: setName, ordinal: ordinal)
        var pod = Pod()
        pod.metadata.name = name
        pod.metadata.namespace = set.metadata.namespace
        var labels = template.metadata?.labels ?? [:]
        for (key, value) in identityLabels(set: set, ordinal: ordinal) { labels[key] = value }
        labels[WorkloadLabels.controllerRevisionHash] = revision
        pod.metadata.labels = labels
        pod.metadata.annotations = template.metadata?.annotations
        pod.metadata.finalizers = template.metadata?.finalizers
        if let owner = OwnerReference(controller: set) { pod.metadata.ownerReferences = [owner] }
        var spec = template.spec ?? PodSpec(containers: [])
        spec.hostname = name
        if let serviceName = set.spec?.serviceName, !serviceName.isEmpty { spec.subdomain = serviceName }
        let claimVolumes = claims(set: set, ordinal: ordinal).map { entry in
            Volume.persistentVolumeClaim(name: entry.template, claimName: entry.claim.metadata.name ?? "")
        }
        if !claimVolumes.isEmpty {
            let claimed = Set(claimVolumes.map(\.name))
            spec.volumes = claimVolumes + (spec.volumes ?? []).filter { !claimed.contains($0.name) }
        }
        pod.spec = spec
        return pod
    }

    /// Whether a pod is Running with a `Ready` condition that is `True` (`isRunningAndReady`).
    static func isRunningAndReady(_ pod: Pod) -> Bool {
        pod.status?.phase == .running && pod.isReady
    }

    /// Whether a pod is running and ready and not being deleted (`isHealthy`).
    static func isHealthy(_ pod: Pod) -> Bool { isRunningAndReady(pod) && !pod.metadata.isBeingDeleted }

    /// Whether a pod has been ready for `minReadySeconds` at `now` (`isRunningAndAvailable`).
    static func isAvailable(_ pod: Pod, minReadySeconds: Int, now: Time) -> Bool {
        guard isRunningAndReady(pod) else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = pod.status?.conditions?.first(where: { $0.type == .ready })?.lastTransitionTime else {
            return false
        }
        return since.adding(seconds: Int64(minReadySeconds)) <= now
    }
}
