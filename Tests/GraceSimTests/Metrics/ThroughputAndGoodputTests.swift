import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Throughput over the benchmark's duration (first arrival to last completion) and goodput under an SLO, on whole
/// simulated runs.
@Suite struct ThroughputAndGoodputTests {
    /// One request arriving at 0.5 s: the duration is its end-to-end latency, not the 0.5 s before it plus that.
    @Test func durationRunsFromFirstArrivalToLastCompletion() throws {
        let simulator = try Simulator(experiment: try TestExperiments.singleInstance(),
                                      requests: [TestExperiments.request(at: 0.5, prompt: 100, output: 5)])
        let report = simulator.run()
        let e2eNs = simulator.requests.states[0].finishNs - SimTime.seconds(0.5).ns
        let r = report.overall
        #expect(r.durationSeconds == Double(e2eNs) / 1e9)
        #expect(r.e2el.maxMs == Double(e2eNs) / 1e6)
        #expect(report.simulatedSeconds == 0.5 + Double(e2eNs) / 1e9)
        #expect(r.throughput.requestsPerSecond == 1 / (Double(e2eNs) / 1e9))
        #expect(r.throughput.outputTokensPerSecond == 5 / (Double(e2eNs) / 1e9))
        #expect(r.throughput.totalTokensPerSecond == 105 / (Double(e2eNs) / 1e9))
    }

    /// Two instances: each scope times its own requests; overall spans the first arrival of either to the last
    /// completion of either.
    @Test func eachScopeHasItsOwnDuration() throws {
        let experiment = try TestExperiments.experiment("""
        name: two
        hardware: gh200-96gb
        instances:
          - {model: llama-3-8b, memory_fraction: 0.4}
          - {model: llama-3-8b, memory_fraction: 0.4}
        workload: {max_requests: 1, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 16, output: 16}}
        """)
        let requests = [TestExperiments.request(at: 0.2, prompt: 50, output: 4, instance: 0),
                        TestExperiments.request(at: 0.3, prompt: 50, output: 8, instance: 0),
                        TestExperiments.request(at: 1.0, prompt: 50, output: 4, instance: 1)]
        let simulator = try Simulator(experiment: experiment, requests: requests)
        let report = simulator.run()
        let finish = simulator.requests.states.map(\.finishNs)
        #expect(finish.allSatisfy { $0 > 0 })
        let first = Double(max(finish[0], finish[1]) - SimTime.seconds(0.2).ns) / 1e9
        let second = Double(finish[2] - SimTime.seconds(1.0).ns) / 1e9
        let overall = Double(finish.max()! - SimTime.seconds(0.2).ns) / 1e9
        #expect(report.instances[0].durationSeconds == first)
        #expect(report.instances[1].durationSeconds == second)
        #expect(report.overall.durationSeconds == overall)
        #expect(report.instances[0].throughput.requestsPerSecond == 2 / first)
        #expect(report.overall.throughput.outputTokensPerSecond == 16 / overall)
    }

    /// A alone, B arriving while A's prefill runs: B waits, so its TTFT is longer. With `ttft_ms` at exactly A's
    /// TTFT, A meets the SLO (the limit is inclusive) and B does not; C, with one output token, meets any TPOT limit.
    @Test func goodputCountsTheRequestsWithinTheSLO() throws {
        var experiment = try TestExperiments.singleInstance()
        let requests = [TestExperiments.request(at: 0, prompt: 500, output: 6),
                        TestExperiments.request(at: 0.000_001, prompt: 500, output: 6)]
        let baseline = try Simulator(experiment: experiment, requests: requests)
        let plain = baseline.run()
        #expect(plain.overall.goodputRequestsPerSecond == nil)
        let states = baseline.requests.states
        let ttftA = states[0].firstTokenNs - states[0].arrivalNs
        let ttftB = states[1].firstTokenNs - states[1].arrivalNs
        #expect(ttftB > ttftA)

        experiment.slo = ServiceLevelObjective(ttft: SimTime(ns: ttftA))
        let report = try Simulator(experiment: experiment, requests: requests).run()
        #expect(report.overall.goodputRequestsPerSecond == 1 / report.overall.durationSeconds)
        #expect(report.instances[0].goodputRequestsPerSecond == report.overall.goodputRequestsPerSecond)
        #expect(report.overall.throughput.requestsPerSecond == 2 / report.overall.durationSeconds)

        experiment.slo = ServiceLevelObjective(ttft: SimTime(ns: ttftB - 1))
        #expect(try Simulator(experiment: experiment, requests: requests).run().overall.goodputRequestsPerSecond
                == 1 / report.overall.durationSeconds)
        experiment.slo = ServiceLevelObjective(ttft: SimTime(ns: ttftB))
        #expect(try Simulator(experiment: experiment, requests: requests).run().overall.goodputRequestsPerSecond
                == 2 / report.overall.durationSeconds)

        // TPOT: a limit at the smaller TPOT; and a request of one token, whose TPOT counts as 0.
        let tpot = states.map { $0.timePerOutputTokenNs! }
        experiment.slo = ServiceLevelObjective(tpot: SimTime(ns: tpot.min()!))
        let tpotCount = tpot.filter { $0 <= tpot.min()! }.count
        #expect(try Simulator(experiment: experiment, requests: requests).run().overall.goodputRequestsPerSecond
                == Double(tpotCount) / report.overall.durationSeconds)
        experiment.slo = ServiceLevelObjective(tpot: .zero)
        let single = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0, prompt: 100, output: 1)]).run()
        #expect(single.overall.tpot.count == 0)
        #expect(single.overall.goodputRequestsPerSecond == 1 / single.overall.durationSeconds)
    }

    /// `slo:` keys are read in milliseconds; each is optional.
    @Test func sloIsReadFromTheExperiment() throws {
        let base = try TestExperiments.singleInstance()
        #expect(base.slo == nil)
        let experiment = try TestExperiments.experiment("""
        name: slo
        hardware: gh200-96gb
        instances: [{model: llama-3-8b, memory_fraction: 0.9}]
        workload: {max_requests: 1, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 16, output: 16}}
        slo: {ttft_ms: 200, tpot_ms: 0.5, e2el_ms: 0}
        """)
        #expect(experiment.slo == ServiceLevelObjective(ttft: SimTime(ns: 200_000_000), tpot: SimTime(ns: 500_000), e2el: .zero))
    }
}
