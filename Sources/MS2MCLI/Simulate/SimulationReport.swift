import Foundation

/// Why `ms2m simulate` could not run (as opposed to a run whose verdict is a failure).
enum SimulationError: Error, CustomStringConvertible {
    /// Something the simulation needs is missing or invalid (a file, a built binary, a scenario field).
    case setup(String)
    /// The simulated cluster did not reach a state in time.
    case timeout(String)

    var description: String {
        switch self {
        case .setup(let message): message
        case .timeout(let message): "timed out: \(message)"
        }
    }
}

/// What `ms2m simulate` reports while it runs.
enum SimulationEvent: Sendable {
    /// A step of the set-up or tear-down, for people.
    case step(String)
    /// The migrations as they are now (sent every ~200 ms while any exists).
    case migrations([MigrationProgress])
}

/// One migration as the progress display shows it.
struct MigrationProgress: Sendable, Hashable {
    var name: String
    var sourcePod: String
    var sourceNode: String?
    var targetNode: String?
    var phase: String
    /// Seconds since the migration was created.
    var elapsed: Double
    /// Seconds spent in each finished phase (from `status.phaseTimings`).
    var phaseSeconds: [String: Double]
    var failure: String?

    var isFinal: Bool { phase == "Completed" || phase == "Failed" }
}

/// The verdict of one simulation: what `--output json` prints and the text report renders.
struct SimulationReport: Codable, Sendable {
    /// One StatefulMigration, at the end.
    struct Migration: Codable, Sendable {
        var name: String
        var sourcePod: String
        var sourceNode: String?
        var targetNode: String?
        var targetPod: String?
        var strategy: String?
        var phase: String
        /// Pending through the final phase: the sum of the phase timings (nil while running).
        var totalSeconds: Double?
        /// Seconds per phase, keyed by phase name.
        var phaseSeconds: [String: Double]
        var messagesReplayed: Int64?
        var replayEndReason: String?
        var failureReason: String?
        var failureMessage: String?
        /// Targets created from the checkpoint after the source was gone (Sequential).
        var restoreAttempts: Int?
        /// Whether it failed keeping the workload's state (condition `StateRetained`).
        var stateRetained: Bool?
        /// How often the replay queue was rebuilt from the journal (a target lost while replaying).
        var replayRebuilds: Int? = nil
        /// How the checkpoint was transferred: `Agent` or `Job` (`status.transfer.method`).
        var transferMethod: String? = nil
        /// Why a Job took over from an agent.
        var transferFallback: String? = nil
    }

    /// One replica of the sample consumer.
    struct Consumer: Codable, Sendable {
        var pod: String
        var queue: String
        /// The node the pod ran on at the start and at the end.
        var nodeBefore: String?
        var nodeAfter: String?
        /// Messages the broker confirmed to the producer.
        var produced: Int
        /// Distinct messages the consumer applied (its `CounterState.count`).
        var applied: Int64
        /// Redeliveries the consumer recognised and skipped.
        var duplicatesSkipped: Int64
        /// Produced messages never applied.
        var lost: Int
        /// Up to ten of the lost message ids.
        var lostExamples: [String]
        /// The longest time no message was applied while some were waiting (the downtime the workload saw).
        var longestApplyGapSeconds: Double
        /// How long the pod was missing or not Ready.
        var notReadySeconds: Double
        /// The pod's stateful sidecar, when the workload has one.
        var sidecar: Sidecar?
    }

    /// A workload's stateful sidecar (the sample status ledger), compared before the drain and at the end: the
    /// same instance (its state restored, not started empty) that kept counting, saw the consumer's applied
    /// count never go back, and ends where the consumer ends.
    struct Sidecar: Codable, Sendable {
        var container: String
        /// The instance that ran before the drain is the one running at the end.
        var instanceKept: Bool
        /// Polls of the consumer recorded before the drain and at the end.
        var samplesBefore: Int
        var samplesAfter: Int
        /// The consumer's applied count at the sidecar's last poll.
        var lastApplied: Int64
        /// Polls that saw the applied count below an earlier one (a consumer that lost state).
        var regressions: Int
    }

    /// What should be gone once the migrations ended.
    struct Leftovers: Codable, Sendable {
        var replayQueues: [String] = []
        var jobs: [String] = []
        var pods: [String] = []
        var checkpointArchives: [String] = []
        var checkpointImages: [String] = []
        /// `ms2m.control.<pod>` queues of pods that no longer exist.
        var controlQueues: [String] = []

        var isEmpty: Bool {
            replayQueues.isEmpty && jobs.isEmpty && pods.isEmpty && checkpointArchives.isEmpty && checkpointImages.isEmpty
                && controlQueues.isEmpty
        }
        var all: [String] {
            replayQueues.map { "replay queue \($0)" } + controlQueues.map { "control queue \($0)" }
                + jobs.map { "Job \($0)" } + pods.map { "pod \($0)" }
                + checkpointArchives.map { "checkpoint archive \($0)" } + checkpointImages.map { "checkpoint image \($0)" }
        }
    }

