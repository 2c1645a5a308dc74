public import Foundation
import KubeModel
public import Logging
public import OperatorCore
public import ServiceLifecycle
import Synchronization

/// Keeps the webhook server's certificate current, in one of two modes.
///
/// **Self-managed** (`.selfManaged`): the operator is its own CA. The CA and the serving certificate live in a
/// Secret (`kubernetes.io/tls`: `tls.crt`, `tls.key`, `ca.crt`, and the CA's key under `ca.key`) in the
/// operator's namespace, so every replica serves the same certificate and any replica can renew it. Each pass
/// reads the Secret, creates it when absent, replaces a serving certificate that is missing, unreadable, for
/// other names, not signed by a trusted CA, or within the renewal window, and renews the CA the same way —
/// the old CA stays in `ca.crt` until it expires, so API servers that still hold the old bundle keep trusting
/// the certificate. Writes are optimistic: a replica that loses a create (AlreadyExists) or an update
/// (Conflict) re-reads and adopts the winner's certificate. It then sets `clientConfig.caBundle` of every
/// webhook in the named webhook configurations to `ca.crt` (a missing configuration is retried later) and
/// hands the serving certificate to the server.
///
/// **Mounted Secret** (`.mountedSecret`): cert-manager maintains the Secret and its cainjector the caBundle;
/// the manager reads `tls.crt` and `tls.key` from the directory the Secret is mounted at and hands them to the
/// server whenever they change (the kubelet swaps both files at once through the `..data` symlink; a pair read
/// mid-swap does not match and is retried).
///
/// Runs as a `Service`: a pass at start, then every `resyncInterval` (after a failure, every `retryInterval`),
/// and whenever `reconcileNow()` is called; it stops on graceful shutdown, leaving the server its last
/// certificate.
public final class WebhookCertificateManager: Service, Sendable {
    /// Where the self-managed certificates are kept and which webhook configurations get the CA bundle.
    public struct SecretOptions: Sendable {
        /// The Secret's name, e.g. `ms2m-webhook-server-cert`.
        public var secretName: String
        /// The operator's namespace.
        public var namespace: String
        /// Names, lifetimes and renewal.
        public var policy: CertificatePolicy
        /// ValidatingWebhookConfigurations whose webhooks get the CA bundle.
        public var validatingWebhookConfigurations: [String]
        /// MutatingWebhookConfigurations whose webhooks get the CA bundle.
        public var mutatingWebhookConfigurations: [String]
        /// Labels put on a Secret the manager creates.
        public var labels: [String: String]
        /// The field manager of the manager's writes.
        public var fieldManager: String

        /// Options for Secret `secretName` in `namespace`.
        public init(
            secretName: String,
            namespace: String,
            policy: CertificatePolicy,
            validatingWebhookConfigurations: [String] = [],
            mutatingWebhookConfigurations: [String] = [],
            labels: [String: String] = ["app.kubernetes.io/managed-by": "ms2m-operator"],
            fieldManager: String = "ms2m-operator"
        ) {
            self.secretName = secretName
            self.namespace = namespace
            self.policy = policy
            self.validatingWebhookConfigurations = validatingWebhookConfigurations
            self.mutatingWebhookConfigurations = mutatingWebhookConfigurations
            self.labels = labels
            self.fieldManager = fieldManager
        }
    }

    /// Where the certificate comes from.
    public enum Mode: Sendable {
        /// The operator's own CA, kept in a Secret through `api`; the CA bundle injected into webhook
        /// configurations.
        case selfManaged(SecretOptions, api: any KubernetesAPI)
        /// `tls.crt` and `tls.key` in `directory`, a mounted Secret that cert-manager maintains.
        case mountedSecret(directory: String)
    }

    /// Where the certificate comes from.
    public let mode: Mode
    private let certificates: ServingCertificateSource
    private let resyncInterval: Duration
    private let retryInterval: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let wakeup = Wakeup()
    private let state = Mutex(State())

