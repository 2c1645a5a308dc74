import Foundation
import Synchronization

/// What the workload saw during the simulation, sampled every tick: per consumer pod, the longest time no
/// message was applied while messages were waiting, and how long the pod was missing or not Ready.
final class WorkloadMonitor: Sendable {
    /// One sample of one consumer.
    struct Sample: Sendable {
        /// The consumer's applied count, nil when its container does not run.
        var applied: Int64?
        /// Messages confirmed to its producer so far.
        var produced: Int
        /// Whether the pod exists and is Ready.
        var podReady: Bool
    }

    private struct Track: Sendable {
        var lastApplied: Int64 = 0
        var lastAdvance: ContinuousClock.Instant?
        var longestGap: Duration = .zero
        var notReady: Duration = .zero
        var lastSample: ContinuousClock.Instant?
    }

    private let tracks = Mutex<[String: Track]>([:])

    /// Records a sample of `pod` taken at `now`.
    func record(pod: String, _ sample: Sample, at now: ContinuousClock.Instant) {
        tracks.withLock { tracks in
            var track = tracks[pod] ?? Track()
            if let previous = track.lastSample, !sample.podReady { track.notReady += now - previous }
            track.lastSample = now
            if let applied = sample.applied, applied > track.lastApplied {
                track.lastApplied = applied
                track.lastAdvance = now
            } else if Int64(sample.produced) > track.lastApplied {
                // Messages are waiting and none was applied since the last advance (or since production began).
                let since = track.lastAdvance ?? now
                if track.lastAdvance == nil { track.lastAdvance = now }
                track.longestGap = max(track.longestGap, now - since)
            } else {
                track.lastAdvance = now
            }
            tracks[pod] = track
        }
    }

    /// The longest apply gap and the not-Ready time of `pod`, in seconds.
    func downtime(of pod: String) -> (longestGap: Double, notReady: Double) {
        tracks.withLock { tracks in
            let track = tracks[pod] ?? Track()
            return (track.longestGap.seconds, track.notReady.seconds)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
