import Foundation
import OperatorCore
import SampleWorkload
import Testing

@Suite("Counter state")
struct CounterStateTests {
    private let configuration = CounterConsumerConfiguration(
        brokerURL: "amqp://guest:guest@rabbitmq:5672/", queueName: "orders",
        exchangeName: "orders.fanout",
        prefetch: 7)

    @Test("encodes to JSON and decodes to an equal state, ids, mode and configuration included")
    func roundTrip() throws {
        var state = CounterState(configuration: configuration)
        state.configuration.restoreControlTimeout = .milliseconds(1500)
        for id in ["msg-1", "msg-2", "msg-5", "other-3", "plain", "42", "msg-2"] {
            state.apply(messageID: id)
        }
        state.apply(messageID: nil)
        state.mode = .replaying(queue: "orders.ms2m-replay")

        let bytes = state.encoded()
        let decoded = try CounterState(decoding: bytes)
        #expect(decoded == state)
        #expect(decoded.count == 7)  // six distinct ids and one without an id
        #expect(decoded.duplicatesSkipped == 1)
        #expect(decoded.mode == .replaying(queue: "orders.ms2m-replay"))
        #expect(decoded.configuration.restoreControlTimeout == .milliseconds(1500))
        #expect(decoded.configuration.prefetch == 7)
        for id in ["msg-1", "msg-2", "msg-5", "other-3", "plain", "42"] {
            #expect(decoded.hasApplied(id))
        }
        for id in ["msg-3", "msg-4", "msg-6", "other-1", "43", "Plain"] {
            #expect(!decoded.hasApplied(id))
        }
        #expect(decoded.encoded() == bytes)  // deterministic: keys and sets are sorted
    }

    @Test("ids applied in any order compact to one high-water mark per prefix")
    func compaction() throws {
        var ids = AppliedMessageIDs()
        var generator = SystemRandomNumberGenerator()
        let numbers = Array(1...2000).shuffled(using: &generator)
        for (index, number) in numbers.enumerated() {
            let inserted = ids.insert("msg-\(number)")
            #expect(inserted)
            if index == 1000 { #expect(ids.sparseCount > 0) }
        }
        for number in 1...300 { ids.insert("a-b-\(number)") }
        ids.insert("a-b-302")
        #expect(ids.sequences["msg"] == AppliedMessageIDs.Sequence(contiguousThrough: 2000))
        #expect(
            ids.sequences["a-b"] == AppliedMessageIDs.Sequence(contiguousThrough: 300, above: [302]))
        #expect(ids.sparseCount == 1)
        let again = ids.insert("msg-1999")
        #expect(!again)  // already there
        #expect(ids.contains("a-b-302") && !ids.contains("a-b-301") && !ids.contains("msg-2001"))

        let state = CounterState(configuration: configuration)
        var big = state
        big.appliedMessageIDs = ids
        // 2,301 ids take a few bytes more than none: the encoding holds marks, not ids.
        #expect(big.encoded().count < state.encoded().count + 150)
        #expect(try CounterState(decoding: big.encoded()).appliedMessageIDs == ids)
    }

    @Test(
        "ids that are not <prefix>-<positive number> are kept verbatim",
        arguments: [
            "msg-0", "msg-01", "msg-", "-5", "msg-+3", "msg-1x", "msg-99999999999999999999", "uuid",
        ])
    func verbatimIDs(id: String) {
        var ids = AppliedMessageIDs()
        let first = ids.insert(id)
        let second = ids.insert(id)
        #expect(first && !second)
        #expect(ids.unsequenced == [id])
        #expect(ids.contains(id))
    }

    @Test("leading zeros do not alias: msg-01 and msg-1 are different ids")
    func noAliasing() {
        var ids = AppliedMessageIDs()
        ids.insert("msg-01")
        #expect(!ids.contains("msg-1"))
        ids.insert("msg-1")
        #expect(ids.contains("msg-1") && ids.contains("msg-01"))
    }

