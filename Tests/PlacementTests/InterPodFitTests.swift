import KubeModel
import Placement
import Testing
import Unstructured

/// The inter-pod rules against kube-scheduler's documented behaviour:
/// - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
/// - https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
/// - https://kubernetes.io/docs/concepts/services-networking/service/ (hostPort) and the NodePorts filter of
///   https://kubernetes.io/docs/reference/scheduling/config/#scheduling-plugins
@Suite("Placement: inter-pod affinity, anti-affinity, topology spread and host ports")
struct InterPodFitTests {
    // MARK: Required anti-affinity

    // "podAntiAffinity … the Pod should not be scheduled onto a node if that node is in the same zone/host as
    // one or more Pods that match the selector" (assign-pod-node, "Types of inter-pod affinity and anti-affinity").
    @Test("the moved pod's required anti-affinity excludes the node running a matching pod, in its topology domain")
    func ownAntiAffinity() throws {
        let nodes = [node("roomy", cpu: "16", zone: "a"), node("small", cpu: "2", zone: "a"), node("source", zone: "b")]
        let cache = pod("cache-0", on: "roomy", labels: ["app": "cache"])
        let moving = pod("web-0", on: "source", labels: ["app": "web"], antiAffinity: [term(["app": "cache"], key: hostname)])
        let choice = choose(moving, nodes: nodes, pods: [cache, moving], excluded: ["source"])
        #expect(choice.node == "small", "the scheduler would never put it next to the cache pod")
        #expect(choice.rejected["roomy"] == [.podAntiAffinityMismatch])

        // The same term on the zone key: every node of zone a holds the domain, so neither fits.
        let zonal = pod("web-1", on: "source", labels: ["app": "web"], antiAffinity: [term(["app": "cache"], key: zone)])
        let none = choose(zonal, nodes: nodes, pods: [cache, zonal], excluded: ["source"])
        #expect(none.node == nil)
        #expect(none.schedulerMessage(excluded: 1) == "0/3 nodes are available: 2 node(s) didn't match pod anti-affinity rules, 1 node(s) excluded by the migration (source, draining or not a target).")
    }

    // "Pod anti-affinity … is symmetric": an existing pod's required anti-affinity keeps the incoming pod out
    // of its domain (the InterPodAffinity filter's "existing pods anti-affinity rules").
    @Test("a placed pod's required anti-affinity against the moved pod excludes its domain")
    func existingAntiAffinity() throws {
        let nodes = [node("a"), node("b"), node("source")]
        let guardPod = pod("guard", on: "a", labels: ["app": "guard"], antiAffinity: [term(["app": "web"], key: hostname)])
        let moving = pod("web-0", on: "source", labels: ["app": "web"])
        let choice = choose(moving, nodes: nodes, pods: [guardPod, moving], excluded: ["source"])
        #expect(choice.node == "b")
        #expect(choice.rejected["a"] == [.existingPodsAntiAffinity])
    }

    // "the Pod can be scheduled onto a node only if that node is in the same zone as one or more Pods that
    // match the selector"; a node without the topology label does not satisfy required affinity; and a pod
    // whose terms match itself may start a group when no pod matches yet (InterPodAffinity filter).
    @Test("required affinity needs a matching pod in the node's domain; the first of a self-affine group may go anywhere")
    func requiredAffinity() throws {
        let nodes = [node("a", zone: "z1"), node("b", zone: "z2"), node("unlabelled", zone: nil), node("source", zone: "z3")]
        let db = pod("db-0", on: "a", labels: ["app": "db"])
        let moving = pod("api-0", on: "source", labels: ["app": "api"], affinity: [term(["app": "db"], key: zone)])
        let choice = choose(moving, nodes: nodes, pods: [db, moving], excluded: ["source"])
        #expect(choice.node == "a")
        #expect(choice.rejected["b"] == [.podAffinityMismatch])
        #expect(choice.rejected["unlabelled"] == [.podAffinityMismatch])

        let loner = pod("grp-0", on: "source", labels: ["app": "grp"], affinity: [term(["app": "grp"], key: zone)])
        let first = choose(loner, nodes: nodes, pods: [db, loner], excluded: ["source"])
        #expect(first.node != nil && first.node != "unlabelled", "itself excluded, no pod matches: it may start the group")
        let stranger = pod("x-0", on: "source", labels: ["app": "x"], affinity: [term(["app": "nobody"], key: zone)])
        #expect(choose(stranger, nodes: nodes, pods: [db, stranger], excluded: ["source"]).node == nil)
    }

