import KubeModel
import MigrationAPI
@testable import PolicyEngine

/// Builders for planner snapshots: nodes, pods, policies and children, all literal values.
enum Fixture {
    static let now = Time(rfc3339: "2026-11-20T12:00:00Z")!

    static func node(
        _ name: String, cpu: String = "4", memory: String = "8Gi", pods: Int64 = 110, cordoned: Bool = false,
        ready: Bool = true, labels: [String: String] = [:], taints: [Taint] = []
    ) -> Node {
        var node = Node(metadata: ObjectMeta(name: name, labels: ["kubernetes.io/hostname": name].merging(labels) { $1 }))
        var spec = NodeSpec()
        spec.unschedulable = cordoned ? true : nil
        spec.taints = taints.isEmpty ? nil : taints
        node.spec = spec
        var status = NodeStatus()
        status.allocatable = ["cpu": Quantity(cpu)!, "memory": Quantity(memory)!, "pods": Quantity(pods)]
        status.conditions = [NodeCondition(type: .ready, status: ready ? .true : .false)]
        var info = NodeSystemInfo()
        info.containerRuntimeVersion = "cri-o://1.31.2"
        info.kubeletVersion = "v1.31.2"
        status.nodeInfo = info
        node.status = status
        return node
    }

    static func statefulSetOwner(_ name: String) -> OwnerReference {
        OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: name, uid: "uid-sts-\(name)", controller: true)
    }

    static func replicaSetOwner(_ name: String) -> OwnerReference {
        OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: name, uid: "uid-rs-\(name)", controller: true)
    }

    /// A Running pod of StatefulSet `set` (default: named after the pod's prefix) on `node`.
    static func pod(
        _ name: String, on node: String, namespace: String = "default", set: String? = "db",
        owner: OwnerReference? = nil, bare: Bool = false, cpu: String = "500m", memory: String = "128Mi",
        phase: PodPhase = .running, labels: [String: String] = ["app": "db"], annotations: [String: String] = [:]
    ) -> Pod {
        var container = Container(name: "app", image: "example.com/app:1")
        container.resources = ResourceRequirements(requests: ["cpu": Quantity(cpu)!, "memory": Quantity(memory)!])
        var spec = PodSpec(containers: [container])
        spec.nodeName = node
        let ownerReference = bare ? nil : (owner ?? set.map(statefulSetOwner))
        var pod = Pod(
            metadata: ObjectMeta(
                name: name, namespace: namespace, uid: "uid-\(namespace)-\(name)", labels: labels,
                annotations: annotations.isEmpty ? nil : annotations, ownerReferences: ownerReference.map { [$0] }),
            spec: spec)
        var status = PodStatus()
        status.phase = phase
        pod.status = status
        return pod
    }

    static func policy(
        name: String = "drain", cordon: Bool = true, nodeSelector: LabelSelector? = nil, taints: [TaintTrigger]? = nil,
        budgets: MigrationBudgets? = nil, selection: PodSelection? = nil, targets: TargetNodeSelection? = nil,
        rebalance: RebalanceSettings? = nil
    ) -> MigrationPolicy {
        let triggers = PolicyTriggers(cordon: cordon, nodeSelector: nodeSelector, taints: taints)
        let template = MigrationTemplate(
            checkpointImageRepository: "registry.example.com/ckpt",
            messageQueueConfig: MessageQueueConfig(queueName: "orders", brokerUrl: "amqp://broker:5672/"))
        return MigrationPolicy(
            metadata: ObjectMeta(name: name, uid: "uid-policy-\(name)", generation: 1),
            spec: MigrationPolicySpec(
                triggers: triggers, rebalance: rebalance, selection: selection, targets: targets, template: template,
                budgets: budgets))
    }

    /// A child of `policy` moving `pod` off `source`.
    static func child(
        _ name: String, pod: String, namespace: String = "default", policy: String? = "drain", source: String,
        target: String? = nil, phase: MigrationPhase?, reason: MoveReason = .drain, completed: Time? = nil
    ) -> StatefulMigration {
        var labels: [String: String] = [:]
        if let policy {
            labels[MigrationPolicyLabel.policy] = policy
            labels[MigrationPolicyLabel.sourceNode] = source
            labels[ChildMigrationLabels.reason] = reason.rawValue
        }
        var status = StatefulMigrationStatus(phase: phase)
        status.completionTime = completed
        status.sourceNode = source
        return StatefulMigration(
            metadata: ObjectMeta(name: name, namespace: namespace, labels: labels.isEmpty ? nil : labels),
            spec: StatefulMigrationSpec(sourcePod: pod, targetNode: target), status: status)
    }

    static func snapshot(
        _ policy: MigrationPolicy, nodes: [Node], pods: [Pod], migrations: [StatefulMigration] = [],
        namespaceLabels: [String: [String: String]] = [:], now: Time = Fixture.now
    ) -> PolicySnapshot {
        PolicySnapshot(
            policy: policy, nodes: nodes, pods: pods, namespaceLabels: namespaceLabels, migrations: migrations, now: now)
    }
}

extension MigrationPlan {
    /// `pod→target` of each move, in order.
    var moveSummary: [String] { moves.map { "\($0.pod)→\($0.targetNode)" } }
    /// The moved pods' names, in order.
    var movedPods: [String] { moves.map(\.pod) }
}