    @Test("apply counts each id once, duplicates separately, and id-less messages every time")
    func applying() {
        var state = CounterState(configuration: configuration)
        let outcomes = [
            state.apply(messageID: "msg-1"), state.apply(messageID: "msg-1"), state.apply(messageID: nil),
            state.apply(messageID: nil),
        ]
        #expect(outcomes == [true, false, true, true])
        #expect(state.count == 3)
        #expect(state.duplicatesSkipped == 1)
    }

    @Test("a corrupt checkpoint fails to decode")
    func corrupt() {
        #expect(throws: (any Error).self) { try CounterState(decoding: Array(#"{"count":1}"#.utf8)) }
        #expect(throws: (any Error).self) {
            var bytes = CounterState(configuration: configuration).encoded()
            bytes.removeLast(3)
            _ = try CounterState(decoding: bytes)
        }
    }
}

@Suite("Consumer configuration")
struct CounterConsumerConfigurationTests {
    @Test("reads AMQP_URL, QUEUE_NAME, EXCHANGE_NAME and PREFETCH, with defaults")
    func fromEnvironment() throws {
        let full = try CounterConsumerConfiguration.fromEnvironment([
            "AMQP_URL": "amqp://a/", "BROKER_URL": "amqp://b/", "QUEUE_NAME": "orders",
            "EXCHANGE_NAME": "fan",
            "PREFETCH": "25", "RESTORE_CONTROL_TIMEOUT_SECONDS": "2.5", "APPLY_DELAY_MS": "15",
        ])
        #expect(full.brokerURL == "amqp://a/")
        #expect(full.queueName == "orders")
        #expect(full.exchangeName == "fan")
        #expect(full.prefetch == 25)
        #expect(full.restoreControlTimeout == .milliseconds(2500))
        #expect(full.applyDelay == .milliseconds(15))
        let restored = try JSONDecoder().decode(CounterConsumerConfiguration.self, from: JSONEncoder().encode(full))
        #expect(restored == full, "the delay survives the checkpointed state")

        let minimal = try CounterConsumerConfiguration.fromEnvironment([
            "BROKER_URL": "amqp://b/", "QUEUE_NAME": "orders", "EXCHANGE_NAME": "",
        ])
        #expect(minimal == CounterConsumerConfiguration(brokerURL: "amqp://b/", queueName: "orders"))
        #expect(minimal.prefetch == 10)
        #expect(minimal.exchangeName == nil)
        #expect(minimal.restoreControlTimeout == .seconds(60))
        #expect(minimal.applyDelay == .zero)
    }

    @Test("a missing or malformed variable is named in the error")
    func errors() {
        let noURL = #expect(throws: ConfigurationError.self) {
            try CounterConsumerConfiguration.fromEnvironment(["QUEUE_NAME": "orders"])
        }
        #expect(noURL == .missingVariable("AMQP_URL", alternative: "BROKER_URL"))
        #expect(noURL?.description.contains("AMQP_URL") == true)
        let noQueue = #expect(throws: ConfigurationError.self) {
            try CounterConsumerConfiguration.fromEnvironment([
                "AMQP_URL": "amqp://a/", "QUEUE_NAME": "  ",
            ])
        }
        #expect(noQueue == .missingVariable("QUEUE_NAME", alternative: nil))
        let badPrefetch = #expect(throws: ConfigurationError.self) {
            try CounterConsumerConfiguration.fromEnvironment([
                "AMQP_URL": "amqp://a/", "QUEUE_NAME": "q", "PREFETCH": "0",
            ])
        }
        #expect(badPrefetch?.description.contains("PREFETCH") == true)
        let badDelay = #expect(throws: ConfigurationError.self) {
            try CounterConsumerConfiguration.fromEnvironment([
                "AMQP_URL": "amqp://a/", "QUEUE_NAME": "q", "APPLY_DELAY_MS": "-1",
            ])
        }
        #expect(badDelay?.description.contains("APPLY_DELAY_MS") == true)
    }
}
