import Unstructured

/// Validation of pods and of the workloads that carry a pod template (pkg/apis/core/validation ValidatePodSpec,
/// pkg/apis/apps/validation, pkg/apis/batch/validation), reduced to the rules clients run into: containers
/// present, named and with an image; the restart policy a controller allows; a selector that is present,
/// non-empty and matches the template's labels; a Job's generated selector left alone.
enum WorkloadValidation {
    /// The checks of `obj` of a workload kind; empty for other kinds.
    static func validate(_ info: ResourceInfo, _ obj: JSONValue) -> [FieldProblem] {
        switch (info.group, info.kind) {
        case ("", "Pod"):
            return podSpec(obj["spec"] ?? [:], path: "spec")
        case ("apps", "StatefulSet"):
            return templated(obj, restartPolicies: ["Always"], emptySelector: "empty selector is invalid for statefulset")
        case ("apps", "ReplicaSet"), ("apps", "Deployment"):
            // ReplicaSet validation names deployments in this message too (ValidateReplicaSetSpec).
            return templated(obj, restartPolicies: ["Always"], emptySelector: "empty selector is invalid for deployment")
        case ("batch", "Job"):
            return job(obj)
        default:
            return []
        }
    }

    /// `ValidatePodSpec`, for the parts checked here: at least one container; each named (a DNS label, unique
    /// across containers and init containers) and with an image; a known restart policy.
    static func podSpec(_ spec: JSONValue, path: String) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty { problems.append(.required("\(path).containers")) }
        var names: Set<String> = []
        for field in ["initContainers", "containers"] {
            for (index, container) in (spec[field]?.arrayValue ?? []).enumerated() {
                let at = "\(path).\(field)[\(index)]"
                let name = container["name"]?.stringValue ?? ""
                if name.isEmpty {
                    problems.append(.required("\(at).name"))
                } else if let problem = NameValidation.check(name, rule: .label) {
                    problems.append(.invalid("\(at).name", value: .string(name), problem))
                } else if !names.insert(name).inserted {
                    problems.append(.duplicate("\(at).name", value: name))
                }
                if (container["image"]?.stringValue ?? "").isEmpty { problems.append(.required("\(at).image")) }
            }
        }
        if let policy = spec["restartPolicy"]?.stringValue, !["Always", "OnFailure", "Never"].contains(policy) {
            problems.append(.notSupported("\(path).restartPolicy", value: policy, supported: ["Always", "OnFailure", "Never"]))
        }
        return problems
    }

    /// The selector and template rules of StatefulSets, ReplicaSets and Deployments.
    static func templated(_ obj: JSONValue, restartPolicies: [String], emptySelector: String) -> [FieldProblem] {
        var problems = selector(obj, emptyMessage: emptySelector)
        problems += template(obj, restartPolicies: restartPolicies)
        return problems
    }

    /// `spec.selector`: required, not empty, and matching `spec.template.metadata.labels`.
    static func selector(_ obj: JSONValue, emptyMessage: String) -> [FieldProblem] {
        guard let selector = obj[path: ["spec", "selector"]], !selector.isNull else {
            return [.required("spec.selector")]
        }
        let labels = selector["matchLabels"]?.objectValue ?? [:]
        let expressions = selector["matchExpressions"]?.arrayValue ?? []
        if labels.isEmpty && expressions.isEmpty {
            return [.invalid("spec.selector", value: .string(selector.jsonString()), emptyMessage)]
        }
        guard let parsed = LabelSelector.fromObject(selector) else {
            return [.invalid("spec.selector", value: .string(selector.jsonString()), "invalid label selector")]
        }
        let templateLabels = stringMap(obj[path: ["spec", "template", "metadata", "labels"]])
        if !parsed.matches(templateLabels) {
            return [
                .invalid(
                    "spec.template.metadata.labels", value: .string(templateLabels.description),
                    "`selector` does not match template `labels`")
            ]
        }
        return []
    }

    /// The template's pod spec and the restart policies the controller accepts.
    static func template(_ obj: JSONValue, restartPolicies: [String]) -> [FieldProblem] {
        guard let spec = obj[path: ["spec", "template", "spec"]], !spec.isNull else {
            return [.required("spec.template.spec")]
        }
        var problems = podSpec(spec, path: "spec.template.spec")
        let policy = spec["restartPolicy"]?.stringValue ?? ""
        if !restartPolicies.contains(policy) {
            problems.append(.notSupported("spec.template.spec.restartPolicy", value: policy, supported: restartPolicies))
        }
        return problems
    }

    /// A Job: its template (restart policy `OnFailure` or `Never`) and, unless `spec.manualSelector`, the
    /// selector and labels the registry generated (`ValidateGeneratedSelector`).
    static func job(_ obj: JSONValue) -> [FieldProblem] {
        var problems = template(obj, restartPolicies: ["OnFailure", "Never"])
        if obj[path: ["spec", "manualSelector"]]?.boolValue == true {
            problems += selector(obj, emptyMessage: "empty selector is invalid for job")
            return problems
        }
        let uid = obj[path: ["metadata", "uid"]]?.stringValue ?? ""
        let templateLabels = stringMap(obj[path: ["spec", "template", "metadata", "labels"]])
        for key in [JobLabels.controllerUID, JobLabels.legacyControllerUID] where templateLabels[key] != uid {
            problems.append(
                .invalid("spec.template.metadata.labels", value: .string(templateLabels.description), "must be '\(key)=\(uid)'"))
        }
        for key in [JobLabels.jobName, JobLabels.legacyJobName] where templateLabels[key] != obj.metaName {
            problems.append(
                .invalid("spec.template.metadata.labels", value: .string(templateLabels.description), "must be '\(key)=\(obj.metaName)'"))
        }
        let generated: JSONValue = ["matchLabels": [JobLabels.controllerUID: .string(uid)]]
        if obj[path: ["spec", "selector"]] != generated {
            problems.append(
                .invalid(
                    "spec.selector", value: .string(obj[path: ["spec", "selector"]]?.jsonString() ?? "null"),
                    "`selector` not auto-generated"))
        }
        return problems
    }

    static func stringMap(_ value: JSONValue?) -> [String: String] {
        var map: [String: String] = [:]
        for (key, value) in value?.objectValue ?? [:] { map[key] = value.stringValue ?? "" }
        return map
    }
}

/// The labels the Job registry puts on a Job's pod template (pkg/apis/batch/types.go).
enum JobLabels {
    static let controllerUID = "batch.kubernetes.io/controller-uid"
    static let legacyControllerUID = "controller-uid"
    static let jobName = "batch.kubernetes.io/job-name"
    static let legacyJobName = "job-name"
}
