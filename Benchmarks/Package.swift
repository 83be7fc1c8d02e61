// swift-tools-version: 6.1
import PackageDescription

// Benchmarks for Harbinger's Router, kept in their own package so the main package does not
// depend on ordo-one/benchmark. Run from this directory:
//   swift package --allow-writing-to-package-directory benchmark
//
// `traits: ["MallocInterposer"]` leaves out benchmark's default `RuntimeInterposer` trait: on Linux with
// Swift 6.3 that trait pulls in ordo-one/swift-runtime-interposer, which the package mirror here does not
// have, so resolution would fail. The main package is named explicitly because a path dependency's
// identity is its directory name, which differs between checkouts.
let package = Package(
    name: "HarbingerBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "harbinger", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // The same version the main package uses, for the bare endpoint that bench/serve.sh compares against.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "Routing",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Router", package: "harbinger"),
            ],
            path: "Benchmarks/Routing",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Decoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Router", package: "harbinger"),
            ],
            path: "Benchmarks/Decoding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Not a benchmark: a plain executable for profilers.
        .executableTarget(
            name: "LoadDriver",
            dependencies: [.product(name: "Router", package: "harbinger")],
            path: "Tools/LoadDriver"
        ),
        // Not a benchmark: the bare Hummingbird endpoint that bench/serve.sh measures Harbinger's ingest against.
        .executableTarget(
            name: "BareEndpoint",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Tools/BareEndpoint"
        ),
    ],
    swiftLanguageModes: [.v6]
)
