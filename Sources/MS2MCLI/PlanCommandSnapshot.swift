import Foundation
import KubeClient
import KubeModel
import MigrationAPI
import Placement
import PolicyEngine
import Unstructured
import YAMLCodec

/// A bad input of `ms2m plan`, `migrate` or `status`, with a message that says what to fix.
struct CLIInputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The cluster objects a plan is computed against: from a snapshot file (multi-document YAML of Node, Pod,
/// Namespace, PersistentVolumeClaim, PersistentVolume, StatefulMigration and MigrationPolicy objects, or
/// `kind: List` documents of them as `kubectl get nodes,pods,namespaces,pvc,pv,statefulmigrations,migrationpolicies
/// -A -o yaml` prints), or listed from the live cluster.
struct ClusterSnapshot: Sendable {
    var nodes: [Node] = []
    var pods: [Pod] = []
    var namespaces: [Namespace] = []
    var migrations: [StatefulMigration] = []
    var policies: [MigrationPolicy] = []
    var claims: [PersistentVolumeClaim] = []
    var volumes: [PersistentVolume] = []

    /// The kinds a snapshot file may hold.
    static let kinds = [
        "Node", "Pod", "Namespace", "PersistentVolumeClaim", "PersistentVolume", "StatefulMigration", "MigrationPolicy",
    ]

    /// Parses a snapshot file's text; `source` names it in errors.
    static func parse(yaml text: String, source: String) throws -> ClusterSnapshot {
        let documents: [JSONValue]
        do { documents = try YAML.parseAll(text) } catch { throw CLIInputError("\(source): not valid YAML: \(error)") }
        var snapshot = ClusterSnapshot()
        for (number, document) in documents.enumerated() where !document.isNull {
            try snapshot.add(document, at: "\(source): document \(number + 1)")
        }
        return snapshot
    }

    /// Adds one object, or each item of a `List`.
    private mutating func add(_ object: JSONValue, at location: String) throws {
        guard object.objectValue != nil else { throw CLIInputError("\(location) is not a mapping") }
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else {
            throw CLIInputError("\(location) has no kind")
        }
        let name = object[path: ["metadata", "name"]]?.stringValue ?? "?"
        let here = "\(location) (\(kind) \(name))"
        let decoder = JSONValueDecoder()
        do {
            switch kind {
            case "List", "NodeList", "PodList", "NamespaceList", "PersistentVolumeClaimList", "PersistentVolumeList",
                "StatefulMigrationList", "MigrationPolicyList":
                if let items = object["items"], items.arrayValue == nil, items != .null {
                    throw CLIInputError("\(location) (\(kind)): items must be a list")
                }
                for (index, item) in (object["items"]?.arrayValue ?? []).enumerated() {
                    var item = item
                    if item["kind"] == nil, kind != "List" { item["kind"] = .string(String(kind.dropLast(4))) }
                    try add(item, at: "\(location) item \(index + 1)")
                }
            case "Node": nodes.append(try decoder.decode(Node.self, from: object))
            case "Pod": pods.append(try decoder.decode(Pod.self, from: object))
            case "Namespace": namespaces.append(try decoder.decode(Namespace.self, from: object))
            case "PersistentVolumeClaim": claims.append(try decoder.decode(PersistentVolumeClaim.self, from: object))
            case "PersistentVolume": volumes.append(try decoder.decode(PersistentVolume.self, from: object))
            case "StatefulMigration": migrations.append(try decoder.decode(StatefulMigration.self, from: object))
            case "MigrationPolicy": policies.append(try decoder.decode(MigrationPolicy.self, from: object))
            default:
                throw CLIInputError(
                    "\(here): a snapshot holds only \(Self.kinds.joined(separator: ", ")) objects (or Lists of them)")
            }
        } catch let error as CLIInputError {
            throw error
        } catch {
            throw CLIInputError("\(here) does not decode: \(DecodingProblem.describe(error))")
        }
        if kind == "Node" || kind == "Namespace" || kind == "MigrationPolicy", name == "?" {
            throw CLIInputError("\(here) has no metadata.name")
        }
    }

    /// Lists the objects from the live cluster. A cluster without the MigrationPolicy CRD has no policies.
    static func load(client: KubeClient) async throws -> ClusterSnapshot {
        var snapshot = ClusterSnapshot()
        snapshot.nodes = try await client.listAll(Node.self).items
        snapshot.pods = try await client.listAll(Pod.self, namespace: nil).items
        snapshot.namespaces = try await client.listAll(Namespace.self).items
        snapshot.claims = try await client.listAll(PersistentVolumeClaim.self, namespace: nil).items
        snapshot.volumes = try await client.listAll(PersistentVolume.self).items
        snapshot.migrations = try await client.listAll(StatefulMigration.self, namespace: nil).items
        do {
            snapshot.policies = try await client.listAll(MigrationPolicy.self).items
        } catch let error as KubeAPIError where error.isNotFound {
            snapshot.policies = []
        }
        return snapshot
    }

    /// Each namespace's labels. Namespaces the pods name but the snapshot lacks get the label the API server
    /// sets on every namespace, `kubernetes.io/metadata.name`.
    var namespaceLabels: [String: [String: String]] {
        var labels: [String: [String: String]] = [:]
        for pod in pods {
            let namespace = pod.metadata.namespace ?? "default"
            labels[namespace] = ["kubernetes.io/metadata.name": namespace]
        }
        for namespace in namespaces {
            guard let name = namespace.metadata.name else { continue }
            labels[name] = (namespace.metadata.labels ?? [:]).merging(["kubernetes.io/metadata.name": name]) { old, _ in old }
        }
        return labels
    }

    /// The planner's input for `policy`, competing with `others` (the other policies of the file and of the
    /// cluster; the policy itself is ignored among them).
    func policySnapshot(for policy: MigrationPolicy, others: [MigrationPolicy], now: Time) -> PolicySnapshot {
        var snapshot = PolicySnapshot(
            policy: policy, nodes: nodes, pods: pods, namespaceLabels: namespaceLabels, migrations: migrations, now: now)
        snapshot.otherPolicies = others.filter { $0.metadata.name != policy.metadata.name }
        snapshot.volumes = VolumeTopology(claims: claims, volumes: volumes)
        return snapshot
    }
}

/// How `ms2m plan` prints a plan: a table of each section, or the StatefulMigrations it would create as
/// multi-document YAML ready for `kubectl apply -f -` (the rest of the plan as comments).
enum PlanRendering {
    /// The plan as tables: moves, waiting, unplaceable, evictions, yielded and skipped pods.
    static func table(_ plan: MigrationPlan, policy: MigrationPolicy) -> String {
        var out = "Policy \(policy.metadata.name ?? "?"): "
        out += plan.drainingNodes.isEmpty
            ? "no node is draining\n"
            : "draining \(plan.drainingNodes.map { "\($0.name) (\($0.triggers.map(\.rawValue).joined(separator: ",")))" }.joined(separator: ", "))\n"
        if let open = plan.drainWindowOpen {
            out += "Schedule window: \(open ? "open" : "closed")"
            if let next = plan.nextWindowOpening { out += ", next opening \(next.rfc3339String)" }
            out += "\n"
        }
        out += "Budget: \(plan.budget.inFlight)/\(plan.budget.maxConcurrent) in flight after the plan\n"
        out += section(
            "MOVES", header: ["NAMESPACE", "POD", "SOURCE", "TARGET", "REASON", "MIGRATION"],
            rows: plan.moves.map { [$0.namespace, $0.pod, $0.sourceNode, $0.targetNode, $0.reason.rawValue, $0.migrationName] })
        out += section(
            "WAITING", header: ["NAMESPACE", "POD", "SOURCE", "BLOCKED BY"],
            rows: plan.waiting.map { [$0.namespace, $0.pod, $0.sourceNode, $0.blockedBy.description] })
        out += section(
            "UNPLACEABLE", header: ["NAMESPACE", "POD", "SOURCE", "REASON"],
            rows: plan.unplaceable.map { [$0.namespace, $0.pod, $0.sourceNode, $0.reason] })
        out += section(
            "EVICTIONS", header: ["NAMESPACE", "POD", "SOURCE", "REASON", "MESSAGE"],
            rows: plan.evictions.map { [$0.namespace, $0.pod, $0.sourceNode, $0.reason.rawValue, $0.message] })
        out += section(
            "YIELDED", header: ["NAMESPACE", "POD", "NODE", "WINNER", "WHY"],
            rows: plan.yielded.map { [$0.namespace, $0.pod, $0.node, $0.winner, $0.why] })
        out += section(
            "SKIPPED", header: ["NAMESPACE", "POD", "NODE", "REASON"],
            rows: plan.skipped.map { [$0.namespace, $0.pod, $0.node, $0.reason.reason] })
        out += section(
            "CANCELLATIONS", header: ["NAMESPACE", "MIGRATION", "POD", "SOURCE"],
            rows: plan.cancellations.map { [$0.namespace, $0.name, $0.pod, $0.sourceNode] })
        return out
    }

    private static func section(_ title: String, header: [String], rows: [[String]]) -> String {
        if rows.isEmpty { return "\n\(title): none\n" }
        return "\n\(title) (\(rows.count)):\n" + TextTable.render(header: header, rows: rows)
    }

    /// The StatefulMigrations the plan's moves create, as multi-document YAML, preceded by comment lines
    /// summarising what else the plan holds.
    static func yaml(_ plan: MigrationPlan, policy: MigrationPolicy) throws -> String {
        var out = "# ms2m plan for MigrationPolicy \(policy.metadata.name ?? "?"): \(plan.moves.count) migration(s)"
        out += ", \(plan.waiting.count) waiting, \(plan.unplaceable.count) unplaceable, \(plan.evictions.count) eviction(s)"
        out += ", \(plan.yielded.count) yielded to other policies\n"
        for eviction in plan.evictions {
            out += "# evict \(eviction.namespace)/\(eviction.pod) (\(eviction.reason.rawValue)): \(eviction.message)\n"
        }
        for entry in plan.unplaceable {
            out += "# unplaceable \(entry.namespace)/\(entry.pod): \(entry.reason)\n"
        }
        let encoder = JSONValueEncoder()
        let children = try plan.moves.map { move -> JSONValue in
            var child = ChildMigrationFactory.child(for: move, policy: policy)
            child.apiVersion = StatefulMigration.apiVersion
            child.kind = StatefulMigration.kind
            return try encoder.encode(child)
        }
        if !children.isEmpty { out += YAML.emitAll(children) }
        return out
    }
}

/// Columns padded to their widest cell, as kubectl prints them.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (column, cell) in cells.enumerated() {
                let last = column == cells.count - 1
                text += last ? cell : cell.padding(toLength: widths[column] + 3, withPad: " ", startingAt: 0)
            }
            return text + "\n"
        }
        return ([header] + rows).map(line).joined()
    }
}