    /// How a `kubectl drain` of the node went (scenarios with `drain.mode: kubectl`).
    struct Drain: Codable, Sendable {
        /// Whether every pod left the node before the drain's timeout.
        var completed: Bool
        var seconds: Double
        /// Evictions refused with 429 (by the eviction webhook while pods migrate, or by a PodDisruptionBudget).
        var evictionsRefused: Int
        /// Pods the Eviction API evicted (`namespace/name`): not live-migrated.
        var evicted: [String]
        /// What stopped the drain, if it did not complete.
        var error: String?
        /// The fewest ready pods each Deployment had while the drain ran (its PodDisruptionBudget's floor).
        var minimumReady: [String: Int]
    }

    var scenario: String
    /// `policy` (the MigrationPolicy controller planned the migrations) or `manual` (created directly).
    var mode: String
    var drainNode: String
    var broker: String
    var checkpointImages: String
    var migrations: [Migration]
    var consumers: [Consumer]
    var leftovers: Leftovers
    /// Everything that makes the verdict a failure, in words; empty on success.
    var problems: [String]
    var elapsedSeconds: Double
    /// The drain, when the scenario empties the node as `kubectl drain` does.
    var drain: Drain?

    var success: Bool { problems.isEmpty }
    var produced: Int { consumers.reduce(0) { $0 + $1.produced } }
    var applied: Int64 { consumers.reduce(0) { $0 + $1.applied } }
    var lost: Int { consumers.reduce(0) { $0 + $1.lost } }

    private enum CodingKeys: String, CodingKey {
        case scenario, mode, drainNode, broker, checkpointImages, migrations, consumers, leftovers, problems, elapsedSeconds
        case success, produced, applied, lost, drain
    }

    init(
        scenario: String, mode: String, drainNode: String, broker: String, checkpointImages: String,
        migrations: [Migration], consumers: [Consumer], leftovers: Leftovers, problems: [String], elapsedSeconds: Double,
        drain: Drain? = nil
    ) {
        self.scenario = scenario
        self.mode = mode
        self.drainNode = drainNode
        self.broker = broker
        self.checkpointImages = checkpointImages
        self.migrations = migrations
        self.consumers = consumers
        self.leftovers = leftovers
        self.problems = problems
        self.elapsedSeconds = elapsedSeconds
        self.drain = drain
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try c.decode(String.self, forKey: .scenario)
        mode = try c.decode(String.self, forKey: .mode)
        drainNode = try c.decode(String.self, forKey: .drainNode)
        broker = try c.decode(String.self, forKey: .broker)
        checkpointImages = try c.decode(String.self, forKey: .checkpointImages)
        migrations = try c.decode([Migration].self, forKey: .migrations)
        consumers = try c.decode([Consumer].self, forKey: .consumers)
        leftovers = try c.decode(Leftovers.self, forKey: .leftovers)
        problems = try c.decode([String].self, forKey: .problems)
        elapsedSeconds = try c.decode(Double.self, forKey: .elapsedSeconds)
        drain = try c.decodeIfPresent(Drain.self, forKey: .drain)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(success, forKey: .success)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(mode, forKey: .mode)
        try c.encode(drainNode, forKey: .drainNode)
        try c.encode(broker, forKey: .broker)
        try c.encode(checkpointImages, forKey: .checkpointImages)
        try c.encode(produced, forKey: .produced)
        try c.encode(applied, forKey: .applied)
        try c.encode(lost, forKey: .lost)
        try c.encode(migrations, forKey: .migrations)
        try c.encode(consumers, forKey: .consumers)
        try c.encode(leftovers, forKey: .leftovers)
        try c.encode(problems, forKey: .problems)
        try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
        try c.encodeIfPresent(drain, forKey: .drain)
    }

    /// The JSON document of `--output json`.
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// Phase names in the order a migration goes through them.
let migrationPhaseOrder = ["Pending", "Checkpointing", "Transferring", "Restoring", "Replaying", "Finalizing"]

/// Parses a Go duration string as the engine writes phase timings (`"1.234s"`, `"250ms"`, `"2m3.25s"`).
func goDurationSeconds(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("h", 3600), ("m", 60), ("s", 1)]
    var rest = Substring(text)
    var total = 0.0
    var parsedAny = false
    while !rest.isEmpty {
        let number = rest.prefix { $0.isNumber || $0 == "." }
        guard !number.isEmpty, let value = Double(number) else { return nil }
        rest = rest.dropFirst(number.count)
        guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
        rest = rest.dropFirst(unit.count)
        total += value * factor
        parsedAny = true
    }
    return parsedAny ? total : nil
}
