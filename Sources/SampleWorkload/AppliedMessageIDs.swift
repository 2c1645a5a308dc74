/// The message ids a consumer has applied, kept compact so a checkpoint stays small however long it ran.
///
/// Ids of the form `<prefix>-<n>` (n a positive decimal number without leading zeros, as ``Producer`` makes
/// them) and plain numbers are kept per prefix as a contiguous high-water mark plus the sparse set of numbers
/// above it: applying `msg-1 … msg-1000` in any order leaves just `msg: through 1000`. Other ids are kept
/// verbatim.
public struct AppliedMessageIDs: Sendable, Hashable, Codable {
    /// What has been applied of one id prefix.
    public struct Sequence: Sendable, Hashable, Codable {
        /// Every number from 1 through this one has been applied (0: none yet).
        public internal(set) var contiguousThrough: UInt64
        /// Numbers above ``contiguousThrough`` + 1 that have been applied (never `contiguousThrough + 1`).
        public internal(set) var above: Set<UInt64>

        public init(contiguousThrough: UInt64 = 0, above: Set<UInt64> = []) {
            self.contiguousThrough = contiguousThrough
            self.above = above
        }

        /// Whether `number` has been applied.
        public func contains(_ number: UInt64) -> Bool {
            number <= contiguousThrough || above.contains(number)
        }

        /// Records `number`; false when it was already recorded.
        mutating func insert(_ number: UInt64) -> Bool {
            guard !contains(number) else { return false }
            if number == contiguousThrough + 1 {
                contiguousThrough = number
                while above.remove(contiguousThrough + 1) != nil { contiguousThrough += 1 }
            } else {
                above.insert(number)
            }
            return true
        }

        private enum CodingKeys: String, CodingKey {
            case contiguousThrough, above
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            var sequence = Sequence(
                contiguousThrough: try container.decode(UInt64.self, forKey: .contiguousThrough))
            for number in try container.decodeIfPresent([UInt64].self, forKey: .above) ?? [] {
                _ = sequence.insert(number)
            }
            self = sequence
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(contiguousThrough, forKey: .contiguousThrough)
            try container.encode(above.sorted(), forKey: .above)
        }
    }

    /// The numbered ids, by prefix (the empty prefix holds plain numbers).
    public private(set) var sequences: [String: Sequence] = [:]
    /// Ids that are not `<prefix>-<n>` or a number, verbatim.
    public private(set) var unsequenced: Set<String> = []

    public init() {}

    /// Whether `id` has been applied.
    public func contains(_ id: String) -> Bool {
        if let (prefix, number) = Self.parse(id) { return sequences[prefix]?.contains(number) ?? false }
        return unsequenced.contains(id)
    }

    /// Records `id`; false when it was already recorded.
    @discardableResult
    public mutating func insert(_ id: String) -> Bool {
        if let (prefix, number) = Self.parse(id) {
            return sequences[prefix, default: Sequence()].insert(number)
        }
        return unsequenced.insert(id).inserted
    }

    /// How many numbers are held above the high-water marks plus verbatim ids: what the set costs beyond one
    /// entry per prefix.
    public var sparseCount: Int { sequences.values.reduce(unsequenced.count) { $0 + $1.above.count } }

    /// Splits `<prefix>-<n>` (or a plain `<n>`, prefix empty); nil for other ids. Leading zeros, signs and zero
    /// are refused so that each number has one spelling.
    static func parse(_ id: String) -> (prefix: String, number: UInt64)? {
        let utf8 = id.utf8
        let digitsStart: String.UTF8View.Index
        let prefix: String
        if let dash = utf8.lastIndex(of: UInt8(ascii: "-")) {
            guard dash != utf8.startIndex else { return nil }
            prefix = String(id[..<dash])
            digitsStart = utf8.index(after: dash)
        } else {
            prefix = ""
            digitsStart = utf8.startIndex
        }
        let digits = utf8[digitsStart...]
        guard let first = digits.first, first != UInt8(ascii: "0"), digits.count <= 19,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let number = UInt64(Substring(digits))
        else { return nil }
        return (prefix, number)
    }

    private enum CodingKeys: String, CodingKey {
        case sequences, unsequenced
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequences = try container.decodeIfPresent([String: Sequence].self, forKey: .sequences) ?? [:]
        unsequenced = Set(try container.decodeIfPresent([String].self, forKey: .unsequenced) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequences, forKey: .sequences)
        try container.encode(unsequenced.sorted(), forKey: .unsequenced)
    }
}
