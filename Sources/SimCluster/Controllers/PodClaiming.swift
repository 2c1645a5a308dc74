import KubeModel
import OperatorCore
import Unstructured

/// What a controller does with one pod when it claims its pods (`PodControllerRefManager.ClaimPods`).
enum PodClaim: Equatable, Sendable {
    /// The pod is the controller's: it already owns it and the pod still matches.
    case owned
    /// An orphan that matches: add the controller's ownerReference.
    case adopt
    /// Owned, but no longer matching: remove the controller's ownerReference.
    case release
    /// Not the controller's business (another controller's pod, or a non-matching orphan).
    case ignore

    /// How `owner` (uid `ownerUID`, being deleted or not) treats `pod`, given whether the pod `matches`
    /// (selector and any extra filter, e.g. the StatefulSet's name rule).
    static func decide(pod: Pod, ownerUID: String, ownerIsBeingDeleted: Bool, matches: Bool) -> PodClaim {
        if let reference = pod.metadata.controllerReference {
            guard reference.uid == ownerUID else { return .ignore }
            if matches { return .owned }
            return ownerIsBeingDeleted ? .ignore : .release
        }
        guard !ownerIsBeingDeleted, matches, !pod.metadata.isBeingDeleted else { return .ignore }
        return .adopt
    }
}

/// The API calls of claiming: adoption and release by strategic merge patch with a uid precondition in the
/// patch body, as `controller.RealPodControl` sends them.
struct PodClaimer: Sendable {
    let api: any KubernetesAPI

    /// Adds `owner` to the pod's ownerReferences (as its controller). Returns the patched pod.
    func adopt<Owner: KubernetesObject>(_ pod: Pod, by owner: Owner) async throws -> Pod {
        guard let reference = OwnerReference(controller: owner), let uid = pod.metadata.uid else { return pod }
        let encoded = try JSONValueEncoder().encode(reference)
        let patch: JSONValue = ["metadata": ["ownerReferences": [encoded], "uid": .string(uid)]]
        return try await api.patch(
            Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace,
            patch: .strategicMerge(patch), subresource: nil, options: WriteOptions())
    }

    /// Removes the ownerReference with `ownerUID` from the pod; a pod already gone is fine.
    func release(_ pod: Pod, ownerUID: String) async throws {
        guard let uid = pod.metadata.uid else { return }
        let patch: JSONValue = [
            "metadata": ["ownerReferences": [["$patch": "delete", "uid": .string(ownerUID)]], "uid": .string(uid)]
        ]
        do {
            _ = try await api.patch(
                Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace,
                patch: .strategicMerge(patch), subresource: nil, options: WriteOptions())
        } catch where KubernetesErrors.isNotFound(error) {}
    }
}
