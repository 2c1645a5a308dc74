public import KubeModel

/// An error the API server answered with a `metav1.Status` (adapters conform their error types).
public protocol KubernetesStatusError: Error {
    /// The Status the server returned.
    var status: Status { get }
    /// The HTTP status code.
    var code: Int { get }
}

/// Classifies errors thrown through the ports by the server's Status reason and code, like client-go's
/// `apierrors.IsNotFound` family. Errors without a Status (transport failures) match none of them.
public enum KubernetesErrors {
    /// The Status reason and HTTP code of `error`, when it carries a Status.
    public static func statusAndCode(of error: any Error) -> (reason: StatusReason?, code: Int)? {
        if let error = error as? any KubernetesStatusError { return (error.status.reason, error.code) }
        if let status = error as? Status, let code = status.code { return (status.reason, code) }
        return nil
    }

    /// 404: the object does not exist.
    public static func isNotFound(_ error: any Error) -> Bool {
        guard let (reason, code) = statusAndCode(of: error) else { return false }
        return reason == .notFound || (reason == nil && code == 404)
    }

    /// 409 on create: an object of that name exists.
    public static func isAlreadyExists(_ error: any Error) -> Bool {
        statusAndCode(of: error)?.reason == .alreadyExists
    }

    /// 409 on update: the resourceVersion was stale (someone else wrote first).
    public static func isConflict(_ error: any Error) -> Bool {
        guard let (reason, code) = statusAndCode(of: error) else { return false }
        return reason == .conflict || (reason == nil && code == 409)
    }

    /// 410: the requested resourceVersion or continue token is too old; re-list.
    public static func isResourceExpired(_ error: any Error) -> Bool {
        guard let (reason, code) = statusAndCode(of: error) else { return false }
        return reason == .expired || reason == .gone || code == 410
    }

    /// 429: the server asked to slow down.
    public static func isTooManyRequests(_ error: any Error) -> Bool {
        guard let (reason, code) = statusAndCode(of: error) else { return false }
        return reason == .tooManyRequests || code == 429
    }

    /// The HTTP code of `error`, when it carries a Status.
    public static func code(of error: any Error) -> Int? { statusAndCode(of: error)?.code }

    /// The Status message of `error`, when it carries a Status with one.
    public static func message(of error: any Error) -> String? {
        if let error = error as? any KubernetesStatusError { return error.status.message }
        return (error as? Status)?.message
    }
}