    // Terms apply to the pod's own namespace unless `namespaces` or `namespaceSelector` say otherwise; an
    // empty namespaceSelector means all namespaces; a null labelSelector matches no pod.
    @Test("terms match in the pod's namespace by default, in listed or selected namespaces otherwise")
    func namespaces() throws {
        let nodes = [node("a"), node("b"), node("source")]
        let other = pod("cache-0", on: "a", namespace: "team-b", labels: ["app": "cache"])
        let sameNamespaceOnly = pod("w", on: "source", labels: ["app": "w"], antiAffinity: [term(["app": "cache"], key: hostname)])
        #expect(choose(sameNamespaceOnly, nodes: nodes, pods: [other, sameNamespaceOnly], excluded: ["source"]).rejected["a"] == nil)

        let listed = pod("w", on: "source", labels: ["app": "w"], antiAffinity: [term(["app": "cache"], key: hostname, namespaces: ["team-b"])])
        #expect(choose(listed, nodes: nodes, pods: [other, listed], excluded: ["source"]).rejected["a"] == [.podAntiAffinityMismatch])

        let selected = pod("w", on: "source", labels: ["app": "w"], antiAffinity: [term(["app": "cache"], key: hostname, namespaceSelector: ["matchLabels": ["team": "b"]])])
        let labels = ["team-b": ["team": "b"], "default": [:]]
        #expect(choose(selected, nodes: nodes, pods: [other, selected], excluded: ["source"], namespaceLabels: labels).rejected["a"] == [.podAntiAffinityMismatch])
        #expect(choose(selected, nodes: nodes, pods: [other, selected], excluded: ["source"], namespaceLabels: ["team-b": ["team": "c"]]).rejected["a"] == nil)

        let everywhere = pod("w", on: "source", labels: ["app": "w"], antiAffinity: [term(["app": "cache"], key: hostname, namespaceSelector: [:])])
        #expect(choose(everywhere, nodes: nodes, pods: [other, everywhere], excluded: ["source"]).rejected["a"] == [.podAntiAffinityMismatch])

        var nullSelector = term(["app": "cache"], key: hostname, namespaces: ["team-b"])
        nullSelector["labelSelector"] = nil
        let matchesNothing = pod("w", on: "source", labels: ["app": "w"], antiAffinity: [nullSelector])
        #expect(choose(matchesNothing, nodes: nodes, pods: [other, matchesNothing], excluded: ["source"]).rejected["a"] == nil)
    }

    // MARK: Topology spread

