import OperatorCore

extension BrokerError {
    /// Whether trying again later can succeed: connection losses, timeouts, missing entities and closed
    /// channels can; an invalid URL, refused credentials or permissions, and entities that exist with other
    /// properties cannot.
    var isRetryable: Bool {
        switch kind {
        case .connection, .notFound, .channelClosed, .protocolError, .timeout: true
        case .invalidArgument, .authentication, .accessRefused, .preconditionFailed: false
        }
    }
}
