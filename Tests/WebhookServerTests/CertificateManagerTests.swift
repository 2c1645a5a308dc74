import ControllerRuntime
import Foundation
import KubeClient
import KubeModel
import KubeSim
import OperatorCore
import TestSupport
import Testing
@testable import WebhookServer

@Suite("WebhookCertificateManager, self-managed, against KubeSim")
struct CertificateManagerTests {
    private func secret(_ client: KubeClient, _ name: String = "ms2m-webhook-cert") async throws -> Secret {
        try await client.get(Secret.self, name: name, namespace: TestNames.namespace)
    }

    private func serverFor(_ certificates: ServingCertificateSource) -> AdmissionWebhookServer {
        AdmissionWebhookServer(
            configuration: .init(address: BindAddress(host: "127.0.0.1", port: 0)),
            routes: ["/validate-eviction": { _ in .json(Array("{}".utf8)) }],
            certificates: certificates, logger: quietLogger)
    }

    @Test("bootstrap creates the Secret, sets every webhook's caBundle, and the server is verifiable with ca.crt")
    func bootstrap() async throws {
        try await withKubeSim(KubeSimConfiguration.withOperatorNamespace) { sim in
            let client = makeClient(sim)
            _ = try await client.create(evictionWebhookConfiguration("ms2m-validating", caBundle: Data("stale".utf8).base64EncodedString()))
            let certificates = ServingCertificateSource()
            let manager = WebhookCertificateManager(
                mode: .selfManaged(secretOptions(validating: ["ms2m-validating"]), api: client),
                certificates: certificates, logger: quietLogger)
            let server = serverFor(certificates)

            try await whileRunning([manager.run, server.run]) {
                let port = try #require(await server.waitUntilListening())
                let stored = try await secret(client)
                #expect(stored.type == "kubernetes.io/tls")
                #expect(Set(stored.data?.keys.map { $0 } ?? []) == ["tls.crt", "tls.key", "ca.crt", "ca.key"])
                #expect(stored.metadata.labels?["app.kubernetes.io/managed-by"] == "ms2m-operator")
                let caPEM = try #require(stored.string("ca.crt"))
                #expect(certificates.current?.certificateChainPEM == stored.string("tls.crt"))

                #expect(try await eventually {
                    let configuration = try await client.get(ValidatingWebhookConfiguration.self, name: "ms2m-validating")
                    return configuration.webhooks?.allSatisfy { $0.clientConfig.decodedCABundle == Data(caPEM.utf8) } == true
                })
                // Fields other than caBundle are untouched.
                let configuration = try await client.get(ValidatingWebhookConfiguration.self, name: "ms2m-validating")
                #expect(configuration.webhooks?.map(\.name) == ["evictions.ms2m.io", "evictions-dry-run.ms2m.io"])
                #expect(configuration.webhooks?.first?.clientConfig.service?.path == "/validate-eviction")
                #expect(configuration.webhooks?.first?.matchConditions?.first?.name == "not-kube-system")

                let https = TestClient(caPEM: caPEM)
                defer { https.shutdown() }
                #expect(try await https.post(port: port, path: "/validate-eviction").status == 200)

                // A second pass writes nothing.
                let secretVersion = stored.metadata.resourceVersion
                let configurationVersion = configuration.metadata.resourceVersion
                #expect(try await manager.reconcile())
                #expect(try await secret(client).metadata.resourceVersion == secretVersion)
                #expect(try await client.get(ValidatingWebhookConfiguration.self, name: "ms2m-validating").metadata.resourceVersion
                    == configurationVersion)
            }
        }
    }

    @Test("a webhook configuration that does not exist yet is not fatal and gets its caBundle once it appears")
    func configurationAppearsLater() async throws {
        try await withKubeSim(KubeSimConfiguration.withOperatorNamespace) { sim in
            let client = makeClient(sim)
            let logs = LogCapture()
            let certificates = ServingCertificateSource()
            let manager = WebhookCertificateManager(
                mode: .selfManaged(secretOptions(validating: ["late"], mutating: ["late-mutating"]), api: client),
                certificates: certificates, retryInterval: .milliseconds(50), logger: logs.logger)
            try await whileRunning([manager.run]) {
                #expect(await certificates.waitForCertificate() != nil)
                let notFound = { logs.all.filter { $0.message.contains("not found") }.count }
                #expect(await eventually { notFound() == 2 })
                try await Task.sleep(for: .milliseconds(300))  // several retries at 50 ms
                #expect(notFound() == 2, "reported once per configuration, not on every retry")

                _ = try await client.create(evictionWebhookConfiguration("late"))
                _ = try await client.create(MutatingWebhookConfiguration(
                    metadata: ObjectMeta(name: "late-mutating"),
                    webhooks: [MutatingWebhook(
                        name: "defaults.ms2m.io", clientConfig: WebhookClientConfig(url: "https://127.0.0.1:9443/mutate"),
                        rules: [RuleWithOperations(operations: [.create], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"])],
                        sideEffects: .noSideEffects, admissionReviewVersions: ["v1"], reinvocationPolicy: .ifNeeded)]))
                let caPEM = try #require(try await secret(client).string("ca.crt"))
                #expect(try await eventually {
                    let validating = try await client.get(ValidatingWebhookConfiguration.self, name: "late")
                    let mutating = try await client.get(MutatingWebhookConfiguration.self, name: "late-mutating")
                    return validating.webhooks?.allSatisfy { $0.clientConfig.decodedCABundle == Data(caPEM.utf8) } == true
                        && mutating.webhooks?.first?.clientConfig.decodedCABundle == Data(caPEM.utf8)
                })
                let mutating = try await client.get(MutatingWebhookConfiguration.self, name: "late-mutating")
                #expect(mutating.webhooks?.first?.reinvocationPolicy == .ifNeeded)
                #expect(mutating.webhooks?.first?.clientConfig.url == "https://127.0.0.1:9443/mutate")
            }
        }
    }

    @Test("two replicas racing to create, then to renew, end with one Secret and serve the same certificate")
    func twoReplicasRace() async throws {
        try await withKubeSim(KubeSimConfiguration.withOperatorNamespace) { sim in
            let clock = TestClock(Date() - 25 * day)
            let logs = LogCapture()
            let sources = [ServingCertificateSource(), ServingCertificateSource()]
            /// Both replicas read the Secret before either writes, then write at the same time.
            func race() async throws {
                let barrier = Barrier(parties: 2)
                let managers = sources.map { source in
                    WebhookCertificateManager(
                        mode: .selfManaged(
                            secretOptions(servingValidity: .seconds(30 * 86_400)),
                            api: LockstepAPI(makeClient(sim), barrier: barrier)),
                        certificates: source, now: clock.function, logger: logs.logger)
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for manager in managers { group.addTask { try await manager.reconcile() } }
                    try await group.waitForAll()
                }
            }

            try await race()
            let created = try await secret(makeClient(sim))
            let first = try #require(sources[0].current)
            #expect(sources[1].current == first)
            #expect(first.certificateChainPEM == created.string("tls.crt"))
            #expect(logs.all.filter { $0.message.contains("Another replica created") }.count == 1)
            #expect(logs.all.filter { $0.message == "Webhook certificate Secret created" }.count == 2, "CA and serving certificate")

            clock.set(Date())  // 5 of 30 days left: both replicas renew, one of them wins
            try await race()
            let renewed = try await secret(makeClient(sim))
            let second = try #require(sources[0].current)
            #expect(second != first)
            #expect(sources[1].current == second)
            #expect(second.certificateChainPEM == renewed.string("tls.crt"))
            #expect(renewed.string("ca.crt") == created.string("ca.crt"))
            #expect(logs.all.filter { $0.message.contains("changed meanwhile") }.count == 1)
            let secrets = try await makeClient(sim).list(Secret.self, namespace: TestNames.namespace)
            #expect(secrets.items.count { $0.metadata.name == "ms2m-webhook-cert" } == 1)
        }
    }

    @Test("a serving certificate close to expiry is replaced; new connections get it; the CA stays")
    func servingRotation() async throws {
        try await withKubeSim(KubeSimConfiguration.withOperatorNamespace) { sim in
            let client = makeClient(sim)
            // 30-day certificates issued 25 days ago: 5 days left, less than a third.
            let clock = TestClock(Date() - 25 * day)
            let certificates = ServingCertificateSource()
            let manager = WebhookCertificateManager(
                mode: .selfManaged(secretOptions(servingValidity: .seconds(30 * 86_400)), api: client),
                certificates: certificates, now: clock.function, logger: quietLogger)
            try await manager.reconcile()
            let before = try await secret(client)
            let old = try #require(certificates.current)
            let server = serverFor(certificates)

            try await whileRunning([server.run]) {
                let port = try #require(await server.waitUntilListening())
                #expect(try await presentedCertificate(port: port) == leafPEM(old))

                clock.set(Date() - 10 * day)  // 15 days left: not due yet
                try await manager.reconcile()
                #expect(certificates.current == old)

                clock.set(Date())
                try await manager.reconcile()
                let after = try await secret(client)
                let renewed = try #require(certificates.current)
                #expect(renewed != old)
                #expect(renewed.certificateChainPEM == after.string("tls.crt"))
                #expect(after.string("ca.crt") == before.string("ca.crt"))
                #expect(after.string("ca.key") == before.string("ca.key"))
                #expect(try await presentedCertificate(port: port) == leafPEM(renewed))
                let https = TestClient(caPEM: try #require(after.string("ca.crt")))
                defer { https.shutdown() }
                #expect(try await https.post(port: port, path: "/validate-eviction").status == 200)
            }
        }
    }

    @Test("CA rotation keeps the old CA in the bundle until it expires; the old CA's leaf is kept while valid")
    func caRotation() async throws {
        try await withKubeSim(KubeSimConfiguration.withOperatorNamespace) { sim in
            let client = makeClient(sim)
            _ = try await client.create(evictionWebhookConfiguration("ms2m-validating"))
            // A 90-day CA (renewed with under 30 days left) and 60-day serving certificates (under 20 days left).
            let start = Date() - 61 * day
            let clock = TestClock(start)
            let certificates = ServingCertificateSource()
            let manager = WebhookCertificateManager(
                mode: .selfManaged(
                    secretOptions(validating: ["ms2m-validating"], caValidity: .seconds(90 * 86_400),
                        servingValidity: .seconds(60 * 86_400)),
                    api: client),
                certificates: certificates, now: clock.function, logger: quietLogger)
            try await manager.reconcile()
            let firstCA = try #require(try await secret(client).string("ca.crt"))

            clock.set(start + 45 * day)  // the serving certificate is due; the CA is not
            try await manager.reconcile()
            let secondLeaf = try #require(certificates.current)
            #expect(try await secret(client).string("ca.crt") == firstCA)

            clock.set(start + 61 * day)  // now: the CA has 29 days left
            try await manager.reconcile()
            let rotated = try await secret(client)
            let bundle = try #require(rotated.string("ca.crt"))
            let cas = PEM.certificates(in: bundle).certificates
            #expect(cas.count == 2)
            #expect(cas.last == PEM.certificates(in: firstCA).certificates.first)
            #expect(certificates.current == secondLeaf, "the leaf from the old CA is still valid and trusted")
            let configuration = try await client.get(ValidatingWebhookConfiguration.self, name: "ms2m-validating")
            #expect(configuration.webhooks?.allSatisfy { $0.clientConfig.decodedCABundle == Data(bundle.utf8) } == true)

            // An API server with either bundle trusts the server.
            let server = serverFor(certificates)
            try await whileRunning([server.run]) {
                let port = try #require(await server.waitUntilListening())
                for ca in [bundle, firstCA] {
                    let https = TestClient(caPEM: ca)
                    defer { https.shutdown() }
                    #expect(try await https.post(port: port, path: "/validate-eviction").status == 200)
                }
            }

            clock.set(start + 80 * day)  // the leaf is due again: issued by the new CA
            try await manager.reconcile()
            let thirdLeaf = try #require(certificates.current)
            #expect(cas.first.map { thirdLeaf.leaf.isIssued(by: $0) } == true)

            clock.set(start + 91 * day)  // the old CA has expired: it leaves the bundle
            try await manager.reconcile()
            let pruned = try #require(try await secret(client).string("ca.crt"))
            #expect(PEM.certificates(in: pruned).certificates == [cas[0]])
            #expect(try await eventually {
                let configuration = try await client.get(ValidatingWebhookConfiguration.self, name: "ms2m-validating")
                return configuration.webhooks?.allSatisfy { $0.clientConfig.decodedCABundle == Data(pruned.utf8) } == true
            })
        }
    }

    @Test("a corrupted Secret is repaired with a warning that says what was wrong")
    func corruptedSecret() async throws {
        try await withKubeSim(KubeSimConfiguration.withOperatorNamespace) { sim in
            let client = makeClient(sim)
            var broken = Secret(metadata: ObjectMeta(name: "ms2m-webhook-cert", namespace: TestNames.namespace), type: "kubernetes.io/tls")
            broken.setString("tls.crt", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n")
            broken.setString("tls.key", "garbage")
            broken.setString("ca.crt", "garbage")
            broken.setString("ca.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            broken.setString("unrelated", "kept")
            _ = try await client.create(broken)

            let logs = LogCapture()
            let certificates = ServingCertificateSource()
            let manager = WebhookCertificateManager(
                mode: .selfManaged(secretOptions(), api: client), certificates: certificates, logger: logs.logger)
            try await manager.reconcile()

            let repaired = try await secret(client)
            let caPEM = try #require(repaired.string("ca.crt"))
            let ca = try CertificateAuthority(certificatePEM: caPEM, privateKeyPEM: try #require(repaired.string("ca.key")))
            let serving = try ServingCertificate(
                certificateChainPEM: try #require(repaired.string("tls.crt")), privateKeyPEM: try #require(repaired.string("tls.key")))
            #expect(serving.leaf.isIssued(by: ca.certificate))
            #expect(certificates.current == serving)
            #expect(repaired.string("unrelated") == "kept")
            let warnings = logs.all.filter { $0.level == .warning && $0.message == "Repaired the webhook certificate Secret" }
            #expect(warnings.contains { $0.metadata["change"]?.contains("ca.crt") == true })
            #expect(warnings.contains { $0.metadata["change"]?.contains("tls.crt/tls.key unusable") == true })

            // A serving key that belongs to another certificate: only the serving pair is re-issued.
            var mismatched = repaired
            mismatched.setString("tls.key", try makeTestIdentity().serving.privateKeyPEM)
            _ = try await client.update(mismatched)
            try await manager.reconcile()
            let fixed = try await secret(client)
            #expect(fixed.string("ca.key") == repaired.string("ca.key"))
            #expect(fixed.string("ca.crt") == caPEM)
            #expect(fixed.string("tls.crt") != repaired.string("tls.crt"))
            #expect(logs.all.contains { $0.metadata["change"]?.contains("does not match") == true })
        }
    }
}
