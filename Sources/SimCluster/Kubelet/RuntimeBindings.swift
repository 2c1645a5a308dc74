import KubeModel

/// Connects the kubelet to the container-runtime pieces in `Runtime/` (checkpoint archives, checkpoint-image
/// restores, the transfer helper) for one cluster configuration, mapping runtime errors to the waiting
/// reasons the kubelet reports.
enum RuntimeBindings {
    /// Writes checkpoint archives as the node's runtime does.
    static func checkpointWriter(for node: SimNodeConfiguration) -> KubeletContext.CheckpointWriting {
        let writer = CheckpointArchiveWriter(runtimeName: node.runtimeName, runtimeVersion: node.runtimeVersion)
        return { localPath, pod, container, programImage, state in
            try writer.write(to: localPath, pod: pod, containerName: container, programImage: programImage, state: state)
        }
    }

    /// Restores checkpoint images from the configured image source.
    static func checkpointRestorer(_ configuration: SimClusterConfiguration) -> ContainerImageResolver.CheckpointRestoring {
        let restorer = CheckpointImageRestorer(source: configuration.imageSource)
        return { image, container in
            do {
                return try await restorer.restore(image: image, containerName: container)
            } catch let error as SimRuntimeError {
                switch error {
                case .createContainerError(let message): throw ContainerStartError.create(message)
                case .imagePull(let message): throw ContainerStartError.imagePull(message)
                case .runtime(let message): throw ContainerStartError.create(message)
                }
            }
        }
    }

    /// The transfer helper's program: the real checkpoint-transfer binary as a local process.
    static let transferProgram: (@Sendable (String) -> SimulatedProgram)? = { binary in
        TransferProgram.program(binary: binary)
    }
}
