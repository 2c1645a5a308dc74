import Foundation
import Testing

@testable import KubeModel

@Suite("Quantity")
struct QuantityTests {
    @Test(
        "parses and prints canonically",
        arguments: [
            ("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"), ("512Ki", "512Ki"), ("0.5Ki", "512"),
            ("0.1Ki", "102400m"), ("15928852Ki", "15928852Ki"), ("1Ei", "1Ei"), ("-5Mi", "-5Mi"),
            ("100m", "100m"), ("0.5", "500m"), (".5", "500m"), ("1.", "1"), ("1", "1"), ("+3", "3"),
            ("2000", "2k"), ("1000m", "1"), ("3800m", "3800m"), ("95551679124", "95551679124"), ("1k", "1k"),
            ("1M", "1M"), ("1G", "1G"), ("1T", "1T"), ("1P", "1P"), ("1E", "1E"), ("1u", "1u"), ("1n", "1n"),
            ("0.0000000001", "1n"), ("2e3", "2e3"), ("1E3", "1e3"), ("1e+3", "1e3"), ("1.5e3", "1500"),
            ("12e-3", "12e-3"), ("1e0", "1"), ("0", "0"), ("0Gi", "0"), ("-0.5", "-500m"),
            ("000123", "123"),
        ])
    func parseAndFormat(input: String, canonical: String) throws {
        let quantity = try #require(Quantity(input))
        #expect(quantity.description == canonical)
        // The canonical form parses back to the same amount and prints the same.
        let again = try #require(Quantity(canonical))
        #expect(again == quantity)
        #expect(again.description == canonical)
    }

    @Test(
        "rejects invalid strings",
        arguments: [
            "", " ", "abc", "Gi", "1.2.3", "1Kib", "1K", "1 Gi", " 1", "1e", "1e1.5", "--1", "+-1", "1ee3", "0x10",
            "-", ".", "1Mi ", "1gi", "1e99999", "1,5", "∞", "1eM",
        ])
    func rejectsInvalid(input: String) {
        #expect(Quantity(input) == nil)
        #expect(throws: QuantityError.invalid(input)) { try Quantity(parsing: input) }
    }

    @Test(
        "compares amounts, not spellings",
        arguments: [
            ("1Gi", "1024Mi", 0), ("0.5", "500m", 0), ("2e3", "2k", 0), ("1k", "1000", 0), ("1", "1000m", 0),
            ("100m", "1", -1), ("999m", "1", -1), ("1Ki", "1k", 1), ("1E", "1Ei", -1), ("-1", "0", -1),
            ("1n", "0", 1), ("1.5Gi", "1536Mi", 0), ("16391700Ki", "15928852Ki", 1),
        ])
    func compares(lhs: String, rhs: String, order: Int) throws {
        let a = try #require(Quantity(lhs))
        let b = try #require(Quantity(rhs))
        #expect((a < b) == (order < 0))
        #expect((a == b) == (order == 0))
        #expect((a > b) == (order > 0))
        if order == 0 { #expect(a.hashValue == b.hashValue) }
    }

    @Test(
        "adds exactly",
        arguments: [
            ("100m", "900m", "1"), ("1Gi", "512Mi", "1536Mi"), ("0", "1Gi", "1Gi"), ("250m", "1", "1250m"),
            ("1Ki", "1k", "2024"), ("0.1", "0.2", "300m"), ("1", "-1", "0"), ("8Ei", "8Ei", "16Ei"),
        ])
    func adds(lhs: String, rhs: String, sum: String) throws {
        let a = try #require(Quantity(lhs))
        let b = try #require(Quantity(rhs))
        let total = a + b
        #expect(total.description == sum)
        #expect(total == Quantity(sum))
        #expect(total - b == a)
    }

    @Test("overflow is reported, not wrapped")
    func overflow() throws {
        let huge = Quantity(nanos: .max)
        #expect(huge.adding(Quantity(nanos: 1)) == nil)
        #expect(huge.multiplied(by: 2) == nil)
        #expect(Quantity("1Gi").multiplied(by: 3) == Quantity("3Gi"))
    }

    @Test(
        "value and milliValue round up like Go",
        arguments: [
            ("100m", 1, 100), ("1.5Gi", 1_610_612_736, 1_610_612_736_000), ("1n", 1, 1), ("-100m", -1, -100),
            ("2k", 2000, 2_000_000), ("0", 0, 0), ("1Ei", 1_152_921_504_606_846_976, Int64.max),
            ("10E", Int64.max, Int64.max),
        ] as [(String, Int64, Int64)])
    func scaledValues(input: String, value: Int64, milli: Int64) throws {
        let quantity = try #require(Quantity(input))
        #expect(quantity.value == value)
        #expect(quantity.milliValue == milli)
    }

    @Test("codes as a JSON string and accepts JSON numbers")
    func codable() throws {
        let decoded = try decode(
            [String: Quantity].self, #"{"a": "1.5Gi", "b": 2, "c": 0.5, "d": " 100m ", "e": 1e-05}"#)
        #expect(decoded["a"] == Quantity("1536Mi"))
        #expect(decoded["b"] == Quantity(2))
        #expect(decoded["c"] == Quantity(milli: 500))
        #expect(decoded["d"] == Quantity(milli: 100))
        #expect(decoded["e"] == Quantity("10u"))
        let encoded = try JSONEncoder().encode(["memory": Quantity("1.5Gi")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"memory":"1536Mi"}"#)
        #expect(throws: DecodingError.self) { try decode([String: Quantity].self, #"{"a": "1 Gi"}"#) }
    }

    @Test("literals and constructors")
    func literals() {
        let cpu: Quantity = "250m"
        let pods: Quantity = 110
        #expect(cpu == Quantity(milli: 250))
        #expect(pods.description == "110")
        #expect(Quantity(4, format: .binarySI).description == "4")
        #expect(Quantity(4096, format: .binarySI).description == "4Ki")
        #expect((-cpu).description == "-250m")
        #expect(Quantity.zero.isZero)
        #expect(abs(Quantity("1.5Gi").doubleValue - 1_610_612_736) < 1e-3)
        // Beyond 2⁶³ nano-units (about 9.2 units ×10⁹) the conversion goes through both 64-bit halves.
        for text in ["128Gi", "-128Gi", "130944852Ki", "1e20", "-3.5e15", "9223372036854775807n", "9223372036854775808n"] {
            let quantity = Quantity(text)!
            let exact = Double(quantity.nanos) / 1e9
            #expect(abs(quantity.doubleValue - exact) <= abs(exact) * 1e-15, "\(text)")
        }
        #expect(Quantity("128Gi").doubleValue == 137_438_953_472)
    }
}
