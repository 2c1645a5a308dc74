import KubeClient
import KubeModel
import MigrationAPI
@testable import MigrationEngine
import OperatorCore
import Testing

/// Pending against a pod's persistent volumes: a claim only one node can mount at a time rules out ShadowPod
/// (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes: ReadWriteOnce "can be
/// mounted as read-write by a single node", ReadWriteOncePod "by a single Pod"), and a volume's node affinity
/// bounds the target the engine chooses (#node-affinity).
@Suite("engine: persistent volumes decide the strategy and bound the target")
struct VolumePlacementTests {
    func addPodWithClaim(_ h: EngineHarness, name: String, claim: String, node: String) async throws {
        var container = Container(name: "app", image: "example.com/counter:1", command: ["/counter"])
        container.resources = ResourceRequirements(requests: ["cpu": "100m", "memory": "64Mi"])
        var spec = PodSpec(containers: [container])
        spec.nodeName = node
        spec.volumes = [Volume.persistentVolumeClaim(name: "data", claimName: claim)]
        let pod = try await h.client.create(
            Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: ["app": name]), spec: spec),
            namespace: "default", options: WriteOptions())
        try await h.markRunning(pod)
    }

    func addClaim(_ h: EngineHarness, _ name: String, modes: [String], volume: String? = nil) async throws {
        _ = try await h.client.create(
            PersistentVolumeClaim(
                metadata: ObjectMeta(name: name, namespace: "default"),
                spec: PersistentVolumeClaimSpec(
                    accessModes: modes, resources: VolumeResourceRequirements(requests: ["storage": "1Gi"]),
                    volumeName: volume)),
            namespace: "default", options: WriteOptions())
    }

    @Test("ShadowPod is refused for a ReadWriteOnce or ReadWriteOncePod claim, allowed for ReadWriteMany")
    func accessModes() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            try await h.setUpBroker()
            for (index, modes) in [["ReadWriteOnce"], ["ReadWriteOncePod"], ["ReadWriteMany"]].enumerated() {
                let name = "app-\(index)"
                try await addClaim(h, "data-\(index)", modes: modes)
                try await addPodWithClaim(h, name: name, claim: "data-\(index)", node: "node-a")
                try await h.createMigration("m\(index)", spec: h.spec(source: name))
                try await h.reconcile("m\(index)")
                let m = try await h.migration("m\(index)")
                if modes == ["ReadWriteMany"] {
                    #expect(m.status?.failureReason == nil)
                    #expect(m.status?.strategy == .shadowPod)
                } else {
                    #expect(m.status?.failureReason == "StrategyNotApplicable")
                    #expect(m.status?.failureMessage?.contains("\(modes[0])") == true)
                    #expect(m.status?.failureMessage?.contains("use Sequential") == true)
                }
            }
        }
    }

    @Test("the engine chooses a target its volume can be reached from, and refuses a named one it cannot")
    func volumeNodeAffinity() async throws {
        try await EngineHarness.run { h in
            try await h.addNode("node-a", labels: ["topology.kubernetes.io/zone": "z1"])
            try await h.addNode("node-b", cpu: "16", labels: ["topology.kubernetes.io/zone": "z2"])
            try await h.addNode("node-c", labels: ["topology.kubernetes.io/zone": "z1"])
            try await h.setUpBroker()
            _ = try await h.client.create(
                PersistentVolume(
                    metadata: ObjectMeta(name: "pv-z1"),
                    spec: PersistentVolumeSpec(
                        accessModes: ["ReadWriteMany"],
                        nodeAffinity: VolumeNodeAffinity(required: NodeSelector(nodeSelectorTerms: [
                            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "topology.kubernetes.io/zone", operator: .in, values: ["z1"])])
                        ])))),
                namespace: nil, options: WriteOptions())
            try await addClaim(h, "data", modes: ["ReadWriteMany"], volume: "pv-z1")
            try await addPodWithClaim(h, name: "app-0", claim: "data", node: "node-a")

            try await h.createMigration("named", spec: h.spec(source: "app-0", target: "node-b"))
            try await h.reconcile("named")
            let named = try await h.migration("named")
            #expect(named.status?.failureReason == "TargetNodeUnfit")
            #expect(named.status?.failureMessage?.contains("claim data") == true)

            try await h.createMigration("chosen", spec: h.spec(source: "app-0", target: nil))
            try await h.reconcile("chosen")
            #expect(try await h.migration("chosen").status?.targetNode == "node-c", "node-b is roomier but in the other zone")
        }
    }
}
