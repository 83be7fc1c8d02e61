/// Decoding each sender's push fixture with its `SourceDecoder`, and Foundation's JSONSerialization as a baseline.
import Benchmark
import Foundation
import Router

/// Each case prepared once per process, on first use (a benchmark process runs one benchmark).
private let prepared: [SourceKind: Result<PreparedDecoding, any Error>] = Dictionary(
    uniqueKeysWithValues: DecodingCase.all.map { item in (item.kind, Result { try item.prepared() }) }
)

/// The Distribution fixture's body, for the baseline.
private let distributionBody = Result { try Data(contentsOf: DecodingCase.distribution.bodyURL) }

let benchmarks: @Sendable () -> Void = {
    func configuration(setup: @escaping Benchmark.BenchmarkSetupHook) -> Benchmark.Configuration {
        .init(
            metrics: [.throughput, .wallClock, .mallocCountTotal],
            timeUnits: .nanoseconds,
            warmupIterations: 100,
            maxDuration: .seconds(3),
            maxIterations: 1_000_000,
            setup: setup
        )
    }

    for item in DecodingCase.all {
        let setup: Benchmark.BenchmarkSetupHook = {
            guard let result = prepared[item.kind] else { return }
            let ready = try result.get()
            print("\(item.kind.rawValue): \(item.directory)/\(item.name).json, \(ready.bytes) bytes")
        }
        Benchmark("decode \(item.kind.rawValue) \(item.name)", configuration: configuration(setup: setup)) { benchmark in
            guard case .success(let ready) = prepared[item.kind] else { return }
            benchmark.startMeasurement()
            blackHole(try? ready.decoder.decode(ready.payload, context: DecodingCase.context))
        }
    }

    let baselineSetup: Benchmark.BenchmarkSetupHook = { _ = try distributionBody.get() }
    Benchmark("JSONSerialization distribution 03-push-manifest", configuration: configuration(setup: baselineSetup)) { benchmark in
        guard case .success(let body) = distributionBody else { return }
        benchmark.startMeasurement()
        blackHole(try? JSONSerialization.jsonObject(with: body))
    }
}
