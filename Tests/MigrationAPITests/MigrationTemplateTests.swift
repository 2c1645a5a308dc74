import MigrationAPI
import Testing

@Suite("MigrationTemplate stamping")
struct MigrationTemplateTests {
    static let template = MigrationTemplate(
        containerName: "app", checkpointImageRepository: "registry:5000/checkpoints", replayCutoffSeconds: 120,
        migrationStrategy: "", messageQueueConfig: MessageQueueConfig(
            queueName: "default.events", brokerUrl: "amqp://rabbitmq", exchangeName: "events.fanout"))

    @Test("without annotations the child spec is the template plus source pod and target node")
    func stampsTemplate() {
        var template = Self.template
        template.keepCheckpointImage = true
        template.phaseTimeouts = PhaseTimeouts(replaying: 30)
        let (spec, rejected) = template.migrationSpec(sourcePod: "orders-0", targetNode: "worker-2", podAnnotations: [:])
        #expect(rejected == [])
        #expect(spec.sourcePod == "orders-0")
        #expect(spec.targetNode == "worker-2")
        #expect(spec.containerName == "app")
        #expect(spec.checkpointImageRepository == "registry:5000/checkpoints")
        #expect(spec.replayCutoffSeconds == 120)
        #expect(spec.messageQueueConfig == template.messageQueueConfig)
        #expect(spec.keepCheckpointImage == true)
        #expect(spec.phaseTimeouts?.replaying == 30)
    }

    @Test("override annotations replace single fields and keep the rest")
    func overrides() {
        let annotations = [
            PodOverrideAnnotation.queueName: "orders", PodOverrideAnnotation.routingKey: "orders.new",
            PodOverrideAnnotation.containerName: "orders", PodOverrideAnnotation.migrationStrategy: "ShadowPod",
            PodOverrideAnnotation.replayCutoffSeconds: "45", "unrelated/annotation": "x",
        ]
        let (spec, rejected) = Self.template.migrationSpec(
            sourcePod: "orders-0", targetNode: nil, podAnnotations: annotations)
        #expect(rejected == [])
        #expect(spec.messageQueueConfig?.queueName == "orders")
        #expect(spec.messageQueueConfig?.routingKey == "orders.new")
        #expect(spec.messageQueueConfig?.exchangeName == "events.fanout")
        #expect(spec.messageQueueConfig?.brokerUrl == "amqp://rabbitmq")
        #expect(spec.containerName == "orders")
        #expect(spec.migrationStrategy == "ShadowPod")
        #expect(spec.replayCutoffSeconds == 45)
        #expect(spec.targetNode == nil)
    }

    @Test("a queue override works on a template without queue config")
    func queueOverrideWithoutConfig() {
        let (spec, _) = MigrationTemplate().migrationSpec(
            sourcePod: "p", targetNode: nil, podAnnotations: [PodOverrideAnnotation.exchangeName: "x.fanout"])
        #expect(spec.messageQueueConfig == MessageQueueConfig(exchangeName: "x.fanout"))
    }

    @Test("an unreadable cutoff override is ignored and reported", arguments: ["0", "-5", "3601", "soon", "99999999999"])
    func badCutoffOverride(value: String) {
        let (spec, rejected) = Self.template.migrationSpec(
            sourcePod: "p", targetNode: nil, podAnnotations: [PodOverrideAnnotation.replayCutoffSeconds: value])
        #expect(spec.replayCutoffSeconds == 120)
        #expect(rejected == [PodOverrideAnnotation.replayCutoffSeconds])
    }

    @Test("opt-out is read from the annotation, case-insensitively", arguments: [
        ("true", true), ("True", true), ("false", false), ("", false),
    ])
    func optOut(value: String, optedOut: Bool) {
        #expect(PodOverrideAnnotation.isOptedOut([PodOverrideAnnotation.optOut: value]) == optedOut)
        #expect(!PodOverrideAnnotation.isOptedOut([:]))
    }
}
