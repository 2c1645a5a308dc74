import Foundation
import KubeModel
import MigrationAPI
@testable import MigrationEngine
import Placement
import Testing
import Unstructured

@Suite("engine core: pure rules")
struct EngineCoreTests {
    @Test("the cutoff ends replay on drain, at T, or at T·μ/λ when the target drains slower than messages arrive")
    func cutoffRule() {
        let rule = ReplayCutoff(maximumSeconds: 60)
        #expect(rule.decide(depth: 0, elapsedSeconds: 0.1, arrivalRate: 100, drainRate: nil) == .drained)
        #expect(rule.decide(depth: 50, elapsedSeconds: 10, arrivalRate: 100, drainRate: 300) == .continue)
        #expect(rule.decide(depth: 50, elapsedSeconds: 61, arrivalRate: 100, drainRate: 300) == .cutoff)
        // μ/λ = 0.5: cut at 30 s instead of 60.
        #expect(rule.decide(depth: 500, elapsedSeconds: 29, arrivalRate: 100, drainRate: 50) == .continue)
        #expect(rule.decide(depth: 500, elapsedSeconds: 31, arrivalRate: 100, drainRate: 50) == .adaptiveCutoff)
        #expect(rule.effectiveCutoff(arrivalRate: 100, drainRate: 50, elapsedSeconds: 5) == 30)
        #expect(rule.effectiveCutoff(arrivalRate: 0, drainRate: 50, elapsedSeconds: 5) == 60)
        // Drain mode ignores both cutoffs.
        #expect(ReplayCutoff(maximumSeconds: 60, drainOnly: true).decide(depth: 5, elapsedSeconds: 600, arrivalRate: 100, drainRate: 1) == .continue)
    }

    @Test("λ comes from the capture period, μ from the depth's slope during replay")
    func rates() {
        #expect(ReplayCutoff.arrivalRate(depthAtReplayStart: 500, captureSeconds: 5) == 100)
        // 1,000 queued, λ = 100/s, after 2 s 600 left: drained 400 + 200 arrivals = 600 in 2 s → μ = 300/s.
        #expect(ReplayCutoff.drainRate(arrivalRate: 100, initialDepth: 1000, depth: 600, elapsedSeconds: 2) == 300)
    }

    @Test("phase timings use Go's duration format like the reference")
    func goDurations() {
        #expect(GoDuration.string(.milliseconds(250)) == "250ms")
        #expect(GoDuration.string(.milliseconds(1500)) == "1.5s")
        #expect(GoDuration.string(.seconds(2)) == "2s")
        #expect(GoDuration.string(.milliseconds(123_250)) == "2m3.25s")
        #expect(GoDuration.string(.zero) == "0s")
    }

    @Test("runtime checks say what to upgrade")
    func runtimeSupport() {
        func node(_ runtime: String, _ kubelet: String = "v1.31.0") -> Node {
            var info = NodeSystemInfo()
            info.containerRuntimeVersion = runtime
            info.kubeletVersion = kubelet
            var status = NodeStatus()
            status.nodeInfo = info
            return Node(metadata: ObjectMeta(name: "n"), status: status)
        }
        #expect(RuntimeSupport.problem(with: node("cri-o://1.31.2")) == nil)
        #expect(RuntimeSupport.problem(with: node("cri-o://1.25.0")) == nil)
        #expect(RuntimeSupport.problem(with: node("containerd://2.1.0")) == nil)
        #expect(RuntimeSupport.problem(with: node("cri-o://1.24.9"))?.contains("CRI-O ≥ 1.25") == true)
        #expect(RuntimeSupport.problem(with: node("containerd://1.7.20"))?.contains("containerd ≥ 2.1") == true)
        #expect(RuntimeSupport.problem(with: node("docker://24.0.0"))?.contains("cannot checkpoint") == true)
        #expect(RuntimeSupport.problem(with: node("cri-o://1.31.2", "v1.24.3"))?.contains("kubelet") == true)
    }

    @Test("names are deterministic and bounded")
    func names() {
        var m = StatefulMigration(metadata: ObjectMeta(name: "move", namespace: "prod", uid: "1234abcd-0000"), spec: StatefulMigrationSpec(sourcePod: "p"))
        #expect(MigrationNames.transferJob(for: m) == "move-transfer")
        #expect(MigrationNames.imageTag(for: m) == "prod-move-1234abcd")
        m.metadata.name = String(repeating: "x", count: 70)
        let long = MigrationNames.transferJob(for: m)
        #expect(long.count <= 63 && long.hasSuffix("-transfer"))
        #expect(long == MigrationNames.transferJob(for: m))
        #expect(MigrationNames.targetPod(source: "web-0", strategy: .shadowPod) == "web-0-shadow")
        #expect(MigrationNames.targetPod(source: "web-0", strategy: .sequential) == "web-0")
    }

