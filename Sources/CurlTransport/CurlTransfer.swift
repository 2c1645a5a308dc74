import HTTPTransport
import Synchronization
internal import CCurl
internal import CShims

/// One HTTP exchange on a curl easy handle.
///
/// `@unchecked Sendable`: it is built on the caller's task, then handed to the loop thread, which alone
/// touches the easy handle, the header state and the buffers. The only field other threads touch is the
/// atomic cancellation flag.
final class CurlTransfer: @unchecked Sendable {
    /// How the response is delivered.
    enum Delivery {
        case buffered(CheckedContinuation<HTTPResponse, any Error>)
        case streaming(
            head: CheckedContinuation<HTTPStreamingResponse, any Error>,
            stream: AsyncThrowingStream<[UInt8], any Error>,
            body: AsyncThrowingStream<[UInt8], any Error>.Continuation
        )
    }

    let request: HTTPRequest
    let settings: CurlTransport.Configuration
    private var delivery: Delivery?
    private let cancelFlag = Atomic<Bool>(false)

    private var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectToList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    private var status = 0
    private var headers = HTTPHeaders()
    private var headDelivered = false
    private var body: [UInt8] = []
    /// The streamed request body's producer, and the error it threw (reported instead of curl's abort code).
    private var producer: HTTPRequestBody.Producer?
    private var producerError: (any Error)?

    init(request: HTTPRequest, settings: CurlTransport.Configuration) {
        self.request = request
        self.settings = settings
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        releaseHandle()
        errorBuffer.deallocate()
    }

    func deliver(_ delivery: Delivery) {
        self.delivery = delivery
    }

    var isCancelRequested: Bool { cancelFlag.load(ordering: .acquiring) }

    func requestCancel() {
        cancelFlag.store(true, ordering: .releasing)
    }

    // MARK: Loop thread

    /// Creates and configures the easy handle.
    func start() throws(HTTPTransportError) -> UnsafeMutableRawPointer {
        guard let easy = curl_easy_init() else {
            throw HTTPTransportError(kind: .other, message: "curl_easy_init failed")
        }
        self.easy = easy
        try configure(easy)
        return easy
    }

