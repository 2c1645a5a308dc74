import HTTPTransport

/// Why a checkpoint image could not be built, pushed, read or deleted. Every case carries a sentence meant
/// for the person reading the Job's logs or the migration's status.
public enum RegistryError: Error, CustomStringConvertible, Sendable {
    /// The image reference or destination is malformed (the text, and what is wrong with it).
    case invalidReference(String, String)
    /// The input is unusable: missing, unreadable, not a tar, an empty container name.
    case invalidInput(String)
    /// The registry refused the credentials, or there were none and it wants some.
    case authenticationFailed(String)
    /// The registry answered with an unexpected status (operation, status, the registry's error text).
    case unexpectedStatus(operation: String, status: Int, message: String)
    /// The registry does not have the manifest or blob.
    case notFound(String)
    /// The registry has deletion disabled (HTTP 405).
    case deletionDisabled(String)
    /// What the registry stored does not match what was sent (digest or size mismatch).
    case verificationFailed(String)
    /// The transport failed and retries did not help.
    case transport(HTTPTransportError, operation: String)
    /// A blob upload was stopped by cancellation at a chunk boundary; the session can resume it.
    case interrupted(UploadSession)
    /// Local file-system trouble (OCI layout, archive reads).
    case io(String)

    public var description: String {
        switch self {
        case .invalidReference(let text, let why): return "invalid image reference '\(text)': \(why)"
        case .invalidInput(let why): return why
        case .authenticationFailed(let why): return "registry authentication failed: \(why)"
        case .unexpectedStatus(let operation, let status, let message):
            return "\(operation) failed: HTTP \(status)\(message.isEmpty ? "" : ": \(message)")"
        case .notFound(let what): return "\(what) not found"
        case .deletionDisabled(let what):
            return "cannot delete \(what): the registry has deletion disabled (HTTP 405; set storage.delete.enabled)"
        case .verificationFailed(let why): return "verification failed: \(why)"
        case .transport(let error, let operation): return "\(operation) failed: \(error)"
        case .interrupted(let session):
            return "upload interrupted after \(session.committedBytes) bytes (resumable at \(session.location))"
        case .io(let why): return why
        }
    }

    /// Whether trying the same operation again later may succeed.
    public var isTransient: Bool {
        switch self {
        case .transport(let error, _): return error.isTransient
        case .unexpectedStatus(_, let status, _): return status >= 500 || status == 429 || status == 408
        default: return false
        }
    }
}
