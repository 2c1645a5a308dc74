public import KubeModel

/// Ready-made informer transforms: what to drop from objects before they are cached, so the cache holds only
/// what the operator reads (client-go's `TransformFunc`).
public enum ObjectTransforms {
    /// Annotations that only tools read and that can be as large as the object itself.
    public static let noisyAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration",
        "deployment.kubernetes.io/revision-history",
    ]

    /// Drops `managedFields` and the `noisyAnnotations`; keeps everything else. Safe for any kind.
    @Sendable
    public static func stripMetadataNoise<Object: KubernetesObject>(_ object: Object) -> Object {
        var object = object
        object.metadata = slimMetadata(object.metadata)
        return object
    }

    /// The metadata without `managedFields` and noisy annotations.
    public static func slimMetadata(_ metadata: ObjectMeta) -> ObjectMeta {
        var metadata = metadata
        metadata.managedFields = nil
        if var annotations = metadata.annotations {
            for key in noisyAnnotations { annotations.removeValue(forKey: key) }
            metadata.annotations = annotations.isEmpty ? nil : annotations
        }
        return metadata
    }

    /// Strings shared by the objects the ready-made transforms keep.
    public static let sharedStrings = StringInterner()

    /// Annotation maps shared by the pods that carry equal ones (replicas of one template).
    static let sharedAnnotations = ValueInterner<[String: String]>()
    /// Owner reference lists shared by the pods of one owner.
    static let sharedOwners = ValueInterner<[OwnerReference]>()
    /// Slimmed container lists shared by the pods of one template.
    static let sharedContainers = ValueInterner<[Container]>()
    /// The scheduling parts of pod specs (containers with resources, selectors, affinity, tolerations,
    /// priority), shared by the pods of one template.
    static let sharedSchedulingSpecs = ValueInterner<PodSpec>()
    /// Slimmed condition lists (type, status, reason): a handful of combinations across every pod.
    static let sharedConditions = ValueInterner<[PodCondition]>(capacity: 10_000)

    /// The pod as the migration operator reads it from its cache: identity, labels, owners, the node and the
    /// containers' names, images and ports, the scheduling identity a StatefulSet pod keeps (hostname,
    /// subdomain), the persistent volume claims it mounts, and the phase, conditions (Ready, ContainersReady,
    /// …: type, status and reason, without their times and messages) and IPs. Environment, probes, resources,
    /// mounts, tolerations, affinity, projected volumes and per-container statuses are dropped: a controller
    /// that needs them (to clone the spec into a restore pod, or to read a container ID or when a condition
    /// changed) reads the pod from the API. Repeating strings are interned, and so are the annotation maps,
    /// owner reference lists, slimmed container lists and condition lists, which most pods share.
    @Sendable
    public static func slimPod(_ pod: Pod) -> Pod {
        let strings = sharedStrings
        var metadata = slimMetadata(pod.metadata)
        metadata.labels = strings.intern(metadata.labels)
        metadata.annotations = strings.intern(metadata.annotations).map(sharedAnnotations.intern)
        metadata.ownerReferences = metadata.ownerReferences.map { references in
            sharedOwners.intern(references.map { reference in
                var reference = reference
                reference.uid = strings.intern(reference.uid)
                reference.apiVersion = strings.intern(reference.apiVersion)
                reference.name = strings.intern(reference.name)
                return reference
            })
        }
        metadata.generateName = metadata.generateName.map(strings.intern)
        var slim = Pod(apiVersion: pod.apiVersion, kind: pod.kind, metadata: metadata)
        if let spec = pod.spec {
            var kept = PodSpec(containers: sharedContainers.intern(spec.containers.map(slimContainer)))
            kept.nodeName = spec.nodeName
            kept.hostname = spec.hostname
            kept.subdomain = spec.subdomain
            kept.schedulerName = spec.schedulerName == "default-scheduler" ? nil : spec.schedulerName
            kept.initContainers = spec.initContainers.map { sharedContainers.intern($0.map(slimContainer)) }
            let claims = spec.volumes?.filter { $0.persistentVolumeClaim != nil }
            kept.volumes = claims?.isEmpty == false ? claims : nil
            slim.spec = kept
        }
        if let status = pod.status {
            var kept = PodStatus()
            kept.phase = status.phase
            kept.reason = status.reason
            kept.podIP = status.podIP
            kept.hostIP = status.hostIP
            kept.startTime = status.startTime
            kept.nominatedNodeName = status.nominatedNodeName
            kept.conditions = status.conditions.map { conditions in
                sharedConditions.intern(conditions.map { condition in
                    var kept = PodCondition(type: condition.type, status: condition.status)
                    kept.reason = condition.reason.map(strings.intern)
                    return kept
                })
            }
            slim.status = kept
        }
        return slim
    }

    /// The pod as a scheduler or planner reads it: `slimPod`'s fields plus what decides where a pod fits —
    /// each container's and init container's resources (and restart policy, for sidecars), the pod-level
    /// resources and overhead, node selector, affinity, tolerations, topology spread, priority — and the pod's
    /// status reason and message. Environment, probes, mounts and per-container statuses are still dropped.
    @Sendable
    public static func schedulingPod(_ pod: Pod) -> Pod {
        var slim = slimPod(pod)
        guard let spec = pod.spec else { return slim }
        // What the pods of one template share, interned as one value (its containers and its out-of-line
        // fields are then one copy for all of them); the per-pod fields are set on the shared value after.
        var template = PodSpec(containers: spec.containers.map(schedulingContainer))
        template.initContainers = spec.initContainers?.map(schedulingContainer)
        template.schedulerName = slim.spec?.schedulerName
        template.resources = spec.resources
        template.overhead = spec.overhead
        template.nodeSelector = sharedStrings.intern(spec.nodeSelector)
        template.affinity = spec.affinity
        template.tolerations = spec.tolerations
        template.topologySpreadConstraints = spec.topologySpreadConstraints
        template.priority = spec.priority
        template.priorityClassName = spec.priorityClassName.map(sharedStrings.intern)
        var kept = sharedSchedulingSpecs.intern(template)
        kept.nodeName = slim.spec?.nodeName
        kept.hostname = slim.spec?.hostname
        kept.subdomain = slim.spec?.subdomain
        kept.volumes = slim.spec?.volumes
        slim.spec = kept
        slim.status?.message = pod.status?.message
        return slim
    }

    private static func schedulingContainer(_ container: Container) -> Container {
        var kept = slimContainer(container)
        kept.resources = container.resources
        kept.restartPolicy = container.restartPolicy
        return kept
    }

    private static func slimContainer(_ container: Container) -> Container {
        var kept = Container(name: sharedStrings.intern(container.name))
        kept.image = container.image.map(sharedStrings.intern)
        kept.ports = container.ports
        return kept
    }
}
