import Testing

@testable import KubeModel

/// A named selector-matching case.
struct SelectorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var selector: LabelSelector
    var labels: [String: String]
    var matches: Bool
    var testDescription: String { name }
}

@Suite("LabelSelector")
struct LabelSelectorTests {
    static let app = ["app": "redis", "tier": "cache", "env": "prod"]

    static let cases: [SelectorCase] = [
        SelectorCase(name: "empty selector matches all", selector: LabelSelector(), labels: app, matches: true),
        SelectorCase(name: "empty selector matches no labels", selector: LabelSelector(), labels: [:], matches: true),
        SelectorCase(
            name: "matchLabels subset", selector: LabelSelector(matchLabels: ["app": "redis"]), labels: app,
            matches: true),
        SelectorCase(
            name: "matchLabels wrong value", selector: LabelSelector(matchLabels: ["app": "nginx"]), labels: app,
            matches: false),
        SelectorCase(
            name: "matchLabels missing key", selector: LabelSelector(matchLabels: ["zone": "a"]), labels: app,
            matches: false),
        SelectorCase(
            name: "In hit", selector: expr("env", .in, ["dev", "prod"]), labels: app, matches: true),
        SelectorCase(
            name: "In miss", selector: expr("env", .in, ["dev", "qa"]), labels: app, matches: false),
        SelectorCase(
            name: "In absent key", selector: expr("zone", .in, ["a"]), labels: app, matches: false),
        SelectorCase(
            name: "NotIn hit", selector: expr("env", .notIn, ["dev"]), labels: app, matches: true),
        SelectorCase(
            name: "NotIn miss", selector: expr("env", .notIn, ["prod"]), labels: app, matches: false),
        SelectorCase(
            name: "NotIn absent key matches", selector: expr("zone", .notIn, ["a"]), labels: app, matches: true),
        SelectorCase(name: "Exists", selector: expr("tier", .exists), labels: app, matches: true),
        SelectorCase(name: "Exists absent", selector: expr("zone", .exists), labels: app, matches: false),
        SelectorCase(name: "DoesNotExist", selector: expr("zone", .doesNotExist), labels: app, matches: true),
        SelectorCase(name: "DoesNotExist present", selector: expr("tier", .doesNotExist), labels: app, matches: false),
        SelectorCase(
            name: "In without values is invalid", selector: expr("env", .in, []), labels: app, matches: false),
        SelectorCase(
            name: "Exists with values is invalid", selector: expr("env", .exists, ["prod"]), labels: app,
            matches: false),
        SelectorCase(
            name: "unknown operator is invalid", selector: expr("env", "Gt", ["1"]), labels: app, matches: false),
        SelectorCase(
            name: "all requirements must hold",
            selector: LabelSelector(
                matchLabels: ["app": "redis"],
                matchExpressions: [
                    LabelSelectorRequirement(key: "env", operator: .in, values: ["prod"]),
                    LabelSelectorRequirement(key: "canary", operator: .doesNotExist),
                ]),
            labels: app, matches: true),
        SelectorCase(
            name: "one failing requirement fails",
            selector: LabelSelector(
                matchLabels: ["app": "redis"],
                matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .notIn, values: ["cache"])]),
            labels: app, matches: false),
    ]

    static func expr(_ key: String, _ op: LabelSelectorOperator, _ values: [String]? = nil) -> LabelSelector {
        LabelSelector(matchExpressions: [LabelSelectorRequirement(key: key, operator: op, values: values)])
    }

    @Test("matches labels", arguments: cases)
    func matches(_ testCase: SelectorCase) {
        #expect(testCase.selector.matches(testCase.labels) == testCase.matches)
    }

    @Test(
        "formats the labelSelector query syntax",
        arguments: [
            (
                LabelSelector(
                    matchLabels: ["a": "b"],
                    matchExpressions: [
                        LabelSelectorRequirement(key: "f", operator: .doesNotExist),
                        LabelSelectorRequirement(key: "c", operator: .in, values: ["e", "d"]),
                    ]),
                "a=b,c in (d,e),!f"
            ),
            (
                LabelSelector(matchLabels: ["z": "1", "app": "redis"]),
                "app=redis,z=1"
            ),
            (
                LabelSelector(matchExpressions: [
                    LabelSelectorRequirement(key: "env", operator: .notIn, values: ["qa", "dev"]),
                    LabelSelectorRequirement(key: "canary", operator: .exists),
                ]),
                "canary,env notin (dev,qa)"
            ),
            (LabelSelector(), ""),
        ])
    func selectorString(selector: LabelSelector, expected: String) {
        #expect(selector.selectorString == expected)
    }

    @Test("decodes the API form")
    func decodes() throws {
        let selector = try decode(
            LabelSelector.self,
            #"""
            {"matchLabels": {"app": "redis"},
             "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}
            """#)
        #expect(selector.matchExpressions?.first?.operator == .in)
        #expect(selector.matches(Self.app))
        #expect(try roundTrip(selector) == selector)
    }
}

/// A named toleration-versus-taint case.
struct TolerationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var toleration: Toleration
    var taint: Taint
    var tolerates: Bool
    var testDescription: String { name }
}

@Suite("Tolerations and taints")
struct TolerationTests {
    static let dedicated = Taint(key: "dedicated", value: "storage", effect: .noSchedule)

    static let cases: [TolerationCase] = [
        TolerationCase(
            name: "Equal same key, value, effect",
            toleration: Toleration(key: "dedicated", operator: .equal, value: "storage", effect: .noSchedule),
            taint: dedicated, tolerates: true),
        TolerationCase(
            name: "no operator means Equal",
            toleration: Toleration(key: "dedicated", value: "storage", effect: .noSchedule),
            taint: dedicated, tolerates: true),
        TolerationCase(
            name: "Equal different value",
            toleration: Toleration(key: "dedicated", operator: .equal, value: "gpu", effect: .noSchedule),
            taint: dedicated, tolerates: false),
        TolerationCase(
            name: "Equal different key",
            toleration: Toleration(key: "other", operator: .equal, value: "storage", effect: .noSchedule),
            taint: dedicated, tolerates: false),
        TolerationCase(
            name: "Equal different effect",
            toleration: Toleration(key: "dedicated", operator: .equal, value: "storage", effect: .noExecute),
            taint: dedicated, tolerates: false),
        TolerationCase(
            name: "empty effect matches all effects",
            toleration: Toleration(key: "dedicated", operator: .equal, value: "storage"),
            taint: dedicated, tolerates: true),
        TolerationCase(
            name: "empty-string effect matches all effects",
            toleration: Toleration(key: "dedicated", operator: .equal, value: "storage", effect: ""),
            taint: Taint(key: "dedicated", value: "storage", effect: .noExecute), tolerates: true),
        TolerationCase(
            name: "Exists ignores value",
            toleration: Toleration(key: "dedicated", operator: .exists, effect: .noSchedule),
            taint: dedicated, tolerates: true),
        TolerationCase(
            name: "Exists still needs the key",
            toleration: Toleration(key: "other", operator: .exists),
            taint: dedicated, tolerates: false),
        TolerationCase(
            name: "empty key with Exists tolerates everything",
            toleration: Toleration(operator: .exists),
            taint: Taint(key: "node.kubernetes.io/unreachable", effect: .noExecute), tolerates: true),
        TolerationCase(
            name: "empty key with Exists and an effect tolerates only that effect",
            toleration: Toleration(key: "", operator: .exists, effect: .noExecute),
            taint: dedicated, tolerates: false),
        TolerationCase(
            name: "Equal with empty values on both sides",
            toleration: Toleration(key: "node.kubernetes.io/unreachable", operator: .equal, effect: .noExecute),
            taint: Taint(key: "node.kubernetes.io/unreachable", effect: .noExecute), tolerates: true),
        TolerationCase(
            name: "Equal with a value against a value-less taint",
            toleration: Toleration(key: "node.kubernetes.io/unreachable", operator: .equal, value: "x"),
            taint: Taint(key: "node.kubernetes.io/unreachable", effect: .noExecute), tolerates: false),
        TolerationCase(
            name: "unknown operator never tolerates",
            toleration: Toleration(key: "dedicated", operator: "Gt", value: "storage"),
            taint: dedicated, tolerates: false),
    ]

    @Test("tolerates taints by the Kubernetes rules", arguments: cases)
    func tolerates(_ testCase: TolerationCase) {
        #expect(testCase.toleration.tolerates(testCase.taint) == testCase.tolerates)
    }

    @Test("untolerated taints ignore PreferNoSchedule")
    func untolerated() {
        let taints = [
            Self.dedicated,
            Taint(key: "soft", effect: .preferNoSchedule),
            Taint(key: "node.kubernetes.io/unreachable", effect: .noExecute),
        ]
        let tolerations = [Toleration(key: "node.kubernetes.io/unreachable", operator: .exists)]
        #expect(tolerations.untoleratedTaints(taints) == [Self.dedicated])
        #expect([Toleration(operator: .exists)].untoleratedTaints(taints).isEmpty)
    }

    @Test(
        "node selector requirements",
        arguments: [
            (NodeSelectorRequirement(key: "zone", operator: .in, values: ["a", "b"]), true),
            (NodeSelectorRequirement(key: "zone", operator: .notIn, values: ["a"]), false),
            (NodeSelectorRequirement(key: "gpu", operator: .doesNotExist), true),
            (NodeSelectorRequirement(key: "zone", operator: .exists), true),
            (NodeSelectorRequirement(key: "cores", operator: .gt, values: ["8"]), true),
            (NodeSelectorRequirement(key: "cores", operator: .lt, values: ["8"]), false),
            (NodeSelectorRequirement(key: "zone", operator: .gt, values: ["1"]), false),
            (NodeSelectorRequirement(key: "cores", operator: .gt, values: ["1", "2"]), false),
        ])
    func nodeSelectorRequirement(requirement: NodeSelectorRequirement, expected: Bool) {
        #expect(requirement.matches(["zone": "a", "cores": "16"]) == expected)
    }

    @Test("node selector terms are ORed, requirements ANDed, empty terms match nothing")
    func nodeSelector() throws {
        let node = try decode(Node.self, Fixtures.node)
        let storage = NodeSelectorTerm(matchExpressions: [
            NodeSelectorRequirement(key: "node-role.kubernetes.io/storage", operator: .exists),
            NodeSelectorRequirement(key: "kubernetes.io/arch", operator: .in, values: ["amd64"]),
        ])
        let byName = NodeSelectorTerm(matchFields: [
            NodeSelectorRequirement(key: "metadata.name", operator: .in, values: ["worker-1"])
        ])
        let arm = NodeSelectorTerm(matchExpressions: [
            NodeSelectorRequirement(key: "kubernetes.io/arch", operator: .in, values: ["arm64"])
        ])
        #expect(NodeSelector(nodeSelectorTerms: [storage]).matches(node))
        #expect(NodeSelector(nodeSelectorTerms: [byName]).matches(node))
        #expect(NodeSelector(nodeSelectorTerms: [arm, byName]).matches(node))
        #expect(!NodeSelector(nodeSelectorTerms: [arm]).matches(node))
        #expect(!NodeSelector(nodeSelectorTerms: [NodeSelectorTerm()]).matches(node))
        #expect(!NodeSelector(nodeSelectorTerms: []).matches(node))
        // The fixture pod's required node affinity selects the fixture node.
        let pod = try decode(Pod.self, Fixtures.pod)
        let required = try #require(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
        #expect(required.matches(node))
    }
}

@Suite("Conditions")
struct ConditionTests {
    let t0 = Time(secondsSinceEpoch: 1_000)
    let t1 = Time(secondsSinceEpoch: 2_000)
    let t2 = Time(secondsSinceEpoch: 3_000)

    @Test("adding a condition stamps it with now unless it has a time")
    func adds() {
        var conditions: [Condition] = []
        let changed1 = conditions.setCondition(Condition(type: "Ready", status: .false, reason: "Starting"), now: t0)
        #expect(changed1)
        #expect(conditions.condition(ofType: "Ready")?.lastTransitionTime == t0)
        let synced = Condition(type: "Synced", status: .true, lastTransitionTime: t1)
        let changed2 = conditions.setCondition(synced, now: t0)
        #expect(changed2)
        #expect(conditions.condition(ofType: "Synced")?.lastTransitionTime == t1)
        #expect(conditions.count == 2)
    }

    @Test("the transition time only moves when the status flips")
    func keepsTransitionTime() {
        var conditions = [Condition(type: "Ready", status: .false, lastTransitionTime: t0, reason: "Starting")]
        // Same status, new reason and message: changed, but the time stays.
        let changed = conditions.setCondition(
            Condition(type: "Ready", status: .false, reason: "Restoring", message: "restoring checkpoint"), now: t1)
        #expect(changed)
        #expect(conditions[0].lastTransitionTime == t0)
        #expect(conditions[0].reason == "Restoring")
        #expect(conditions[0].message == "restoring checkpoint")
        // Identical condition: nothing changes.
        let same = conditions.setCondition(
            Condition(type: "Ready", status: .false, reason: "Restoring", message: "restoring checkpoint"), now: t2)
        #expect(!same)
        #expect(conditions[0].lastTransitionTime == t0)
        // Status flips: the time moves to now.
        let changed3 = conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Restored"), now: t2)
        #expect(changed3)
        #expect(conditions[0].lastTransitionTime == t2)
        #expect(conditions.isTrue("Ready"))
        // Status flips with an explicit time: that time is used.
        conditions.setCondition(Condition(type: "Ready", status: .false, lastTransitionTime: t1), now: t2)
        #expect(conditions[0].lastTransitionTime == t1)
        #expect(conditions.isFalse("Ready"))
        #expect(conditions.count == 1)
    }

    @Test("observed generation counts as a change; removal")
    func generationAndRemoval() {
        var conditions = [Condition(type: "Ready", status: .true, observedGeneration: 1, lastTransitionTime: t0)]
        let changed4 = conditions.setCondition(Condition(type: "Ready", status: .true, observedGeneration: 2), now: t1)
        #expect(changed4)
        #expect(conditions[0].observedGeneration == 2)
        #expect(conditions[0].lastTransitionTime == t0)
        let removed = conditions.removeCondition(ofType: "Ready")
        let removedAgain = conditions.removeCondition(ofType: "Ready")
        #expect(removed)
        #expect(!removedAgain)
        #expect(conditions.isEmpty)
    }
}
