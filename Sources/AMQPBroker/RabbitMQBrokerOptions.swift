/// How a ``RabbitMQBroker`` connects, times out and reconnects. URL query parameters override some of these
/// (see ``AMQPURL``).
public struct RabbitMQBrokerOptions: Sendable, Hashable {
    /// TLS settings for `amqps://` URLs.
    public struct TLS: Sendable, Hashable {
        /// PEM file of the certificate authorities to trust; nil uses the system bundle
        /// (`/etc/ssl/certs/ca-certificates.crt`) when it exists.
        public var caCertificateFile: String?
        /// Check the broker's certificate chain.
        public var verifyPeer: Bool
        /// Check that the broker's certificate names the host in the URL.
        public var verifyHostname: Bool
        /// PEM client certificate and key, for brokers that require mutual TLS.
        public var clientCertificateFile: String?
        public var clientKeyFile: String?

        public init(
            caCertificateFile: String? = nil, verifyPeer: Bool = true, verifyHostname: Bool = true,
            clientCertificateFile: String? = nil, clientKeyFile: String? = nil
        ) {
            self.caCertificateFile = caCertificateFile
            self.verifyPeer = verifyPeer
            self.verifyHostname = verifyHostname
            self.clientCertificateFile = clientCertificateFile
            self.clientKeyFile = clientKeyFile
        }
    }

    /// The heartbeat interval to ask for; zero disables heartbeats.
    public var heartbeat: Duration
    /// The largest frame to ask for, in bytes.
    public var frameMax: Int
    /// How long TCP connect, TLS handshake and login may take.
    public var connectTimeout: Duration
    /// How long an operation may wait: for a reconnection before it starts, for the broker's reply, or for a
    /// publisher confirm. A broker that does not reply to a request in time is treated as gone.
    public var operationTimeout: Duration
    /// The first delay between reconnection attempts after a failed one; it doubles up to
    /// `maximumReconnectDelay`.
    public var initialReconnectDelay: Duration
    public var maximumReconnectDelay: Duration
    /// The name the connection shows in the broker's management tools.
    public var connectionName: String?
    public var tls: TLS

    public init(
        heartbeat: Duration = .seconds(30), frameMax: Int = 131_072, connectTimeout: Duration = .seconds(10),
        operationTimeout: Duration = .seconds(15), initialReconnectDelay: Duration = .milliseconds(100),
        maximumReconnectDelay: Duration = .seconds(5), connectionName: String? = nil, tls: TLS = TLS()
    ) {
        self.heartbeat = heartbeat
        self.frameMax = frameMax
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
        self.initialReconnectDelay = initialReconnectDelay
        self.maximumReconnectDelay = maximumReconnectDelay
        self.connectionName = connectionName
        self.tls = tls
    }
}
