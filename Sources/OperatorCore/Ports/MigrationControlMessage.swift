public import Unstructured

/// A control message the migration engine sends to the restored consumer through its control queue, and
/// the queue names MS2M derives from the workload's configuration.
///
/// The wire form is fixed: `{"type":"START_REPLAY","payload":{"queue":"<replay queue>"}}` and
/// `{"type":"END_REPLAY"}`, published persistent with content type `application/json` to the durable queue
/// `ms2m.control.<targetPod>` through the default exchange.
public enum MigrationControlMessage: Sendable, Hashable {
    /// Consume the replay queue `queue` first, then switch back to the primary queue on ``endReplay``.
    case startReplay(queue: String)
    /// The replay queue is drained; go back to the primary queue.
    case endReplay

    /// The content type control messages carry.
    public static let contentType = "application/json"

    /// The control queue of `pod`: `ms2m.control.<pod>`.
    public static func controlQueue(forPod pod: String) -> String { "ms2m.control.\(pod)" }

    /// The replay queue for the primary queue `queue`: `<queue>.ms2m-replay`.
    public static func replayQueue(forPrimaryQueue queue: String) -> String { "\(queue).ms2m-replay" }

    /// The journal for the primary queue `queue`: `<queue>.ms2m-journal`, a second copy of every captured
    /// message that no consumer reads, kept until the migration ends, so that the replay queue can be rebuilt
    /// for a pod restored again after a target that had consumed from it was lost (Sequential migrations).
    public static func journalQueue(forPrimaryQueue queue: String) -> String { "\(queue).ms2m-journal" }

    /// The `type` field.
    public var type: String {
        switch self {
        case .startReplay: "START_REPLAY"
        case .endReplay: "END_REPLAY"
        }
    }

    /// The exact JSON bytes of the message.
    public var body: [UInt8] {
        switch self {
        case .startReplay(let queue):
            JSONValue.object(["type": .string(type), "payload": .object(["queue": .string(queue)])]).jsonBytes()
        case .endReplay:
            JSONValue.object(["type": .string(type)]).jsonBytes()
        }
    }

    /// The message to publish: persistent, `application/json`, with ``body``.
    public var outgoingMessage: OutgoingMessage {
        OutgoingMessage(body: body, contentType: Self.contentType, persistent: true)
    }

    /// Parses a control message body; nil when it is not one.
    public init?(body: [UInt8]) {
        guard let value = try? JSONValue.parse(body), let type = value["type"]?.stringValue else { return nil }
        switch type {
        case "START_REPLAY":
            guard let queue = value["payload"]?["queue"]?.stringValue else { return nil }
            self = .startReplay(queue: queue)
        case "END_REPLAY":
            self = .endReplay
        default:
            return nil
        }
    }
}
