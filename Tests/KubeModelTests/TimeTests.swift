import Foundation
import Testing

@testable import KubeModel

@Suite("Time and MicroTime")
struct TimeTests {
    @Test(
        "parses RFC 3339 with offsets and fractions",
        arguments: [
            ("2006-01-02T15:04:05Z", 1_136_214_245),
            ("2006-01-02T17:04:05+02:00", 1_136_214_245),
            ("2006-01-02T08:04:05-07:00", 1_136_214_245),
            ("2006-01-02T15:04:05.999999999Z", 1_136_214_245),
            ("2006-01-02T15:34:05.5+00:30", 1_136_214_245),
            ("2006-01-02t15:04:05z", 1_136_214_245),
            ("1970-01-01T00:00:00Z", 0),
            ("1969-12-31T23:59:59Z", -1),
            ("2000-03-01T00:00:00Z", 951_868_800),
            ("2024-02-29T12:00:00Z", 1_709_208_000),
            ("2038-01-19T03:14:08Z", 2_147_483_648),
            ("9999-12-31T23:59:59Z", 253_402_300_799),
        ] as [(String, Int64)])
    func parses(input: String, seconds: Int64) throws {
        let time = try #require(Time(rfc3339: input))
        #expect(time.secondsSinceEpoch == seconds)
    }

    @Test(
        "rejects malformed timestamps",
        arguments: [
            "", "2006-01-02", "2006-01-02T15:04:05", "2006-01-02T15:04:05+0200", "2006-13-02T15:04:05Z",
            "2023-02-29T00:00:00Z", "2006-01-02T25:00:00Z", "2006-01-02T15:04:05.Z", "2006-01-02T15:04Z",
            "06-01-02T15:04:05Z", "2006-01-02T15:04:05ZZ", "2006-01-02T15:04:05+02:00x", "2006-01-32T15:04:05Z",
        ])
    func rejects(input: String) {
        #expect(Time(rfc3339: input) == nil)
        #expect(MicroTime(rfc3339: input) == nil)
    }

    @Test(
        "formats in UTC",
        arguments: [
            (1_136_214_245, "2006-01-02T15:04:05Z"), (0, "1970-01-01T00:00:00Z"), (-1, "1969-12-31T23:59:59Z"),
            (1_709_208_000, "2024-02-29T12:00:00Z"), (253_402_300_799, "9999-12-31T23:59:59Z"),
        ] as [(Int64, String)])
    func formats(seconds: Int64, text: String) {
        #expect(Time(secondsSinceEpoch: seconds).rfc3339String == text)
    }

    @Test("MicroTime keeps six fractional digits")
    func microTime() throws {
        let t = try #require(MicroTime(rfc3339: "2025-03-14T09:30:10.123456Z"))
        #expect(t.rfc3339String == "2025-03-14T09:30:10.123456Z")
        #expect(MicroTime(rfc3339: "2006-01-02T15:04:05Z")?.rfc3339String == "2006-01-02T15:04:05.000000Z")
        #expect(MicroTime(rfc3339: "2006-01-02T17:04:05.5+02:00")?.rfc3339String == "2006-01-02T15:04:05.500000Z")
        #expect(MicroTime(rfc3339: "2006-01-02T15:04:05.1234567Z")?.microsecondsSinceEpoch == 1_136_214_245_123_456)
        #expect(MicroTime(microsecondsSinceEpoch: -500_000).rfc3339String == "1969-12-31T23:59:59.500000Z")
        #expect(MicroTime(microsecondsSinceEpoch: -500_000).time == Time(secondsSinceEpoch: -1))
        #expect(t.time.rfc3339String == "2025-03-14T09:30:10Z")
        #expect(MicroTime(Time(secondsSinceEpoch: 5)).microsecondsSinceEpoch == 5_000_000)
    }

    @Test("Date interop truncates Time to the second")
    func dates() {
        let date = Date(timeIntervalSince1970: 1_136_214_245.7)
        #expect(Time(date).secondsSinceEpoch == 1_136_214_245)
        #expect(Time(date).date == Date(timeIntervalSince1970: 1_136_214_245))
        #expect(MicroTime(date).microsecondsSinceEpoch == 1_136_214_245_700_000)
        #expect(Time(epochSeconds: -0.5).secondsSinceEpoch == -1)
        let now = Time.now()
        #expect(abs(now.epochSeconds - Date().timeIntervalSince1970) < 5)
    }

    @Test("orders and codes as strings")
    func ordersAndCodes() throws {
        let early = try #require(Time(rfc3339: "2006-01-02T15:04:05Z"))
        let late = try #require(Time(rfc3339: "2006-01-02T15:04:05-00:01"))
        #expect(early < late)
        #expect(early.adding(seconds: 60) == late)
        let decoded = try decode([String: Time].self, #"{"t": "2006-01-02T17:04:05.9+02:00"}"#)
        #expect(decoded["t"] == early)
        let encoded = try JSONEncoder().encode(["t": early, "u": late])
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.contains(#""t":"2006-01-02T15:04:05Z""#))
        let micro = ["m": MicroTime(microsecondsSinceEpoch: 1)]
        #expect(try roundTrip(micro) == micro)
        #expect(throws: DecodingError.self) { try decode([String: Time].self, #"{"t": "yesterday"}"#) }
    }
}