    // topology-spread-constraints: "maxSkew … the degree to which Pods may be unevenly distributed … it is the
    // maximum permitted difference between the number of matching Pods in the target topology and the global
    // minimum"; with DoNotSchedule the scheduler will not place a pod where the skew would exceed it. The pod
    // itself counts when the selector matches it; nodes without the topologyKey are not candidates.
    @Test("DoNotSchedule spread: a domain whose count + 1 − global minimum exceeds maxSkew is excluded")
    func topologySpread() throws {
        let nodes = [node("a1", zone: "a"), node("a2", zone: "a"), node("b1", zone: "b"), node("c1", zone: "c"), node("nolabel", zone: nil), node("source", zone: "d")]
        let spread: JSONValue = ["maxSkew": 1, "topologyKey": .string(zone), "whenUnsatisfiable": "DoNotSchedule", "labelSelector": ["matchLabels": ["app": "kv"]]]
        let existing = [pod("kv-0", on: "a1", labels: ["app": "kv"]), pod("kv-1", on: "a2", labels: ["app": "kv"]), pod("kv-2", on: "b1", labels: ["app": "kv"])]
        let moving = pod("kv-3", on: "source", labels: ["app": "kv"], spread: [spread])
        // Counts: a=2, b=1, c=0, d (the source's zone) = 0 once the moved pod's own source is left out.
        let choice = choose(moving, nodes: nodes, pods: existing + [moving], excluded: ["source"])
        #expect(choice.node == "c1")
        #expect(choice.rejected["a1"] == [.topologySpreadMismatch(missingLabel: false)])
        #expect(choice.rejected["b1"] == [.topologySpreadMismatch(missingLabel: false)], "1 + 1 − 0 > 1")
        #expect(choice.rejected["nolabel"] == [.topologySpreadMismatch(missingLabel: true)])

        // ScheduleAnyway never excludes.
        var soft = spread
        soft["whenUnsatisfiable"] = "ScheduleAnyway"
        let relaxed = pod("kv-4", on: "source", labels: ["app": "kv"], spread: [soft])
        #expect(choose(relaxed, nodes: nodes, pods: existing + [relaxed], excluded: ["source"]).rejected.isEmpty)

        // minDomains: with fewer eligible domains than asked, the global minimum is 0.
        var wide = spread
        wide["minDomains"] = 10
        wide["maxSkew"] = 2
        let needsDomains = pod("kv-5", on: "source", labels: ["app": "kv"], spread: [wide])
        let strict = choose(needsDomains, nodes: nodes, pods: existing + [needsDomains], excluded: ["source"])
        #expect(strict.rejected["a1"] == [.topologySpreadMismatch(missingLabel: false)], "2 + 1 − 0 > 2")
        #expect(strict.rejected["b1"] == nil)
    }

    // nodeAffinityPolicy Honor (the default): nodes the pod's node affinity excludes are not domains, so an
    // empty zone the pod cannot go to does not hold the minimum at 0.
    @Test("spread counts only the domains of nodes the pod's node selector allows (nodeAffinityPolicy: Honor)")
    func spreadHonorsNodeAffinity() throws {
        let nodes = [node("a1", zone: "a", labels: ["disk": "ssd"]), node("b1", zone: "b", labels: ["disk": "ssd"]), node("c1", zone: "c"), node("source", zone: "a", labels: ["disk": "ssd"])]
        let spread: JSONValue = ["maxSkew": 1, "topologyKey": .string(zone), "whenUnsatisfiable": "DoNotSchedule", "labelSelector": ["matchLabels": ["app": "kv"]]]
        let existing = [pod("kv-0", on: "a1", labels: ["app": "kv"]), pod("kv-1", on: "b1", labels: ["app": "kv"])]
        var moving = pod("kv-2", on: "source", labels: ["app": "kv"], spread: [spread])
        moving.spec?.nodeSelector = ["disk": "ssd"]
        let choice = choose(moving, nodes: nodes, pods: existing + [moving], excluded: ["source"])
        #expect(choice.node != nil, "zones a and b both hold 1: the skew after placing is 1")
        var ignoring = spread
        ignoring["nodeAffinityPolicy"] = "Ignore"
        var strict = pod("kv-3", on: "source", labels: ["app": "kv"], spread: [ignoring])
        strict.spec?.nodeSelector = ["disk": "ssd"]
        #expect(choose(strict, nodes: nodes, pods: existing + [strict], excluded: ["source"]).node == nil, "zone c (0) is the minimum")
    }

    // MARK: Host ports

