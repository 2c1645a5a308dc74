import KubeModel
import Placement
import Testing
import Unstructured

/// A pod's persistent volumes bound where it can go: kube-scheduler's VolumeBinding filter refuses a node a
/// bound PersistentVolume's `nodeAffinity.required` does not match — a `local` volume's node, a zonal disk's
/// zone (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#node-affinity).
@Suite("Placement: volume topology")
struct VolumeTopologyTests {
    func claim(_ name: String, volume: String?, namespace: String = "default") -> PersistentVolumeClaim {
        PersistentVolumeClaim(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: PersistentVolumeClaimSpec(accessModes: ["ReadWriteOnce"], volumeName: volume))
    }

    func volume(_ name: String, key: String, values: [String]) -> PersistentVolume {
        PersistentVolume(
            metadata: ObjectMeta(name: name),
            spec: PersistentVolumeSpec(
                accessModes: ["ReadWriteOnce"],
                nodeAffinity: VolumeNodeAffinity(required: NodeSelector(nodeSelectorTerms: [
                    NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: key, operator: .in, values: values)])
                ]))))
    }

    func withClaim(_ pod: Pod, _ claimName: String) -> Pod {
        var pod = pod
        pod.spec?.volumes = [Volume.persistentVolumeClaim(name: "data", claimName: claimName)]
        return pod
    }

    func choose(_ pod: Pod, _ nodes: [Node], _ volumes: VolumeTopology) -> TargetChooser.Choice {
        TargetChooser().choose(for: pod, among: nodes, podsByNode: [:], excluded: ["source"], volumes: volumes)
    }

    @Test("a zonal volume keeps the pod in its zone; a local volume pins it to its node")
    func zonalAndLocal() {
        let nodes = [node("a1", cpu: "32", zone: "a"), node("b1", zone: "b"), node("b2", zone: "b"), node("source", zone: "b")]
        let zonal = VolumeTopology(claims: [claim("data-db-0", volume: "pv-zonal")], volumes: [volume("pv-zonal", key: zone, values: ["b"])])
        let moving = withClaim(pod("db-0", on: "source", labels: ["app": "db"]), "data-db-0")
        let choice = choose(moving, nodes, zonal)
        #expect(choice.node == "b1" || choice.node == "b2", "the roomier node of zone a cannot reach the disk")
        #expect(choice.rejected["a1"] == [.volumeNodeAffinityConflict(claim: "data-db-0")])
        #expect(choice.schedulerMessage(excluded: 1).contains("1 node(s) had volume node affinity conflict"))

        let local = VolumeTopology(claims: [claim("data-db-0", volume: "pv-local")], volumes: [volume("pv-local", key: hostname, values: ["source"])])
        let pinned = choose(moving, nodes, local)
        #expect(pinned.node == nil, "a local volume's data lives on the source node only")
        #expect(pinned.rejected.count == 3)
    }

    @Test("claims that are unbound, unknown or in another namespace, and volumes without node affinity, constrain nothing")
    func unconstrained() {
        let nodes = [node("a1", zone: "a"), node("source", zone: "b")]
        let moving = withClaim(pod("db-0", on: "source", labels: ["app": "db"]), "data-db-0")
        let volumes = [volume("pv-zonal", key: zone, values: ["b"]), PersistentVolume(metadata: ObjectMeta(name: "pv-free"), spec: PersistentVolumeSpec(accessModes: ["ReadWriteMany"]))]
        for claims in [[claim("data-db-0", volume: nil)], [claim("other", volume: "pv-zonal")], [claim("data-db-0", volume: "pv-zonal", namespace: "elsewhere")], [claim("data-db-0", volume: "pv-free")]] {
            #expect(choose(moving, nodes, VolumeTopology(claims: claims, volumes: volumes)).node == "a1")
        }
    }
}
