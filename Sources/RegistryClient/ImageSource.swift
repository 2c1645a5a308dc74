/// Where an image is read from (or deleted in): a registry repository, or an OCI image-layout directory.
///
/// The text forms are those `ImageDestination` writes and the pusher reports: `registry/repo:tag`,
/// `registry/repo@sha256:…`, `oci:<dir>[:<tag>]` (tag defaults to `latest`) and `oci:<dir>@sha256:…`.
public enum ImageSource: Hashable, Sendable, CustomStringConvertible {
    case registry(ImageReference)
    /// A manifest in an OCI layout, named by the tag in `index.json` (`org.opencontainers.image.ref.name`) or by digest.
    case layout(directory: String, reference: LayoutReference)

    /// How an image in an OCI layout is named.
    public enum LayoutReference: Hashable, Sendable, CustomStringConvertible {
        case tag(String)
        case digest(OCIDigest)

        public var description: String {
            switch self {
            case .tag(let tag): return tag
            case .digest(let digest): return digest.description
            }
        }
    }

    /// Parses any of the text forms, or throws `RegistryError.invalidReference` saying what is wrong.
    public init(parsing text: String) throws(RegistryError) {
        guard text.hasPrefix("oci:") else {
            self = .registry(try ImageReference(parsing: text))
            return
        }
        let spec = text.dropFirst(4)
        if let at = spec.lastIndex(of: "@") {
            let digestText = String(spec[spec.index(after: at)...])
            guard let digest = OCIDigest(digestText) else {
                throw .invalidReference(text, "'\(digestText)' is not a sha256 digest")
            }
            let directory = String(spec[..<at])
            guard !directory.isEmpty else { throw .invalidReference(text, "the OCI layout directory is empty") }
            self = .layout(directory: directory, reference: .digest(digest))
            return
        }
        switch try ImageDestination(parsing: text) {
        case .layout(let directory, let tag): self = .layout(directory: directory, reference: .tag(tag))
        case .registry(let reference): self = .registry(reference)
        }
    }

    public var description: String {
        switch self {
        case .registry(let reference): return reference.description
        case .layout(let directory, .tag(let tag)): return "oci:\(directory):\(tag)"
        case .layout(let directory, .digest(let digest)): return "oci:\(directory)@\(digest)"
        }
    }
}
