public import Logging

/// Who is reconciling what, bound to the reconcile's task: the controller, the object's key and a fresh
/// `reconcileID`. Every log line written during a reconcile through a logger with `metadataProvider` (or
/// after `LogSetup.bootstrap`) carries these as metadata, so one reconcile's lines can be found together.
public struct ReconcileScope: Sendable {
    /// The controller's name.
    public let controller: String
    /// The object being reconciled.
    public let request: ReconcileRequest
    /// Unique per reconcile attempt.
    public let reconcileID: String

    /// The scope of the reconcile running in this task, if any.
    @TaskLocal public static var current: ReconcileScope?

    /// The metadata keys of this scope: `controller`, `namespace`, `name`, `key`, `reconcileID`.
    public var metadata: Logger.Metadata {
        [
            LogKeys.controller: .string(controller),
            LogKeys.key: .string(request.description),
            LogKeys.namespace: .string(request.namespace),
            LogKeys.name: .string(request.name),
            LogKeys.reconcileID: .string(reconcileID),
        ]
    }

    /// Adds the current reconcile's metadata to every log line.
    public static let metadataProvider = Logger.MetadataProvider { current?.metadata ?? [:] }

    static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high, 16) + hex(low, 16)
    }

    private static func hex(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Log metadata keys of the controller runtime.
public enum LogKeys {
    public static let controller = "controller"
    public static let key = "key"
    public static let namespace = "namespace"
    public static let name = "name"
    public static let reconcileID = "reconcileID"
    public static let error = "error"
    public static let resource = "resource"
}