    @Test("a host port in use on the node (same protocol, overlapping address) excludes it")
    func hostPorts() throws {
        let nodes = [node("a"), node("b"), node("c"), node("source")]
        let onA = pod("proxy-a", on: "a", labels: ["app": "p"], hostPorts: [(8080, "TCP", nil)])
        let onB = pod("proxy-b", on: "b", labels: ["app": "p"], hostPorts: [(8080, "UDP", nil)])
        let onC = pod("proxy-c", on: "c", labels: ["app": "p"], hostPorts: [(8080, "TCP", "10.0.0.1")])
        let moving = pod("agent", on: "source", labels: ["app": "agent"], hostPorts: [(8080, "TCP", nil)])
        let choice = choose(moving, nodes: nodes, pods: [onA, onB, onC, moving], excluded: ["source"])
        #expect(choice.node == "b", "UDP does not clash with TCP")
        #expect(choice.rejected["a"] == [.hostPortConflict("0.0.0.0:8080/TCP")])
        #expect(choice.rejected["c"] == [.hostPortConflict("0.0.0.0:8080/TCP")], "0.0.0.0 overlaps every address")
        let pinned = pod("agent2", on: "source", labels: ["app": "agent"], hostPorts: [(8080, "TCP", "10.0.0.2")])
        #expect(choose(pinned, nodes: nodes, pods: [onC, pinned], excluded: ["source"]).rejected["c"] == nil, "different addresses")
    }

    // MARK: Planned moves

    @Test("moves promised in one plan count: two mutually anti-affine pods never land on one node")
    func promisedMoves() throws {
        let nodes = [node("a"), node("b"), node("source")]
        let anti = [term(["app": "kv"], key: hostname)]
        let first = pod("kv-0", on: "source", labels: ["app": "kv"], antiAffinity: anti)
        let second = pod("kv-1", on: "source", labels: ["app": "kv"], antiAffinity: anti)
        var context = InterPodContext(pods: [first, second], nodes: nodes)
        let targets = TargetChooser.prepare(nodes, usage: [:])
        let one = try #require(TargetChooser().choose(for: first, among: targets, excluded: ["source"], interPod: context.check(for: first)).node)
        context.move(first, to: one)
        let two = try #require(TargetChooser().choose(for: second, among: targets, excluded: ["source"], interPod: context.check(for: second)).node)
        #expect(one != two)
        #expect(context.placed.count == 2, "promises are kept beside the observed pods, which are not copied")

        // A promised copy's host port and spread count too; its observed source no longer does.
        let nodes3 = [node("a", zone: "z1"), node("b", zone: "z2"), node("source", zone: "z1")]
        let spread: JSONValue = ["maxSkew": 1, "topologyKey": .string(zone), "whenUnsatisfiable": "DoNotSchedule", "labelSelector": ["matchLabels": ["app": "px"]]]
        let proxy = pod("px-0", on: "source", labels: ["app": "px"], spread: [spread], hostPorts: [(9000, "TCP", nil)])
        let other = pod("px-1", on: "source", labels: ["app": "px"], spread: [spread], hostPorts: [(9000, "TCP", nil)])
        var moves = InterPodContext(pods: [proxy, other], nodes: nodes3)
        moves.move(proxy, to: "a")
        let targets3 = TargetChooser.prepare(nodes3, usage: [:])
        let after = TargetChooser().choose(for: other, among: targets3, excluded: ["source"], interPod: moves.check(for: other))
        #expect(after.rejected["a"]?.contains(.hostPortConflict("0.0.0.0:9000/TCP")) == true)
        #expect(after.node == "b")
    }

    // Hand-written snapshots may omit uids: such pods are told apart by namespace and name, not merged.
    @Test("pods without a uid each count")
    func podsWithoutUID() throws {
        let nodes = [node("a"), node("b"), node("c"), node("source")]
        var first = pod("cache-0", on: "a", labels: ["app": "cache"])
        var second = pod("cache-1", on: "b", labels: ["app": "cache"])
        first.metadata.uid = nil
        second.metadata.uid = nil
        var moving = pod("web-0", on: "source", labels: ["app": "web"], antiAffinity: [term(["app": "cache"], key: hostname)])
        moving.metadata.uid = nil
        let choice = choose(moving, nodes: nodes, pods: [first, second, moving], excluded: ["source"])
        #expect(choice.node == "c")
        #expect(choice.rejected["a"] == [.podAntiAffinityMismatch] && choice.rejected["b"] == [.podAntiAffinityMismatch])
        #expect(PlacedPods(pods: [first, second, moving]).count == 3)
    }

