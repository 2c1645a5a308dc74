@testable import Placement
import KubeModel
import Testing
import Unstructured

/// The placed-pod index the policy controller keeps in step with its cache event by event: after any sequence
/// of adds, removes and moves, its label postings and anti-affinity buckets must find exactly what a pass
/// over every placed pod finds.
@Suite("Placement: the placed-pod index agrees with a full pass")
struct PlacedPodsIndexTests {
    @Test("property: random adds, removes and rebinds; every term and every pod's holders looked up both ways")
    func indexAgrees() {
        var rng = SplitMix(seed: 0xfeed)
        let namespaces = ["default", "team-b"]
        let apps = ["a", "b", "c", "d"]
        for _ in 0..<100 {
            var placed = PlacedPods()
            var live: [String: Pod] = [:]
            for step in 0..<40 {
                let action = Int.random(in: 0..<10, using: &rng)
                if action < 6 || live.isEmpty {
                    let key = apps.randomElement(using: &rng)!
                    var anti: [JSONValue] = []
                    if Bool.random(using: &rng) {
                        anti.append(term(["app": apps.randomElement(using: &rng)!], key: hostname))
                    }
                    if Int.random(in: 0..<4, using: &rng) == 0 {
                        anti.append(["labelSelector": ["matchExpressions": [["key": "app", "operator": "Exists"]]], "topologyKey": .string(hostname)])
                    }
                    let new = pod(
                        "p\(step)", on: "n\(Int.random(in: 0..<3, using: &rng))",
                        namespace: namespaces.randomElement(using: &rng)!, labels: ["app": key, "tier": Bool.random(using: &rng) ? "x" : "y"],
                        antiAffinity: anti)
                    placed.add(new)
                    live[new.metadata.uid!] = new
                } else if action < 8 {
                    let victim = live.values.randomElement(using: &rng)!
                    placed.remove(victim)
                    live[victim.metadata.uid!] = nil
                } else {
                    var mover = live.values.randomElement(using: &rng)!
                    let target = "n\(Int.random(in: 0..<3, using: &rng))"
                    placed.remove(mover)
                    mover.spec?.nodeName = target
                    placed.add(mover)
                    live[mover.metadata.uid!] = mover
                }
            }
            #expect(placed.count == live.count)
            // Term lookups: candidates(for:in:) filtered by the term equals a filter over every live pod.
            for namespace in namespaces {
                for app in apps {
                    let probe = PodAffinityTerm(selector: LabelSelector(matchLabels: ["app": app]), namespaces: [namespace], topologyKey: hostname)
                    let indexed = Set((placed.candidates(for: probe, in: namespace).map(Array.init) ?? [])
                        .filter { probe.matches(namespace: $0.namespace, labels: $0.labels, namespaceLabels: { _ in nil }) }
                        .map { "\($0.uid)@\($0.node)" })
                    let brute = Set(live.values.filter { $0.metadata.namespace == namespace && $0.metadata.labels?["app"] == app }
                        .map { "\($0.metadata.uid!)@\($0.spec!.nodeName!)" })
                    #expect(indexed == brute)
                }
            }
            // Holder lookups: every holder whose term matches a probe pod is found.
            for namespace in namespaces {
                for app in apps {
                    let labels = ["app": app, "tier": "x"]
                    var found = Set<String>()
                    placed.forEachAntiAffinityHolder(concerning: namespace, labels: labels) { holder in
                        if holder.antiAffinity.contains(where: { $0.matches(namespace: namespace, labels: labels, namespaceLabels: { _ in nil }) }) {
                            found.insert("\(holder.uid)@\(holder.node)")
                        }
                    }
                    let brute = Set(live.values.filter { other in
                        PodPlacementTerms(other).antiAffinity.contains { $0.matches(namespace: namespace, labels: labels, namespaceLabels: { _ in nil }) }
                    }.map { "\($0.metadata.uid!)@\($0.spec!.nodeName!)" })
                    #expect(found == brute)
                }
            }
        }
    }
}
