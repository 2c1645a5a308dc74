import MigrationAPI
import YAMLCodec

/// The MigrationPolicy `ms2m simulate` applies (`policies/default.yaml`, embedded so the command needs no
/// files; a test keeps the two equal). Its template is also what manual runs stamp on each StatefulMigration.
enum SimulationPolicy {
    /// The policy as it ships, with the simulation's checkpoint repository, broker URL and registry options.
    static func make(repository: String, brokerURL: String, insecureRegistry: Bool) throws -> MigrationPolicy {
        var policy = try YAML.decode(MigrationPolicy.self, from: defaultYAML)
        var template = policy.spec.template ?? MigrationTemplate()
        template.checkpointImageRepository = repository
        var queue = template.messageQueueConfig ?? MessageQueueConfig()
        queue.brokerUrl = brokerURL
        template.messageQueueConfig = queue
        if insecureRegistry { template.registry = RegistryOptions(insecure: true) }
        policy.spec.template = template
        return policy
    }

    /// `policies/default.yaml`.
    static let defaultYAML = #"""
# The policy `ms2m simulate` applies: when a node is cordoned, live-migrate the sample consumer's
# StatefulSet pods off it, a few at a time, replaying from the consumer's queue.
# Apply to a real cluster after adjusting the registry and broker: kubectl apply -f policies/default.yaml
apiVersion: migration.ms2m.io/v1alpha1
kind: MigrationPolicy
metadata:
  name: default
spec:
  triggers:
    # kubectl cordon NODE starts the drain; kubectl uncordon cancels what has not started.
    cordon: true
  selection:
    podSelector:
      matchLabels:
        app: ms2m-sample-consumer
    ownerKinds: [StatefulSet]
  template:
    # `oci:` is the simulation's image-layout directory; use registry/repository in a real cluster.
    checkpointImageRepository: oci:/var/lib/ms2m/checkpoints
    replayCutoffSeconds: 120
    messageQueueConfig:
      queueName: ms2m-sample.events
      brokerUrl: amqp://guest:guest@127.0.0.1:5672/
      exchangeName: ms2m-sample.fanout
  budgets:
    maxConcurrent: 5
    maxOutboundPerNode: 2
    maxInFlightPerStatefulSet: 1
  fallback:
    action: None
"""#
}
