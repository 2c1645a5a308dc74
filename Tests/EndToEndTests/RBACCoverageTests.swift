import Foundation
import KubeClient
@testable import MS2MCLI
import KubeModel
import KubeSim
import MigrationAPI
import PolicyEngine
import OperatorCore
import Synchronization
import Testing
import Unstructured
import YAMLCodec

/// One Kubernetes authorization attribute set: what RBAC checks for a request.
struct APIAccess: Hashable, Comparable, CustomStringConvertible {
    var verb: String
    var group: String
    var resource: String  // with `/subresource`

    var description: String { "\(verb) \(group.isEmpty ? "core" : group)/\(resource)" }
    static func < (a: APIAccess, b: APIAccess) -> Bool { a.description < b.description }

    /// The attributes of a request, as the API server's request-info resolver derives them.
    init?(method: String, uri: String) {
        let parts = uri.split(separator: "?", maxSplits: 1)
        let query = parts.count > 1 ? String(parts[1]) : ""
        var segments = parts[0].split(separator: "/").map(String.init)
        if segments.first == "api" {
            group = ""
            segments.removeFirst(2)  // api, v1
        } else if segments.first == "apis", segments.count >= 3 {
            group = segments[1]
            segments.removeFirst(3)
        } else {
            return nil
        }
        if segments.first == "namespaces", segments.count >= 3 { segments.removeFirst(2) }
        guard let resourceName = segments.first else { return nil }
        let name = segments.count > 1 ? segments[1] : nil
        let subresource = segments.count > 2 ? segments[2] : nil
        resource = subresource.map { "\(resourceName)/\($0)" } ?? resourceName
        switch method {
        case "GET": verb = name == nil ? (query.contains("watch=true") || query.contains("watch=1") ? "watch" : "list") : "get"
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name == nil ? "deletecollection" : "delete"
        default: return nil
        }
    }

    init(verb: String, group: String, resource: String) {
        self.verb = verb
        self.group = group
        self.resource = resource
    }
}

/// The rules of the operator's ClusterRole, leader-election Role and webhook roles in config/rbac.
func operatorRules() throws -> [(groups: [String], resources: [String], verbs: [String], names: [String]?)] {
    var rules: [(groups: [String], resources: [String], verbs: [String], names: [String]?)] = []
    for file in ["role.yaml", "leader_election_role.yaml", "webhook_role.yaml"] {
        let text = try String(contentsOfFile: "\(repositoryRoot)/config/rbac/\(file)", encoding: .utf8)
        for document in try YAML.parseAll(text) {
            for rule in document["rules"]?.arrayValue ?? [] {
                func strings(_ key: String) -> [String] { (rule[key]?.arrayValue ?? []).compactMap(\.stringValue) }
                rules.append((strings("apiGroups"), strings("resources"), strings("verbs"), rule["resourceNames"] == nil ? nil : strings("resourceNames")))
            }
        }
    }
    return rules
}

@Suite("end to end: RBAC covers every API call the operator makes", .serialized)
struct RBACCoverageTests {
    @Test("a policy-driven Sequential migration, with leader election: every request the operator sent is allowed by config/rbac")
    func rbacCoversOperator() async throws {
        try await EndToEnd.run { e in
            let recorder = OperatorAccessRecorder(e)
            try await e.withOperator(configure: { options in
                options.manager.leaderElection = .init(leaseName: "ms2m-operator-leader", leaseNamespace: "default", identity: "e2e")
            }) {
                _ = try await e.createStatefulSet("web", replicas: 3)
                for i in 0..<3 { try await e.waitForRunning("web-\(i)") }
                let node = try #require(try await e.pod("web-0")?.spec?.nodeName)
                // A policy covering the set; the cordon makes it plan a child per pod on the node.
                var template = MigrationTemplate()
                template.checkpointImageRepository = "\(e.registry.host)/checkpoints"
                template.replayCutoffSeconds = 20
                template.registry = RegistryOptions(insecure: true)
                template.messageQueueConfig = MessageQueueConfig(queueName: "placeholder", brokerUrl: e.brokerURL, exchangeName: "placeholder.fanout")
                for i in 0..<3 {
                    _ = try await e.client.patch(Pod.self, name: "web-\(i)", namespace: "default", patch: .merge(["metadata": ["annotations": [
                        "migration.ms2m.io/queue-name": .string("web-\(i)"), "migration.ms2m.io/exchange-name": .string("web-\(i).fanout"),
                    ]]]), subresource: nil, options: WriteOptions())
                }
                var spec = MigrationPolicySpec()
                spec.triggers = PolicyTriggers(cordon: true)
                spec.selection = PodSelection(podSelector: LabelSelector(matchLabels: ["app": "web"]))
                spec.template = template
                _ = try await e.client.create(MigrationPolicy(metadata: ObjectMeta(name: "drain"), spec: spec), namespace: nil, options: WriteOptions())
                _ = try await e.client.patch(Node.self, name: node, namespace: nil, patch: .merge(["spec": ["unschedulable": true]]), subresource: nil, options: WriteOptions())
                do {
                    try await e.waitUntil("a policy child to complete", timeout: .seconds(90)) {
                        let children = try await e.client.list(StatefulMigration.self, namespace: "default", options: ListOptions()).items
                        return !children.isEmpty && children.allSatisfy { $0.status?.phase?.isFinal == true }
                    }
                } catch {
                    // What the operator was doing, so that a timeout here can be explained from the CI log.
                    let children = (try? await e.client.list(StatefulMigration.self, namespace: "default", options: ListOptions()).items) ?? []
                    let policy = try? await e.client.get(MigrationPolicy.self, name: "drain", namespace: nil)
                    let pods = (try? await e.client.list(Pod.self, namespace: "default", options: ListOptions()).items) ?? []
                    // A stale renewTime means the operator lost its lease and stopped (the harness keeps waiting).
                    let lease = try? await e.client.get(Lease.self, name: "ms2m-operator-leader", namespace: "default")
                    Issue.record("""
                        cordoned \(node); children: \(children.map { "\($0.metadata.name ?? "") \($0.status?.phase.map { "\($0)" } ?? "-") \($0.status?.failureMessage ?? "") \($0.status?.conditions ?? [])" })
                        policy status: \(policy?.status.map { "\($0)" } ?? "none")
                        lease: holder \(lease?.spec?.holderIdentity ?? "-"), renewed \(lease?.spec?.renewTime.map { "\($0)" } ?? "-"), now \(MicroTime.now())
                        pods: \(pods.map { "\($0.metadata.name ?? "")@\($0.spec?.nodeName ?? "-") \($0.status?.phase.map { "\($0)" } ?? "-") ready=\($0.isReady)" })
                        """)
                    throw error
                }
                let children = try await e.client.list(StatefulMigration.self, namespace: "default", options: ListOptions()).items
                #expect(children.allSatisfy { $0.status?.phase == .completed }, "\(children.map { "\($0.metadata.name ?? ""): \($0.status?.failureMessage ?? "")" })")
            }
            try Self.expectAllowed(await recorder.stop())
        }
    }

