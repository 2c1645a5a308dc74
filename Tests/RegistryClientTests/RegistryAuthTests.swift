import CurlTransport
import Foundation
import HTTPTransport
import Testing
import TestSupport
@testable import RegistryClient

extension RegistryIntegration {
    @Suite("TLS and authentication")
    struct Auth {
        private func push(_ pusher: CheckpointImagePusher, _ fixture: Fixture, _ image: String) async throws -> CheckpointPushResult {
            try await pusher.push(CheckpointPushRequest(
                archivePath: fixture.archive, containerName: "counter", destination: try ImageDestination(parsing: image),
                upload: UploadOptions(chunkSize: 128 << 10)))
        }

        @Test("HTTPS with the generated CA works; another CA fails the handshake")
        func tls() async throws {
            let certificates = try await TestCertificates.create()
            let other = try await TestCertificates.create(caName: "someone-else")
            defer { certificates.remove(); other.remove() }
            let fixture = try Fixture.make(pagesSize: 300_000, seed: 11)
            defer { fixture.remove() }
            var options = TestRegistry.Options()
            options.tls = certificates
            try await withRegistry(options) { registry in
                let good = CheckpointImagePusher(transport: makeTransport(caFile: certificates.caCertificatePath), retry: testRetry)
                let result = try await push(good, fixture, "\(registry.host)/ms2m/tls:v1")
                #expect(try await good.client(for: registry.host).imageExists(try ImageReference(parsing: result.image)))

                let bad = CheckpointImagePusher(transport: makeTransport(caFile: other.caCertificatePath), retry: .none)
                do {
                    _ = try await push(bad, fixture, "\(registry.host)/ms2m/tls:v2")
                    Issue.record("pushed with the wrong CA")
                } catch let RegistryError.transport(error, _) {
                    #expect(error.kind == .tls)
                }
            }
        }

        @Test("htpasswd basic auth: the right user pushes, a wrong password and no credentials fail")
        func basic() async throws {
            let fixture = try Fixture.make(pagesSize: 200_000, seed: 12)
            defer { fixture.remove() }
            var options = TestRegistry.Options()
            options.auth = .htpasswd(user: "ms2m", password: "migrate-me")
            try await withRegistry(options) { registry in
                let good = CheckpointImagePusher(
                    transport: makeTransport(), credentials: RegistryCredentials(username: "ms2m", password: "migrate-me"),
                    plainHTTP: true, retry: testRetry)
                let result = try await push(good, fixture, "\(registry.host)/ms2m/basic:v1")
                #expect(try await good.client(for: registry.host).annotations(try ImageReference(parsing: result.image))[CheckpointAnnotation.crioName] == "counter")

                for credentials in [RegistryCredentials(username: "ms2m", password: "wrong"), nil] {
                    let bad = CheckpointImagePusher(transport: makeTransport(), credentials: credentials, plainHTTP: true, retry: .none)
                    do {
                        _ = try await push(bad, fixture, "\(registry.host)/ms2m/basic:v2")
                        Issue.record("pushed with credentials \(String(describing: credentials))")
                    } catch RegistryError.authenticationFailed(let message) {
                        #expect(!message.isEmpty)
                    }
                }
            }
        }

        @Test("bearer tokens from the registry's token realm, via docker config credentials")
        func bearer() async throws {
            let tokens = try await TokenServer.start(user: "robot", password: "t0ken-pw")
            defer { tokens.stop() }
            let fixture = try Fixture.make(pagesSize: 400_000, seed: 13)
            defer { fixture.remove() }
            var options = TestRegistry.Options()
            options.auth = .token(tokens)
            try await withRegistry(options) { registry in
                let auth = Data("robot:t0ken-pw".utf8).base64EncodedString()
                let config = #"{"auths":{"\#(registry.host)":{"auth":"\#(auth)"}}}"#
                let credentials = try RegistryCredentials.fromDockerConfig(data: Array(config.utf8), registry: registry.host)
                let pusher = CheckpointImagePusher(transport: makeTransport(), credentials: credentials, plainHTTP: true, retry: testRetry)
                let result = try await push(pusher, fixture, "\(registry.host)/ms2m/bearer:v1")
                #expect(tokens.issued >= 1)
                let client = pusher.client(for: registry.host)
                let reference = try ImageReference(parsing: result.image)
                #expect(try await client.annotations(reference)[CheckpointAnnotation.criuName] == "counter")
                try await client.deleteImage(reference)
                #expect(try await !client.imageExists(reference))

                let wrong = CheckpointImagePusher(
                    transport: makeTransport(), credentials: RegistryCredentials(username: "robot", password: "nope"), plainHTTP: true,
                    retry: .none)
                do {
                    _ = try await push(wrong, fixture, "\(registry.host)/ms2m/bearer:v2")
                    Issue.record("pushed with a wrong token password")
                } catch RegistryError.authenticationFailed(let message) {
                    #expect(message.contains("token endpoint"))
                }
            }
        }
    }
}
