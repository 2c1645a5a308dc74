import KubeClient
import KubeModel
import OperatorCore
@testable import SimCluster
import Testing
import Unstructured

@Suite("SimJobController", .serialized)
struct ControllersJobTests {
    typealias F = ControllersFixture

    static func job(
        _ name: String, backoffLimit: Int? = nil, activeDeadlineSeconds: Int64? = nil, ttl: Int? = nil,
        suspend: Bool? = nil
    ) -> Job {
        Job(
            metadata: ObjectMeta(name: name, namespace: F.namespace),
            spec: JobSpec(
                activeDeadlineSeconds: activeDeadlineSeconds, backoffLimit: backoffLimit,
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["task": name]), spec: F.podSpec(restartPolicy: "Never")),
                ttlSecondsAfterFinished: ttl, suspend: suspend))
    }

    static func runController(_ client: KubeClient) -> @Sendable () async -> Void {
        let controller = SimJobController(
            api: client, options: .init(backoffBase: .milliseconds(100), maximumBackoff: .seconds(1)), logger: F.quiet)
        return { await controller.run() }
    }

    static func currentJob(_ client: KubeClient, _ name: String) async throws -> Job? {
        do {
            return try await client.get(Job.self, name: name, namespace: F.namespace)
        } catch where KubernetesErrors.isNotFound(error) {
            return nil
        }
    }

    static func pods(_ client: KubeClient, of job: String) async throws -> [Pod] {
        try await client.list(
            Pod.self, namespace: F.namespace, options: ListOptions(labelSelector: "\(WorkloadLabels.jobName)=\(job)")
        ).items
    }

    /// Waits for the Job's single active pod and returns its name.
    static func activePod(_ client: KubeClient, of job: String, excluding: Set<String> = []) async throws -> String? {
        var found: String?
        _ = try await F.eventually {
            found = try await pods(client, of: job).first {
                !$0.isTerminal && !excluding.contains($0.metadata.name ?? "")
            }?.metadata.name
            return found != nil
        }
        return found
    }

    static func condition(_ job: Job?, _ type: JobConditionType) -> JobCondition? {
        job?.status?.conditions?.first { $0.type == type && $0.status == .true }
    }

    @Test("runs a pod from the template and completes when it succeeds")
    func completes() async throws {
        try await F.withRunning(Self.runController) { client in
            let created = try await client.create(Self.job("ok"))
            let name = try #require(try await Self.activePod(client, of: "ok"))
            let pod = try #require(try await F.pod(client, name))
            #expect(name.hasPrefix("ok-") && pod.metadata.generateName == "ok-")
            let labels = pod.metadata.labels ?? [:]
            #expect(labels["task"] == "ok" && labels[WorkloadLabels.legacyJobName] == "ok")
            #expect(labels[WorkloadLabels.jobControllerUID] == created.metadata.uid)
            #expect(labels[WorkloadLabels.legacyControllerUID] == created.metadata.uid)
            #expect(pod.metadata.controllerReference?.uid == created.metadata.uid)
            #expect(try await F.eventually { try await Self.currentJob(client, "ok")?.status?.active == 1 })
            #expect(try await Self.currentJob(client, "ok")?.status?.startTime != nil)

            try await F.setPodStatus(client, name, phase: .succeeded)
            #expect(try await F.eventually { try await Self.currentJob(client, "ok")?.isComplete == true })
            let done = try await Self.currentJob(client, "ok")
            #expect(Self.condition(done, .successCriteriaMet)?.reason == "CompletionsReached")
            #expect(Self.condition(done, .complete)?.reason == "CompletionsReached")
            #expect(done?.status?.succeeded == 1 && done?.status?.active == 0 && done?.status?.failed == 0)
            #expect(done?.status?.completionTime != nil)
            #expect(try await Self.pods(client, of: "ok").count == 1)
        }
    }

    @Test("replaces failed pods after a backoff and fails once backoffLimit is exceeded")
    func backoffLimit() async throws {
        try await F.withRunning(Self.runController) { client in
            _ = try await client.create(Self.job("flaky", backoffLimit: 1))
            let first = try #require(try await Self.activePod(client, of: "flaky"))
            try await F.setPodStatus(client, first, phase: .failed)
            let second = try #require(try await Self.activePod(client, of: "flaky", excluding: [first]))
            #expect(try await F.eventually { try await Self.currentJob(client, "flaky")?.status?.failed == 1 })
            #expect(try await Self.currentJob(client, "flaky")?.isFinished == false)
            try await F.setPodStatus(client, second, phase: .failed)

            #expect(try await F.eventually { try await Self.currentJob(client, "flaky")?.isFailed == true })
            let failed = try await Self.currentJob(client, "flaky")
            #expect(Self.condition(failed, .failed)?.reason == "BackoffLimitExceeded")
            #expect(Self.condition(failed, .failureTarget)?.reason == "BackoffLimitExceeded")
            #expect(failed?.status?.failed == 2 && failed?.status?.active == 0)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.pods(client, of: "flaky").count == 2)
        }
    }

    @Test("fails a job past activeDeadlineSeconds and deletes its running pods")
    func activeDeadline() async throws {
        try await F.withRunning(Self.runController) { client in
            _ = try await client.create(Self.job("slow", activeDeadlineSeconds: 1))
            let name = try #require(try await Self.activePod(client, of: "slow"))
            try await F.setPodStatus(client, name, phase: .running, ready: true)
            #expect(try await F.eventually(timeout: .seconds(5)) {
                try await Self.currentJob(client, "slow")?.isFailed == true
            })
            let failed = try await Self.currentJob(client, "slow")
            #expect(Self.condition(failed, .failed)?.reason == "DeadlineExceeded")
            #expect(try await F.pod(client, name) == nil)
        }
    }

    @Test("deletes a finished job once ttlSecondsAfterFinished has passed")
    func ttlAfterFinished() async throws {
        try await F.withRunning(Self.runController) { client in
            _ = try await client.create(Self.job("short", ttl: 1))
            let name = try #require(try await Self.activePod(client, of: "short"))
            try await F.setPodStatus(client, name, phase: .succeeded)
            #expect(try await F.eventually { try await Self.currentJob(client, "short")?.isComplete == true })
            #expect(try await F.eventually(timeout: .seconds(6)) { try await Self.currentJob(client, "short") == nil })
            #expect(try await F.eventually { try await Self.pods(client, of: "short").isEmpty })
        }
    }

    @Test("a suspended job creates no pods")
    func suspended() async throws {
        try await F.withRunning(Self.runController) { client in
            _ = try await client.create(Self.job("paused", suspend: true))
            #expect(try await F.eventually {
                Self.condition(try await Self.currentJob(client, "paused"), .suspended)?.reason == "JobSuspended"
            })
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.pods(client, of: "paused").isEmpty)
            #expect(try await Self.currentJob(client, "paused")?.status?.startTime == nil)
        }
    }
}