    private func configure(_ easy: UnsafeMutableRawPointer) throws(HTTPTransportError) {
        func long(_ option: CURLoption, _ value: Int, _ name: String) throws(HTTPTransportError) {
            try CurlError.check(ms2m_curl_easy_setopt_long(easy, option, value), name)
        }
        func string(_ option: CURLoption, _ value: String, _ name: String) throws(HTTPTransportError) {
            let code = value.withCString { ms2m_curl_easy_setopt_ptr(easy, option, $0) }
            try CurlError.check(code, name)
        }
        func blob(_ option: CURLoption, _ value: [UInt8], _ name: String) throws(HTTPTransportError) {
            let code = value.withUnsafeBytes { raw in
                ms2m_curl_easy_setopt_blob(easy, option, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, raw.count)
            }
            try CurlError.check(code, name)
        }

        var url = request.url
        let tls = settings.tls
        if let serverName = tls?.serverName, !serverName.isEmpty, let target = URLTarget(url) {
            // Verify and send SNI for `serverName` while connecting to the URL's real host.
            url = target.replacingHost(with: serverName)
            let entry = "\(serverName):\(target.port):\(target.host):\(target.port)"
            connectToList = curl_slist_append(connectToList, entry)
            try CurlError.check(ms2m_curl_easy_setopt_ptr(easy, CURLOPT_CONNECT_TO, connectToList), "CONNECT_TO")
        }
        try string(CURLOPT_URL, url, "URL")
        try long(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try long(CURLOPT_TCP_KEEPALIVE, 1, "TCP_KEEPALIVE")
        try long(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1, "SUPPRESS_CONNECT_HEADERS")
        try CurlError.check(ms2m_curl_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")

        let streamed = request.content?.producer != nil
        switch request.method {
        case .get: try long(CURLOPT_HTTPGET, 1, "HTTPGET")
        case .head: try long(CURLOPT_NOBODY, 1, "NOBODY")
        case .post where !streamed: try long(CURLOPT_POST, 1, "POST")
        case .put where streamed: break
        default: try string(CURLOPT_CUSTOMREQUEST, request.method.rawValue, "CUSTOMREQUEST")
        }
        if let content = request.content, let producer = content.producer {
            // A streamed body: curl pulls it through the read callback as the socket drains, with
            // `Content-Length` when the length is known and chunked transfer encoding otherwise.
            self.producer = producer
            try long(CURLOPT_UPLOAD, 1, "UPLOAD")
            try CurlError.check(ms2m_curl_easy_setopt_off(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(content.length ?? -1)), "INFILESIZE")
            try long(CURLOPT_UPLOAD_BUFFERSIZE, Self.uploadBufferSize, "UPLOAD_BUFFERSIZE")
            try CurlError.check(ms2m_curl_easy_setopt_data_callback(easy, CURLOPT_READFUNCTION, curlReadCallback), "READFUNCTION")
            try CurlError.check(ms2m_curl_easy_setopt_ptr(easy, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque()), "READDATA")
        } else if let payload = request.body {
            try CurlError.check(ms2m_curl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(payload.count)), "POSTFIELDSIZE")
            let code = payload.withUnsafeBytes { raw in
                ms2m_curl_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, raw.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start))
            }
            try CurlError.check(code, "COPYPOSTFIELDS")
        } else if request.method == .post {
            try CurlError.check(ms2m_curl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, 0), "POSTFIELDSIZE")
            try string(CURLOPT_COPYPOSTFIELDS, "", "COPYPOSTFIELDS")
        }

        // Headers: the caller's, minus curl's own defaults we do not want.
        var names = Set<String>()
        for (name, value) in request.headers {
            names.insert(name.lowercased())
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        if !names.contains("expect") { headerList = curl_slist_append(headerList, "Expect:") }
        if request.content != nil || request.method == .post, !names.contains("content-type") {
            headerList = curl_slist_append(headerList, "Content-Type:")
        }
        try CurlError.check(ms2m_curl_easy_setopt_ptr(easy, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")

        if let userAgent = settings.userAgent { try string(CURLOPT_USERAGENT, userAgent, "USERAGENT") }
        if settings.acceptCompressedResponses { try string(CURLOPT_ACCEPT_ENCODING, "", "ACCEPT_ENCODING") }
        if let timeout = request.timeout { try long(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout), "TIMEOUT_MS") }
        try long(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(settings.connectTimeout), "CONNECTTIMEOUT_MS")
        if let proxy = settings.proxyURL { try string(CURLOPT_PROXY, proxy, "PROXY") }
        if request.followRedirects {
            try long(CURLOPT_FOLLOWLOCATION, 1, "FOLLOWLOCATION")
            try long(CURLOPT_MAXREDIRS, 10, "MAXREDIRS")
        }

        if let tls {
            if let ca = tls.caCertificatesPEM {
                try blob(CURLOPT_CAINFO_BLOB, ca, "CAINFO_BLOB")
            } else if let caFile = tls.caFile {
                try string(CURLOPT_CAINFO, caFile, "CAINFO")
            }
            if let cert = tls.clientCertificatePEM {
                try string(CURLOPT_SSLCERTTYPE, "PEM", "SSLCERTTYPE")
                try blob(CURLOPT_SSLCERT_BLOB, cert, "SSLCERT_BLOB")
            } else if let certFile = tls.clientCertificateFile {
                try string(CURLOPT_SSLCERT, certFile, "SSLCERT")
            }
            if let key = tls.clientKeyPEM {
                try string(CURLOPT_SSLKEYTYPE, "PEM", "SSLKEYTYPE")
                try blob(CURLOPT_SSLKEY_BLOB, key, "SSLKEY_BLOB")
            } else if let keyFile = tls.clientKeyFile {
                try string(CURLOPT_SSLKEY, keyFile, "SSLKEY")
            }
            if tls.insecureSkipVerify {
                try long(CURLOPT_SSL_VERIFYPEER, 0, "SSL_VERIFYPEER")
                try long(CURLOPT_SSL_VERIFYHOST, 0, "SSL_VERIFYHOST")
            }
        }

        let context = Unmanaged.passUnretained(self).toOpaque()
        try CurlError.check(ms2m_curl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback), "WRITEFUNCTION")
        try CurlError.check(ms2m_curl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, context), "WRITEDATA")
        try CurlError.check(ms2m_curl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback), "HEADERFUNCTION")
        try CurlError.check(ms2m_curl_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, context), "HEADERDATA")
        try CurlError.check(ms2m_curl_easy_setopt_xferinfo_callback(easy, curlProgressCallback), "XFERINFOFUNCTION")
        try CurlError.check(ms2m_curl_easy_setopt_ptr(easy, CURLOPT_XFERINFODATA, context), "XFERINFODATA")
        try long(CURLOPT_NOPROGRESS, 0, "NOPROGRESS")
    }

    /// The read buffer for streamed bodies (curl's default is 64 KiB; larger reads mean fewer callbacks).
    static let uploadBufferSize = 1 << 20

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// A header line from curl: a status line, a field, or the blank line that ends a header block.
    fileprivate func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var length = line.count
        while length > 0, line[length - 1] == 0x0A || line[length - 1] == 0x0D { length -= 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<length]), as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
        } else if text.isEmpty {
            if status >= 200 { deliverHeadIfStreaming() }
        } else if let colon = text.firstIndex(of: ":") {
            let name = String(text[..<colon]).trimmingASCIISpaces()
            let value = String(text[text.index(after: colon)...]).trimmingASCIISpaces()
            headers.add(name, value)
        }
    }

    /// Fills curl's upload buffer from the streamed body; returns `CURL_READFUNC_ABORT` when the producer throws.
    fileprivate func produceBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let producer, !isCancelRequested else { return Int(CURL_READFUNC_ABORT) }
        do {
            let count = try producer(buffer)
            guard count >= 0, count <= buffer.count else {
                producerError = HTTPTransportError(
                    kind: .invalidRequest, message: "the body producer returned \(count) for a \(buffer.count)-byte buffer")
                return Int(CURL_READFUNC_ABORT)
            }
            return count
        } catch {
            producerError = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) {
        switch delivery {
        case .buffered:
            body.append(contentsOf: bytes)
        case .streaming(_, _, let continuation):
            deliverHeadIfStreaming()
            if bytes.count > 0 { continuation.yield(Array(bytes)) }
        case nil:
            break
        }
    }

    private func deliverHeadIfStreaming() {
        guard !headDelivered, case .streaming(let head, let stream, _) = delivery else { return }
        headDelivered = true
        head.resume(returning: HTTPStreamingResponse(head: HTTPResponseHead(status: status, headers: headers), body: stream))
    }

    /// Finishes the transfer with curl's result code.
    func complete(result: CURLcode) {
        if result == CURLE_OK {
            var code = 0
            ms2m_curl_easy_getinfo_long(easy!, CURLINFO_RESPONSE_CODE, &code)
            if code != 0 { status = code }
            switch delivery {
            case .buffered(let continuation):
                continuation.resume(returning: HTTPResponse(status: status, headers: headers, body: body))
            case .streaming(_, _, let bodyContinuation):
                deliverHeadIfStreaming()
                bodyContinuation.finish()
            case nil:
                break
            }
            delivery = nil
            releaseHandle()
        } else {
            let detail = String(cString: errorBuffer)
            let error: HTTPTransportError
            if isCancelRequested {
                error = HTTPTransportError(kind: .cancelled, message: "the request was cancelled")
            } else if let producerError {
                fail(producerError)
                return
            } else {
                error = CurlError.transportError(code: result, detail: detail)
            }
            fail(error)
        }
    }

    /// Fails the transfer (before or during the exchange).
    func fail(_ error: any Error) {
        switch delivery {
        case .buffered(let continuation):
            continuation.resume(throwing: error)
        case .streaming(let head, _, let bodyContinuation):
            if headDelivered {
                bodyContinuation.finish(throwing: error)
            } else {
                headDelivered = true
                head.resume(throwing: error)
                bodyContinuation.finish(throwing: error)
            }
        case nil:
            break
        }
        delivery = nil
        releaseHandle()
    }

    private func releaseHandle() {
        if let easy { curl_easy_cleanup(easy) }
        easy = nil
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        if let connectToList { curl_slist_free_all(connectToList) }
        connectToList = nil
        producer = nil
    }
}

