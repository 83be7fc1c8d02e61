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
        .target(name: "Runner", dependencies: ["Router"]),
        .executableTarget(
            name: "harbinger",
            dependencies: [
                "Runner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RuleParserTests", dependencies: ["RuleParser"], exclude: ["Invalid"]),
        .testTarget(name: "RouterTests", dependencies: ["Router"], exclude: ["Fixtures"]),
        .testTarget(name: "HarbingerTests", dependencies: ["harbinger", "RuleParser"]),
    ],
    swiftLanguageModes: [.v6]
)
