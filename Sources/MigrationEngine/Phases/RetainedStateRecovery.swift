import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Unstructured

extension MigrationRun {
    /// What the user asked for the retained state (``RecoveryAnnotation``), if anything.
    var recoveryAction: String? { migration.metadata.annotations?[RecoveryAnnotation.action] }

    /// Resumes a migration that failed with its state retained: back to Restoring from the same checkpoint
    /// image with a fresh attempt budget and deadline, onto the node the user named
    /// (``RecoveryAnnotation/targetNode``) or one that fits (avoiding nodes that failed before). The status is
    /// written first; the annotations are removed after, so a restart in between resumes once, not twice.
    func resumeRestore() async throws {
        let named = migration.metadata.annotations?[RecoveryAnnotation.targetNode].flatMap { $0.isEmpty ? nil : $0 }
        var node = named
        if node == nil, let source = try sourcePodRecord() {
            node = try await restoreNode(for: source, alsoAvoided: status.sourceNode ?? "")
        }
        let image = status.checkpointImage ?? "the checkpoint image"
        status.targetNode = node ?? status.targetNode
        status.restore = RestoreStatus(failedNodes: status.restore?.failedNodes)
        status.rollbackSteps = nil
        prepareToRestoreAgain()
        status.failureReason = nil
        status.failureMessage = nil
        status.failedPhase = nil
        status.completionTime = nil
        status.retainedState = nil
        let note = "restoring pod \(sourcePodName) again from \(image) on node \(status.targetNode ?? "")"
        setRetainedCondition(status: .false, reason: "Resumed", message: note)
        var conditions = status.conditions ?? []
        conditions.setCondition(
            Condition(type: "Failed", status: .false, observedGeneration: migration.metadata.generation, reason: "Resumed", message: note),
            now: Time(Date()))
        status.conditions = conditions
        enter(.restoring)
        try await persist()
        try await clearRecoveryAnnotations()
        ports.events.record(.normal, reason: "RestoreResumed", note: note, about: migration)
    }
}