private let curlWriteCallback: ms2m_curl_data_callback = { buffer, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

private let curlReadCallback: ms2m_curl_data_callback = { buffer, size, count, context in
    guard let context, let buffer else { return Int(CURL_READFUNC_ABORT) }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.produceBody(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}

private let curlHeaderCallback: ms2m_curl_data_callback = { buffer, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

/// Aborts a transfer whose task was cancelled, even while the loop is busy with other transfers.
private let curlProgressCallback: ms2m_curl_xferinfo_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.isCancelRequested ? 1 : 0
}

extension String {
    func trimmingASCIISpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}

/// The scheme, host and port of an absolute URL, enough to rewrite its host.
struct URLTarget {
    var scheme: String
    var host: String
    var port: Int
    private var hostRange: Range<String.Index>
    private var url: String

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = String(url[..<schemeEnd.lowerBound]).lowercased()
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = url[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        var authority = url[authorityStart..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var hostPart = authority
        var explicitPort: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.startIndex...close]
            let rest = authority[authority.index(after: close)...]
            if rest.hasPrefix(":") { explicitPort = Int(rest.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            explicitPort = Int(authority[authority.index(after: colon)...])
        }
        host = String(hostPart)
        hostRange = hostPart.startIndex..<hostPart.endIndex
        port = explicitPort ?? (scheme == "https" ? 443 : 80)
        self.url = url
    }

    func replacingHost(with newHost: String) -> String {
        var copy = url
        copy.replaceSubrange(hostRange, with: newHost)
        return copy
    }
}
