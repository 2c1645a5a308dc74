@testable import KubeClient
import Testing

@Suite("JSONObjectFramer")
struct JSONObjectFramerTests {
    @Test("frames values however the stream is chunked")
    func chunking() throws {
        let stream = Array(#"{"type":"ADDED","object":{"a":"}{\"x"}}"# .utf8) + [0x0A]
            + Array(#"{"type":"BOOKMARK","object":{"b":[1,{"c":2}]}}"#.utf8) + [0x0A]
        for chunkSize in [1, 2, 3, 7, 1000] {
            var framer = JSONObjectFramer()
            var values: [String] = []
            var index = 0
            while index < stream.count {
                let chunk = Array(stream[index..<min(index + chunkSize, stream.count)])
                values += try framer.push(chunk).map { String(decoding: $0, as: UTF8.self) }
                index += chunkSize
            }
            #expect(values == [#"{"type":"ADDED","object":{"a":"}{\"x"}}"#, #"{"type":"BOOKMARK","object":{"b":[1,{"c":2}]}}"#])
            #expect(!framer.hasPartialValue)
        }
    }

    @Test("reports a value cut off by the end of the stream, and refuses runaway values")
    func partial() throws {
        var framer = JSONObjectFramer(maximumValueSize: 64)
        #expect(try framer.push(Array(#"{"a":"#.utf8)).isEmpty)
        #expect(framer.hasPartialValue)
        #expect(throws: KubeClientError.self) { try framer.push([UInt8](repeating: UInt8(ascii: "1"), count: 100)) }
    }
}

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test("delays double from the initial delay up to the cap, within the jitter")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 10, initialDelay: .milliseconds(100), maximumDelay: .seconds(1), jitter: 0.2)
        let expected: [Double] = [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
        for (index, nominal) in expected.enumerated() {
            let delay = policy.delay(beforeRetry: index + 1, retryAfter: nil)
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            #expect(seconds >= nominal * 0.8 - 1e-9 && seconds <= nominal * 1.2 + 1e-9, "retry \(index + 1): \(seconds)")
        }
    }

    @Test("Retry-After wins, capped at the maximum delay")
    func retryAfter() {
        let policy = RetryPolicy(maximumDelay: .seconds(5))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(2)) == .seconds(2))
        #expect(policy.delay(beforeRetry: 1, retryAfter: .seconds(60)) == .seconds(5))
    }
}

@Suite("Query and path escaping")
struct EscapingTests {
    @Test("selectors and tokens are percent-encoded; unreserved characters pass")
    func escaping() {
        #expect(PathEscaping.queryString([("labelSelector", "app in (a,b),!x"), ("limit", "5")])
            == "labelSelector=app%20in%20%28a%2Cb%29%2C%21x&limit=5")
        #expect(PathEscaping.path("checkpoint/ns/pod-1/c_1") == "checkpoint/ns/pod-1/c_1")
        #expect(PathEscaping.segment("a/b") == "a%2Fb")
    }
}
