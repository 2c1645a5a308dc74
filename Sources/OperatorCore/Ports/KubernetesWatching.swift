public import KubeModel

/// Watches a collection as a stream of typed events (controller-runtime's `client.WithWatch`).
public protocol KubernetesWatching: Sendable {
    /// Watches objects of `T` (`namespace` nil: all namespaces).
    ///
    /// The stream ends normally when the server closes the watch; the caller resumes from the last
    /// resourceVersion it saw (bookmarks included). A server `ERROR` event is thrown as an error for which
    /// `KubernetesErrors.isResourceExpired` is true when the version is too old (re-list). Cancelling the
    /// consuming task ends the watch.
    func watch<T: KubernetesObject>(
        _ type: T.Type, namespace: String?, options: WatchOptions
    ) -> AsyncThrowingStream<TypedWatchEvent<T>, any Error>
}
