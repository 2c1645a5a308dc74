import KubeModel
import MigrationAPI
import Testing

@testable import MigrationEngine

/// Which containers a migration checkpoints. Kubernetes' rules cited: init containers run to completion
/// before the app containers start, and a sidecar is an init container with `restartPolicy: Always` that keeps
/// running beside them (https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/); the kubelet
/// checkpoints one running container per request (`POST /checkpoint/{namespace}/{pod}/{container}`,
/// https://kubernetes.io/docs/reference/node/kubelet-checkpoint-api/).
@Suite("engine core: checkpointed containers")
struct CheckpointedContainersTests {
    func pod(
        apps: [String], sidecars: [String] = [], initContainers: [String] = [], annotations: [String: String]? = nil,
        waiting: [String: String] = [:]
    ) -> Pod {
        var spec = PodSpec(containers: apps.map { Container(name: $0, image: "\($0):1") })
        let regular = initContainers.map { Container(name: $0, image: "\($0):1") }
        let restartable = sidecars.map { name -> Container in
            var container = Container(name: name, image: "\(name):1")
            container.restartPolicy = "Always"
            return container
        }
        if !regular.isEmpty || !restartable.isEmpty { spec.initContainers = regular + restartable }
        func status(_ name: String) -> ContainerStatus {
            let state = waiting[name].map { ContainerState(waiting: ContainerStateWaiting(reason: $0)) }
                ?? ContainerState(running: ContainerStateRunning(startedAt: Time(secondsSinceEpoch: 1)))
            return ContainerStatus(name: name, state: state, ready: waiting[name] == nil, restartCount: 0, image: "", imageID: "")
        }
        var podStatus = PodStatus(phase: .running)
        podStatus.containerStatuses = apps.map(status)
        podStatus.initContainerStatuses = initContainers.map { name in
            ContainerStatus(
                name: name, state: ContainerState(terminated: ContainerStateTerminated(exitCode: 0, reason: "Completed")),
                ready: false, restartCount: 0, image: "", imageID: "")
        } + sidecars.map(status)
        return Pod(metadata: ObjectMeta(name: "web-0", namespace: "ns", annotations: annotations), spec: spec, status: podStatus)
    }

    func names(_ result: Result<[ContainerCheckpoint], CheckpointedContainers.Problem>) -> [String]? {
        guard case .success(let checkpoints) = result else { return nil }
        return checkpoints.map { $0.sidecar == true ? "\($0.name)(sidecar)" : $0.name }
    }

    func reason(_ result: Result<[ContainerCheckpoint], CheckpointedContainers.Problem>) -> String? {
        guard case .failure(let problem) = result else { return nil }
        return problem.reason
    }

    @Test("the replayed container first, then sidecars and the other app containers; completed init containers never")
    func order() {
        #expect(names(CheckpointedContainers.plan(for: pod(apps: ["app"]), primary: "app")) == ["app"])
        let full = pod(apps: ["proxy", "app", "cache"], sidecars: ["ledger"], initContainers: ["migrate"])
        #expect(names(CheckpointedContainers.plan(for: full, primary: "app")) == ["app", "ledger(sidecar)", "proxy", "cache"])
    }

    @Test("the fresh-containers annotation leaves stateless containers out, and is checked")
    func freshContainers() {
        let annotated = pod(apps: ["app", "istio-proxy"], sidecars: ["ledger"], annotations: [PodOverrideAnnotation.freshContainers: " istio-proxy , ledger,"])
        #expect(names(CheckpointedContainers.plan(for: annotated, primary: "app")) == ["app"])
        let primary = pod(apps: ["app"], annotations: [PodOverrideAnnotation.freshContainers: "app"])
        #expect(reason(CheckpointedContainers.plan(for: primary, primary: "app")) == "FreshContainerConflict")
        let typo = pod(apps: ["app"], annotations: [PodOverrideAnnotation.freshContainers: "istio-prxy"])
        #expect(reason(CheckpointedContainers.plan(for: typo, primary: "app")) == "ContainerNotFound")
        let initOnly = pod(apps: ["app"], initContainers: ["migrate"], annotations: [PodOverrideAnnotation.freshContainers: "migrate"])
        guard case .failure(let problem) = CheckpointedContainers.plan(for: initOnly, primary: "app") else {
            Issue.record("an init container that runs to completion is not a container to leave out")
            return
        }
        #expect(problem.message.contains("runs to completion"))
    }

    @Test("a container that does not run cannot be checkpointed: refused before anything happens, with the way out")
    func notRunning() {
        let crashing = pod(apps: ["app", "exporter"], waiting: ["exporter": "CrashLoopBackOff"])
        guard case .failure(let problem) = CheckpointedContainers.plan(for: crashing, primary: "app") else {
            Issue.record("a crash-looping container was planned for a checkpoint")
            return
        }
        #expect(problem.reason == "ContainerNotRunning")
        #expect(problem.message.contains("exporter") && problem.message.contains("CrashLoopBackOff"))
        #expect(problem.message.contains(PodOverrideAnnotation.freshContainers))
        let skipped = pod(apps: ["app", "exporter"], annotations: [PodOverrideAnnotation.freshContainers: "exporter"], waiting: ["exporter": "CrashLoopBackOff"])
        #expect(names(CheckpointedContainers.plan(for: skipped, primary: "app")) == ["app"])
    }

    @Test("at most 16 containers, so every digest fits the transfer's termination message")
    func limit() {
        let many = pod(apps: (0...16).map { "c\($0)" })
        #expect(reason(CheckpointedContainers.plan(for: many, primary: "c0")) == "TooManyContainers")
        #expect(names(CheckpointedContainers.plan(for: pod(apps: (0..<16).map { "c\($0)" }), primary: "c0"))?.count == 16)
    }

    @Test("image tags: the reference's tag for the replayed container, a suffixed one within 128 characters for the others")
    func imageTags() {
        #expect(CheckpointedContainers.imageTag("ns-mv-1234abcd", container: "app", primary: true) == "ns-mv-1234abcd")
        #expect(CheckpointedContainers.imageTag("ns-mv-1234abcd", container: "ledger", primary: false) == "ns-mv-1234abcd-ledger")
        let long = String(repeating: "n", count: 128)
        let tag = CheckpointedContainers.imageTag(long, container: String(repeating: "c", count: 63), primary: false)
        #expect(tag.count == 128 && tag.hasSuffix("-" + String(repeating: "c", count: 63)))
    }
}
