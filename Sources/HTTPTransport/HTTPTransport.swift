/// An HTTP method.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")

    public var description: String { rawValue }

    /// Whether repeating the request has the same effect as sending it once (RFC 9110 §9.2.2).
    public var isIdempotent: Bool {
        switch rawValue {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS": return true
        default: return false
        }
    }
}

/// Header fields in order; names compare case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name, value) }
    }

    /// Appends a field, keeping any earlier field of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Replaces every field of this name with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name, value))
    }

    /// Removes every field of this name.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    /// The first value of the named field.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of the named field, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name.caseInsensitiveEquals($1.name) && $0.value == $1.value }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        self.utf8.count == other.utf8.count && self.lowercased() == other.lowercased()
    }
}

/// The body of a request: bytes in memory, or a stream the transport pulls from as it sends.
public struct HTTPRequestBody: Sendable {
    /// Fills `buffer` from its start with the next bytes of the body and returns how many it wrote; 0 ends
    /// the body. Called on the transport's I/O thread (for `CurlTransport`, the `CurlEventLoop` thread), one
    /// call at a time and in order, so it may block briefly (read a file) but must never wait on other work
    /// of the same loop. A thrown error aborts the exchange and is what the caller's `send` rethrows.
    public typealias Producer = @Sendable (_ buffer: UnsafeMutableRawBufferPointer) throws -> Int

    enum Storage: Sendable {
        case bytes([UInt8])
        case stream(length: Int64?, producer: Producer)
    }

    let storage: Storage

    /// A body held in memory.
    public static func bytes(_ bytes: [UInt8]) -> HTTPRequestBody {
        HTTPRequestBody(storage: .bytes(bytes))
    }

    /// A body produced on demand. With a `length` the request carries `Content-Length` and the producer must
    /// deliver exactly that many bytes; without one it is sent with chunked transfer encoding.
    public static func stream(length: Int64?, producer: @escaping Producer) -> HTTPRequestBody {
        HTTPRequestBody(storage: .stream(length: length, producer: producer))
    }

    /// The bytes of an in-memory body; nil for a stream.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = storage { return bytes }
        return nil
    }

    /// The declared length: the byte count in memory, the stream's length if it has one.
    public var length: Int64? {
        switch storage {
        case .bytes(let bytes): return Int64(bytes.count)
        case .stream(let length, _): return length
        }
    }

    /// The producer of a streamed body; nil for bytes in memory.
    public var producer: Producer? {
        if case .stream(_, let producer) = storage { return producer }
        return nil
    }
}

/// One HTTP request.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The absolute URL, query string included.
    public var url: String
    public var headers: HTTPHeaders
    /// The body, in memory or streamed; nil for none.
    public var content: HTTPRequestBody?
    /// The limit on the whole exchange; nil for none (watches, long downloads).
    public var timeout: Duration?
    /// Whether to follow 3xx redirects (registries redirect blob downloads to storage).
    public var followRedirects: Bool

    /// The body when it is held in memory (nil for none or for a streamed body); setting it replaces `content`.
    public var body: [UInt8]? {
        get { content?.bytes }
        set { content = newValue.map(HTTPRequestBody.bytes) }
    }

    public init(
        method: HTTPMethod,
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8]? = nil,
        timeout: Duration? = nil,
        followRedirects: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.content = body.map(HTTPRequestBody.bytes)
        self.timeout = timeout
        self.followRedirects = followRedirects
    }

    /// A request whose body may be streamed (`.stream`) rather than held in memory.
    public init(
        method: HTTPMethod,
        url: String,
        headers: HTTPHeaders = [:],
        content: HTTPRequestBody?,
        timeout: Duration? = nil,
        followRedirects: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.content = content
        self.timeout = timeout
        self.followRedirects = followRedirects
    }
}

/// The status line and headers of a response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders

    public init(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }
}

/// A complete, buffered response.
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.head = HTTPResponseHead(status: status, headers: headers)
        self.body = body
    }
}

/// A response whose body arrives in chunks as the server sends them. Cancelling the task that iterates the
/// body, or dropping the stream, stops the transfer.
public struct HTTPStreamingResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public init(head: HTTPResponseHead, body: AsyncThrowingStream<[UInt8], any Error>) {
        self.head = head
        self.body = body
    }
}

/// Why an exchange failed before a response arrived (or while its body was streaming).
public struct HTTPTransportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The broad class of failure.
    public enum Kind: String, Sendable, Equatable {
        /// DNS, refused, reset, or the connection dropped mid-transfer.
        case connection
        /// The certificate did not verify, or the handshake failed.
        case tls
        /// The request's or the connection's timeout expired.
        case timeout
        /// The caller cancelled the request.
        case cancelled
        /// The URL or the options were invalid.
        case invalidRequest
        /// Anything else the transport reported.
        case other
    }

    public var kind: Kind
    public var message: String
    /// The transport's own code (e.g. a CURLcode), for logs.
    public var code: Int

    public init(kind: Kind, message: String, code: Int = 0) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { "\(kind.rawValue) error: \(message)" }

    /// Whether retrying the same request may succeed.
    public var isTransient: Bool { kind == .connection || kind == .timeout }
}

/// Sends HTTP requests. Implementations: `CurlTransport` (libcurl) and scripted fakes in tests.
public protocol HTTPTransport: Sendable {
    /// Sends a request and buffers the whole response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Sends a request and returns as soon as the response head arrives; the body streams.
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse
}
