import KubeModel
@testable import SimCluster
import Testing

/// ``InitContainerSequence`` and the phase it implies, from container records in hand-made states.
@Suite("Init container sequence")
struct InitContainerSequenceTests {
    enum Shape: String, Sendable, CaseIterable {
        case untouched, starting, running, completed, restarting, failedForGood
    }

    /// A record of `role` in the state `shape` describes.
    static func record(_ name: String, _ role: ContainerRole, _ shape: Shape) -> ContainerRecord {
        var record = ContainerRecord(name: name, image: "img", role: role)
        switch shape {
        case .untouched:
            break
        case .starting:
            record.startRequested = true
        case .running:
            record.startRequested = true
            record.instance = 1
            record.state = ContainerState(running: ContainerStateRunning(startedAt: Time.now()))
        case .completed:
            record.startRequested = true
            record.instance = 1
            record.isFinal = true
            record.state = ContainerState(terminated: ContainerStateTerminated(exitCode: 0, reason: "Completed"))
        case .restarting:
            record.startRequested = true
            record.instance = 1
            record.lastState = ContainerState(terminated: ContainerStateTerminated(exitCode: 1, reason: "Error"))
            record.state = ContainerState(waiting: ContainerStateWaiting(reason: "CrashLoopBackOff"))
        case .failedForGood:
            record.startRequested = true
            record.instance = 1
            record.isFinal = true
            record.state = ContainerState(terminated: ContainerStateTerminated(exitCode: 1, reason: "Error"))
        }
        return record
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var initContainer: Shape
        var sidecar: Shape
        var app: Shape
        var step: InitContainerSequence.Step
        var phase: PodPhase
        var testDescription: String { "init \(initContainer.rawValue), sidecar \(sidecar.rawValue), app \(app.rawValue)" }
    }

    @Test("next step and phase", arguments: [
        Case(initContainer: .untouched, sidecar: .untouched, app: .untouched, step: .start("setup"), phase: .pending),
        Case(initContainer: .starting, sidecar: .untouched, app: .untouched, step: .wait, phase: .pending),
        Case(initContainer: .running, sidecar: .untouched, app: .untouched, step: .wait, phase: .pending),
        Case(initContainer: .restarting, sidecar: .untouched, app: .untouched, step: .wait, phase: .pending),
        Case(initContainer: .failedForGood, sidecar: .untouched, app: .untouched, step: .failed("setup"), phase: .failed),
        Case(initContainer: .completed, sidecar: .untouched, app: .untouched, step: .start("proxy"), phase: .pending),
        Case(initContainer: .completed, sidecar: .starting, app: .untouched, step: .wait, phase: .pending),
        Case(initContainer: .completed, sidecar: .restarting, app: .untouched, step: .wait, phase: .pending),
        Case(initContainer: .completed, sidecar: .running, app: .untouched, step: .initialized, phase: .pending),
        Case(initContainer: .completed, sidecar: .running, app: .running, step: .initialized, phase: .running),
        // Once an app container started, a restarting sidecar does not make the pod initialize again.
        Case(initContainer: .completed, sidecar: .restarting, app: .running, step: .wait, phase: .running),
        Case(initContainer: .completed, sidecar: .running, app: .completed, step: .initialized, phase: .succeeded),
        // A finished pod's stopped sidecar: the app containers' outcome is the phase.
        Case(initContainer: .completed, sidecar: .completed, app: .failedForGood, step: .wait, phase: .failed),
    ])
    func steps(_ c: Case) {
        let records = [
            Self.record("setup", .initContainer, c.initContainer), Self.record("proxy", .sidecar, c.sidecar),
            Self.record("app", .app, c.app),
        ]
        #expect(InitContainerSequence.next(records) == c.step)
        #expect(PodStatusCalculation.phase(records) == c.phase)
    }

    @Test("Initialized lists the incomplete init containers until they are done or an app container started")
    func initializedCondition() {
        let waiting = [
            Self.record("setup", .initContainer, .completed), Self.record("proxy", .sidecar, .starting),
            Self.record("app", .app, .untouched),
        ]
        let condition = PodStatusCalculation.conditions(waiting, sandboxReady: true, previous: [], now: Time.now())
            .first { $0.type == .initialized }
        #expect(condition?.status == .false)
        #expect(condition?.reason == "ContainersNotInitialized")
        #expect(condition?.message == "containers with incomplete status: [proxy]")

        let started = [
            Self.record("setup", .initContainer, .completed), Self.record("proxy", .sidecar, .restarting),
            Self.record("app", .app, .running),
        ]
        let conditions = PodStatusCalculation.conditions(started, sandboxReady: true, previous: [], now: Time.now())
        #expect(conditions.first { $0.type == .initialized }?.status == .true)
        #expect(conditions.first { $0.type == .containersReady }?.message == "containers with unready status: [proxy app]")
    }

    @Test("restart decisions by role and the pod's restartPolicy")
    func restarts() {
        for policy in ["Always", "OnFailure", "Never"] {
            #expect(ContainerRole.sidecar.restartsAfterExit(exitCode: 0, podRestartPolicy: policy))
            #expect(ContainerRole.sidecar.restartsAfterExit(exitCode: 1, podRestartPolicy: policy))
            #expect(!ContainerRole.initContainer.restartsAfterExit(exitCode: 0, podRestartPolicy: policy))
        }
        #expect(ContainerRole.initContainer.restartsAfterExit(exitCode: 1, podRestartPolicy: "Always"))
        #expect(ContainerRole.initContainer.restartsAfterExit(exitCode: 1, podRestartPolicy: "OnFailure"))
        #expect(!ContainerRole.initContainer.restartsAfterExit(exitCode: 1, podRestartPolicy: "Never"))
        #expect(ContainerRole.app.restartsAfterExit(exitCode: 0, podRestartPolicy: "Always"))
        #expect(!ContainerRole.app.restartsAfterExit(exitCode: 0, podRestartPolicy: "OnFailure"))
    }
}

@Suite("Pod loopback")
struct PodLocalhostTests {
    @Test("containers of a pod reach each other's listeners; refused without one, in use twice, closed with their process")
    func loopback() async throws {
        let network = LoopbackNetwork()
        let server = PodLocalhost(network: network, owner: "server")
        let client = PodLocalhost(network: network, owner: "client")
        await #expect(throws: PodLocalhostError.connectionRefused(port: 8080)) { try await client.get(port: 8080, path: "/status") }
        try server.serve(port: 8080) { path in (200, Array("hello \(path)".utf8)) }
        let answer = try await client.get(port: 8080, path: "/status?x=1")
        #expect(answer.status == 200 && String(decoding: answer.body, as: UTF8.self) == "hello /status?x=1")
        #expect(throws: PodLocalhostError.addressInUse(port: 8080)) { try client.serve(port: 8080) { _ in (500, []) } }
        client.stopServing(port: 8080)
        #expect(client.isListening(port: 8080), "only its owner closes a listener")
        network.closeListeners(of: "server")
        await #expect(throws: PodLocalhostError.connectionRefused(port: 8080)) { try await client.get(port: 8080, path: "/") }
        await #expect(throws: PodLocalhostError.self) { try await PodLocalhost().get(port: 8080, path: "/") }
    }
}