    // Selectors are read from the raw term: matchExpressions as well as matchLabels; a selector with an
    // unknown operator matches nothing (metav1.LabelSelectorAsSelector fails, and the term selects no pod).
    @Test("terms read matchExpressions; a malformed selector matches no pod")
    func selectorExpressions() throws {
        let nodes = [node("a"), node("b"), node("source")]
        let cache = pod("cache-0", on: "a", labels: ["app": "cache", "tier": "hot"])
        func anti(_ selector: JSONValue) -> Pod {
            pod("web-0", on: "source", labels: ["app": "web"], antiAffinity: [["labelSelector": selector, "topologyKey": .string(hostname)]])
        }
        let expressions: JSONValue = ["matchExpressions": [["key": "app", "operator": "In", "values": ["cache", "db"]], ["key": "tier", "operator": "Exists"]]]
        #expect(choose(anti(expressions), nodes: nodes, pods: [cache], excluded: ["source"]).rejected["a"] == [.podAntiAffinityMismatch])
        let notIn: JSONValue = ["matchExpressions": [["key": "app", "operator": "NotIn", "values": ["cache"]]]]
        #expect(choose(anti(notIn), nodes: nodes, pods: [cache], excluded: ["source"]).rejected["a"] == nil)
        let unknown: JSONValue = ["matchExpressions": [["key": "app", "operator": "Like", "values": ["cache"]]]]
        #expect(choose(anti(unknown), nodes: nodes, pods: [cache], excluded: ["source"]).rejected["a"] == nil)
        let wrongType: JSONValue = ["matchLabels": ["app": 1]]
        #expect(choose(anti(wrongType), nodes: nodes, pods: [cache], excluded: ["source"]).rejected["a"] == nil)
    }

    // MARK: Property: no choice violates a required constraint

    @Test("property: over random clusters, a chosen node satisfies every required inter-pod rule, checked from first principles")
    func neverViolates() throws {
        var rng = SplitMix(seed: 0x5eed)
        for _ in 0..<300 {
            let zones = ["z1", "z2", "z3"]
            let nodes = (0..<Int.random(in: 3...7, using: &rng)).map { node("n\($0)", zone: zones.randomElement(using: &rng)!) }
            let apps = ["a", "b", "c"]
            var pods: [Pod] = []
            for index in 0..<Int.random(in: 0...14, using: &rng) {
                let app = apps.randomElement(using: &rng)!
                let key = Bool.random(using: &rng) ? hostname : zone
                let anti = Int.random(in: 0..<4, using: &rng) == 0 ? [term(["app": apps.randomElement(using: &rng)!], key: key)] : []
                pods.append(pod("p\(index)", on: nodes.randomElement(using: &rng)!.metadata.name!, labels: ["app": app], antiAffinity: anti))
            }
            let key = Bool.random(using: &rng) ? hostname : zone
            let app = apps.randomElement(using: &rng)!
            let spread: [JSONValue] = Bool.random(using: &rng)
                ? [["maxSkew": 1, "topologyKey": .string(zone), "whenUnsatisfiable": "DoNotSchedule", "labelSelector": ["matchLabels": ["app": .string(app)]]]]
                : []
            let moving = pod(
                "moving", on: nodes[0].metadata.name!, labels: ["app": .init(app)],
                antiAffinity: Bool.random(using: &rng) ? [term(["app": apps.randomElement(using: &rng)!], key: key)] : [],
                affinity: Int.random(in: 0..<3, using: &rng) == 0 ? [term(["app": apps.randomElement(using: &rng)!], key: zone)] : [],
                spread: spread)
            let all = pods + [moving]
            let choice = choose(moving, nodes: nodes, pods: all, excluded: [nodes[0].metadata.name!])
            guard let chosen = choice.node else { continue }
            let target = nodes.first { $0.metadata.name == chosen }!
            #expect(Oracle.satisfies(moving, on: target, nodes: nodes, others: pods), "chose \(chosen) for \(moving.metadata.labels!) among \(pods.map { ($0.metadata.name!, $0.spec!.nodeName!, $0.metadata.labels!) })")
        }
    }
}

