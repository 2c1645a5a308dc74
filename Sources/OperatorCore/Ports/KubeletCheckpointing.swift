/// Asks a node's kubelet to checkpoint a running container (the `ContainerCheckpoint` API), through the API
/// server's node proxy: `POST /api/v1/nodes/{node}/proxy/checkpoint/{namespace}/{pod}/{container}`.
public protocol KubeletCheckpointing: Sendable {
    /// Checkpoints `container` of `pod` on `node` and returns the archive paths the kubelet reports
    /// (`{"items":["/var/lib/kubelet/checkpoints/checkpoint-….tar"]}`), paths on that node. The kubelet
    /// gives up after `timeout`. Errors are the API server's or kubelet's (404 unknown pod or container,
    /// 500 runtime failure), as `KubernetesErrors` classifies them.
    func checkpoint(node: String, namespace: String, pod: String, container: String, timeout: Duration)
        async throws -> [String]
}

/// Removes checkpoint images once a migration no longer needs them.
public protocol CheckpointImageDeleting: Sendable {
    /// Deletes the image `reference` (`registry/repo@sha256:…` or `oci:<dir>:<tag>`), authenticating with
    /// `dockerConfigJSON` (the bytes of a `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson`) when
    /// given. Deleting an image that is already gone succeeds.
    func deleteImage(_ reference: String, dockerConfigJSON: [UInt8]?, insecure: Bool) async throws
}
