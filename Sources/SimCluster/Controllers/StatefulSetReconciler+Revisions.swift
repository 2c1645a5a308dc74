import ControllerRuntime
import KubeModel
import Logging
import OperatorCore
import Unstructured

/// The ControllerRevisions a StatefulSet owns, oldest first.
struct StatefulSetRevisionHistory: Sendable {
    var revisions: [ControllerRevision]

    /// Every owned revision's name.
    var names: Set<String> { Set(revisions.compactMap(\.metadata.name)) }

    /// The template recorded by the revision called `name`.
    func template(named name: String) -> PodTemplateSpec? {
        StatefulSetRevision.template(in: revisions.first { $0.metadata.name == name }?.data)
    }
}

extension StatefulSetReconciler {
    /// Claims the set's ControllerRevisions (adopting matching orphans, as after an orphaning delete) and
    /// records `update` if no revision holds it yet (`getStatefulSetRevisions`).
    func syncRevisions(of set: StatefulSet, update: StatefulSetRevision) async throws -> StatefulSetRevisionHistory {
        let uid = set.metadata.uid ?? ""
        let selector = set.spec!.selector
        var owned: [ControllerRevision] = []
        for revision in revisions.list(namespace: set.metadata.namespace ?? "") {
            if let reference = revision.metadata.controllerReference {
                if reference.uid == uid { owned.append(revision) }
                continue
            }
            guard !set.metadata.isBeingDeleted, selector.matches(revision.metadata.labels ?? [:]),
                let reference = OwnerReference(controller: set)
            else { continue }
            let patch: JSONValue = [
                "metadata": [
                    "ownerReferences": [try JSONValueEncoder().encode(reference)],
                    "uid": .string(revision.metadata.uid ?? ""),
                ]
            ]
            do {
                owned.append(try await api.patch(
                    ControllerRevision.self, name: revision.metadata.name ?? "", namespace: set.metadata.namespace,
                    patch: .strategicMerge(patch), subresource: nil, options: WriteOptions()))
            } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {}
        }
        owned.sort { $0.revision < $1.revision }
        if !owned.contains(where: { $0.metadata.name == update.name }), !set.metadata.isBeingDeleted {
            var labels = set.spec?.template.metadata?.labels ?? [:]
            labels[WorkloadLabels.controllerRevisionHash] = update.hash
            var metadata = ObjectMeta(name: update.name, namespace: set.metadata.namespace, labels: labels)
            metadata.ownerReferences = OwnerReference(controller: set).map { [$0] }
            let revision = ControllerRevision(
                metadata: metadata, data: update.data, revision: (owned.last?.revision ?? 0) + 1)
            do {
                owned.append(try await api.create(revision, namespace: set.metadata.namespace, options: WriteOptions()))
                logger.info("Created ControllerRevision", metadata: ["revision": "\(update.name)", "statefulset": "\(set.metadata.name ?? "")"])
            } catch where KubernetesErrors.isAlreadyExists(error) {
                // Not yet in the cache (or held by another owner): the next sync sees it.
                owned.append(revision)
            }
        }
        return StatefulSetRevisionHistory(revisions: owned)
    }

    /// Deletes the oldest revisions no pod uses beyond `revisionHistoryLimit` (`truncateHistory`).
    func truncateHistory(
        of set: StatefulSet, history: StatefulSetRevisionHistory, pods: [Pod], keep: Set<String>
    ) async throws {
        let live = keep.union(pods.compactMap(StatefulSetIdentity.revision(of:)))
        let unused = history.revisions.filter { !live.contains($0.metadata.name ?? "") && $0.metadata.uid != nil }
        let limit = set.spec?.revisionHistoryLimit ?? 10
        guard unused.count > limit else { return }
        for revision in unused.prefix(unused.count - limit) {
            do {
                _ = try await api.delete(
                    ControllerRevision.self, name: revision.metadata.name ?? "", namespace: set.metadata.namespace,
                    options: DeleteOptions())
            } catch where KubernetesErrors.isNotFound(error) {}
        }
    }
}