/// The required rules restated naively from the documentation, one pod pair at a time, as the property's
/// referee.
enum Oracle {
    static func satisfies(_ pod: Pod, on target: Node, nodes: [Node], others: [Pod]) -> Bool {
        let labelsOf = Dictionary(uniqueKeysWithValues: nodes.map { ($0.metadata.name!, $0.metadata.labels ?? [:]) })
        let targetLabels = target.metadata.labels ?? [:]
        let terms = PodPlacementTerms(pod)
        func sameDomain(_ key: String, _ node: String) -> Bool {
            guard let mine = targetLabels[key], let theirs = labelsOf[node]?[key] else { return false }
            return mine == theirs
        }
        // Own anti-affinity: no matching pod in the domain.
        for term in terms.antiAffinity {
            for other in others where sameDomain(term.topologyKey, other.spec!.nodeName!)
                && term.matches(namespace: other.metadata.namespace!, labels: other.metadata.labels ?? [:], namespaceLabels: { _ in nil }) {
                return false
            }
        }
        // Others' anti-affinity against this pod.
        for other in others {
            for term in PodPlacementTerms(other).antiAffinity where sameDomain(term.topologyKey, other.spec!.nodeName!)
                && term.matches(namespace: pod.metadata.namespace!, labels: pod.metadata.labels ?? [:], namespaceLabels: { _ in nil }) {
                return false
            }
        }
        // Affinity: some pod matching all terms in each term's domain, unless none matches anywhere and the pod matches itself.
        if !terms.affinity.isEmpty {
            let matching = others.filter { other in terms.affinity.allSatisfy { $0.matches(namespace: other.metadata.namespace!, labels: other.metadata.labels ?? [:], namespaceLabels: { _ in nil }) } }
            let selfMatch = terms.affinity.allSatisfy { $0.matches(namespace: pod.metadata.namespace!, labels: pod.metadata.labels ?? [:], namespaceLabels: { _ in nil }) }
            for term in terms.affinity {
                guard targetLabels[term.topologyKey] != nil else { return false }
                if !matching.contains(where: { sameDomain(term.topologyKey, $0.spec!.nodeName!) }) && !(matching.isEmpty && selfMatch) { return false }
            }
        }
        // Spread: count per domain over every node with the key.
        for constraint in terms.spread {
            guard let domain = targetLabels[constraint.topologyKey] else { return false }
            var counts: [String: Int] = [:]
            for node in nodes { if let value = node.metadata.labels?[constraint.topologyKey] { counts[value, default: 0] += 0 } }
            for other in others where constraint.selector?.matches(other.metadata.labels ?? [:]) == true {
                if let value = labelsOf[other.spec!.nodeName!]?[constraint.topologyKey] { counts[value, default: 0] += 1 }
            }
            let selfMatch = constraint.selector?.matches(pod.metadata.labels ?? [:]) == true ? 1 : 0
            if counts[domain, default: 0] + selfMatch - (counts.values.min() ?? 0) > constraint.maxSkew { return false }
        }
        return true
    }
}

// MARK: Builders

let hostname = "kubernetes.io/hostname"
let zone = "topology.kubernetes.io/zone"

func node(_ name: String, cpu: String = "8", zone zoneValue: String? = "z", labels extra: [String: String] = [:]) -> Node {
    var labels: JSONObject = ["kubernetes.io/hostname": .string(name)]
    if let zoneValue { labels[zone] = .string(zoneValue) }
    for (key, value) in extra { labels[key] = .string(value) }
    let json: JSONValue = [
        "apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": .object(labels)],
        "status": [
            "allocatable": ["cpu": .string(cpu), "memory": "32Gi", "pods": "110"],
            "conditions": [["type": "Ready", "status": "True"]],
            "nodeInfo": ["containerRuntimeVersion": "cri-o://1.31.2", "kubeletVersion": "v1.31.2"],
        ],
    ]
    return try! JSONValueDecoder().decode(Node.self, from: json)
}

