public import KubeModel
import YAMLCodec

/// A simulated cluster described in a file: its nodes, the workloads to run on it, and the faults to inject.
/// Loaded from YAML with ``load(yaml:)``; see `Tests/SimClusterTests/Fixtures/basic.yaml`.
public struct SimScenario: Codable, Sendable, Hashable {
    /// A node of the scenario.
    public struct Node: Codable, Sendable, Hashable {
        public var name: String
        public var labels: [String: String]?
        public var taints: [Taint]?
        public var unschedulable: Bool?
        public var capacity: Capacity?
        /// `containerRuntimeVersion`, such as `cri-o://1.31.2`.
        public var runtime: String?
        public var kubeletVersion: String?
    }

    /// Node capacity; omitted fields keep the ``SimNodeConfiguration`` defaults.
    public struct Capacity: Codable, Sendable, Hashable {
        public var cpu: Quantity?
        public var memory: Quantity?
        public var pods: Int?
    }

    /// A StatefulSet running a program image, optionally fed by a message producer, optionally with a
    /// sidecar and an init container beside the program's container.
    public struct Workload: Codable, Sendable, Hashable {
        public var name: String
        public var namespace: String?
        public var image: String
        public var replicas: Int?
        public var env: [String: String]?
        public var producer: Producer?
        /// A sidecar: an init container with `restartPolicy: Always`, running beside the program.
        public var sidecar: ExtraContainer?
        /// An init container that runs to completion before the others start.
        public var initContainer: ExtraContainer?
    }

    /// A container of a workload's pods besides the program's own.
    public struct ExtraContainer: Codable, Sendable, Hashable {
        /// The container's name (default: `sidecar` or `init`).
        public var name: String?
        public var image: String
        public var args: [String]?
        /// `false` names the container in the pods' `migration.ms2m.io/fresh-containers` annotation: a
        /// migration starts it from its own image instead of checkpointing it (default: checkpointed).
        public var checkpointed: Bool?
    }

    /// Messages published to a workload's queue at a steady rate.
    public struct Producer: Codable, Sendable, Hashable {
        public var queue: String
        public var ratePerSecond: Double
    }

    /// Faults to inject when the scenario starts.
    public struct Faults: Codable, Sendable, Hashable {
        public var checkpointFailures: [CheckpointFailure]?
        public var kubeletDelayMilliseconds: Int?
        public var startFailures: [StartFailure]?
    }

    /// Checkpoints that answer 500 (nil fields match anything).
    public struct CheckpointFailure: Codable, Sendable, Hashable {
        public var node: String?
        public var namespace: String?
        public var pod: String?
        public var message: String?
    }

    /// Containers that fail to start: of images containing `image` (any when absent), on `node` (any when
    /// absent), only those restored from a checkpoint image when `checkpointImages` is true; the first `times`
    /// starts, or those in the `forSeconds` after the first failure (all when neither is given).
    public struct StartFailure: Codable, Sendable, Hashable {
        public var image: String?
        public var node: String?
        public var checkpointImages: Bool?
        /// `CreateContainerError` (default), `ErrImagePull` or `ExitWithError`.
        public var failure: String?
        public var message: String?
        public var times: Int?
        public var forSeconds: Double?
    }

    public var nodes: [Node]
    public var workloads: [Workload]?
    public var faults: Faults?

    /// Decodes a scenario from YAML text.
    public static func load(yaml: String) throws -> SimScenario {
        try YAML.decode(SimScenario.self, from: yaml)
    }

    /// The node configurations of ``nodes``.
    public var nodeConfigurations: [SimNodeConfiguration] {
        nodes.map { node in
            var config = SimNodeConfiguration(
                name: node.name, labels: node.labels ?? [:], taints: node.taints ?? [], unschedulable: node.unschedulable ?? false)
            if let cpu = node.capacity?.cpu { config.cpu = cpu }
            if let memory = node.capacity?.memory { config.memory = memory }
            if let pods = node.capacity?.pods { config.pods = pods }
            if let runtime = node.runtime { config.containerRuntimeVersion = runtime }
            if let kubelet = node.kubeletVersion { config.kubeletVersion = kubelet }
            return config
        }
    }

    /// Installs ``faults`` into `target`.
    public func applyFaults(to target: SimFaults) {
        guard let faults else { return }
        for f in faults.checkpointFailures ?? [] {
            target.failCheckpoints(
                SimFaults.CheckpointFailure(
                    node: f.node, namespace: f.namespace, pod: f.pod, message: f.message ?? "injected checkpoint failure"))
        }
        if let delay = faults.kubeletDelayMilliseconds { target.setKubeletDelay(.milliseconds(delay)) }
        for f in faults.startFailures ?? [] {
            let failure: SimFaults.StartFailure =
                switch f.failure {
                case "ExitWithError": .exitWithError
                case "ErrImagePull": .imagePull(message: f.message ?? "injected image pull failure")
                default: .createContainerError(message: f.message ?? "injected start failure")
                }
            target.failStarts(SimFaults.StartFault(
                image: f.image.map { .imageContains($0) }, node: f.node, checkpointImagesOnly: f.checkpointImages ?? false,
                failure: failure, times: f.times,
                duration: f.forSeconds.map { .milliseconds(Int64($0 * 1000)) }))
        }
    }

    /// The StatefulSets of ``workloads`` (label `app: <name>`, env as given).
    public var statefulSets: [StatefulSet] {
        (workloads ?? []).map { w in
            let labels = ["app": w.name]
            let container = Container(
                name: w.name, image: w.image,
                env: (w.env ?? [:]).sorted { $0.key < $1.key }.map { EnvVar(name: $0.key, value: $0.value) })
            return StatefulSet(
                metadata: ObjectMeta(name: w.name, namespace: w.namespace ?? "default", labels: labels),
                spec: StatefulSetSpec(
                    replicas: w.replicas ?? 1, selector: LabelSelector(matchLabels: labels), serviceName: w.name,
                    template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [container]))))
        }
    }
}
