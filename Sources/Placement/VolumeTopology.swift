public import KubeModel

/// Where the pods' persistent volumes can be reached: each claim's bound PersistentVolume and its node
/// affinity (a local volume's node, a zonal disk's zone). kube-scheduler's VolumeBinding filter refuses a
/// node the volume's `nodeAffinity.required` does not match ("node(s) had volume node affinity conflict";
/// https://kubernetes.io/docs/concepts/storage/persistent-volumes/#node-affinity) — and so must a migration:
/// the target could not mount the pod's data.
public struct VolumeTopology: Sendable {
    /// Each claim's bound volume name, by `namespace/name`.
    private let volumeOfClaim: [String: String]
    /// Each volume's required node selector, by volume name (volumes without one are absent).
    private let nodeAffinity: [String: NodeSelector]

    /// Nothing known: no volume constrains any node.
    public init() {
        volumeOfClaim = [:]
        nodeAffinity = [:]
    }

    /// The topology of `claims` and `volumes`.
    public init(claims: [PersistentVolumeClaim], volumes: [PersistentVolume]) {
        var bound: [String: String] = [:]
        for claim in claims {
            guard let volume = claim.spec?.volumeName, !volume.isEmpty else { continue }
            bound["\(claim.metadata.namespace ?? "")/\(claim.metadata.name ?? "")"] = volume
        }
        volumeOfClaim = bound
        var affinity: [String: NodeSelector] = [:]
        for volume in volumes {
            if let required = volume.spec?.nodeAffinity?.required, let name = volume.metadata.name {
                affinity[name] = required
            }
        }
        nodeAffinity = affinity
    }

    /// Whether no volume constrains nodes.
    public var isEmpty: Bool { nodeAffinity.isEmpty }

    /// The node selectors `pod`'s claims' volumes require, with the claim's name; claims not known or not
    /// bound, and volumes without node affinity, require nothing.
    public func requirements(of pod: Pod) -> [(claim: String, selector: NodeSelector)] {
        guard !nodeAffinity.isEmpty, let volumes = pod.spec?.volumes else { return [] }
        let namespace = pod.metadata.namespace ?? ""
        var result: [(claim: String, selector: NodeSelector)] = []
        for volume in volumes where volume.sourceKind == "persistentVolumeClaim" {
            guard let claim = volume.source["persistentVolumeClaim"]?["claimName"]?.stringValue,
                let bound = volumeOfClaim["\(namespace)/\(claim)"], let selector = nodeAffinity[bound]
            else { continue }
            result.append((claim, selector))
        }
        return result
    }
}