func term(_ matchLabels: [String: String], key: String, namespaces: [String]? = nil, namespaceSelector: JSONValue? = nil) -> JSONValue {
    var json: JSONValue = [
        "labelSelector": ["matchLabels": object(matchLabels)], "topologyKey": .string(key),
    ]
    if let namespaces { json["namespaces"] = .array(namespaces.map(JSONValue.string)) }
    if let namespaceSelector { json["namespaceSelector"] = namespaceSelector }
    return json
}

func pod(
    _ name: String, on nodeName: String, namespace: String = "default", labels: [String: String],
    antiAffinity: [JSONValue] = [], affinity: [JSONValue] = [], spread: [JSONValue] = [],
    hostPorts: [(Int, String, String?)] = [], preferredAffinity: [(Int, JSONValue)] = [],
    preferredAntiAffinity: [(Int, JSONValue)] = []
) -> Pod {
    var container: JSONValue = ["name": "app", "image": "app:1", "resources": ["requests": ["cpu": "100m"]]]
    if !hostPorts.isEmpty {
        container["ports"] = .array(hostPorts.map { port, proto, ip in
            var entry: JSONValue = ["containerPort": .int(Int64(port)), "hostPort": .int(Int64(port)), "protocol": .string(proto)]
            if let ip { entry["hostIP"] = .string(ip) }
            return entry
        })
    }
    var spec: JSONValue = ["nodeName": .string(nodeName), "containers": [container]]
    var affinityJSON: JSONObject = [:]
    if !antiAffinity.isEmpty { affinityJSON["podAntiAffinity"] = ["requiredDuringSchedulingIgnoredDuringExecution": .array(antiAffinity)] }
    if !affinity.isEmpty { affinityJSON["podAffinity"] = ["requiredDuringSchedulingIgnoredDuringExecution": .array(affinity)] }
    func weighted(_ terms: [(Int, JSONValue)]) -> JSONValue {
        .array(terms.map { ["weight": .int(Int64($0.0)), "podAffinityTerm": $0.1] })
    }
    if !preferredAffinity.isEmpty {
        affinityJSON["podAffinity", default: [:]]["preferredDuringSchedulingIgnoredDuringExecution"] = weighted(preferredAffinity)
    }
    if !preferredAntiAffinity.isEmpty {
        affinityJSON["podAntiAffinity", default: [:]]["preferredDuringSchedulingIgnoredDuringExecution"] = weighted(preferredAntiAffinity)
    }
    if !affinityJSON.isEmpty { spec["affinity"] = .object(affinityJSON) }
    if !spread.isEmpty { spec["topologySpreadConstraints"] = .array(spread) }
    let json: JSONValue = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": [
            "name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(namespace)-\(name)"),
            "labels": object(labels),
        ],
        "spec": spec, "status": ["phase": "Running"],
    ]
    return try! JSONValueDecoder().decode(Pod.self, from: json)
}

func object(_ strings: [String: String]) -> JSONValue {
    var object = JSONObject()
    for (key, value) in strings.sorted(by: { $0.key < $1.key }) { object[key] = .string(value) }
    return .object(object)
}

/// `TargetChooser` with the inter-pod rules over `pods`.
func choose(_ pod: Pod, nodes: [Node], pods: [Pod], excluded: Set<String>, namespaceLabels: [String: [String: String]] = [:]) -> TargetChooser.Choice {
    var byNode: [String: [Pod]] = [:]
    for other in pods { byNode[other.spec!.nodeName!, default: []].append(other) }
    return TargetChooser().choose(for: pod, among: nodes, podsByNode: byNode, excluded: excluded, namespaceLabels: namespaceLabels)
}

/// A small deterministic generator for the property test.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
