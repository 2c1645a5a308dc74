import Unstructured

/// What the built-in registry strategies do on create and update (PrepareForCreate, defaulting), reduced to
/// what clients observe most: status reset, namespace finalizers and labels, and common spec defaults.
enum BuiltinDefaults {
    static func prepareForCreate(_ info: ResourceInfo, _ obj: inout JSONValue, keepStatus: Bool) throws {
        if AuthResources.isRBAC(info) { RBACValidation.applyDefaults(&obj) }
        guard !info.isCustom else {
            if info.hasStatus && !keepStatus { obj["status"] = nil }
            return
        }
        if info.hasStatus && !keepStatus && info.kind != "Node" {
            switch info.kind {
            case "Pod": obj["status"] = ["phase": "Pending"]
            case "PersistentVolumeClaim": obj["status"] = ["phase": "Pending"]
            case "Namespace", "CustomResourceDefinition": break
            default: obj["status"] = nil
            }
        }
        switch (info.group, info.kind) {
        case ("", "Namespace"):
            obj[path: ["spec", "finalizers"]] = ["kubernetes"]
            if obj[path: ["status", "phase"]] == nil || !keepStatus { obj["status"] = ["phase": "Active"] }
            obj[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(obj.metaName)
        case ("", "Pod"):
            defaultPodSpec(&obj, path: ["spec"])
            PodAdmission.defaultRequests(&obj)
            if keepStatus && obj["status"] == nil { obj["status"] = ["phase": "Pending"] }
            obj[path: ["status", "qosClass"]] = .string(PodAdmission.qosClass(obj))
        case ("apps", "Deployment"):
            setDefault(&obj, ["spec", "replicas"], 1)
            setDefault(&obj, ["spec", "revisionHistoryLimit"], 10)
            setDefault(&obj, ["spec", "progressDeadlineSeconds"], 600)
            if obj[path: ["spec", "strategy"]] == nil {
                obj[path: ["spec", "strategy"]] = [
                    "type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"],
                ]
            }
            defaultPodSpec(&obj, path: ["spec", "template", "spec"])
        case ("apps", "StatefulSet"):
            setDefault(&obj, ["spec", "replicas"], 1)
            setDefault(&obj, ["spec", "revisionHistoryLimit"], 10)
            setDefault(&obj, ["spec", "podManagementPolicy"], "OrderedReady")
            if obj[path: ["spec", "updateStrategy"]] == nil {
                obj[path: ["spec", "updateStrategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]]
            }
            if obj[path: ["spec", "persistentVolumeClaimRetentionPolicy"]] == nil {
                obj[path: ["spec", "persistentVolumeClaimRetentionPolicy"]] = [
                    "whenDeleted": "Retain", "whenScaled": "Retain",
                ]
            }
            defaultPodSpec(&obj, path: ["spec", "template", "spec"])
        case ("apps", "ReplicaSet"):
            setDefault(&obj, ["spec", "replicas"], 1)
            defaultPodSpec(&obj, path: ["spec", "template", "spec"])
        case ("batch", "Job"):
            setDefault(&obj, ["spec", "parallelism"], 1)
            setDefault(&obj, ["spec", "completions"], 1)
            setDefault(&obj, ["spec", "backoffLimit"], 6)
            setDefault(&obj, ["spec", "completionMode"], "NonIndexed")
            setDefault(&obj, ["spec", "suspend"], false)
            if obj[path: ["spec", "template", "spec"]] != nil {
                defaultPodSpec(&obj, path: ["spec", "template", "spec"])
            }
            if obj[path: ["spec", "manualSelector"]]?.boolValue != true { generateJobSelector(&obj) }
            setDefault(&obj, ["spec", "podReplacementPolicy"], "TerminatingOrFailed")
            // SetDefaults_Job, applied again whenever the Job is read: empty labels take the template's.
            if (obj[path: ["metadata", "labels"]]?.objectValue ?? [:]).isEmpty,
                let labels = obj[path: ["spec", "template", "metadata", "labels"]], !(labels.objectValue ?? [:]).isEmpty
            {
                obj[path: ["metadata", "labels"]] = labels
            }
        case ("", "Node"):
            defaultNodeStatus(&obj)
        case ("", "Service"):
            setDefault(&obj, ["spec", "type"], "ClusterIP")
            setDefault(&obj, ["spec", "sessionAffinity"], "None")
            if obj[path: ["spec", "clusterIP"]] == nil {
                let ip = "10.96.\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
                obj[path: ["spec", "clusterIP"]] = .string(ip)
                obj[path: ["spec", "clusterIPs"]] = [.string(ip)]
            }
        case ("", "Secret"):
            setDefault(&obj, ["type"], "Opaque")
        case ("policy", "PodDisruptionBudget"):
            if !keepStatus {
                obj["status"] = [
                    "disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0,
                ]
            }
        default: break
        }
    }

    static func prepareForUpdate(_ info: ResourceInfo, _ obj: inout JSONValue, old: JSONValue) throws {
        if AuthResources.isRBAC(info) { RBACValidation.applyDefaults(&obj) }
        if info.group == "" && info.kind == "Node" { defaultNodeStatus(&obj) }
        if info.group == "" && info.kind == "Namespace" {
            // spec.finalizers changes only through /finalize.
            obj[path: ["spec", "finalizers"]] = old[path: ["spec", "finalizers"]]
        }
    }

    /// The Job registry's `generateSelector`: the template is labelled with the Job's name and uid, and the
    /// selector is the uid label (a different selector fails validation unless `spec.manualSelector`).
    static func generateJobSelector(_ obj: inout JSONValue) {
        let uid = JSONValue.string(obj[path: ["metadata", "uid"]]?.stringValue ?? "")
        let name = JSONValue.string(obj.metaName)
        var labels = obj[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        for key in [JobLabels.legacyJobName, JobLabels.jobName] where labels[key] == nil { labels[key] = name }
        for key in [JobLabels.legacyControllerUID, JobLabels.controllerUID] where labels[key] == nil { labels[key] = uid }
        obj[path: ["spec", "template", "metadata", "labels"]] = .object(labels)
        var selector = obj[path: ["spec", "selector"]]?.objectValue ?? [:]
        var matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        if matchLabels[JobLabels.controllerUID] == nil { matchLabels[JobLabels.controllerUID] = uid }
        selector["matchLabels"] = .object(matchLabels)
        obj[path: ["spec", "selector"]] = .object(selector)
    }

    /// `SetDefaults_NodeStatus`: allocatable defaults to capacity.
    static func defaultNodeStatus(_ obj: inout JSONValue) {
        if obj[path: ["status", "allocatable"]] == nil, let capacity = obj[path: ["status", "capacity"]], !capacity.isNull {
            obj[path: ["status", "allocatable"]] = capacity
        }
    }

    /// Kinds whose registry maintains `metadata.generation` (bumped on spec changes); other built-in kinds have
    /// none.
    static func hasGeneration(_ info: ResourceInfo) -> Bool {
        if info.isCustom { return true }
        switch (info.group, info.kind) {
        case ("apps", _), ("batch", "Job"), ("policy", "PodDisruptionBudget"),
            ("apiextensions.k8s.io", "CustomResourceDefinition"), ("admissionregistration.k8s.io", _):
            return info.kind != "ControllerRevision"
        default:
            return false
        }
    }

    static func setDefault(_ obj: inout JSONValue, _ path: [String], _ value: JSONValue) {
        if obj[path: path] == nil || obj[path: path]?.isNull == true { obj[path: path] = value }
    }

    /// Pod spec defaults (pkg/apis/core/v1/defaults.go), for pods and pod templates.
    static func defaultPodSpec(_ obj: inout JSONValue, path: [String]) {
        setDefault(&obj, path + ["restartPolicy"], "Always")
        setDefault(&obj, path + ["terminationGracePeriodSeconds"], 30)
        setDefault(&obj, path + ["dnsPolicy"], "ClusterFirst")
        setDefault(&obj, path + ["schedulerName"], "default-scheduler")
        setDefault(&obj, path + ["securityContext"], [:])
        setDefault(&obj, path + ["enableServiceLinks"], true)
        for field in ["containers", "initContainers"] {
            guard var containers = obj[path: path + [field]]?.arrayValue else { continue }
            for i in containers.indices {
                setDefault(&containers[i], ["terminationMessagePath"], "/dev/termination-log")
                setDefault(&containers[i], ["terminationMessagePolicy"], "File")
                let image = containers[i]["image"]?.stringValue ?? ""
                let lastPart = image.split(separator: "/").last.map(String.init) ?? image
                let pinned = image.contains("@") || (lastPart.contains(":") && !lastPart.hasSuffix(":latest"))
                setDefault(&containers[i], ["imagePullPolicy"], pinned ? "IfNotPresent" : "Always")
            }
            obj[path: path + [field]] = .array(containers)
        }
    }
}