    @Test("a kubectl drain through the eviction webhook, self-managed certificate and scope: every request the operator sent is allowed by config/rbac")
    func rbacCoversWebhook() async throws {
        try await EndToEnd.run { e in
            let recorder = OperatorAccessRecorder(e)
            let queues = try await e.placeWorkloadOnNodeA(sets: ["web"], replicas: 1, barePod: nil)
            let replicas = try await OperatorReplicas.start(e, count: 1)
            do {
                var policy = e.drainPolicy(name: "drain", maxConcurrent: 2, maxOutboundPerNode: 2)
                policy.spec.triggers = PolicyTriggers(cordon: false)
                try await e.createPolicy(policy)
                try await e.waitUntil("the policy controller to answer") { try await e.policyStatus("drain") != nil }
                try await replicas.waitUntilWebhookCovers("default")
                var options = NodeDrainer.Options()
                options.timeout = .seconds(120)
                options.retryInterval = .seconds(1)
                let result = try await NodeDrainer(api: e.client, options: options).drain(node: "node-a")
                #expect(result.completed && result.evicted.isEmpty && result.pods.map(\.pod) == queues.map { "default/\($0)" })
            } catch {
                await replicas.stopAll()
                throw error
            }
            await replicas.stopAll()
            let accesses = await recorder.stop()
            for needed in [
                APIAccess(verb: "create", group: "", resource: "secrets"), APIAccess(verb: "get", group: "", resource: "secrets"),
                APIAccess(verb: "patch", group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations"),
                APIAccess(verb: "patch", group: "", resource: "pods"),
            ] {
                #expect(accesses.contains(needed), "the webhook path never made \(needed)")
            }
            try Self.expectAllowed(accesses)
        }
    }

    /// Every access is allowed by some rule of config/rbac (group, resource and verb).
    static func expectAllowed(_ accesses: Set<APIAccess>) throws {
        let rules = try operatorRules()
        #expect(accesses.count > 10, "too few operator requests were observed: \(accesses)")
        for access in accesses.sorted() {
            let allowed = rules.contains { rule in
                rule.groups.contains(access.group) && rule.resources.contains(access.resource) && rule.verbs.contains(access.verb)
            }
            #expect(allowed, "config/rbac does not allow the operator's \(access)")
        }
    }
}

/// Collects the accesses of the operator's requests (by its user agent) from the emulator's request log
/// every 100 ms until stopped.
final class OperatorAccessRecorder: Sendable {
    private let seen = Mutex(Set<APIAccess>())
    private let collecting = Mutex<Task<Void, Never>?>(nil)

    init(_ e: EndToEnd) {
        let task = Task { [self] in
            while !Task.isCancelled {
                let requests = e.server.requests.all
                e.server.requests.clear()
                let accesses = requests.filter { $0.header("User-Agent") == EndToEnd.operatorUserAgent }
                    .compactMap { APIAccess(method: $0.method, uri: $0.uri) }
                seen.withLock { $0.formUnion(accesses) }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        collecting.withLock { $0 = task }
    }

    /// Stops collecting; every access seen.
    func stop() async -> Set<APIAccess> {
        let task = collecting.withLock { $0 }
        task?.cancel()
        _ = await task?.value
        return seen.withLock { $0 }
    }
}
