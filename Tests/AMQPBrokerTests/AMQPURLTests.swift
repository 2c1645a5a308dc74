import AMQPBroker
import OperatorCore
import Testing

@Suite("AMQPURL")
struct AMQPURLTests {
    @Test("a full amqp URL is split and percent-decoded")
    func fullURL() throws {
        let url = try AMQPURL("amqp://us%40er:p%3Ass%2Fw@rabbit.example:5673/%2Fprod?heartbeat=10")
        #expect(!url.usesTLS)
        #expect(url.host == "rabbit.example")
        #expect(url.port == 5673)
        #expect(url.username == "us@er")
        #expect(url.password == "p:ss/w")
        #expect(url.virtualHost == "/prod")
        #expect(url.parameters == ["heartbeat": "10"])
        #expect(try url.resolvedOptions(RabbitMQBrokerOptions()).heartbeat == .seconds(10))
    }

    @Test("defaults: guest, port by scheme, virtual host /", arguments: [
        ("amqp://localhost", false, 5672, "/"),
        ("amqp://localhost/", false, 5672, "/"),
        ("amqps://broker.example", true, 5671, "/"),
        ("AMQPS://broker.example/%2F", true, 5671, "/"),
        ("amqp://h:1234/vh", false, 1234, "vh"),
    ])
    func defaults(text: String, tls: Bool, port: Int, vhost: String) throws {
        let url = try AMQPURL(text)
        #expect(url.usesTLS == tls)
        #expect(url.port == port)
        #expect(url.virtualHost == vhost)
        #expect(url.username == "guest")
        #expect(url.password == "guest")
    }

    @Test("IPv6 literals keep their colons")
    func ipv6() throws {
        let url = try AMQPURL("amqp://u:p@[::1]:5679/v")
        #expect(url.host == "::1")
        #expect(url.port == 5679)
        #expect(url.description == "amqp://u:***@[::1]:5679/v")
    }

    @Test("TLS options come from the query", arguments: [true, false])
    func tlsQuery(verify: Bool) throws {
        let url = try AMQPURL(
            "amqps://h/?cacertfile=%2Fetc%2Fca.pem&certfile=/c.pem&keyfile=/k.pem&verify=\(verify ? "verify_peer" : "verify_none")")
        let options = try url.resolvedOptions(RabbitMQBrokerOptions())
        #expect(options.tls.caCertificateFile == "/etc/ca.pem")
        #expect(options.tls.clientCertificateFile == "/c.pem")
        #expect(options.tls.clientKeyFile == "/k.pem")
        #expect(options.tls.verifyPeer == verify)
        #expect(options.tls.verifyHostname == verify)
    }

    @Test("credentials replace the URL's user and password; the description masks the password")
    func credentials() throws {
        let url = try AMQPURL("amqp://a:b@h/").applying(BrokerCredentials(username: "svc", password: "s3cret"))
        #expect(url.username == "svc")
        #expect(url.password == "s3cret")
        #expect(!url.description.contains("s3cret"))
        #expect(url.description == "amqp://svc:***@h:5672")
    }

    @Test("malformed URLs are invalidArgument errors that say what is wrong", arguments: [
        ("http://h/", "scheme"),
        ("amqp://", "host"),
        ("amqp://h:99999/", "port"),
        ("amqp://h:x/", "port"),
        ("amqp://h/a/b", "one path segment"),
        ("amqp://h/%zz", "percent-encoding"),
        ("amqp://[::1/", "IPv6"),
        ("amqps://h/?verify=maybe", "verify"),
        ("amqp://h/?heartbeat=-1", "heartbeat"),
    ])
    func malformed(text: String, mentions: String) throws {
        let error = #expect(throws: BrokerError.self) {
            _ = try AMQPURL(text).resolvedOptions(RabbitMQBrokerOptions())
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
    }

    @Test("connecting with a malformed URL fails before any I/O")
    func connectMalformed() async throws {
        let error = await #expect(throws: BrokerError.self) {
            _ = try await RabbitMQBroker.connect(url: "amqps//nope")
        }
        #expect(error?.kind == .invalidArgument)
        let poolError = await #expect(throws: BrokerError.self) {
            _ = try await RabbitMQBrokerPool().broker(url: "rabbitmq://h", credentials: nil)
        }
        #expect(poolError?.kind == .invalidArgument)
    }
}
