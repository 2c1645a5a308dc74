import TestSupport

/// The shared RabbitMQ test node now lives in TestSupport (every broker-facing test target uses it); this
/// alias keeps the name visible in every file of this target, whether or not the file imports TestSupport.
typealias RabbitMQTestServer = TestSupport.RabbitMQTestServer
