import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import OperatorCore
import KubeSim
import Unstructured

/// `ms2m emulator`: serves the Kubernetes API emulator on loopback, writes a kubeconfig for it, and runs until
/// interrupted — or, with `--demo`, drives a short scripted session through the client and exits.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run the Kubernetes API emulator (KubeSim) on 127.0.0.1."
    )

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 0

    @Option(help: "Where to write a kubeconfig that points at the emulator.")
    var kubeconfig: String?

    @Flag(help: "Run a short scripted session against the emulator through the Kubernetes client, then exit.")
    var demo = false

    func run() async throws {
        var configuration = KubeSimConfiguration()
        configuration.port = port
        let server = KubeSimServer(configuration: configuration)
        try await server.start()
        print("KubeSim serving the Kubernetes API at \(server.baseURL)")
        if let kubeconfig {
            let text = server.kubeconfig(namespace: "default")
            try text.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            print("Wrote kubeconfig \(kubeconfig)")
        }
        if demo {
            try await runDemo(server: server)
            try await server.shutdown()
            return
        }
        print("Press Ctrl-C to stop.")
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }

    /// Creates nodes and a StatefulSet's pods, watches them, cordons a node, and shows what the watch saw.
    private func runDemo(server: KubeSimServer) async throws {
        let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL))
        let watchReady = AsyncStream<Void>.makeStream()
        let watcher = Task {
            var lines: [String] = []
            for try await event in client.watch(Node.self, options: WatchOptions(allowWatchBookmarks: false)) {
                let node = event.object
                lines.append("  watch: \(event.type.rawValue) node/\(node?.metadata.name ?? "?") unschedulable=\(node?.spec?.unschedulable ?? false)")
                watchReady.continuation.yield()
                if lines.count == 4 { break }
            }
            return lines
        }
        for name in ["node-a", "node-b", "node-c"] {
            _ = try await client.create(Node(metadata: ObjectMeta(name: name, labels: ["kubernetes.io/hostname": name])))
        }
        for await _ in watchReady.stream { break }
        for ordinal in 0..<3 {
            var spec = PodSpec(containers: [Container(name: "counter", image: "ms2m/sample-consumer:dev")])
            spec.nodeName = "node-a"
            _ = try await client.create(Pod(
                metadata: ObjectMeta(name: "counter-\(ordinal)", namespace: "default", labels: ["app": "counter"]),
                spec: spec))
        }
        let cordoned = try await client.patch(Node.self, name: "node-a", patch: .merge(["spec": ["unschedulable": true]]))
        print("Cordoned node-a (resourceVersion \(cordoned.metadata.resourceVersion ?? "?"))")
        let onNode = try await client.list(Pod.self, namespace: "default", options: ListOptions(fieldSelector: "spec.nodeName=node-a"))
        print("Pods on node-a: \(onNode.items.compactMap(\.metadata.name).joined(separator: ", "))")
        for line in try await watcher.value { print(line) }
        print("Demo finished: the client listed, created, patched and watched over real HTTP.")
    }
}
