import KubeModel
import MigrationAPI
import Unstructured

/// Values of the resource types with every optional field set, for the schema drift guard.
/// `UnsetFields` checks that they stay complete when the types grow.
enum FullyPopulated {
    /// Properties holding Kubernetes objects or metadata, whose insides the CRDs do not describe.
    static let opaqueProperties: Set<String> = ["metadata", "sourceContainers", "savedStatefulSet", "savedSourcePod"]

    static let time = Time(secondsSinceEpoch: 1_767_225_600)
    static let microTime = MicroTime(microsecondsSinceEpoch: 1_767_225_600_123_456)

    static let condition = Condition(
        type: "Ready", status: .true, observedGeneration: 1, lastTransitionTime: time, reason: "Completed",
        message: "The migration completed")

    static let selector = LabelSelector(
        matchLabels: ["app": "orders"],
        matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .in, values: ["backend"])])

    static let queueConfig = MessageQueueConfig(
        queueName: "orders", brokerUrl: "amqps://rabbitmq:5671/", exchangeName: "orders.fanout", routingKey: "new")

    static let timeouts = PhaseTimeouts(
        pending: 30, checkpointing: 60, transferring: 600, restoring: 300, replaying: 600, finalizing: 60)

    static var migrationSpec: StatefulMigrationSpec {
        var spec = StatefulMigrationSpec(
            sourcePod: "orders-0", containerName: "orders", targetNode: "worker-2",
            checkpointImageRepository: "registry.example.com:5000/checkpoints", replayCutoffSeconds: 120,
            migrationStrategy: "Sequential", messageQueueConfig: queueConfig)
        spec.transferMode = "Registry"
        spec.replayMode = "Cutoff"
        spec.identitySwapMode = "Cutover"
        spec.brokerCredentialsSecretRef = BrokerCredentialsSecretReference(
            name: "rabbitmq", usernameKey: "user", passwordKey: "pass")
        spec.registryCredentialsSecretRef = SecretNameReference(name: "registry")
        spec.registry = RegistryOptions(insecure: false, compress: true)
        spec.keepCheckpointImage = true
        spec.phaseTimeouts = timeouts
        spec.sourceDeletionGracePeriodSeconds = 5
        spec.restore = RestorePolicy(maxAttempts: 4, deadlineSeconds: 300, onFailure: RestoreFailureAction.retainState)
        return spec
    }

    static var migrationStatus: StatefulMigrationStatus {
        var status = StatefulMigrationStatus(phase: .completed)
        status.sourceNode = "worker-1"
        status.targetNode = "worker-2"
        status.targetPod = "orders-0"
        status.checkpointID = "/var/lib/kubelet/checkpoints/checkpoint-orders-0.tar"
        status.checkpointImage = "registry.example.com:5000/checkpoints@sha256:" + String(repeating: "a", count: 64)
        status.checkpointImageDigest = "sha256:" + String(repeating: "a", count: 64)
        status.containerName = "orders"
        status.transfer = TransferMethodStatus(method: "Job", agentPod: "ms2m-agent-x7k2p", fallbackReason: "agent refused the request (403)")
        status.containerCheckpoints = [
            ContainerCheckpoint(
                name: "orders", sidecar: false, archive: "/var/lib/kubelet/checkpoints/checkpoint-orders-0.tar",
                image: "registry.example.com:5000/checkpoints@sha256:" + String(repeating: "a", count: 64),
                imageDigest: "sha256:" + String(repeating: "a", count: 64))
        ]
        status.strategy = .sequential
        status.startTime = time
        status.phaseStartTime = microTime
        status.completionTime = time
        status.phaseTimings = ["Checkpointing": "1.2s", "Replaying": "3.4s"]
        status.conditions = [condition]
        status.observedGeneration = 1
        status.failureReason = "TargetPodFailed"
        status.failureMessage = "The target pod failed"
        status.failedPhase = .restoring
        var replay = ReplayStatus()
        replay.initialDepth = 10
        replay.messagesReplayed = 12
        replay.cutoffFired = false
        replay.endReason = "Drained"
        replay.arrivalRate = 9.5
        replay.drainRate = 120.25
        replay.messagesReturned = 0
        replay.startTime = microTime
        replay.captureStartTime = microTime
        replay.startSent = true
        status.checkpointRequestTime = microTime
        replay.journaled = true
        replay.rebuildNeeded = false
        replay.rebuilds = 1
        status.replay = replay
        status.rollbackSteps = ["DeletedTargetPod"]
        status.restoringSteps = ["OrphanedStatefulSet"]
        status.finalizingSteps = ["SentEndReplay"]
        status.restore = RestoreStatus(
            attempts: 2, firstAttemptTime: microTime,
            attemptStartTime: microTime, failedNodes: ["worker-2"],
            lastFailure: "container app restarted 1 times")
        status.restore?.nextAttemptTime = microTime
        status.restore?.abandonedPodUID = "0b8c3c2e-1111-4c1f-9a51-5b3d35e0a001"
        status.retainedState = RetainedState(
            image: "registry.example.com/ckpt@sha256:ab", imageDigest: "sha256:ab", replayQueue: "orders.ms2m-replay",
            replayQueueDepth: 12, journalQueue: "orders.ms2m-journal", statefulSet: "web")
        status.retainedState?.containerImages = ["orders": "registry.example.com/ckpt@sha256:ab", "ledger": "registry.example.com/ckpt@sha256:cd"]
        status.sourcePodUID = "0b8f6a3e-5a0f-4d59-9d43-1c2a2e4f1e11"
        status.sourcePodLabels = ["app": "orders"]
        status.sourceContainers = [Container(name: "orders", image: "example.com/orders:1")]
        status.statefulSetName = "orders"
        status.originalReplicas = 3
        status.replicaSetName = "orders-7f9c5d8b6"
        status.replicaSetHandOff = ReplicaSetHandOffStatus(
            uid: "5c1d9e2a-7b3f-4e8a-9d6c-2f4b8a1e3c70", heldLabelKey: "pod-template-hash", heldLabelValue: "7f9c5d8b6",
            releaseTime: MicroTime(microsecondsSinceEpoch: 1_790_000_000_000_000))
        status.savedStatefulSet = ["apiVersion": "apps/v1", "kind": "StatefulSet", "spec": ["replicas": 3]]
        status.savedSourcePod = ["apiVersion": "v1", "kind": "Pod", "spec": ["nodeName": "worker-1"]]
        return status
    }

    static var migration: StatefulMigration {
        StatefulMigration(
            metadata: ObjectMeta(name: "full", namespace: "default"), spec: migrationSpec, status: migrationStatus)
    }

    static var template: MigrationTemplate {
        let spec = migrationSpec
        var template = MigrationTemplate(
            containerName: spec.containerName, checkpointImageRepository: spec.checkpointImageRepository,
            replayCutoffSeconds: spec.replayCutoffSeconds, migrationStrategy: spec.migrationStrategy,
            messageQueueConfig: spec.messageQueueConfig)
        template.transferMode = spec.transferMode
        template.replayMode = spec.replayMode
        template.identitySwapMode = spec.identitySwapMode
        template.brokerCredentialsSecretRef = spec.brokerCredentialsSecretRef
        template.registryCredentialsSecretRef = spec.registryCredentialsSecretRef
        template.registry = spec.registry
        template.keepCheckpointImage = spec.keepCheckpointImage
        template.phaseTimeouts = spec.phaseTimeouts
        template.sourceDeletionGracePeriodSeconds = spec.sourceDeletionGracePeriodSeconds
        template.restore = spec.restore
        return template
    }

    static var policySpec: MigrationPolicySpec {
        let window = ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 3600)
        return MigrationPolicySpec(
            triggers: PolicyTriggers(
                cordon: true, nodeSelector: selector,
                taints: [TaintTrigger(key: "maintenance", value: "true", effect: .noSchedule)], eviction: true),
            rebalance: RebalanceSettings(
                enabled: true, basis: .requests, thresholdPercent: 20, cooldownSeconds: 600, scheduleWindows: [window]),
            selection: PodSelection(namespaceSelector: selector, podSelector: selector, ownerKinds: [.statefulSet]),
            targets: TargetNodeSelection(nodeSelector: selector),
            template: template,
            budgets: MigrationBudgets(
                maxConcurrent: 5, maxOutboundPerNode: 2, maxInboundPerNode: 2, maxInFlightPerStatefulSet: 1,
                scheduleWindows: [window]),
            fallback: MigrationFallback(action: .evict, afterFailures: 3),
            priority: 10, dryRun: false)
    }

    static var policyStatus: MigrationPolicyStatus {
        let counts = MigrationCounts(planned: 1, running: 2, completed: 3, failed: 0, unplaceable: 1, evicted: 1, yielded: 1)
        var node = DrainingNodeStatus(name: "worker-1")
        node.triggers = [.cordon, .nodeLabel, .taint, .eviction]  // every trigger the CRD must accept
        node.podsTotal = 7
        node.migrations = counts
        node.unplaceablePods = [
            UnplaceablePod(namespace: "shop", name: "big-0", reason: "InsufficientMemory", message: "No node fits")
        ]
        node.evictedPods = [
            EvictedPod(namespace: "shop", name: "big-1", reason: "Unplaceable", outcome: .evicted, message: "No node fits")
        ]
        node.yieldedPods = [YieldedPodStatus(namespace: "shop", name: "db-0", winner: "critical", message: "priority 10 > 0")]
        node.since = time
        var budget = BudgetUsage(inFlight: 2, maxConcurrent: 5)
        budget.outboundByNode = ["worker-1": 2]
        budget.inboundByNode = ["worker-2": 1]
        budget.scheduleWindowOpen = true
        var status = MigrationPolicyStatus()
        status.observedGeneration = 1
        status.conditions = [condition]
        status.migrations = counts
        status.drainingNodeCount = 1
        status.drainingNodes = [node]
        status.budget = budget
        status.plan = [
            PlannedMigration(
                namespace: "shop", pod: "orders-0", sourceNode: "worker-1", targetNode: "worker-2",
                migrationName: "default-orders-0", reason: "Drain")
        ]
        status.lastPlanTime = time
        return status
    }

    static var policy: MigrationPolicy {
        MigrationPolicy(metadata: ObjectMeta(name: "full"), spec: policySpec, status: policyStatus)
    }
}
