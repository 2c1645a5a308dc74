import KubeModel

/// The pods a Job runs (`GetPodFromTemplate` plus the labels the API server adds to a Job's template).
enum JobPodFactory {
    /// The labels every pod of `job` carries, and the generated selector matches.
    static func jobLabels(_ job: Job) -> [String: String] {
        let name = job.metadata.name ?? ""
        let uid = job.metadata.uid ?? ""
        return [
            WorkloadLabels.jobControllerUID: uid, WorkloadLabels.legacyControllerUID: uid,
            WorkloadLabels.jobName: name, WorkloadLabels.legacyJobName: name,
        ]
    }

    /// The selector of `job`'s pods: `spec.selector` when set, else the generated `controller-uid` one.
    static func selector(_ job: Job) -> LabelSelector {
        if let selector = job.spec?.selector, !selector.isEmpty { return selector }
        return LabelSelector(matchLabels: [WorkloadLabels.jobControllerUID: job.metadata.uid ?? ""])
    }

    /// A new pod for `job`: `generateName: <job>-`, the template's metadata and spec, the job labels and a
    /// controller ownerReference.
    static func newPod(for job: Job) -> Pod {
        let template = job.spec?.template
        var pod = Pod()
        pod.metadata.generateName = "\(job.metadata.name ?? "")-"
        pod.metadata.namespace = job.metadata.namespace
        var labels = template?.metadata?.labels ?? [:]
        for (key, value) in jobLabels(job) { labels[key] = value }
        pod.metadata.labels = labels
        pod.metadata.annotations = template?.metadata?.annotations
        pod.metadata.finalizers = template?.metadata?.finalizers
        if let owner = OwnerReference(controller: job) { pod.metadata.ownerReferences = [owner] }
        pod.spec = template?.spec ?? PodSpec(containers: [])
        return pod
    }
}