    @Test("spec validation names the field")
    func specValidation() {
        var spec = StatefulMigrationSpec(sourcePod: "p", checkpointImageRepository: "reg/x", messageQueueConfig: MessageQueueConfig(queueName: "q", brokerUrl: "amqp://h", exchangeName: "e"))
        #expect(SpecValidation.problems(with: spec).isEmpty)
        spec.migrationStrategy = "Teleport"
        spec.transferMode = "Direct"
        spec.checkpointImageRepository = "reg.io/x:tag"
        spec.messageQueueConfig?.brokerUrl = "http://h"
        let problems = SpecValidation.problems(with: spec).joined(separator: "\n")
        #expect(problems.contains("spec.migrationStrategy"))
        #expect(problems.contains("spec.transferMode"))
        #expect(problems.contains("spec.checkpointImageRepository"))
        #expect(problems.contains("spec.messageQueueConfig.brokerUrl"))
        // A registry port is not a tag.
        #expect(SpecValidation.problems(with: StatefulMigrationSpec(sourcePod: "p", checkpointImageRepository: "localhost:5000/x", messageQueueConfig: MessageQueueConfig(queueName: "q", brokerUrl: "amqp://h", exchangeName: "e"))).isEmpty)
    }

    @Test("the target pod keeps identity, resources and volumes, drops the config CRIU carries and the token volume")
    func targetPod() throws {
        var c = Container(name: "app", image: "counter:1", command: ["/run"], args: ["-x"], env: [EnvVar(name: "A", value: "1")])
        c.resources = ResourceRequirements(requests: ["cpu": "250m"])
        c.volumeMounts = [VolumeMount(name: "data", mountPath: "/data"), VolumeMount(name: "kube-api-access-abcde", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount")]
        var spec = PodSpec(containers: [c, Container(name: "sidecar", image: "envoy:1", command: ["envoy"])])
        spec.volumes = [
            Volume.persistentVolumeClaim(name: "data", claimName: "data-web-0"),
            Volume(name: "kube-api-access-abcde", sourceKind: "projected", .object(["sources": .array([.object(["serviceAccountToken": .object(["path": "token"])])])])),
        ]
        spec.nodeName = "node-a"
        spec.priority = 1000
        spec.priorityClassName = "high"
        spec.hostname = "web-0"
        spec.schedulerName = "spread-scheduler"
        let source = Pod(metadata: ObjectMeta(name: "web-0", namespace: "ns", uid: "u1", resourceVersion: "9", labels: ["app": "web", "controller-revision-hash": "web-abc"], ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "s1", controller: true)]), spec: spec)
        let m = StatefulMigration(metadata: ObjectMeta(name: "mv", namespace: "ns"), spec: StatefulMigrationSpec(sourcePod: "web-0"))
        let target = TargetPodBuilder.build(source: source, name: "web-0", node: "node-b", images: ["app": "reg/x@sha256:1"], primary: "app", migration: m)
        #expect(target.metadata.uid == nil && target.metadata.resourceVersion == nil && target.metadata.ownerReferences == nil)
        #expect(target.metadata.labels?["controller-revision-hash"] == "web-abc")
        #expect(target.metadata.labels?[MigrationNames.migrationLabel] == "mv")
        // Left to the scheduler (the source's own), pinned to node-b by required node affinity.
        #expect(target.spec?.nodeName == nil)
        #expect(target.spec?.schedulerName == "spread-scheduler")
        #expect(target.metadata.annotations?[NodePin.annotation] == "node-b")
        #expect(target.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms == [
            NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: .in, values: ["node-b"])])
        ])
        #expect(target.spec?.priority == nil && target.spec?.priorityClassName == "high")
        #expect(target.spec?.hostname == "web-0")
        let app = try #require(target.spec?.containers.first)
        #expect(app.image == "reg/x@sha256:1" && app.command == nil && app.args == nil && app.env == nil)
        #expect(app.resources?.requests?["cpu"] == "250m")
        #expect(app.volumeMounts?.map(\.name) == ["data"])
        #expect(target.spec?.volumes?.map(\.name) == ["data"])
        #expect(target.spec?.containers.last?.command == ["envoy"])  // not checkpointed: unchanged
        #expect(target.metadata.annotations?[MigrationNames.restoredFromAnnotation] == "reg/x@sha256:1")
    }

    @Test("the transfer Job pushes every archive in one run, with the registry options and the stale-archive scope")
    func transferJobArguments() {
        var spec = StatefulMigrationSpec(sourcePod: "web-0", checkpointImageRepository: "reg.local/ckpt")
        spec.registry = RegistryOptions(insecure: true, compress: true)
        let m = StatefulMigration(metadata: ObjectMeta(name: "mv", namespace: "ns", uid: "u-1"), spec: spec)
        let pushes = [
            TransferJobBuilder.Push(container: "app", archive: "/var/lib/kubelet/checkpoints/a.tar", destination: "reg.local/ckpt:t"),
            TransferJobBuilder.Push(container: "ledger", archive: "/var/lib/kubelet/checkpoints/b.tar", destination: "reg.local/ckpt:t-ledger"),
        ]
        let job = TransferJobBuilder.build(
            migration: m, settings: TransferJobSettings(chunkSizeMiB: 64), sourceNode: "node-a", pushes: pushes, timeoutSeconds: 60,
            staleArchives: TransferJobBuilder.ArchiveScope(pod: "web-0", namespace: "ns", since: "2026-12-07T10:00:00Z"))
        let args = job.spec?.template.spec?.containers.first?.args ?? []
        #expect(Array(args.prefix(12)) == [
            "--archive", "/var/lib/kubelet/checkpoints/a.tar", "--container", "app", "--destination", "reg.local/ckpt:t",
            "--archive", "/var/lib/kubelet/checkpoints/b.tar", "--container", "ledger", "--destination", "reg.local/ckpt:t-ledger",
        ])
        for flag in ["--remove-archive", "--insecure", "--compress", "--remove-stale-since"] { #expect(args.contains(flag), "\(flag) missing") }
        #expect(args.joined(separator: " ").contains("--chunk-size-mib 64"))
        #expect(args.joined(separator: " ").contains("--checkpoint-directory /var/lib/kubelet/checkpoints"))
        #expect(job.spec?.template.spec?.nodeName == "node-a")
    }

    @Test("every checkpointed container runs its own checkpoint image; init containers that ran to completion run again")
    func multiContainerTargetPod() throws {
        let schema = Container(name: "migrate-schema", image: "tools:1", command: ["migrate"])
        var ledger = Container(name: "ledger", image: "ledger:1", args: ["--interval", "1s"])
        ledger.restartPolicy = "Always"
        var spec = PodSpec(containers: [
            Container(name: "app", image: "counter:1", command: ["/run"]),
            Container(name: "proxy", image: "envoy:1", command: ["envoy"]),
        ])
        spec.initContainers = [schema, ledger]
        let source = Pod(metadata: ObjectMeta(name: "web-0", namespace: "ns", uid: "u1"), spec: spec)
        let m = StatefulMigration(metadata: ObjectMeta(name: "mv", namespace: "ns"), spec: StatefulMigrationSpec(sourcePod: "web-0"))
        let target = TargetPodBuilder.build(
            source: source, name: "web-0", node: "node-b", images: ["app": "reg/x@sha256:1", "ledger": "reg/x@sha256:2"],
            primary: "app", migration: m)
        let containers = try #require(target.spec?.containers)
        let inits = try #require(target.spec?.initContainers)
        #expect(containers.map(\.image) == ["reg/x@sha256:1", "envoy:1"])
        #expect(containers[1].command == ["envoy"])
        // The sidecar is restored (its config is in the checkpoint); the regular init container is kept as it was.
        #expect(inits.map(\.name) == ["migrate-schema", "ledger"])
        #expect(inits[0].image == "tools:1" && inits[0].command == ["migrate"])
        #expect(inits[1].image == "reg/x@sha256:2" && inits[1].args == nil && inits[1].restartPolicy == "Always")
        #expect(target.metadata.annotations?[MigrationNames.restoredFromAnnotation] == "reg/x@sha256:1")
    }
}

