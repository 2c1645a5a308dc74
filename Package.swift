// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ms2m",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ms2m", targets: ["MS2MCLI"]),
        .executable(name: "checkpoint-transfer", targets: ["CheckpointTransfer"]),
        .executable(name: "ms2m-sample-consumer", targets: ["SampleConsumer"]),
        .executable(name: "ms2m-operator", targets: ["OperatorMain"]),
        .executable(name: "ms2m-agent", targets: ["AgentMain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.1.0"),
    ],
    targets: [
        // MARK: C libraries (Debian -dev packages) and the one shim target
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CShims", dependencies: ["CCurl", "CRabbitMQ"]),

        // MARK: Values and codecs
        .target(name: "Unstructured", dependencies: [.product(name: "OrderedCollections", package: "swift-collections")]),
        .target(name: "YAMLCodec", dependencies: ["CYAML", "Unstructured"]),

        // MARK: Kubernetes model, ports, transport, client
        .target(name: "KubeModel", dependencies: ["Unstructured"]),
        .target(name: "OperatorCore", dependencies: ["KubeModel", "Unstructured"]),
        .target(name: "HTTPTransport"),
        .target(name: "CurlTransport", dependencies: ["CCurl", "CShims", "HTTPTransport"]),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeModel", "OperatorCore", "Unstructured", "YAMLCodec", "HTTPTransport", "CurlTransport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Controller runtime: informers, work queues, leader election, events, metrics, health
        .target(
            name: "ControllerRuntime",
            dependencies: [
                "OperatorCore", "KubeModel", "Unstructured",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // MARK: Message brokers: AMQP 0-9-1 over librabbitmq, and an in-process broker
        .target(
            name: "AMQPBroker",
            dependencies: [
                "CRabbitMQ", "CShims", "OperatorCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "InProcessBroker", dependencies: ["OperatorCore"]),

        // MARK: OCI images and registries (checkpoint transfer)
        .target(
            name: "RegistryClient",
            dependencies: [
                "HTTPTransport", "CurlTransport", "Unstructured", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: The per-node transfer agent (DaemonSet ms2m-agent): pushes checkpoint archives on request
        .target(name: "TransferAgentAPI"),
        .target(
            name: "TransferAgent",
            dependencies: [
                "TransferAgentAPI", "RegistryClient", "CurlTransport", "HTTPTransport", "KubeClient", "KubeModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // MARK: Kubernetes API emulator (tests, benchmarks, `ms2m simulate`)
        .target(
            name: "KubeSim",
            dependencies: [
                "Unstructured", "KubeModel", "HTTPTransport", "CurlTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Admission webhooks: the HTTPS server and its self-managed serving certificate
        .target(
            name: "WebhookServer",
            dependencies: [
                "KubeModel", "OperatorCore", "Unstructured", "ControllerRuntime",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: MS2M: the custom resources, the phase engine
        .target(name: "MigrationAPI", dependencies: ["KubeModel", "Unstructured"]),
        .target(name: "Placement", dependencies: ["KubeModel"]),
        .target(
            name: "MigrationEngine",
            dependencies: [
                "MigrationAPI", "Placement", "OperatorCore", "KubeModel", "Unstructured", "ControllerRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        .target(
            name: "PolicyEngine",
            dependencies: [
                "MigrationAPI", "Placement", "OperatorCore", "KubeModel", "Unstructured", "ControllerRuntime",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The operator process: adapters behind the engine's ports and the manager that runs both controllers.
        .target(
            name: "OperatorAssembly",
            dependencies: [
                "MigrationEngine", "PolicyEngine", "MigrationAPI", "OperatorCore", "KubeModel", "KubeClient",
                "ControllerRuntime", "AMQPBroker", "RegistryClient", "CurlTransport", "HTTPTransport", "WebhookServer",
                "TransferAgentAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: The sample stateful workload (counter consumer and producer)
        .target(
            name: "SampleWorkload",
            dependencies: [
                "OperatorCore", "Unstructured",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // MARK: Simulated cluster: nodes, kubelets, scheduler, controllers, container runtime
        .target(
            name: "SimCluster",
            dependencies: [
                "KubeSim", "KubeModel", "Unstructured", "OperatorCore", "SampleWorkload", "RegistryClient",
                "CurlTransport", "HTTPTransport", "InProcessBroker", "KubeClient", "ControllerRuntime", "YAMLCodec",
                "TransferAgent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // MARK: Executables
        .executableTarget(
            name: "MS2MCLI",
            dependencies: [
                "KubeSim", "KubeClient", "KubeModel", "Unstructured", "YAMLCodec", "CurlTransport", "HTTPTransport",
                "ControllerRuntime", "OperatorCore", "RegistryClient", "SimCluster", "OperatorAssembly", "SampleWorkload",
                "TransferAgent",
                "InProcessBroker", "AMQPBroker", "MigrationAPI", "MigrationEngine", "PolicyEngine", "Placement", "WebhookServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .executableTarget(
            name: "CheckpointTransfer",
            dependencies: [
                "RegistryClient", "CurlTransport", "HTTPTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "OperatorMain",
            dependencies: [
                "OperatorAssembly", "ControllerRuntime", "KubeClient", "WebhookServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "AgentMain",
            dependencies: [
                "TransferAgent", "KubeClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "SampleConsumer",
            dependencies: [
                "SampleWorkload", "AMQPBroker", "OperatorCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Test scaffolding shared by test targets (certificates, processes)
        .target(
            name: "TestSupport",
            dependencies: [
                "KubeSim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // MARK: Tests
        .testTarget(name: "UnstructuredTests", dependencies: ["Unstructured"]),
        .testTarget(
            name: "FuzzTests",
            dependencies: [
                "AMQPBroker", "KubeClient", "KubeModel", "MigrationAPI", "MS2MCLI", "RegistryClient", "TestSupport",
                "Unstructured", "YAMLCodec",
            ]),
        .testTarget(name: "YAMLCodecTests", dependencies: ["YAMLCodec", "Unstructured"]),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel", "Unstructured"]),
        .testTarget(name: "PlacementTests", dependencies: ["Placement", "KubeModel", "Unstructured"]),
        .testTarget(
            name: "CurlTransportTests",
            dependencies: [
                "CurlTransport", "HTTPTransport", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "KubeSimTests",
            dependencies: ["KubeSim", "Unstructured", "HTTPTransport", "CurlTransport", "TestSupport"]
        ),
        .testTarget(
            name: "ControllerRuntimeTests",
            dependencies: [
                "ControllerRuntime", "OperatorCore", "KubeClient", "KubeSim", "KubeModel", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "AMQPBrokerTests",
            dependencies: ["AMQPBroker", "InProcessBroker", "OperatorCore", "TestSupport"]
        ),
        .testTarget(
            name: "RegistryClientTests",
            dependencies: ["RegistryClient", "CurlTransport", "HTTPTransport", "TestSupport"]
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "KubeSim", "KubeModel", "OperatorCore", "Unstructured", "HTTPTransport", "CurlTransport",
                "TestSupport",
            ]
        ),
        .testTarget(name: "MigrationAPITests", dependencies: ["MigrationAPI", "KubeModel", "Unstructured", "YAMLCodec", "KubeSim", "TestSupport"]),
        .testTarget(
            name: "MigrationEngineTests",
            dependencies: [
                "MigrationEngine", "MigrationAPI", "Placement", "OperatorCore", "KubeModel", "Unstructured", "InProcessBroker",
                .product(name: "Logging", package: "swift-log"),
                "KubeSim", "KubeClient", "TestSupport", "ControllerRuntime",
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "MS2MCLI", "SimCluster", "OperatorAssembly", "SampleWorkload", "AMQPBroker", "TestSupport", "KubeClient", "KubeSim",
                "MigrationAPI", "MigrationEngine", "RegistryClient", "YAMLCodec", "ControllerRuntime", "OperatorCore",
                "KubeModel", "Unstructured", "CurlTransport", "InProcessBroker", "WebhookServer", "PolicyEngine",
                "TransferAgent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "PolicyEngineTests",
            dependencies: [
                "PolicyEngine", "MigrationAPI", "Placement", "OperatorCore", "KubeModel", "Unstructured", "KubeSim",
                "KubeClient", "ControllerRuntime", "TestSupport", "YAMLCodec",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WebhookServerTests",
            dependencies: [
                "WebhookServer", "KubeModel", "OperatorCore", "KubeSim", "KubeClient", "CurlTransport", "HTTPTransport",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SampleWorkloadTests",
            dependencies: ["SampleWorkload", "AMQPBroker", "InProcessBroker", "OperatorCore", "TestSupport"]
        ),
        .testTarget(
            name: "TransferAgentTests",
            dependencies: [
                "TransferAgent", "TransferAgentAPI", "RegistryClient", "CurlTransport", "HTTPTransport", "TestSupport", "KubeModel",
                "KubeClient", "KubeSim", "Unstructured",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "SimClusterTests",
            dependencies: [
                "SimCluster", "KubeSim", "KubeClient", "KubeModel", "Unstructured", "OperatorCore", "SampleWorkload",
                "RegistryClient", "InProcessBroker", "AMQPBroker", "CurlTransport", "HTTPTransport", "TestSupport",
            ],
            exclude: ["Fixtures"]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "CShims" {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
