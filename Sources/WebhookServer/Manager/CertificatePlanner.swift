import Foundation
import X509

/// What the webhook certificate Secret should hold, worked out from what it holds now.
struct CertificatePlan: Sendable {
    /// One reason the Secret changes.
    struct Change: Sendable, Equatable, CustomStringConvertible {
        enum Kind: Sendable, Equatable {
            /// Material that did not exist yet.
            case created
            /// Valid material replaced ahead of its expiry.
            case renewed
            /// Missing, unreadable or unusable material replaced.
            case repaired
        }

        var kind: Kind
        var message: String
        var description: String { message }
    }

    /// The Secret's entries (PEM text) under `WebhookSecretKey`.
    var data: [String: String]
    /// Why `data` differs from the Secret; empty when the Secret is fine as it is.
    var changes: [Change]
    /// The serving certificate in `data`.
    var serving: ServingCertificate
    /// The trusted CAs in `data` (current first).
    var caCertificates: [Certificate]

    /// The CA bundle in `data` (`ca.crt`).
    var caBundlePEM: String { data[WebhookSecretKey.caBundle] ?? "" }
}

/// Decides, from the Secret's current entries and the time, whether the CA and the serving certificate are
/// usable, and issues what is missing, broken or due for renewal. It reads no clock and calls no API; it only
/// generates keys and signs.
struct CertificatePlanner: Sendable {
    let policy: CertificatePolicy

    /// The plan for a Secret holding `stored` (PEM text by key; nil when there is no Secret) at `now`.
    func plan(stored: [String: String]?, now: Date) throws -> CertificatePlan {
        var changes: [CertificatePlan.Change] = []
        let stored = stored ?? [:]

        // The CA: the certificate of ca.crt that ca.key belongs to, if it is a CA valid now.
        let storedCAText = stored[WebhookSecretKey.caBundle]
        let parsedBundle = storedCAText.map(PEM.certificates(in:)) ?? (certificates: [], problems: [])
        if storedCAText != nil, !parsedBundle.problems.isEmpty {
            changes.append(.init(
                kind: .repaired,
                message: "ca.crt: dropped unreadable content (\(parsedBundle.problems.joined(separator: "; ")))"))
        }
        var authority: CertificateAuthority
        var caRotated = false
        switch currentAuthority(certificates: parsedBundle.certificates, keyPEM: stored[WebhookSecretKey.caPrivateKey], now: now) {
        case .success(let current) where current.certificate.remainingFraction(at: now) < policy.renewalFraction:
            authority = try generateAuthority(now: now)
            caRotated = true
            changes.append(.init(
                kind: .renewed,
                message: "CA \(current.certificate.serialNumber) expires at \(current.certificate.notValidAfter); "
                    + "generated CA \(authority.certificate.serialNumber), the old one stays trusted until it expires"))
        case .success(let current):
            authority = current
        case .failure(let problem):
            authority = try generateAuthority(now: now)
            caRotated = true
            let fresh = stored[WebhookSecretKey.caBundle] == nil && stored[WebhookSecretKey.caPrivateKey] == nil
            changes.append(.init(
                kind: fresh ? .created : .repaired,
                message: fresh
                    ? "generated CA \(authority.certificate.serialNumber)"
                    : "no usable CA (\(problem.reason)); generated CA \(authority.certificate.serialNumber)"))
        }

        // The bundle: the current CA, then every other CA from ca.crt that has not expired.
        var bundle = [authority.certificate]
        for certificate in parsedBundle.certificates where !bundle.contains(certificate) {
            if certificate.notValidAfter <= now {
                changes.append(.init(
                    kind: .renewed, message: "dropped expired CA \(certificate.serialNumber) from ca.crt"))
            } else if certificate.isCertificateAuthority {
                bundle.append(certificate)
            } else {
                changes.append(.init(
                    kind: .repaired, message: "dropped \(certificate.subject) from ca.crt: not a CA certificate"))
            }
        }

        // The serving certificate: kept while it is signed by a trusted CA, covers the names and is not due.
        let serving: ServingCertificate
        switch checkServing(stored, trusted: bundle, now: now) {
        case .success(let current):
            serving = current
        case .failure(let problem):
            serving = try authority.issueServingCertificate(
                dnsNames: policy.dnsNames, ipAddresses: policy.ipAddresses, validity: policy.servingValidity,
                now: now)
            let kind: CertificatePlan.Change.Kind =
                problem.isExpiring ? .renewed : (stored[WebhookSecretKey.certificate] == nil ? .created : .repaired)
            let reason = kind == .created ? "" : "\(problem.reason); "
            changes.append(.init(kind: kind, message: "\(reason)issued serving certificate \(serving.serialNumber)"))
        }

        // Unchanged material keeps its exact text, so that replicas agree byte for byte.
        var data = stored.filter { WebhookSecretKey.all.contains($0.key) }
        data[WebhookSecretKey.certificate] = serving.certificateChainPEM
        data[WebhookSecretKey.privateKey] = serving.privateKeyPEM
        if bundle != parsedBundle.certificates || !parsedBundle.problems.isEmpty || storedCAText == nil {
            data[WebhookSecretKey.caBundle] = try PEM.encode(bundle)
        }
        if caRotated {
            data[WebhookSecretKey.caPrivateKey] = try authority.privateKeyPEM
        }
        return CertificatePlan(data: data, changes: changes, serving: serving, caCertificates: bundle)
    }

