import Unstructured

/// Structural equality that, unlike `==`, tells `.int(5)` from `.double(5)`, keeps key order significant
/// and treats NaN as equal to NaN.
func isIdentical(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.double(let a), .double(let b)): return a == b || (a.isNaN && b.isNaN)
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)):
        return a.count == b.count && zip(a, b).allSatisfy { isIdentical($0, $1) }
    case (.object(let a), .object(let b)):
        return a.keys.elementsEqual(b.keys) && zip(a.values, b.values).allSatisfy { isIdentical($0, $1) }
    default: return false
    }
}

/// A seeded SplitMix64 generator, so randomized tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