    private struct State {
        /// The last outcome logged per webhook configuration, so a missing one is reported once.
        var injectionOutcomes: [String: CABundleInjector.Outcome] = [:]
        /// The files last loaded in mounted-Secret mode.
        var loadedFiles: (certificate: Data, key: Data)?
        /// The last failure logged, so a lasting one is reported once.
        var lastFailure: String?
    }

    /// A manager in `mode` that hands its certificate to `certificates`. `now` is the clock certificates are
    /// checked and issued against.
    public init(
        mode: Mode,
        certificates: ServingCertificateSource,
        resyncInterval: Duration = .seconds(60),
        retryInterval: Duration = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "ms2m.webhook.certificates")
    ) {
        self.mode = mode
        self.certificates = certificates
        self.resyncInterval = resyncInterval
        self.retryInterval = retryInterval
        self.now = now
        self.logger = logger
    }

    /// Asks for a pass now instead of at the next interval.
    public func reconcileNow() {
        wakeup.signal()
    }

    /// Runs passes until graceful shutdown or cancellation; failures are logged and retried, never thrown.
    public func run() async {
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let complete = await reconcileLogged()
                await wakeup.sleep(for: complete ? resyncInterval : retryInterval)
            }
        }
    }

    /// One pass; true when everything is in place, false when something should be retried soon.
    private func reconcileLogged() async -> Bool {
        do {
            let complete = try await reconcile()
            state.withLock { $0.lastFailure = nil }
            return complete
        } catch is CancellationError {
            return false
        } catch {
            let message = "\(error)"
            let isNew = state.withLock { s -> Bool in
                defer { s.lastFailure = message }
                return s.lastFailure != message
            }
            logger.log(
                level: isNew ? .warning : .debug, "Webhook certificate pass failed; retrying",
                metadata: ["error": "\(message)", "retryIn": "\(retryInterval)"])
            return false
        }
    }

    /// Runs one pass: brings the certificate (and, self-managed, the Secret and the CA bundles) up to date and
    /// hands it to the server. Returns false when something is still pending (a webhook configuration that
    /// does not exist yet); throws when the certificate could not be made current.
    @discardableResult
    public func reconcile() async throws -> Bool {
        switch mode {
        case .selfManaged(let options, let api):
            return try await reconcileSecret(options, api: api)
        case .mountedSecret(let directory):
            try reloadFiles(in: directory)
            return true
        }
    }

    // MARK: Self-managed

    /// How often a pass re-reads the Secret after losing a write to another replica.
    private static let maxWriteAttempts = 5

    private func reconcileSecret(_ options: SecretOptions, api: any KubernetesAPI) async throws -> Bool {
        let planner = CertificatePlanner(policy: options.policy)
        let secretRef = "\(options.namespace)/\(options.secretName)"
        for _ in 1...Self.maxWriteAttempts {
            let secret: Secret?
            do {
                secret = try await api.get(Secret.self, name: options.secretName, namespace: options.namespace)
            } catch where KubernetesErrors.isNotFound(error) {
                secret = nil
            }
            let stored = secret.map { secret in
                Dictionary(uniqueKeysWithValues: WebhookSecretKey.all.compactMap { key in secret.string(key).map { (key, $0) } })
            }
            let plan = try planner.plan(stored: stored, now: now())

            if var existing = secret {
                if !plan.changes.isEmpty {
                    for (key, value) in plan.data { existing.setString(key, value) }
                    do {
                        _ = try await api.update(existing, options: WriteOptions(fieldManager: options.fieldManager))
                    } catch where KubernetesErrors.isConflict(error) {
                        logger.debug("Webhook certificate Secret changed meanwhile; re-reading", metadata: ["secret": "\(secretRef)"])
                        continue
                    }
                    logChanges(plan.changes, secret: secretRef, verb: "updated")
                }
            } else {
                var created = Secret(
                    metadata: ObjectMeta(name: options.secretName, namespace: options.namespace, labels: options.labels),
                    type: "kubernetes.io/tls")
                for (key, value) in plan.data { created.setString(key, value) }
                do {
                    _ = try await api.create(
                        created, namespace: options.namespace, options: WriteOptions(fieldManager: options.fieldManager))
                } catch where KubernetesErrors.isAlreadyExists(error) {
                    logger.debug("Another replica created the webhook certificate Secret; reading it", metadata: ["secret": "\(secretRef)"])
                    continue
                }
                logChanges(plan.changes, secret: secretRef, verb: "created")
            }

            try publish(plan.serving)
            let injector = CABundleInjector(
                api: api, validating: options.validatingWebhookConfigurations,
                mutating: options.mutatingWebhookConfigurations, fieldManager: options.fieldManager)
            return logInjection(await injector.inject(caBundlePEM: plan.caBundlePEM), caCount: plan.caCertificates.count)
        }
        throw WebhookCertificateError.tooManyConflicts(secret: secretRef, attempts: Self.maxWriteAttempts)
    }

    private func logChanges(_ changes: [CertificatePlan.Change], secret: String, verb: String) {
        for change in changes {
            let level: Logger.Level = change.kind == .repaired ? .warning : .info
            let message: Logger.Message =
                change.kind == .repaired ? "Repaired the webhook certificate Secret" : "Webhook certificate Secret \(verb)"
            logger.log(level: level, message, metadata: ["secret": "\(secret)", "change": "\(change.message)"])
        }
    }

    /// Logs what changed, and a missing or failing configuration once; true when every configuration is current.
    private func logInjection(
        _ outcomes: [(kind: String, name: String, outcome: CABundleInjector.Outcome)], caCount: Int
    ) -> Bool {
        var complete = true
        for (kind, name, outcome) in outcomes {
            let previous = state.withLock { s -> CABundleInjector.Outcome? in
                defer { s.injectionOutcomes["\(kind)/\(name)"] = outcome }
                return s.injectionOutcomes["\(kind)/\(name)"]
            }
            let metadata: Logger.Metadata = ["configuration": "\(kind)/\(name)"]
            switch outcome {
            case .upToDate:
                break
            case .patched(let webhooks):
                logger.info("Set the CA bundle of webhooks", metadata: metadata.merging([
                    "webhooks": "\(webhooks.joined(separator: ","))", "caCertificates": "\(caCount)",
                ]) { $1 })
            case .notFound:
                complete = false
                if previous != outcome {
                    logger.info("Webhook configuration not found; its CA bundle will be set once it exists", metadata: metadata)
                }
            case .failed(let error):
                complete = false
                logger.log(level: previous != outcome ? .warning : .debug, "Could not set the CA bundle of a webhook configuration",
                    metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
        return complete
    }

    // MARK: Mounted Secret

    private func reloadFiles(in directory: String) throws {
        let base = URL(fileURLWithPath: directory)
        let certificate: Data
        let key: Data
        do {
            certificate = try Data(contentsOf: base.appendingPathComponent(WebhookSecretKey.certificate))
            key = try Data(contentsOf: base.appendingPathComponent(WebhookSecretKey.privateKey))
        } catch {
            throw WebhookCertificateError.unreadableFiles(directory: directory, reason: "\(error.localizedDescription)")
        }
        let unchanged = state.withLock { $0.loadedFiles.map { $0.certificate == certificate && $0.key == key } ?? false }
        guard !unchanged else { return }
        let serving = try ServingCertificate(
            certificateChainPEM: String(decoding: certificate, as: UTF8.self), privateKeyPEM: String(decoding: key, as: UTF8.self))
        try publish(serving)
        state.withLock { $0.loadedFiles = (certificate, key) }
    }

    // MARK: Handing over

    private func publish(_ serving: ServingCertificate) throws {
        guard try certificates.update(serving) else { return }
        let remaining = serving.notValidAfter.timeIntervalSince(now())
        logger.info("Serving a new webhook certificate", metadata: [
            "serial": "\(serving.serialNumber)", "dnsNames": "\(serving.dnsNames.joined(separator: ","))",
            "notAfter": "\(serving.notValidAfter)", "daysLeft": "\(Int(remaining / 86_400))",
        ])
    }
}
