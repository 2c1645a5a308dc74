import Dispatch
import Foundation
import KubeModel
import Unstructured

/// The kubelet's HTTP API as far as MS2M uses it: `GET /healthz`, `GET /pods`, and the container checkpoint
/// API `POST /checkpoint/{namespace}/{pod}/{container}[?timeout=seconds]` with the real kubelet's answers.
/// Any container of the pod can be named — app containers and init containers alike, as the kubelet looks
/// the name up among all the pod's containers: a running sidecar (restartable init container) is
/// checkpointed like an app container, while a regular init container that has completed answers as a
/// container that is not running does.
struct KubeletAPI: Sendable {
    /// Where the kubelet writes checkpoint archives (a node path).
    static let checkpointDirectory = "/var/lib/kubelet/checkpoints"

    let kubelet: SimKubelet

    func handle(_ request: SimHTTPRequest) async -> SimHTTPResponse {
        let delay = kubelet.context.faults.kubeletDelay
        if delay > .zero { try? await Task.sleep(for: delay) }
        let segments = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch segments.first {
        case "healthz" where segments.count == 1:
            return request.method == "GET" || request.method == "HEAD" ? .text(200, "ok").trimmed : .text(405, "405: Method Not Allowed")
        case "pods" where segments.count == 1:
            guard request.method == "GET" else { return .text(405, "405: Method Not Allowed") }
            return pods()
        case "checkpoint" where segments.count == 4:
            guard request.method == "POST" else { return .text(405, "405: Method Not Allowed") }
            return await checkpoint(namespace: segments[1], pod: segments[2], container: segments[3], request: request)
        default:
            return .text(404, "404 page not found")
        }
    }

    private func pods() -> SimHTTPResponse {
        let items = kubelet.boundPods().compactMap { try? JSONValueEncoder().encode($0) }
        let list: JSONValue = ["kind": "PodList", "apiVersion": "v1", "metadata": [:], "items": .array(items)]
        return .json(200, list.jsonBytes())
    }

    private func checkpoint(namespace: String, pod: String, container: String, request: SimHTTPRequest) async -> SimHTTPResponse {
        var timeout: Duration?
        if let value = request.queryValue("timeout") {
            guard let seconds = Int64(value) else {
                return .text(500, "cannot parse value of timeout parameter \(value) (strconv.ParseInt: parsing \"\(value)\": invalid syntax)")
            }
            timeout = .seconds(seconds)
        }
        guard let worker = kubelet.worker(namespace: namespace, name: pod) else {
            return .text(404, "pod does not exist")
        }
        guard await worker.hasContainer(container) else {
            return .text(404, "container \(container) does not exist")
        }
        let failed = "checkpointing of \(namespace)/\(pod)/\(container) failed"
        if let fault = kubelet.context.faults.checkpointFailure(node: kubelet.nodeName, namespace: namespace, pod: pod) {
            return .text(500, "\(failed) (rpc error: code = Unknown desc = \(fault.message))")
        }
        guard let running = await worker.runningContainer(container) else {
            return .text(500, "\(failed) (rpc error: code = NotFound desc = container \(container) is not running)")
        }
        let state: [UInt8]
        do {
            state = try await Self.withTimeout(timeout) { try await running.process.checkpoint() }
        } catch {
            return .text(500, "\(failed) (rpc error: code = Unknown desc = \(error))")
        }
        let name = "checkpoint-\(pod)_\(namespace)-\(container)-\(Time.now().rfc3339String).tar"
        let nodePath = Self.checkpointDirectory + "/" + name
        let localPath = PodFilesystem.local(nodeRoot: kubelet.context.nodeRoot, nodePath)
        let podObject = await worker.pod
        let write = kubelet.context.writeCheckpoint
        do {
            try await Self.offPool {
                try FileManager.default.createDirectory(
                    atPath: PodFilesystem.local(nodeRoot: kubelet.context.nodeRoot, Self.checkpointDirectory),
                    withIntermediateDirectories: true)
                try write(localPath, podObject, container, running.programImage, state)
            }
        } catch {
            return .text(500, "\(failed) (rpc error: code = Unknown desc = \(error))")
        }
        let body: JSONValue = ["items": [.string(nodePath)]]
        return .json(200, body.jsonBytes())
    }

    /// Runs `work`, failing with a timeout error when `timeout` passes first.
    private static func withTimeout<T: Sendable>(
        _ timeout: Duration?, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let timeout else { return try await work() }
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw CheckpointTimeout(timeout: timeout)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// Runs blocking file I/O on a Dispatch queue instead of the cooperative pool.
    private static func offPool(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                do {
                    try work()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// The checkpoint did not finish within the request's `timeout`.
struct CheckpointTimeout: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "context deadline exceeded (timeout \(timeout))" }
}

extension SimHTTPResponse {
    /// The body without the trailing newline (`/healthz` answers exactly `ok`).
    fileprivate var trimmed: SimHTTPResponse {
        var copy = self
        if copy.body.last == UInt8(ascii: "\n") { copy.body.removeLast() }
        return copy
    }
}
