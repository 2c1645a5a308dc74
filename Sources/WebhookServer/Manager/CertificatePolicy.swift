/// What the webhook's self-managed certificates look like: the names the serving certificate covers, the
/// lifetimes, and when they are renewed.
public struct CertificatePolicy: Sendable, Hashable {
    /// DNS names the serving certificate must cover.
    public var dnsNames: [String]
    /// IP addresses the serving certificate must cover (tests on loopback; the API server uses DNS names).
    public var ipAddresses: [String]
    /// The common name of a generated CA.
    public var caCommonName: String
    /// How long a generated CA is valid.
    public var caValidity: Duration
    /// How long a serving certificate is valid (never longer than its CA).
    public var servingValidity: Duration
    /// A certificate is replaced once less than this fraction of its lifetime remains (1/3: a one-year
    /// serving certificate is renewed about four months before it expires).
    public var renewalFraction: Double

    /// The policy for a webhook reached through Service `service` in `namespace`: its certificate covers
    /// `<service>.<namespace>.svc` and `<service>.<namespace>.svc.cluster.local` (the names the API server
    /// verifies) plus `extraDNSNames` and `ipAddresses`. A CA lives 10 years, a serving certificate 1 year.
    public init(
        service: String,
        namespace: String,
        clusterDomain: String = "cluster.local",
        extraDNSNames: [String] = [],
        ipAddresses: [String] = [],
        caCommonName: String? = nil,
        caValidity: Duration = .seconds(10 * 365 * 86_400),
        servingValidity: Duration = .seconds(365 * 86_400),
        renewalFraction: Double = 1.0 / 3.0
    ) {
        self.init(
            dnsNames: ["\(service).\(namespace).svc", "\(service).\(namespace).svc.\(clusterDomain)"] + extraDNSNames,
            ipAddresses: ipAddresses,
            caCommonName: caCommonName ?? "\(service).\(namespace) webhook CA",
            caValidity: caValidity,
            servingValidity: servingValidity,
            renewalFraction: renewalFraction)
    }

    /// A policy with exactly these names.
    public init(
        dnsNames: [String],
        ipAddresses: [String] = [],
        caCommonName: String,
        caValidity: Duration = .seconds(10 * 365 * 86_400),
        servingValidity: Duration = .seconds(365 * 86_400),
        renewalFraction: Double = 1.0 / 3.0
    ) {
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.caCommonName = caCommonName
        self.caValidity = caValidity
        self.servingValidity = servingValidity
        self.renewalFraction = renewalFraction
    }
}

/// The keys of the webhook certificate Secret (type `kubernetes.io/tls`).
public enum WebhookSecretKey {
    /// The serving certificate, PEM (the `kubernetes.io/tls` key).
    public static let certificate = "tls.crt"
    /// The serving certificate's private key, PEM (the `kubernetes.io/tls` key).
    public static let privateKey = "tls.key"
    /// The CA bundle clients trust: the current CA first, then older CAs until they expire.
    public static let caBundle = "ca.crt"
    /// The current CA's private key, so that any replica can issue serving certificates.
    public static let caPrivateKey = "ca.key"

    /// Every key the manager writes.
    public static let all = [certificate, privateKey, caBundle, caPrivateKey]
}
