/// A compiled regular expression for OpenAPI `pattern` and CEL `matches()`. Both are unanchored searches;
/// matching is over Unicode scalars (as ECMA-262 and RE2 do), not grapheme clusters.
struct PatternRegex: @unchecked Sendable {
    // Regex holds an immutable compiled program; it is safe to share across threads.
    let source: String
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `source`; throws when Swift's regex engine cannot parse it (so it cannot be enforced).
    init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source).matchingSemantics(.unicodeScalar)
    }

    /// Whether the pattern matches anywhere in `string`.
    func matches(_ string: String) -> Bool {
        string.contains(regex)
    }
}
