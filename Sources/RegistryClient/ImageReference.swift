/// A registry image reference: `registry[:port]/repository[:tag][@sha256:…]`.
///
/// Parsed the way the Docker and containerd tooling do: the first path component is the registry when it
/// contains `.` or `:` or is `localhost`; otherwise the reference names Docker Hub (`docker.io`, with
/// `library/` for single-component repositories).
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// The registry host (and port), as written (`docker.io` for Docker Hub).
    public var registry: String
    /// The repository path (`team/app`).
    public var repository: String
    /// The tag, if one was given.
    public var tag: String?
    /// The manifest digest, if one was given.
    public var digest: OCIDigest?

    public init(registry: String, repository: String, tag: String? = nil, digest: OCIDigest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses a reference, or throws `RegistryError.invalidReference` saying what is wrong.
    public init(parsing text: String) throws(RegistryError) {
        func invalid(_ why: String) -> RegistryError { .invalidReference(text, why) }
        guard !text.isEmpty else { throw invalid("it is empty") }
        guard text.utf8.count <= 4096, !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else {
            throw invalid("it contains whitespace or is too long")
        }
        var rest = Substring(text)
        var digest: OCIDigest?
        if let at = rest.firstIndex(of: "@") {
            let digestText = String(rest[rest.index(after: at)...])
            guard let parsed = OCIDigest(digestText) else {
                throw invalid("'\(digestText)' is not a sha256 digest (sha256: and 64 lowercase hex digits)")
            }
            digest = parsed
            rest = rest[..<at]
        }
        var registry = "docker.io"
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.hasPrefix("[") {
                registry = String(first)
                rest = rest[rest.index(after: slash)...]
            }
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var repository = String(rest)
        if registry == "docker.io", !repository.contains("/") { repository = "library/" + repository }
        if let problem = Self.registryProblem(registry) { throw invalid("registry '\(registry)': \(problem)") }
        guard Self.isValidRepository(repository) else {
            throw invalid("'\(repository)' is not a valid repository (lowercase components of [a-z0-9] joined by . _ __ or -, separated by /)")
        }
        if let tag, !Self.isValidTag(tag) {
            throw invalid("'\(tag)' is not a valid tag ([A-Za-z0-9_] then up to 127 of [A-Za-z0-9_.-])")
        }
        guard tag != nil || digest != nil else { throw invalid("it names neither a tag nor a digest") }
        self.init(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// The reference as text (`registry/repository:tag@digest`).
    public var description: String {
        var text = "\(registry)/\(repository)"
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// The same image pinned to `digest`, without a tag.
    public func pinned(to digest: OCIDigest) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: nil, digest: digest)
    }

    /// What the manifest endpoints take: the digest if there is one, else the tag.
    public var manifestReference: String { digest?.description ?? tag ?? "latest" }

    /// The host the API is served from (Docker Hub's API lives on `registry-1.docker.io`).
    public var apiHost: String { registry == "docker.io" ? "registry-1.docker.io" : registry }

    /// What is wrong with `host` as a registry, nil when nothing: the distribution reference grammar's
    /// `domain-and-port` (https://github.com/distribution/reference, `reference.go`): dot-separated components of
    /// letters, digits and inner hyphens, or an IPv6 address in brackets, then optionally `:` and a port, which
    /// must be 1 to 65535.
    static func registryProblem(_ host: String) -> String? {
        guard !host.isEmpty, host.utf8.count <= 255 else { return "a registry host must be 1 to 255 characters" }
        var name = Substring(host)
        var port: Substring?
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return "an IPv6 address must end with ]" }
            let address = name[name.index(after: name.startIndex)..<close]
            let rest = name[name.index(after: close)...]
            guard !address.isEmpty, address.contains(":"),
                address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
            else { return "'[\(address)]' is not an IPv6 address" }
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return "only :port may follow the IPv6 address" }
                port = rest.dropFirst()
            }
            name = ""
        } else if let colon = name.firstIndex(of: ":") {
            port = name[name.index(after: colon)...]
            name = name[..<colon]
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port) else {
                return "the port must be a number (1 to 65535), not '\(port)'"
            }
            guard (1...65535).contains(number) else { return "port \(number) is out of range (1 to 65535)" }
        }
        for component in name.split(separator: ".", omittingEmptySubsequences: false) where !host.hasPrefix("[") {
            guard let first = component.first, let last = component.last,
                component.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                first != "-", last != "-"
            else { return "'\(component)' is not a host name component (letters, digits and inner hyphens)" }
        }
        return nil
    }

    static func isValidRepository(_ repository: String) -> Bool {
        guard !repository.isEmpty, repository.utf8.count <= 255 else { return false }
        for component in repository.split(separator: "/", omittingEmptySubsequences: false) {
            guard let first = component.utf8.first, let last = component.utf8.last,
                isLowerAlnum(first), isLowerAlnum(last)
            else { return false }
            var separatorRun: [UInt8] = []
            for byte in component.utf8 {
                if isLowerAlnum(byte) {
                    if !separatorRun.isEmpty {
                        let run = String(decoding: separatorRun, as: UTF8.self)
                        guard run == "." || run == "_" || run == "__" || run.allSatisfy({ $0 == "-" }) else { return false }
                        separatorRun = []
                    }
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                    separatorRun.append(byte)
                } else {
                    return false
                }
            }
        }
        return true
    }

    static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= 128, isWord(first) else { return false }
        return bytes.dropFirst().allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (byte >= 0x41 && byte <= 0x5A) || byte == UInt8(ascii: "_")
    }
}

/// Where a checkpoint image goes: a registry repository, or an OCI image-layout directory (`oci:<dir>:<tag>`).
public enum ImageDestination: Hashable, Sendable, CustomStringConvertible {
    case registry(ImageReference)
    case layout(directory: String, tag: String)

    /// Parses `registry/repo:tag`, `registry/repo@sha256:…` or `oci:<dir>[:<tag>]` (tag defaults to `latest`).
    public init(parsing text: String) throws(RegistryError) {
        if text.hasPrefix("oci:") {
            let spec = text.dropFirst(4)
            var directory = String(spec)
            var tag = "latest"
            if let colon = spec.lastIndex(of: ":"), !spec[colon...].contains("/") {
                directory = String(spec[..<colon])
                tag = String(spec[spec.index(after: colon)...])
            }
            guard !directory.isEmpty else { throw .invalidReference(text, "the OCI layout directory is empty") }
            guard ImageReference.isValidTag(tag) else { throw .invalidReference(text, "'\(tag)' is not a valid tag") }
            self = .layout(directory: directory, tag: tag)
        } else {
            self = .registry(try ImageReference(parsing: text))
        }
    }

    public var description: String {
        switch self {
        case .registry(let reference): return reference.description
        case .layout(let directory, let tag): return "oci:\(directory):\(tag)"
        }
    }
}
