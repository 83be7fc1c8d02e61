// swift-tools-version: 6.1
import PackageDescription

// Dependencies point one way: RuleParser <- Router <- Runner <- harbinger.
// RuleParser and Router stay light (no networking, no crypto) so their tests build fast.
let package = Package(
    name: "harbinger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "harbinger", targets: ["harbinger"]),
        .library(name: "RuleParser", targets: ["RuleParser"]),
        .library(name: "Router", targets: ["Router"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/mxcl/Version", from: "2.2.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Runner and harbinger only: networking, storage, processes, crypto, observability.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Already in the graph through Hummingbird; named for the webhook handler in its HTTP/1 pipeline.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "RuleParser",
            dependencies: [
                "CYAML",
                .product(name: "Version", package: "Version"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(name: "Router", dependencies: ["RuleParser"]),
        // glibc's malloc.h (malloc_trim), which Swift's Glibc module does not include.
        .systemLibrary(name: "CMalloc"),
        // posix_spawn with a session, a workdir and closefrom; pidfds; epoll (Runner's `shell` action).
        .target(name: "CSpawn"),
        .target(
            name: "Runner",
            dependencies: [
                "Router",
                "CMalloc",
                "CSpawn",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "harbinger",
            dependencies: [
                "Runner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "RuleParserTests", dependencies: ["RuleParser"], exclude: ["Invalid"]),
        .testTarget(name: "RouterTests", dependencies: ["Router"], exclude: ["Fixtures"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner"], exclude: ["Support/receiver.py"]),
        .testTarget(
            name: "HarbingerTests",
            dependencies: [
                "harbinger", "RuleParser", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Support/burst.py", "Support/token_server.py", "Support/push_referrer.py"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
