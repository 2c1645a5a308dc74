import ArgumentParser
import CurlTransport
import Foundation
import HTTPTransport
import KubeClient
import KubeModel
import OperatorCore
import KubeSim
import Unstructured

/// `ms2m bench`: measurements reported in issue notes. Build with `-c release`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run benchmarks (use a release build: swift run -c release ms2m bench …).",
        subcommands: [ClientBench.self, TransferBench.self, RuntimeBench.self, EngineBench.self, PlannerBench.self, ClusterBench.self, PolicyBench.self, WebhookBench.self, DrainBench.self, InformerBench.self, WhatIfBench.self]
    )
}

/// Decode throughput of a large pod list and watch-event throughput through the emulator.
struct ClientBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Kubernetes client: 10,000-pod list decode (pods/s, MB/s) and watch events/s through KubeSim."
    )

    @Option(help: "Pods in the listed collection.")
    var pods = 10_000

    @Option(help: "Times each list measurement is repeated (the best and the median are reported).")
    var repeats = 5

    @Option(help: "Watch events to stream per watch measurement.")
    var events = 20_000

    func run() async throws {
        var configuration = KubeSimConfiguration()
        configuration.watchHistoryLimit = max(events * 2, 10_000)
        configuration.watchBufferLimit = max(events * 2, 50_000)
        configuration.bookmarkInterval = .seconds(3600)
        let server = KubeSimServer(configuration: configuration)
        try await server.start()
        defer { Task { try? await server.shutdown() } }
        let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))

        print("Preparing \(pods) pods in KubeSim …")
        for index in 0..<pods {
            _ = try server.create(SamplePods.pod(index: index))
        }
        let transport = CurlTransport(configuration: .init(acceptCompressedResponses: false))
        let raw = try await transport.send(HTTPRequest(method: .get, url: server.baseURL + "/api/v1/pods"))
        let bytes = raw.body
        let megabytes = Double(bytes.count) / 1_048_576
        print(String(format: "List body: %.1f MB, %.0f bytes per pod", megabytes, Double(bytes.count) / Double(pods)))

        let decodeOnly = try measure(repeats) {
            let list = try JSONDecoder().decode(ObjectList<Pod>.self, from: Data(bytes))
            precondition(list.items.count == pods)
        }
        let fromBytes = try measure(repeats) {
            let list = try JSONBytesDecoder().decode(ObjectList<Pod>.self, from: bytes)
            precondition(list.items.count == pods)
        }
        let viaTree = try measure(repeats) {
            let list = try JSONValueDecoder().decode(ObjectList<Pod>.self, from: try JSONValue.parse(bytes))
            precondition(list.items.count == pods)
        }
        let parseOnly = try measure(repeats) {
            let value = try JSONValue.parse(bytes)
            precondition(value["items"]?.arrayValue?.count == pods)
        }
        let endToEnd = try await measureAsync(repeats) {
            let list = try await client.list(Pod.self)
            precondition(list.items.count == pods)
        }
        print("")
        print("| measurement (\(pods) pods, \(String(format: "%.1f", megabytes)) MB) | median s | pods/s | MB/s |")
        print("|---|---|---|---|")
        for (name, seconds) in [
            ("typed decode (JSONDecoder → [Pod])", decodeOnly),
            ("typed decode (JSONBytesDecoder → [Pod]; what the client uses)", fromBytes),
            ("typed decode (JSONValue.parse + JSONValueDecoder → [Pod])", viaTree),
            ("unstructured parse (JSONValue)", parseOnly),
            ("client.list(Pod.self): HTTP + decode", endToEnd),
        ] {
            print(String(format: "| %@ | %.3f | %.0f | %.1f |", name, seconds, Double(pods) / seconds, megabytes / seconds))
        }

        print("")
        print("| watch stream through KubeSim | events | seconds | events/s |")
        print("|---|---|---|---|")
        for kind in ["ConfigMap", "Pod"] {
            let (count, seconds) = try await watchThroughput(server: server, client: client, kind: kind)
            print(String(format: "| %@ events (typed) | %d | %.3f | %.0f |", kind, count, seconds, Double(count) / seconds))
        }
    }

    /// Streams `events` ADDED events of `kind` written straight into the store, and times their arrival.
    private func watchThroughput(server: KubeSimServer, client: KubeClient, kind: String) async throws -> (Int, Double) {
        let namespace = "w-\(kind.lowercased())"
        _ = try server.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        let version = server.currentResourceVersion
        let target = events
        let ready = AsyncStream<Void>.makeStream()
        let clock = ContinuousClock()
        let receiver = Task { () -> ContinuousClock.Instant in
            var received = 0
            let options = WatchOptions(resourceVersion: version, allowWatchBookmarks: false)
            if kind == "Pod" {
                ready.continuation.yield()
                for try await _ in client.watch(Pod.self, namespace: namespace, options: options) {
                    received += 1
                    if received == target { break }
                }
            } else {
                ready.continuation.yield()
                for try await _ in client.watch(ConfigMap.self, namespace: namespace, options: options) {
                    received += 1
                    if received == target { break }
                }
            }
            return clock.now
        }
        for await _ in ready.stream { break }
        try await Task.sleep(for: .milliseconds(200))
        let start = clock.now
        for index in 0..<target {
            if kind == "Pod" {
                var pod = SamplePods.pod(index: index)
                pod[path: ["metadata", "namespace"]] = .string(namespace)
                _ = try server.create(pod)
            } else {
                _ = try server.create([
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": ["name": .string("cm-\(index)"), "namespace": .string(namespace)],
                    "data": ["index": .string(String(index))],
                ])
            }
        }
        let end = try await receiver.value
        let elapsed = end - start
        return (target, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func measure(_ times: Int, _ body: () throws -> Void) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<times {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return samples.sorted()[samples.count / 2]
    }

    private func measureAsync(_ times: Int, _ body: () async throws -> Void) async throws -> Double {
        var samples: [Double] = []
        for _ in 0..<times {
            let start = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return samples.sorted()[samples.count / 2]
    }
}

/// Realistic pods: the shape and size of what a real cluster returns for a StatefulSet replica
/// (labels, owner reference, probes, resources, volumes, projected token, status with conditions).
enum SamplePods {
    static func pod(index: Int) -> JSONValue {
        let name = "app-\(index / 3)-\(index % 3)"
        let node = "node-\(index % 500)"
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "namespace": "default",
                "labels": [
                    "app.kubernetes.io/name": "counter", "app.kubernetes.io/instance": .string("app-\(index / 3)"),
                    "controller-revision-hash": "app-7c9f8d6b5", "statefulset.kubernetes.io/pod-name": .string(name),
                ],
                "annotations": ["kubectl.kubernetes.io/restartedAt": "2026-11-01T10:00:00Z", "prometheus.io/scrape": "true"],
                "ownerReferences": [[
                    "apiVersion": "apps/v1", "kind": "StatefulSet", "name": .string("app-\(index / 3)"),
                    "uid": "6c7d8e9f-0a1b-4c2d-8e3f-405162738495", "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "spec": [
                "nodeName": .string(node), "serviceAccountName": "default", "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                "hostname": .string(name), "subdomain": "app", "priority": 0, "enableServiceLinks": true,
                "containers": [[
                    "name": "counter", "image": "registry.example.com/ms2m/sample-consumer:1.4.2",
                    "imagePullPolicy": "IfNotPresent",
                    "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"]],
                    "env": [
                        ["name": "AMQP_URL", "valueFrom": ["secretKeyRef": ["name": "amqp", "key": "url"]]],
                        ["name": "POD_NAME", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.name"]]],
                        ["name": "QUEUE", "value": "orders"],
                    ],
                    "resources": ["requests": ["cpu": "250m", "memory": "256Mi"], "limits": ["cpu": "1", "memory": "512Mi"]],
                    "readinessProbe": ["httpGet": ["path": "/ready", "port": 8080, "scheme": "HTTP"], "periodSeconds": 5,
                                       "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3],
                    "livenessProbe": ["httpGet": ["path": "/healthz", "port": 8080, "scheme": "HTTP"], "initialDelaySeconds": 10,
                                      "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3],
                    "volumeMounts": [
                        ["name": "data", "mountPath": "/var/lib/counter"],
                        ["name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true],
                    ],
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                ]],
                "volumes": [
                    ["name": "data", "persistentVolumeClaim": ["claimName": .string("data-\(name)")]],
                    ["name": "kube-api-access-x7k2p", "projected": ["defaultMode": 420, "sources": [
                        ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
                        ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
                        ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]]],
                    ]]],
                ],
                "tolerations": [
                    ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                    ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
                ],
            ],
            "status": [
                "phase": "Running", "hostIP": "10.0.1.17", "podIP": .string("10.244.\(index % 250).\(index % 200 + 2)"),
                "startTime": "2026-11-01T10:00:05Z", "qosClass": "Burstable",
                "conditions": [
                    ["type": "Initialized", "status": "True", "lastTransitionTime": "2026-11-01T10:00:05Z"],
                    ["type": "Ready", "status": "True", "lastTransitionTime": "2026-11-01T10:00:12Z"],
                    ["type": "ContainersReady", "status": "True", "lastTransitionTime": "2026-11-01T10:00:12Z"],
                    ["type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-11-01T10:00:05Z"],
                ],
                "containerStatuses": [[
                    "name": "counter", "ready": true, "started": true, "restartCount": 0,
                    "image": "registry.example.com/ms2m/sample-consumer:1.4.2",
                    "imageID": "registry.example.com/ms2m/sample-consumer@sha256:3f1a9c0d4e5b6a7980112233445566778899aabbccddeeff0011223344556677",
                    "containerID": "containerd://9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c",
                    "state": ["running": ["startedAt": "2026-11-01T10:00:07Z"]],
                ]],
            ],
        ]
    }
}