    private struct Problem: Error {
        var reason: String
        /// Valid, but due for renewal.
        var isExpiring = false
    }

    /// A new CA; its common name carries the creation time (as Kubernetes' self-signed CAs' do), so that
    /// successive CAs in one bundle have distinct subjects.
    private func generateAuthority(now: Date) throws -> CertificateAuthority {
        try CertificateAuthority.generate(
            commonName: "\(policy.caCommonName)@\(Int(now.timeIntervalSince1970))", validity: policy.caValidity,
            now: now)
    }

    /// The CA `keyPEM` belongs to, among `certificates`.
    private func currentAuthority(
        certificates: [Certificate], keyPEM: String?, now: Date
    ) -> Result<CertificateAuthority, Problem> {
        guard let keyPEM else { return .failure(Problem(reason: "ca.key is missing")) }
        guard !certificates.isEmpty else { return .failure(Problem(reason: "ca.crt holds no certificate")) }
        let key: Certificate.PrivateKey
        do {
            key = try PEM.privateKey(from: keyPEM)
        } catch {
            return .failure(Problem(reason: "ca.key: \(error)"))
        }
        guard let certificate = certificates.first(where: { $0.publicKey == key.publicKey }) else {
            return .failure(Problem(reason: "ca.key belongs to no certificate in ca.crt"))
        }
        guard certificate.notValidAfter > now else {
            return .failure(Problem(reason: "CA \(certificate.serialNumber) expired at \(certificate.notValidAfter)"))
        }
        guard certificate.notValidBefore <= now + CertificateAuthority.clockSkewAllowance else {
            return .failure(Problem(reason: "CA \(certificate.serialNumber) is not valid before \(certificate.notValidBefore)"))
        }
        do {
            return .success(try CertificateAuthority(certificate: certificate, privateKey: key))
        } catch {
            return .failure(Problem(reason: "\(error)"))
        }
    }

    /// The stored serving certificate, when it can go on being used.
    private func checkServing(
        _ stored: [String: String], trusted: [Certificate], now: Date
    ) -> Result<ServingCertificate, Problem> {
        guard let chain = stored[WebhookSecretKey.certificate], let key = stored[WebhookSecretKey.privateKey] else {
            return .failure(Problem(reason: "tls.crt or tls.key is missing"))
        }
        let serving: ServingCertificate
        do {
            serving = try ServingCertificate(certificateChainPEM: chain, privateKeyPEM: key)
        } catch {
            return .failure(Problem(reason: "tls.crt/tls.key unusable: \(error)"))
        }
        let leaf = serving.leaf
        guard trusted.contains(where: { leaf.isIssued(by: $0) }) else {
            return .failure(Problem(reason: "serving certificate \(serving.serialNumber) is not signed by a CA in ca.crt"))
        }
        let missingNames = policy.dnsNames.filter { !leaf.dnsNames.contains($0) }
            + policy.ipAddresses.filter { address in
                IPAddress.bytes(of: address).map { !leaf.ipAddressBytes.contains($0) } ?? false
            }
        guard missingNames.isEmpty else {
            return .failure(Problem(
                reason: "serving certificate \(serving.serialNumber) does not cover \(missingNames.joined(separator: ", "))"))
        }
        guard leaf.notValidBefore <= now + CertificateAuthority.clockSkewAllowance else {
            return .failure(Problem(reason: "serving certificate \(serving.serialNumber) is not valid before \(leaf.notValidBefore)"))
        }
        guard leaf.notValidAfter > now else {
            return .failure(Problem(reason: "serving certificate \(serving.serialNumber) expired at \(leaf.notValidAfter)"))
        }
        guard leaf.remainingFraction(at: now) >= policy.renewalFraction else {
            return .failure(Problem(
                reason: "serving certificate \(serving.serialNumber) expires at \(leaf.notValidAfter)", isExpiring: true))
        }
        return .success(serving)
    }
}
