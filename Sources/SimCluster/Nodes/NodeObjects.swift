import KubeModel

/// The objects a kubelet registers for its node: the Node (as `kubelet --register-node` creates it and its
/// status loop reports it) and the node's heartbeat Lease in `kube-node-lease`.
enum NodeObjects {
    /// The namespace of node heartbeat leases.
    static let leaseNamespace = "kube-node-lease"
    /// The Lease duration a kubelet announces (`nodeLeaseDurationSeconds`).
    static let leaseDurationSeconds = 40

    /// The Node as registered: metadata, spec, and the status the kubelet reports at `now`.
    static func node(_ config: SimNodeConfiguration, podCIDR: String, kubeletPort: Int, now: Time) -> Node {
        var labels = [
            "kubernetes.io/hostname": config.name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": config.architecture,
            "beta.kubernetes.io/os": "linux",
            "beta.kubernetes.io/arch": config.architecture,
        ]
        labels.merge(config.labels) { _, configured in configured }
        return Node(
            metadata: ObjectMeta(
                name: config.name, labels: labels,
                annotations: ["node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"]),
            spec: NodeSpec(
                podCIDR: podCIDR, podCIDRs: [podCIDR], unschedulable: config.unschedulable ? true : nil,
                taints: config.taints.isEmpty ? nil : config.taints),
            status: status(config, kubeletPort: kubeletPort, now: now, readySince: now))
    }

    /// The status the kubelet reports: capacity, conditions with heartbeat `now`, addresses, endpoint, info.
    static func status(_ config: SimNodeConfiguration, kubeletPort: Int, now: Time, readySince: Time) -> NodeStatus {
        let resources: [String: Quantity] = [
            "cpu": config.cpu, "memory": config.memory, "pods": Quantity(Int64(config.pods)),
            "ephemeral-storage": "100Gi", "hugepages-2Mi": "0",
        ]
        func pressure(_ type: NodeConditionType, _ reason: String, _ message: String) -> NodeCondition {
            NodeCondition(
                type: type, status: .false, lastHeartbeatTime: now, lastTransitionTime: readySince, reason: reason,
                message: message)
        }
        return NodeStatus(
            capacity: resources, allocatable: resources,
            conditions: [
                pressure(.memoryPressure, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                pressure(.diskPressure, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                pressure(.pidPressure, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                NodeCondition(
                    type: .ready, status: .true, lastHeartbeatTime: now, lastTransitionTime: readySince,
                    reason: "KubeletReady", message: "kubelet is posting ready status"),
            ],
            addresses: [NodeAddress(type: "InternalIP", address: "127.0.0.1"), NodeAddress(type: "Hostname", address: config.name)],
            daemonEndpoints: NodeDaemonEndpoints(kubeletEndpoint: DaemonEndpoint(port: kubeletPort)),
            nodeInfo: NodeSystemInfo(
                machineID: SimIdentifiers.hex(config.name + "/machine", length: 32),
                systemUUID: SimIdentifiers.uuid(config.name + "/system"),
                bootID: SimIdentifiers.uuid(config.name + "/boot/\(now.secondsSinceEpoch)"),
                kernelVersion: config.kernelVersion, osImage: config.osImage,
                containerRuntimeVersion: config.containerRuntimeVersion, kubeletVersion: config.kubeletVersion,
                kubeProxyVersion: config.kubeletVersion, operatingSystem: "linux", architecture: config.architecture))
    }

    /// The node's heartbeat Lease, held by the node and renewed at `now`.
    static func lease(node: String, nodeUID: String?, now: MicroTime) -> Lease {
        var owners: [OwnerReference]?
        if let nodeUID {
            owners = [OwnerReference(apiVersion: "v1", kind: "Node", name: node, uid: nodeUID)]
        }
        return Lease(
            metadata: ObjectMeta(name: node, namespace: leaseNamespace, ownerReferences: owners),
            spec: LeaseSpec(holderIdentity: node, leaseDurationSeconds: leaseDurationSeconds, renewTime: now))
    }
}
