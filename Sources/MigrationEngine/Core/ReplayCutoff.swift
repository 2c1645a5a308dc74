/// When replay ends: the rule of the MS2M paper, made adaptive.
///
/// During replay the target drains the replay queue at rate μ while new messages still arrive at rate λ
/// (the source keeps serving, and the fan-out exchange copies every message into the replay queue). The
/// backlog shrinks at μ − λ. Replay ends when the queue is empty, or when the cutoff fires:
///
/// - the hard bound `replayCutoffSeconds` (the reference's rule), and
/// - the adaptive bound `T_cutoff ≤ T_replay_max · μ / λ`: when the target drains slower than messages
///   arrive (μ < λ) the backlog never empties and waiting longer only grows it, so replay is cut earlier in
///   proportion. Ending replay early loses nothing: Finalizing stops the source first and hands every
///   message left in the replay queue back to the primary queue.
///
/// λ is measured before replay starts, while nothing consumes the replay queue (its depth grows at exactly
/// λ); μ is measured during replay from the depth's slope: μ = λ − d(depth)/dt.
public struct ReplayCutoff: Sendable, Hashable {
    /// How replay ends.
    public enum Decision: String, Sendable, Hashable {
        /// Keep replaying.
        case `continue` = "Continue"
        /// The replay queue is empty.
        case drained = "Drained"
        /// `replayCutoffSeconds` passed.
        case cutoff = "Cutoff"
        /// The adaptive bound T·μ/λ passed.
        case adaptiveCutoff = "AdaptiveCutoff"
    }

    /// T_replay_max: the hard bound in seconds.
    public var maximumSeconds: Double
    /// Whether only draining (or the phase timeout) ends replay (`replayMode: Drain`).
    public var drainOnly: Bool
    /// How long μ must have been observed before the adaptive bound applies.
    public var minimumObservationSeconds: Double

    /// Creates the rule.
    public init(maximumSeconds: Double, drainOnly: Bool = false, minimumObservationSeconds: Double = 1) {
        self.maximumSeconds = maximumSeconds
        self.drainOnly = drainOnly
        self.minimumObservationSeconds = minimumObservationSeconds
    }

    /// The arrival rate λ from the capture period: `depth` messages gathered over `seconds`.
    public static func arrivalRate(depthAtReplayStart depth: Int64, captureSeconds seconds: Double) -> Double {
        seconds > 0 ? Double(max(depth, 0)) / seconds : 0
    }

    /// The drain rate μ from the depth's change during replay: μ = λ − Δdepth/Δt.
    public static func drainRate(arrivalRate lambda: Double, initialDepth: Int64, depth: Int64, elapsedSeconds: Double) -> Double {
        guard elapsedSeconds > 0 else { return 0 }
        return max(0, lambda - Double(depth - initialDepth) / elapsedSeconds)
    }

    /// The cutoff in seconds for these rates: min(T, T·μ/λ); T when λ is 0 or μ not yet known.
    public func effectiveCutoff(arrivalRate lambda: Double, drainRate mu: Double?, elapsedSeconds: Double) -> Double {
        guard let mu, lambda > 0, elapsedSeconds >= minimumObservationSeconds else { return maximumSeconds }
        return min(maximumSeconds, maximumSeconds * mu / lambda)
    }

    /// Whether to end replay now.
    public func decide(depth: Int64, elapsedSeconds: Double, arrivalRate lambda: Double, drainRate mu: Double?) -> Decision {
        if depth <= 0 { return .drained }
        if drainOnly { return .continue }
        if elapsedSeconds >= maximumSeconds { return .cutoff }
        if elapsedSeconds >= effectiveCutoff(arrivalRate: lambda, drainRate: mu, elapsedSeconds: elapsedSeconds) {
            return .adaptiveCutoff
        }
        return .continue
    }
}
