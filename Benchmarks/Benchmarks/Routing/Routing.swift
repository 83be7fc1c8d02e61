/// `RuleSet.route(_:)` for one push event against generated rules files of 10, 1,000 and 10,000 rules.
import Benchmark
import Router

// No `.cpuTotal`: on Linux it has 10 ms granularity (0 for every sub-microsecond iteration), and reading it
// each iteration adds 16 allocations to `mallocCountTotal` and ~130 ns to the wall clock. `--metric cpuTotal`
// brings it back for one run.
let benchmarks: @Sendable () -> Void = {
    for count in RoutingScenarios.sizes {
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal, .throughput],
            timeUnits: .nanoseconds,
            warmupIterations: 1_000,
            maxDuration: .seconds(5),
            maxIterations: 1_000_000,
            setup: {
                let scenario = try RoutingScenarios.scenario(rules: count).get()
                print("\(count) rules: \(scenario.matched.count) matched by \(scenario.event.repository):\(scenario.event.tag ?? "")")
            }
        )
        Benchmark("route push, \(count) rules", configuration: configuration) { benchmark in
            guard case .success(let scenario) = RoutingScenarios.scenario(rules: count) else { return }
            benchmark.startMeasurement()
            blackHole(scenario.ruleSet.route(scenario.event))
        }
    }

    // `harbinger check` is this load plus process start-up; bench/check-10k.sh times the executable.
    let loading = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal], timeUnits: .milliseconds,
                                          warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 20)
    Benchmark("load and check 10000 rules", configuration: loading) { benchmark in
        guard let text = try? RoutingScenario.generatedRules(10_000) else { return }
        benchmark.startMeasurement()
        blackHole(RulesLoader(environment: [:]).load(text: text, file: "rules.yml").rules?.rules.count)
    }
}
