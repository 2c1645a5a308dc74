/// Why certificate material could not be read, issued or stored.
public enum WebhookCertificateError: Error, Equatable, CustomStringConvertible {
    /// PEM text that does not hold what it should (`what`: "certificate", "private key", "tls.crt", …).
    case invalidPEM(what: String, reason: String)
    /// A private key that does not belong to the certificate it was paired with.
    case keyMismatch(what: String)
    /// A certificate offered as a CA that is not one (no `basicConstraints` CA:TRUE, or no `keyCertSign`).
    case notACertificateAuthority(subject: String)
    /// A certificate or key could not be created (`reason` comes from the X.509 library).
    case issuanceFailed(reason: String)
    /// Other replicas kept changing the Secret between this replica's read and write.
    case tooManyConflicts(secret: String, attempts: Int)
    /// The certificate files of a mounted Secret could not be read.
    case unreadableFiles(directory: String, reason: String)

    public var description: String {
        switch self {
        case .invalidPEM(let what, let reason): return "\(what) is not valid PEM: \(reason)"
        case .keyMismatch(let what): return "\(what): the private key does not match the certificate"
        case .notACertificateAuthority(let subject): return "\(subject) is not a CA certificate"
        case .issuanceFailed(let reason): return "could not issue a certificate: \(reason)"
        case .tooManyConflicts(let secret, let attempts):
            return "Secret \(secret) changed under every one of \(attempts) write attempts"
        case .unreadableFiles(let directory, let reason): return "cannot read certificates from \(directory): \(reason)"
        }
    }
}
