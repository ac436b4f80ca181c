import GraceSimTestSupport
import Testing
@testable import GraceSim

/// A run measured after its warm-up: the window's groups, the report over them, and the steady-state judgement.
@Suite struct SteadyStateTests {
    static func experiment(rate: Double, requests: Int, output: Int = 32, maxNumSeqs: Int = 256) throws -> Experiment {
        try TestExperiments.experiment("""
        name: steady
        hardware: gh200-96gb
        instances: [{model: llama-3-8b, gpu_memory_utilization: 0.9, max_num_seqs: \(maxNumSeqs)}]
        workload:
          max_requests: \(requests)
          arrivals: {kind: poisson, rate: \(rate)}
          lengths: {kind: fixed, prompt: 128, output: \(output)}
        """)
    }

    /// 400 open arrivals with a quarter of warm-up: 100 requests left out, then 8 groups of 37 or 38 requests.
    @Test func windowSplitsTheRequestsAfterTheWarmup() throws {
        let window = MeasurementWindow.afterWarmup(of: try Self.experiment(rate: 4, requests: 400), warmupFraction: 0.25)
        #expect(window.starts.map(\.request) == [100, 137, 175, 212, 250, 287, 325, 362])
        #expect(window.group(id: 99, arrivalNs: 1_000_000_000) == nil)
        #expect(window.group(id: 100, arrivalNs: 0) == 0)
        #expect(window.group(id: 399, arrivalNs: 0) == 7)
    }

    /// A closed loop's warm-up holds at least its clients' first round, which arrives all at once.
    @Test func closedLoopWarmupCoversTheFirstRound() throws {
        let experiment = try TestExperiments.experiment("""
        hardware: gh200-96gb
        instances: [{model: llama-3-8b, gpu_memory_utilization: 0.9}]
        workload: {max_requests: 40, arrivals: {kind: closed, clients: 16}, lengths: {kind: fixed, prompt: 64, output: 1}}
        """)
        #expect(MeasurementWindow.afterWarmup(of: experiment, warmupFraction: 0.25).starts.first?.request == 16)
    }

    /// A window from the first request, in one group, counts every request: its request metrics are the run's own.
    @Test func wholeWindowReportIsTheRunsReport() throws {
        let simulator = try Simulator(experiment: try Self.experiment(rate: 8, requests: 300))
        let window = MeasurementWindow(starts: [.init()])
        simulator.measure(from: window)
        let whole = simulator.run()
        let windowed = simulator.report(over: window)
        #expect(windowed.overall.ttft == whole.overall.ttft)
        #expect(windowed.overall.tpot == whole.overall.tpot)
        #expect(windowed.overall.itl == whole.overall.itl)
        #expect(windowed.overall.e2el == whole.overall.e2el)
        #expect(windowed.overall.throughput == whole.overall.throughput)
        #expect(windowed.overall.requests == whole.overall.requests)
    }

    /// At a light load the number in the system levels off and the run is steady; far beyond what one step of at most
    /// 4 sequences can serve, it grows through the window and the run is not.
    @Test func aGrowingQueueIsNotSteady() throws {
        func judge(_ experiment: Experiment) -> SteadyState {
            let simulator = try! Simulator(experiment: experiment)
            let window = MeasurementWindow.afterWarmup(of: experiment, warmupFraction: 0.25)
            simulator.measure(from: window)
            _ = simulator.run()
            return simulator.steadyState(over: window)
        }
        let light = judge(try Self.experiment(rate: 2, requests: 400, output: 8))
        #expect(light.isSteady, "\(light.problem ?? "")")
        let overloaded = judge(try Self.experiment(rate: 400, requests: 400, output: 64, maxNumSeqs: 4))
        #expect(!overloaded.isSteady)
        #expect(overloaded.meanInSystemSecondHalf > 1.5 * overloaded.meanInSystemFirstHalf)
        #expect(overloaded.growth > SteadyState.allowedGrowth)
    }

    /// Each condition, worked by hand.
    @Test func problemsNameWhatIsMissing() {
        func state(requests: Int = 100, warmup: Double = 10, span: Double = 30, p99: Double = 5, first: Double = 10,
                   second: Double = 10, unfinished: Int = 0) -> SteadyState {
            SteadyState(requests: requests, warmupSeconds: warmup, arrivalSpanSeconds: span, p99E2ESeconds: p99,
                        meanInSystemFirstHalf: first, meanInSystemSecondHalf: second, unfinished: unfinished)
        }
        #expect(state().isSteady)
        #expect(state(second: 12).isSteady)  // 10 × 1.1 + 1 = 12 is the most allowed
        #expect(state(second: 12.1).problem?.contains("grew from 10.0 to 12.1") == true)
        #expect(state(requests: 19).problem?.contains("fewer than 20") == true)
        #expect(state(warmup: 4.9).problem?.contains("warm-up lasted 4.9 s") == true)
        #expect(state(span: 14.9).problem?.contains("span 14.9 s") == true)
        #expect(state(unfinished: 1).problem?.contains("had not ended") == true)
    }
}
