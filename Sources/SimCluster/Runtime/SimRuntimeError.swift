/// Why the simulated container runtime could not pull, create or run a container, in the words the kubelet
/// reports (`CreateContainerError`, `ErrImagePull`, a runtime failure).
public enum SimRuntimeError: Error, Sendable, CustomStringConvertible {
    /// The container could not be created from the image (the container status reason `CreateContainerError`).
    case createContainerError(String)
    /// The image could not be pulled (`ErrImagePull`): missing, unreachable, refused, or failing verification.
    case imagePull(String)
    /// Anything else the runtime failed at (starting a process, an operation the program does not support).
    case runtime(String)

    public var description: String {
        switch self {
        case .createContainerError(let message): return "CreateContainerError: \(message)"
        case .imagePull(let message): return "ErrImagePull: \(message)"
        case .runtime(let message): return "runtime error: \(message)"
        }
    }
}
