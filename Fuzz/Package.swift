// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for the rules parser and the source decoders; they live outside the main package
// so `swift build` and `swift test` there never need the fuzzer runtime. Build and run with ./run.sh
// (rules) and ./run-decoders.sh (every decoder in turn).
let package = Package(
    name: "HarbingerFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency's identity is otherwise its directory name.
        .package(name: "harbinger", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "FuzzRules",
            dependencies: [.product(name: "RuleParser", package: "harbinger")],
            // libFuzzer supplies main(); the module must not emit one.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "FuzzDecoders",
            dependencies: [
                .product(name: "Router", package: "harbinger"),
                .product(name: "RuleParser", package: "harbinger"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
