import Foundation
import TransferAgentAPI
import Testing
import TransferAgent

/// Every refusal of a transfer request: status and the field named, through the API (no server, no pushes).
@Suite("Transfer request validation")
struct ValidationTests {
    /// One refused request: how to spoil a valid one, the status and the field expected.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let status: Int
        let field: String?
        let spoil: @Sendable (inout TransferRequest, AgentFixture) throws -> Void

        var testDescription: String { name }
    }

    static func archive(_ name: String) -> @Sendable (inout TransferRequest, AgentFixture) throws -> Void {
        { request, _ in request.pushes[0].archive = name }
    }

    static let cases: [Case] = [
        Case(name: "parent traversal", status: 400, field: "pushes[0].archive", spoil: archive("../x.tar")),
        Case(name: "absolute path", status: 400, field: "pushes[0].archive", spoil: archive("/etc/passwd")),
        Case(name: "path with a directory", status: 400, field: "pushes[0].archive", spoil: archive("a/b.tar")),
        Case(name: "NUL byte", status: 400, field: "pushes[0].archive", spoil: archive(Names.archive("cart") + "\0.tar")),
        Case(name: "empty archive name", status: 400, field: "pushes[0].archive", spoil: archive("")),
        Case(name: "another pod's archive", status: 400, field: "pushes[0].archive",
             spoil: archive(Names.archive("cart", pod: "cart-1"))),
        Case(name: "another namespace's archive", status: 400, field: "pushes[0].archive",
             spoil: archive(Names.archive("cart", namespace: "other"))),
        Case(name: "another container's archive", status: 400, field: "pushes[0].archive", spoil: archive(Names.archive("ledger"))),
        Case(name: "not a checkpoint name", status: 400, field: "pushes[0].archive", spoil: archive("cart.tar")),
        Case(name: "no pushes", status: 400, field: "pushes", spoil: { request, _ in request.pushes = [] }),
        Case(name: "17 pushes", status: 400, field: "pushes", spoil: { request, fixture in
            request.pushes = (0..<17).map {
                ContainerPush(container: "c\($0)", archive: Names.archive("c\($0)"), destination: "oci:\(fixture.layouts)/c:t")
            }
        }),
        Case(name: "duplicate container", status: 400, field: "pushes[1].container", spoil: { request, _ in
            request.pushes[1] = request.pushes[0]
        }),
        Case(name: "container not a DNS label", status: 400, field: "pushes[0].container", spoil: { request, _ in
            request.pushes[0].container = "Cart_1"
        }),
        Case(name: "bad destination", status: 400, field: "pushes[0].destination", spoil: { request, _ in
            request.pushes[0].destination = "registry.example/UPPER CASE:tag"
        }),
        Case(name: "OCI layout outside the allowed root", status: 400, field: "pushes[0].destination", spoil: { request, _ in
            request.pushes[0].destination = "oci:/tmp/elsewhere:t"
        }),
        Case(name: "OCI layout escaping the root", status: 400, field: "pushes[0].destination", spoil: { request, fixture in
            request.pushes[0].destination = "oci:\(fixture.layouts)/../escape:t"
        }),
        Case(name: "bad pod name", status: 400, field: "pod", spoil: { request, _ in request.pod = "../cart" }),
        Case(name: "bad namespace", status: 400, field: "migration.namespace", spoil: { request, _ in
            request.migration.namespace = "Shop"
        }),
        Case(name: "bad uid", status: 400, field: "migration.uid", spoil: { request, _ in request.migration.uid = "a/b" }),
        Case(name: "credentials not base64", status: 400, field: "registry.dockerConfigJSON", spoil: { request, _ in
            request.registry.dockerConfigJSON = "%%%"
        }),
        Case(name: "archive missing", status: 422, field: "pushes[0].archive", spoil: { _, fixture in
            try FileManager.default.removeItem(atPath: fixture.archivePath("cart"))
        }),
        Case(name: "symlink to an outside file", status: 422, field: "pushes[0].archive", spoil: { _, fixture in
            let outside = fixture.root + "/secret.tar"
            try FileManager.default.moveItem(atPath: fixture.archivePath("cart"), toPath: outside)
            try FileManager.default.createSymbolicLink(atPath: fixture.archivePath("cart"), withDestinationPath: outside)
        }),
        Case(name: "a directory", status: 422, field: "pushes[0].archive", spoil: { _, fixture in
            try FileManager.default.removeItem(atPath: fixture.archivePath("cart"))
            try FileManager.default.createDirectory(atPath: fixture.archivePath("cart"), withIntermediateDirectories: false)
        }),
        Case(name: "empty archive", status: 422, field: "pushes[0].archive", spoil: { _, fixture in
            try Data().write(to: URL(fileURLWithPath: fixture.archivePath("cart")))
        }),
        Case(name: "oversize archive", status: 422, field: "pushes[0].archive", spoil: { _, fixture in
            try Data(repeating: 1, count: 200_000).write(to: URL(fileURLWithPath: fixture.archivePath("cart")))
        }),
    ]

    @Test("refuses with a 4xx naming the field", arguments: cases)
    func refuses(_ testCase: Case) async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        var limits = fixture.limits
        limits.maxArchiveBytes = 100_000
        let agent = try fixture.agent(pusher: StubPusher(delay: .zero), limits: limits)
        var request = fixture.request()
        try testCase.spoil(&request, fixture)
        let response = await agent.api.handle(try post(request))
        #expect(response.status == testCase.status)
        let body = jsonObject(response.body)
        #expect(body["field"] as? String == testCase.field)
        let error = try #require(body["error"] as? String)
        if let field = testCase.field { #expect(error.hasPrefix(field + ": ")) }
        #expect(await agent.manager.status(uid: request.migration.uid) == nil)
        // Nothing refused is ever touched: the archives that exist stay.
        #expect(fixture.exists(fixture.archivePath("ledger")))
    }

    @Test("refuses OCI layouts when no root is allowed")
    func layoutsNeedARoot() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        let agent = try fixture.agent(pusher: StubPusher(delay: .zero), limits: TransferLimits())
        let response = await agent.api.handle(try post(fixture.request()))
        #expect(response.status == 400)
        let body = jsonObject(response.body)
        #expect(body["field"] as? String == "pushes[0].destination")
        #expect((body["error"] as? String)?.contains("--allow-oci-layout-root") == true)
    }

    @Test("a body over 64 KiB is 413, a malformed one 400, a non-JSON one 415")
    func bodies() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        let agent = try fixture.agent(pusher: StubPusher(delay: .zero))
        let huge = AgentHTTPRequest(
            method: "POST", path: "/v1/transfers", headers: headers(),
            body: Array(#"{"pad":""#.utf8) + [UInt8](repeating: 0x61, count: 64 * 1024) + Array(#""}"#.utf8))
        #expect(await agent.api.handle(huge).status == 413)

        let missing = AgentHTTPRequest(method: "POST", path: "/v1/transfers", headers: headers(), body: Array(#"{"pod":"x"}"#.utf8))
        let missingResponse = await agent.api.handle(missing)
        #expect(missingResponse.status == 400)
        #expect(jsonObject(missingResponse.body)["field"] as? String == "migration")

        let wrongType = AgentHTTPRequest(
            method: "POST", path: "/v1/transfers", headers: headers(),
            body: Array(#"{"migration":{"namespace":"shop","name":"m","uid":"u"},"pod":"p","pushes":{}}"#.utf8))
        let wrongTypeResponse = await agent.api.handle(wrongType)
        #expect(wrongTypeResponse.status == 400)
        #expect(jsonObject(wrongTypeResponse.body)["field"] as? String == "pushes")

        let text = AgentHTTPRequest(
            method: "POST", path: "/v1/transfers", headers: headers(contentType: "text/plain"), body: Array("hello".utf8))
        #expect(await agent.api.handle(text).status == 415)
    }

    @Test("names", arguments: [
        ("cart", true), ("cart-0", true), ("a", true), ("-cart", false), ("cart-", false), ("Cart", false),
        ("ca_rt", false), ("", false), (String(repeating: "a", count: 64), false),
    ])
    func labels(_ name: String, _ valid: Bool) {
        #expect(TransferRequestValidator.isDNSLabel(name) == valid)
    }

    func headers(contentType: String = "application/json") -> [(name: String, value: String)] {
        [("Authorization", "Bearer \(Names.token)"), ("Content-Type", contentType)]
    }

    func post(_ request: TransferRequest) throws -> AgentHTTPRequest {
        AgentHTTPRequest(method: "POST", path: "/v1/transfers", headers: headers(), body: Array(try JSONEncoder().encode(request)))
    }
}
