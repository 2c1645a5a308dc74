/// Decides whether a container image belongs to a simulated program (or is the transfer helper, or is hit by a
/// fault), by its repository name: `registry.local:5000/ms2m/counter:v1@sha256:…` has repository `ms2m/counter`.
public struct SimImageMatcher: Sendable, Hashable, CustomStringConvertible {
    /// How the image is compared.
    public enum Rule: Sendable, Hashable {
        /// The repository is `name`, or ends with `/name` (`counter` matches `ms2m/counter`).
        case repository(String)
        /// The repository ends with this text (`checkpoint-transfer` matches `ms2m/ms2m-checkpoint-transfer`).
        case repositorySuffix(String)
        /// The whole image reference contains this text (registry and tag included).
        case imageContains(String)
    }

    /// The comparison this matcher makes.
    public var rule: Rule

    /// A matcher with an explicit rule.
    public init(_ rule: Rule) { self.rule = rule }

    /// Matches the repository `name` (or any repository ending in `/name`), ignoring registry and tag.
    public static func repository(_ name: String) -> SimImageMatcher { SimImageMatcher(.repository(name)) }

    /// Matches repositories ending with `suffix`, ignoring registry and tag.
    public static func repositorySuffix(_ suffix: String) -> SimImageMatcher {
        SimImageMatcher(.repositorySuffix(suffix))
    }

    /// Matches image references containing `text`.
    public static func imageContains(_ text: String) -> SimImageMatcher { SimImageMatcher(.imageContains(text)) }

    /// Whether `image` matches.
    public func matches(_ image: String) -> Bool {
        switch rule {
        case .repository(let name):
            let repository = Self.repository(of: image)
            return repository == name || repository.hasSuffix("/" + name)
        case .repositorySuffix(let suffix):
            return Self.repository(of: image).hasSuffix(suffix)
        case .imageContains(let text):
            return image.contains(text)
        }
    }

    public var description: String {
        switch rule {
        case .repository(let name): "repository \(name)"
        case .repositorySuffix(let suffix): "repository *\(suffix)"
        case .imageContains(let text): "image *\(text)*"
        }
    }

    /// The repository path of an image reference: the registry host (a first component with `.` or `:`, or
    /// `localhost`), the tag and the digest removed.
    public static func repository(of image: String) -> String {
        var reference = Substring(image)
        if let at = reference.firstIndex(of: "@") { reference = reference[..<at] }
        if let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") {
            reference = reference[..<colon]
        }
        let components = reference.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            return components.dropFirst().joined(separator: "/")
        }
        return String(reference)
    }
}
