import Testing
import Unstructured
import YAMLCodec

@Suite("YAML.decode")
struct YAMLDecodeTests {
    enum PortProtocol: String, Codable, Equatable {
        case tcp = "TCP"
        case udp = "UDP"
    }

    struct Port: Codable, Equatable {
        var containerPort: Int32
        var `protocol`: PortProtocol?
    }

    struct Container: Codable, Equatable {
        var name: String
        var image: String
        var args: [String]?
        var ports: [Port]
        var env: [String: String]?
    }

    struct PodSpec: Codable, Equatable {
        var containers: [Container]
        var restartPolicy: String?
        var priority: Double?
        var hostNetwork: Bool
        var extra: JSONValue?
    }

    @Test("decodes a Codable struct with nested arrays, optionals and enums")
    func decodesStruct() throws {
        let text = """
            containers:
            - name: web
              image: nginx
              args: [--port, "80"]
              ports:
              - containerPort: 80
                protocol: TCP
              - containerPort: 0x35
                protocol: UDP
            - name: sidecar
              image: busybox
              ports: []
              env: {MODE: "on", LEVEL: "3"}
            hostNetwork: no
            priority: 5
            unknownField: ignored
            extra: {b: 1, a: [x]}
            """
        let spec = try YAML.decode(PodSpec.self, from: text)
        #expect(
            spec.containers == [
                Container(
                    name: "web", image: "nginx", args: ["--port", "80"],
                    ports: [Port(containerPort: 80, protocol: .tcp), Port(containerPort: 53, protocol: .udp)],
                    env: nil),
                Container(name: "sidecar", image: "busybox", args: nil, ports: [], env: ["MODE": "on", "LEVEL": "3"]),
            ])
        #expect(spec.hostNetwork == false)
        #expect(spec.restartPolicy == nil)
        #expect(spec.priority == 5)
        #expect(spec.extra?.objectValue?.keys.elementsEqual(["b", "a"]) == true)
    }

    @Test("a wrong type is a YAMLError with the YAML path and the value's position")
    func wrongType() throws {
        let text = """
            containers:
            - name: web
              image: nginx
              ports:
              - containerPort: eighty
            hostNetwork: false
            """
        let error = try #require(throws: YAMLError.self) { try YAML.decode(PodSpec.self, from: text) }
        #expect(error.path == "containers[0].ports[0].containerPort")
        #expect(error.line == 5)
        #expect(error.column == 20)
        #expect(error.message == "expected an integer, found a string", "the document's words, not Swift's (Int32)")
        #expect(error.description.contains("containers[0].ports[0].containerPort"))
    }

    @Test("a missing key names the key and points at its mapping")
    func missingKey() throws {
        let text = "containers:\n- name: web\n  ports: []\nhostNetwork: true\n"
        let error = try #require(throws: YAMLError.self) { try YAML.decode(PodSpec.self, from: text) }
        #expect(error.message.contains("\"image\""))
        #expect(error.path == "containers[0]")
        #expect(error.line == 2)
    }

    @Test("an unknown enum case is reported at its path")
    func badEnum() throws {
        let text = "containers: [{name: a, image: b, ports: [{containerPort: 1, protocol: SCTP}]}]\nhostNetwork: true\n"
        let error = try #require(throws: YAMLError.self) { try YAML.decode(PodSpec.self, from: text) }
        #expect(error.path == "containers[0].ports[0].protocol")
        #expect(error.line == 1)
    }

    @Test("syntax errors pass through decode unchanged")
    func syntaxError() throws {
        let error = try #require(throws: YAMLError.self) { try YAML.decode(PodSpec.self, from: "a: b: c\n") }
        #expect(error.path == nil)
        #expect(error.line == 1)
    }
}
