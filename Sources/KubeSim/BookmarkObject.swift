import Unstructured

/// The object a BOOKMARK event carries, shaped as kube-apiserver sends it.
///
/// The watch cache makes a bookmark from a new, empty object of the watched kind with only
/// `metadata.resourceVersion` set (`cacheWatcher` in k8s.io/apiserver, storage/cacher), and the JSON serializer
/// writes every field of that zero value that has no `omitempty`: `metadata.creationTimestamp` is `null`, a Pod
/// has `"spec":{"containers":null},"status":{}`, a StatefulSet `"selector":null` and a template whose
/// `containers` is `null`, a Node its empty `daemonEndpoints` and `nodeInfo`. A client that decodes a bookmark as
/// a full object of its kind fails on those nulls; only the metadata is meaningful
/// (https://kubernetes.io/docs/reference/using-api/api-concepts/#watch-bookmarks). Custom resources are
/// unstructured: their bookmarks carry `kind`, `apiVersion` and `metadata` only.
enum BookmarkObject {
    /// The bookmark object for `info` at `rv`, with `annotations` (the `k8s.io/initial-events-end` marker).
    static func make(_ info: ResourceInfo, rv: Int64, annotations: JSONObject?) -> JSONValue {
        var metadata: JSONObject = ["resourceVersion": .string(String(rv))]
        if let annotations { metadata["annotations"] = .object(annotations) }
        var object: JSONObject = ["kind": .string(info.kind), "apiVersion": .string(info.apiVersion)]
        if info.isCustom {
            object["metadata"] = .object(metadata)
            return .object(object)
        }
        metadata["creationTimestamp"] = .null
        object["metadata"] = .object(metadata)
        for (key, value) in zeroFields(group: info.group, kind: info.kind) { object[key] = value }
        return .object(object)
    }

    /// The zero value of a pod template as serialized: an empty metadata and a spec whose containers are null.
    private static let template: JSONValue = [
        "metadata": ["creationTimestamp": .null], "spec": ["containers": .null],
    ]

    /// The fields besides `metadata` that a zero-valued object of the kind serializes (those without
    /// `omitempty`, and structs, which `omitempty` never omits).
    static func zeroFields(group: String, kind: String) -> JSONObject {
        switch (group, kind) {
        case ("", "Pod"):
            return ["spec": ["containers": .null], "status": [:]]
        case ("", "Node"):
            return [
                "spec": [:],
                "status": [
                    "daemonEndpoints": ["kubeletEndpoint": ["Port": 0]],
                    "nodeInfo": [
                        "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "", "osImage": "",
                        "containerRuntimeVersion": "", "kubeletVersion": "", "kubeProxyVersion": "",
                        "operatingSystem": "", "architecture": "",
                    ],
                ],
            ]
        case ("", "Namespace"):
            return ["spec": [:], "status": [:]]
        case ("", "Service"):
            return ["spec": [:], "status": ["loadBalancer": [:]]]
        case ("", "PersistentVolumeClaim"), ("", "PersistentVolume"):
            return ["spec": [:], "status": [:]]
        case ("apps", "StatefulSet"):
            return [
                "spec": ["selector": .null, "template": template, "serviceName": "", "updateStrategy": [:]],
                "status": ["replicas": 0, "availableReplicas": 0],
            ]
        case ("apps", "ReplicaSet"):
            return ["spec": ["selector": .null, "template": template], "status": ["replicas": 0]]
        case ("apps", "Deployment"):
            return ["spec": ["selector": .null, "template": template, "strategy": [:]], "status": [:]]
        case ("apps", "DaemonSet"):
            return [
                "spec": ["selector": .null, "template": template, "updateStrategy": [:]],
                "status": ["currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0],
            ]
        case ("apps", "ControllerRevision"):
            return ["data": .null, "revision": 0]
        case ("batch", "Job"):
            return ["spec": ["template": template], "status": [:]]
        case ("coordination.k8s.io", "Lease"):
            return ["spec": [:]]
        case ("policy", "PodDisruptionBudget"):
            return ["spec": [:], "status": ["disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0]]
        case ("events.k8s.io", "Event"):
            return ["eventTime": .null, "reportingController": "", "reportingInstance": ""]
        case ("", "Event"):
            return [
                "involvedObject": [:], "reason": "", "message": "", "source": [:], "firstTimestamp": .null,
                "lastTimestamp": .null, "eventTime": .null, "reportingComponent": "", "reportingInstance": "",
            ]
        default:
            return [:]
        }
    }
}
