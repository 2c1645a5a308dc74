internal import CCurl
import HTTPTransport

/// Maps libcurl result codes to transport errors. Every `curl_easy_*`/`curl_multi_*` result goes through here.
enum CurlError {
    /// The transport error for a failed transfer, with curl's detailed message when it gave one.
    static func transportError(code: CURLcode, detail: String?) -> HTTPTransportError {
        let summary = String(cString: curl_easy_strerror(code))
        let message = (detail?.isEmpty == false) ? "\(summary): \(detail!)" : summary
        return HTTPTransportError(kind: kind(of: code), message: message, code: Int(code.rawValue))
    }

    static func kind(of code: CURLcode) -> HTTPTransportError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR,
            CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM,
            CURLE_HTTP3, CURLE_PROXY, CURLE_SEND_FAIL_REWIND:
            return .connection
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_USE_SSL_FAILED,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            return .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION,
            CURLE_NOT_BUILT_IN:
            return .invalidRequest
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        default:
            return .other
        }
    }

    /// Throws when an option could not be set (an unsupported option or a bad value is a programming error
    /// or an unsupported libcurl build, never something to ignore).
    static func check(_ code: CURLcode, _ what: @autoclosure () -> String) throws(HTTPTransportError) {
        guard code == CURLE_OK else {
            throw HTTPTransportError(
                kind: .invalidRequest,
                message: "setting \(what()) failed: \(String(cString: curl_easy_strerror(code)))",
                code: Int(code.rawValue)
            )
        }
    }
}
