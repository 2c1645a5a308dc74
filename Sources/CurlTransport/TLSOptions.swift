/// How a transport verifies servers and proves its own identity over TLS.
///
/// PEM material may be given inline (kubeconfig `*-data` fields, already base64-decoded) or as file paths;
/// inline wins when both are set.
public struct TLSOptions: Sendable, Equatable {
    /// Trusted CA certificates (PEM). When neither this nor `caFile` is set, the system trust store is used.
    public var caCertificatesPEM: [UInt8]?
    /// A PEM file of trusted CA certificates.
    public var caFile: String?
    /// The client certificate chain (PEM) presented to the server.
    public var clientCertificatePEM: [UInt8]?
    /// A PEM file holding the client certificate chain.
    public var clientCertificateFile: String?
    /// The client private key (PEM).
    public var clientKeyPEM: [UInt8]?
    /// A PEM file holding the client private key.
    public var clientKeyFile: String?
    /// Skips verification of the server's certificate and name. Only when explicitly asked for.
    public var insecureSkipVerify: Bool
    /// The name to verify the server certificate against and send as SNI, instead of the URL's host
    /// (kubeconfig `tls-server-name`).
    public var serverName: String?

    public init(
        caCertificatesPEM: [UInt8]? = nil,
        caFile: String? = nil,
        clientCertificatePEM: [UInt8]? = nil,
        clientCertificateFile: String? = nil,
        clientKeyPEM: [UInt8]? = nil,
        clientKeyFile: String? = nil,
        insecureSkipVerify: Bool = false,
        serverName: String? = nil
    ) {
        self.caCertificatesPEM = caCertificatesPEM
        self.caFile = caFile
        self.clientCertificatePEM = clientCertificatePEM
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyPEM = clientKeyPEM
        self.clientKeyFile = clientKeyFile
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}
