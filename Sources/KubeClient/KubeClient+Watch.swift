import Foundation
import HTTPTransport
public import KubeModel
public import OperatorCore
import Unstructured

extension KubeClient {
    /// Watches objects of `T` (`namespace` nil: all namespaces) as an async sequence of typed events.
    ///
    /// The sequence ends normally when the server closes the watch (e.g. after `timeoutSeconds`); the caller
    /// resumes from the last resourceVersion it saw (bookmarks included). An `ERROR` event is thrown as a
    /// `KubeAPIError`: `isResourceExpired` (410) means the version is too old and the caller must re-list.
    /// `TypedWatchEvent.error` is therefore never yielded. Cancelling the consuming task ends the watch
    /// and its HTTP transfer.
    public func watch<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) -> AsyncThrowingStream<TypedWatchEvent<T>, any Error> {
        let path = T.resource.path(namespace: T.isNamespaced ? namespace : nil)
        return eventStream(APIRequest(method: .get, path: path, query: options.query, isLongRunning: true)) { bytes in
            let event: TypedWatchEvent<T>
            do {
                event = try JSONBytesDecoder().decode(TypedWatchEvent<T>.self, from: bytes)
            } catch {
                throw KubeClientError.decoding("watch event of \(T.kind): \(JSONCoding.describe(error))")
            }
            if case .error(let status) = event { throw KubeAPIError(status: status, code: status.code ?? 500) }
            return event
        }
    }

    /// Watches a resource as raw events (`type` and the object as a `JSONValue`), with the same contract as the
    /// typed `watch`.
    public func watch(
        _ resource: ResourceDescriptor, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) -> AsyncThrowingStream<WatchEvent, any Error> {
        let path = resource.path(namespace: resource.isNamespaced ? namespace : nil)
        return eventStream(APIRequest(method: .get, path: path, query: options.query, isLongRunning: true)) { bytes in
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes)
            } catch {
                throw KubeClientError.decoding("watch event: \(error)")
            }
            guard let typeName = value["type"]?.stringValue, let type = WatchEventType(rawValue: typeName),
                let object = value["object"]
            else {
                throw KubeClientError.decoding("watch event without a known type and an object")
            }
            if type == .error {
                let status = (try? JSONValueDecoder().decode(Status.self, from: object))
                    ?? Status(status: "Failure", message: "watch error", code: 500)
                throw KubeAPIError(status: status, code: status.code ?? 500)
            }
            return WatchEvent(type: type, object: object)
        }
    }

    private func eventStream<Event: Sendable>(
        _ request: APIRequest,
        decode: @escaping @Sendable ([UInt8]) throws -> Event
    ) -> AsyncThrowingStream<Event, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Event, any Error>.makeStream()
        let task = Task {
            do {
                let response = try await self.open(request)
                var framer = JSONObjectFramer()
                for try await chunk in response.body {
                    for value in try framer.push(chunk) {
                        continuation.yield(try decode(value))
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: Self.watchError(error))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private static func watchError(_ error: any Error) -> any Error {
        if let transportError = error as? HTTPTransportError {
            return transportError.kind == .cancelled ? CancellationError() : KubeClientError.transport(transportError)
        }
        return error
    }
}
