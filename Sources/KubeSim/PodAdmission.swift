import KubeModel
import Unstructured

/// The defaulting and the default admission plugins a Pod goes through on create in kube-apiserver
/// (`SetDefaults_Pod`, and the ServiceAccount, DefaultTolerationSeconds and Priority plugins, v1.31), and the
/// objects the controller manager puts in every new namespace that pods rely on.
enum PodAdmission {
    static let tokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
    static let tokenVolumePrefix = "kube-api-access-"
    static let rootCAConfigMap = "kube-root-ca.crt"
    /// DefaultTolerationSeconds: the taints the node lifecycle controller sets on an unhealthy node.
    static let defaultTolerations = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    static let defaultTolerationSeconds: Int64 = 300

    /// `SetDefaults_Pod`: a container with limits but no request for a resource gets the limit as its request.
    static func defaultRequests(_ pod: inout JSONValue) {
        for field in ["initContainers", "containers"] {
            guard var containers = pod[path: ["spec", field]]?.arrayValue else { continue }
            for index in containers.indices {
                guard let limits = containers[index][path: ["resources", "limits"]]?.objectValue, !limits.isEmpty else {
                    continue
                }
                var requests = containers[index][path: ["resources", "requests"]]?.objectValue ?? [:]
                for (resource, quantity) in limits where requests[resource] == nil { requests[resource] = quantity }
                containers[index][path: ["resources", "requests"]] = .object(requests)
            }
            pod[path: ["spec", field]] = .array(containers)
        }
    }

    /// `GetPodQOS` (pkg/apis/core/helper/qos): Guaranteed when every container has equal CPU and memory requests
    /// and limits, BestEffort when none has any, Burstable otherwise.
    static func qosClass(_ pod: JSONValue) -> String {
        let containers = (pod[path: ["spec", "initContainers"]]?.arrayValue ?? []) + (pod[path: ["spec", "containers"]]?.arrayValue ?? [])
        var any = false
        var guaranteed = true
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? [:]
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? [:]
            for resource in ["cpu", "memory"] {
                if requests[resource] != nil || limits[resource] != nil { any = true }
                guard let limit = limits[resource].flatMap(quantity), let request = requests[resource].flatMap(quantity),
                    limit == request
                else {
                    guaranteed = false
                    continue
                }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    static func quantity(_ value: JSONValue) -> Quantity? {
        if let text = value.stringValue { return Quantity(text) }
        if let number = value.intValue { return Quantity(String(number)) }
        return nil
    }

    /// The mutating admission of a new pod; `serviceAccount` is the stored ServiceAccount the pod names (nil when
    /// there is none: 403, as the ServiceAccount plugin answers). Mirror pods (static pods) are left alone.
    static func admit(_ pod: inout JSONValue, serviceAccount: (String) -> JSONValue?) throws {
        if pod[path: ["metadata", "annotations", "kubernetes.io/config.mirror"]] != nil { return }
        var name = pod[path: ["spec", "serviceAccountName"]]?.stringValue ?? ""
        if name.isEmpty { name = pod[path: ["spec", "serviceAccount"]]?.stringValue ?? "" }
        if name.isEmpty { name = "default" }
        pod[path: ["spec", "serviceAccountName"]] = .string(name)
        pod[path: ["spec", "serviceAccount"]] = .string(name)
        guard let account = serviceAccount(name) else {
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "pods \"\(pod.metaName)\" is forbidden: error looking up service account "
                    + "\(pod.metaNamespace)/\(name): serviceaccount \"\(name)\" not found",
                details: ["name": .string(pod.metaName), "kind": "pods"])
        }
        let automount = pod[path: ["spec", "automountServiceAccountToken"]]?.boolValue
            ?? account["automountServiceAccountToken"]?.boolValue ?? true
        if automount { mountToken(&pod) }
        addDefaultTolerations(&pod)
        if (pod[path: ["spec", "priorityClassName"]]?.stringValue ?? "").isEmpty {
            BuiltinDefaults.setDefault(&pod, ["spec", "priority"], 0)
            BuiltinDefaults.setDefault(&pod, ["spec", "preemptionPolicy"], "PreemptLowerPriority")
        }
    }

    /// The projected token volume, mounted read-only in every container that has nothing at the token path.
    static func mountToken(_ pod: inout JSONValue) {
        var volumes = pod[path: ["spec", "volumes"]]?.arrayValue ?? []
        let existing = volumes.first { ($0["name"]?.stringValue ?? "").hasPrefix(tokenVolumePrefix) }
        let volumeName = existing?["name"]?.stringValue ?? Sim.generatedName(tokenVolumePrefix)
        var needsVolume = false
        for field in ["initContainers", "containers"] {
            guard var containers = pod[path: ["spec", field]]?.arrayValue else { continue }
            for index in containers.indices {
                var mounts = containers[index]["volumeMounts"]?.arrayValue ?? []
                if mounts.contains(where: { $0["mountPath"]?.stringValue == tokenMountPath }) { continue }
                mounts.append(["name": .string(volumeName), "readOnly": true, "mountPath": .string(tokenMountPath)])
                containers[index]["volumeMounts"] = .array(mounts)
                needsVolume = true
            }
            pod[path: ["spec", field]] = .array(containers)
        }
        guard existing == nil, needsVolume else { return }
        volumes.append([
            "name": .string(volumeName),
            "projected": [
                "sources": [
                    ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
                    ["configMap": ["name": .string(rootCAConfigMap), "items": [["key": "ca.crt", "path": "ca.crt"]]]],
                    [
                        "downwardAPI": [
                            "items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]
                        ]
                    ],
                ],
                "defaultMode": 420,
            ],
        ])
        pod[path: ["spec", "volumes"]] = .array(volumes)
    }

    /// DefaultTolerationSeconds: tolerate the not-ready and unreachable NoExecute taints for 300 s unless the pod
    /// already tolerates them.
    static func addDefaultTolerations(_ pod: inout JSONValue) {
        var tolerations = pod[path: ["spec", "tolerations"]]?.arrayValue ?? []
        for key in defaultTolerations {
            let tolerated = tolerations.contains { toleration in
                let effect = toleration["effect"]?.stringValue ?? ""
                let tKey = toleration["key"]?.stringValue ?? ""
                return (effect.isEmpty || effect == "NoExecute") && (tKey == key || (tKey.isEmpty && toleration["operator"]?.stringValue == "Exists"))
            }
            if tolerated { continue }
            tolerations.append([
                "key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": .int(defaultTolerationSeconds),
            ])
        }
        pod[path: ["spec", "tolerations"]] = .array(tolerations)
    }

    /// What the service account controller creates in a new namespace: the `default` ServiceAccount. (The root CA
    /// publisher's `kube-root-ca.crt` ConfigMap is left out: nothing in KubeSim reads it, and tests list
    /// ConfigMaps as plain objects.)
    static func namespaceObjects(_ namespace: String) -> [(ResourceInfo, JSONValue)] {
        [
            (
                BuiltinResources.serviceAccounts,
                ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default", "namespace": .string(namespace)]]
            )
        ]
    }
}
