import KubeModel
import Unstructured

/// An immutable snapshot of a workload's pod template (apps/v1 `ControllerRevision`), as the StatefulSet
/// controller records each revision it rolls out. Internal: only the simulated StatefulSet controller writes
/// these; KubeModel does not model the kind.
struct ControllerRevision: KubernetesObject, Hashable {
    static let group = "apps"
    static let version = "v1"
    static let kind = "ControllerRevision"
    static let plural = "controllerrevisions"
    static let isNamespaced = true

    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta
    /// The recorded state: a patch `{"spec":{"template":{…,"$patch":"replace"}}}`.
    var data: JSONValue?
    /// The revision number, increasing with each new template.
    var revision: Int64

    init(metadata: ObjectMeta, data: JSONValue?, revision: Int64) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.data = data
        self.revision = revision
    }
}
