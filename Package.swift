// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ms2m",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ms2m", targets: ["MS2MCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
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

        // MARK: Kubernetes model, transport, client
        .target(name: "KubeModel", dependencies: ["Unstructured"]),
        .target(name: "HTTPTransport"),
        .target(name: "CurlTransport", dependencies: ["CCurl", "CShims", "HTTPTransport"]),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeModel", "Unstructured", "YAMLCodec", "HTTPTransport", "CurlTransport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Kubernetes API emulator (tests, benchmarks, `ms2m simulate`)
        .target(
            name: "KubeSim",
            dependencies: [
                "Unstructured", "KubeModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Executables
        .executableTarget(
            name: "MS2MCLI",
            dependencies: [
                "KubeSim", "KubeClient", "KubeModel", "Unstructured", "YAMLCodec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Test scaffolding shared by test targets (certificates, processes)
        .target(name: "TestSupport"),

        // MARK: Tests
        .testTarget(name: "UnstructuredTests", dependencies: ["Unstructured"]),
        .testTarget(name: "YAMLCodecTests", dependencies: ["YAMLCodec", "Unstructured"]),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel", "Unstructured"]),
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
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "KubeSim", "KubeModel", "Unstructured", "HTTPTransport", "CurlTransport", "TestSupport",
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "CShims" {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    target.swiftSettings = settings
}
