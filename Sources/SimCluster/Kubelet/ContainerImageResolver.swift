/// What a kubelet runs for an image: a configured program, the checkpoint-transfer helper, or — for any other
/// image — a checkpoint image restored as CRI-O does (its rootfs image's program, resumed from the state).
struct ContainerImageResolver: Sendable {
    /// The process factory, the image whose program runs, and the checkpointed state to resume from.
    struct Resolved: Sendable {
        var program: SimulatedProgram
        var programImage: String
        var restoredState: [UInt8]?
    }

    /// Pulls a checkpoint image: its rootfs image and state. Throws ``ContainerStartError``.
    typealias CheckpointRestoring = @Sendable (_ image: String, _ container: String) async throws -> (programImage: String, state: [UInt8])

    var configuration: SimClusterConfiguration
    /// The transfer helper's program for the configured binary (nil: no transfer helper available).
    var transferProgram: (@Sendable (_ binary: String) -> SimulatedProgram)?
    var restoreCheckpoint: CheckpointRestoring

    func resolve(image: String, container: String) async throws -> Resolved {
        if let program = configuration.program(for: image) {
            return Resolved(program: program, programImage: image, restoredState: nil)
        }
        if configuration.transferImage.matches(image) {
            guard let binary = configuration.transferBinary, let transferProgram else {
                throw ContainerStartError.create("no checkpoint-transfer binary is configured for image \(image)")
            }
            return Resolved(program: transferProgram(binary), programImage: image, restoredState: nil)
        }
        let restored = try await restoreCheckpoint(image, container)
        guard let program = configuration.program(for: restored.programImage) else {
            throw ContainerStartError.create(
                "checkpoint image \(image) was taken from \(restored.programImage), which no simulated program runs")
        }
        return Resolved(program: program, programImage: restored.programImage, restoredState: restored.state)
    }
}
