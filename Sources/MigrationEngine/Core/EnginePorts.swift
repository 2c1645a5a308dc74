public import KubeModel
public import MigrationAPI
public import OperatorCore

/// Where the engine reports what happened to a migration (Kubernetes Events in production).
public protocol MigrationEventSink: Sendable {
    /// Records an event about `migration`: `reason` in UpperCamelCase, `note` for people.
    func record(_ type: EventType, reason: String, note: String, about migration: StatefulMigration)
}

/// Everything the engine talks to, each behind a small protocol.
public struct MigrationEnginePorts: Sendable {
    /// The Kubernetes API.
    public var api: any KubernetesAPI
    /// The kubelet checkpoint API (through the API server's node proxy).
    public var kubelet: any KubeletCheckpointing
    /// Brokers by URL.
    public var brokers: any MessageBrokerConnecting
    /// Removes checkpoint images after a migration.
    public var images: any CheckpointImageDeleting
    /// Events.
    public var events: any MigrationEventSink
    /// Node agents that transfer without a Job; nil: Jobs only.
    public var agents: (any TransferAgentCalling)?

    /// Bundles the ports.
    public init(
        api: any KubernetesAPI, kubelet: any KubeletCheckpointing, brokers: any MessageBrokerConnecting,
        images: any CheckpointImageDeleting, events: any MigrationEventSink, agents: (any TransferAgentCalling)? = nil
    ) {
        self.api = api
        self.kubelet = kubelet
        self.brokers = brokers
        self.images = images
        self.events = events
        self.agents = agents
    }
}