@Suite("placement: node fit and target choice")
struct PlacementTests {
    func node(_ name: String, cpu: String = "4", ready: Bool = true, cordoned: Bool = false, labels: [String: String] = [:], taints: [Taint] = []) -> Node {
        var spec = NodeSpec()
        spec.unschedulable = cordoned
        spec.taints = taints
        var status = NodeStatus()
        status.allocatable = ["cpu": Quantity(cpu)!, "memory": "8Gi", "pods": 10]
        status.conditions = [NodeCondition(type: .ready, status: ready ? .true : .false)]
        var info = NodeSystemInfo()
        info.containerRuntimeVersion = "cri-o://1.31.2"
        info.kubeletVersion = "v1.31.2"
        status.nodeInfo = info
        return Node(metadata: ObjectMeta(name: name, labels: labels), spec: spec, status: status)
    }

    func pod(_ name: String, cpu: String, node: String? = nil, selector: [String: String]? = nil, tolerations: [Toleration]? = nil, owner: String? = nil) -> Pod {
        var c = Container(name: "c")
        c.resources = ResourceRequirements(requests: ["cpu": Quantity(cpu)!])
        var spec = PodSpec(containers: [c])
        spec.nodeName = node
        spec.nodeSelector = selector
        spec.tolerations = tolerations
        return Pod(metadata: ObjectMeta(name: name, uid: name, ownerReferences: owner.map { [OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "s", uid: $0, controller: true)] }), spec: spec)
    }

    @Test("every filter reports its reason")
    func filters() {
        let p = pod("p", cpu: "1", selector: ["disk": "ssd"])
        #expect(NodeFit.failures(of: p, on: node("a", labels: ["disk": "ssd"]), podsOnNode: []).isEmpty)
        #expect(NodeFit.failures(of: p, on: node("a"), podsOnNode: []) == [.nodeSelectorMismatch])
        #expect(NodeFit.failures(of: p, on: node("a", ready: false, cordoned: true, labels: ["disk": "ssd"]), podsOnNode: []) == [.notReady, .unschedulable])
        let tainted = node("a", labels: ["disk": "ssd"], taints: [Taint(key: "maintenance", effect: .noSchedule)])
        #expect(NodeFit.failures(of: p, on: tainted, podsOnNode: []) == [.untoleratedTaint(key: "maintenance", effect: "NoSchedule")])
        var tolerant = p
        tolerant.spec?.tolerations = [Toleration(key: "maintenance", operator: .exists)]
        #expect(NodeFit.failures(of: tolerant, on: tainted, podsOnNode: []).isEmpty)
        let full = NodeFit.failures(of: p, on: node("a", cpu: "2", labels: ["disk": "ssd"]), podsOnNode: [pod("x", cpu: "1500m")])
        #expect(full == [.insufficient(resource: "cpu", requested: "1", available: "500m")])
        // Reserved (planned) requests count as used.
        #expect(!NodeFit.fits(pod("q", cpu: "1"), on: node("a", cpu: "2"), podsOnNode: [], reserved: ["cpu": "1500m"]))
        // Required node affinity sees labels and, through matchFields, the node's name.
        var pinned = pod("r", cpu: "1")
        pinned.spec?.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(
                matchExpressions: [NodeSelectorRequirement(key: "disk", operator: .in, values: ["ssd"])],
                matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: .in, values: ["b"])])
        ])))
        #expect(NodeFit.failures(of: pinned, on: node("b", labels: ["disk": "ssd"]), podsOnNode: []).isEmpty)
        #expect(NodeFit.failures(of: pinned, on: node("a", labels: ["disk": "ssd"]), podsOnNode: []) == [.nodeAffinityMismatch])
        #expect(NodeFit.failures(of: pinned, on: node("b"), podsOnNode: []) == [.nodeAffinityMismatch])
    }

    @Test("the chooser spreads replicas, then prefers the emptiest node, then the name")
    func chooser() {
        let p = pod("web-1", cpu: "1", owner: "s1")
        let nodes = [node("a"), node("b"), node("c"), node("d", cordoned: true)]
        let podsByNode = ["b": [pod("web-0", cpu: "1", node: "b", owner: "s1")], "c": [pod("other", cpu: "2", node: "c")]]
        let choice = TargetChooser().choose(for: p, among: nodes, podsByNode: podsByNode, excluded: ["a"], ownerUID: "s1")
        #expect(choice.node == "c")  // b holds a sibling; d is cordoned
        #expect(choice.rejected["d"] == [.unschedulable])
        let tie = TargetChooser().choose(for: pod("z", cpu: "1"), among: [node("y"), node("x")], podsByNode: [:], excluded: [])
        #expect(tie.node == "x")
    }
}
