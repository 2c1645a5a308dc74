/// Why a patch could not be applied. The server answers it as a 400/422 with `message` as the reason.
public struct PatchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A human-readable reason, specific to the failing operation.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
