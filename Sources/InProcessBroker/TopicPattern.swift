/// AMQP topic-exchange matching: binding keys are dot-separated words where `*` matches exactly one word and
/// `#` matches zero or more words.
enum TopicPattern {
    /// Whether `routingKey` matches the binding key `pattern`.
    static func matches(pattern: String, routingKey: String) -> Bool {
        let patternWords = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let keyWords = routingKey.split(separator: ".", omittingEmptySubsequences: false)
        return matches(patternWords[...], keyWords[...])
    }

    private static func matches(_ pattern: ArraySlice<Substring>, _ key: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return key.isEmpty }
        let rest = pattern.dropFirst()
        switch first {
        case "#":
            // Zero words, or one word and try again.
            if matches(rest, key) { return true }
            guard !key.isEmpty else { return false }
            return matches(pattern, key.dropFirst())
        case "*":
            guard !key.isEmpty else { return false }
            return matches(rest, key.dropFirst())
        default:
            guard let word = key.first, word == first else { return false }
            return matches(rest, key.dropFirst())
        }
    }
}
