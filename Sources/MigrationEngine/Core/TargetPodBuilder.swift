public import KubeModel
public import MigrationAPI
import Placement

/// Builds the restored pod from the source pod: same identity-bearing labels, ports, resources, probes and
/// volumes, pinned to the target node, with each checkpointed container (app containers and sidecars) running
/// its own checkpoint image, as CRI-O and containerd restore a container whose image is a checkpoint image.
/// Containers not checkpointed keep their image and start fresh; regular init containers run again before
/// the restored containers start, as the kubelet runs them for every new pod.
///
/// The pod is pinned by required node affinity on the node's name (``NodePin``), not `spec.nodeName`: the
/// cluster's scheduler (the pod's own `schedulerName`) binds it, so every filter and plugin it runs applies,
/// and a node it refuses shows as `PodScheduled=False` with its message.
///
/// A checkpointed container gets no `command`, `args`, `env` or `envFrom`: the restored process keeps the
/// ones it was started with (they are in the checkpoint), and CRI-O refuses to restore over a different
/// configuration. The service-account token volume (`kube-api-access-*`) and its mounts are dropped because
/// admission injects them again for the new pod. `priority` and `preemptionPolicy` are dropped because the
/// Priority admission plugin computes them from `priorityClassName` and rejects a pod that sets them.
public enum TargetPodBuilder {
    /// The pod to create.
    ///
    /// - Parameters:
    ///   - source: the source pod as captured in Pending.
    ///   - name: ``MigrationNames/targetPod(source:strategy:)``.
    ///   - node: the target node.
    ///   - images: the checkpoint image (by digest) of each checkpointed container, by container name.
    ///   - primary: the replayed container (its image is recorded in ``MigrationNames/restoredFromAnnotation``).
    ///   - migration: the migration (labels and annotations name it).
    public static func build(
        source: Pod, name: String, node: String, images: [String: String], primary: String, migration: StatefulMigration
    ) -> Pod {
        var labels = source.metadata.labels ?? [:]
        labels[MigrationNames.migrationLabel] = migration.metadata.name
        // The source's eviction request is its own (the target is a new pod that nobody asked to leave).
        var annotations = (source.metadata.annotations ?? [:]).filter {
            $0.key != "kubectl.kubernetes.io/last-applied-configuration" && $0.key != EvictionRequest.annotation
        }
        annotations[MigrationNames.restoredFromAnnotation] = images[primary] ?? images.values.sorted().first ?? ""
        annotations[MigrationNames.migratedFromAnnotation] = RestoredPodOrigin(
            namespace: source.metadata.namespace ?? "", name: source.metadata.name ?? "", node: source.spec?.nodeName ?? ""
        ).annotationValue
        let metadata = ObjectMeta(
            name: name, namespace: source.metadata.namespace, labels: labels, annotations: annotations)

        var spec = source.spec ?? PodSpec()
        spec.priority = nil
        spec.preemptionPolicy = nil
        let tokenVolumes = Set((spec.volumes ?? []).filter { isServiceAccountTokenVolume($0) }.map(\.name))
        spec.volumes = spec.volumes?.filter { !tokenVolumes.contains($0.name) }
        if spec.volumes?.isEmpty == true { spec.volumes = nil }
        func restored(_ original: Container) -> Container {
            var c = original
            c.volumeMounts = c.volumeMounts?.filter { !tokenVolumes.contains($0.name) }
            if c.volumeMounts?.isEmpty == true { c.volumeMounts = nil }
            if let image = images[c.name] {
                c.image = image
                c.command = nil
                c.args = nil
                c.env = nil
                c.envFrom = nil
            }
            return c
        }
        spec.containers = spec.containers.map(restored)
        spec.initContainers = spec.initContainers?.map(restored)
        var pod = Pod(metadata: metadata, spec: spec)
        NodePin.pin(&pod, to: node)
        return pod
    }

    /// Whether `volume` is the projected service-account token volume admission adds
    /// (`kube-api-access-<random>`).
    static func isServiceAccountTokenVolume(_ volume: Volume) -> Bool {
        guard volume.name.hasPrefix("kube-api-access-"), let projected = volume.source["projected"] else { return false }
        let sources = projected["sources"]?.arrayValue ?? []
        return sources.contains { $0["serviceAccountToken"] != nil }
    }
}
