import GraceSimStoreTestSupport
import GraceSimTestSupport
import Foundation
import GraceSim
import Testing
@testable import GraceSimStore
@testable import GraceSimSweeps

/// The bracketing and bisection of ``CapacitySearch`` on made-up pass/fail rules, and the parsing of objectives.
@Suite struct CapacitySearchTests {
    /// Passes while `value ≤ threshold`.
    static func threshold(_ threshold: Double) -> (Double) -> CapacitySearch.Point {
        { value in CapacitySearch.Point(value: value, passed: value <= threshold, metrics: [("load", value)]) }
    }

    @Test func bracketsUpThenBisectsToTheTolerance() throws {
        let search = CapacitySearch(start: 2, tolerance: 0.02)
        let (capacity, tried) = try search.run(Self.threshold(7.3))
        #expect(Array(tried.prefix(3).map(\.value)) == [2, 4, 8])
        #expect(capacity.passed && capacity.value <= 7.3 && capacity.value >= 7.3 / 1.02)
        let lowestFail = tried.filter { !$0.passed }.map(\.value).min()!
        #expect(lowestFail - capacity.value <= 0.02 * capacity.value)
    }

    @Test func bracketsDownWhenTheStartFails() throws {
        let (capacity, tried) = try CapacitySearch(start: 10, tolerance: 0.05).run(Self.threshold(1.7))
        #expect(Array(tried.prefix(4).map(\.value)) == [10, 5, 2.5, 1.25])
        #expect(capacity.value <= 1.7 && capacity.value >= 1.7 / 1.05)
    }

    /// Whole numbers: 2, 4, 8 bracket 7; then 6 and 7 pass, and the gap to 8 is 1.
    @Test func integerSearchEndsExactly() throws {
        let (capacity, tried) = try CapacitySearch(start: 2, integer: true, lowest: 1).run(Self.threshold(7))
        #expect(capacity.value == 7)
        #expect(tried.map(\.value) == [2, 4, 8, 6, 7])
    }

    @Test func failingAtTheLowestValueIsAnError() throws {
        let search = CapacitySearch(start: 4, integer: true, lowest: 1)
        #expect {
            _ = try search.run(Self.threshold(0.5))
        } throws: { error in
            guard case let .failsAtLowest(tried) = error as? CapacitySearch.Failure else { return false }
            return tried.map(\.value) == [4, 2, 1]
        }
    }

    @Test func passingEverywhereIsAnErrorAfterTheStepLimit() throws {
        let search = CapacitySearch(start: 1, maxBracketSteps: 3)
        #expect {
            _ = try search.run(Self.threshold(.infinity))
        } throws: { error in
            guard case let .passesAtHighest(tried) = error as? CapacitySearch.Failure else { return false }
            return tried.map(\.value) == [1, 2, 4, 8]
        }
    }

    @Test func objectivesParseAndPointTheRightWay() throws {
        let objectives = try MetricBound.parseList("ttft_p99_ms=500, tbt_p99_ms = 100,requests_per_s=2")
        #expect(objectives == [MetricBound(metric: "ttft_p99_ms", bound: 500),
                               MetricBound(metric: "tbt_p99_ms", bound: 100),
                               MetricBound(metric: "requests_per_s", bound: 2)])
        #expect(objectives[0].holds(500) && !objectives[0].holds(500.1) && !objectives[0].holds(.nan))
        #expect(objectives[2].holds(2.5) && !objectives[2].holds(1.9))
        for bad in ["", "ttft_p99_ms", "ttft_p99_ms=", "=5", "ttft_p99_ms=fast", "a=1,,b=2", "ttft_p99_ms=inf", "a=1,a=2"] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try MetricBound.parseList(bad) }
        }
    }

    /// A tolerance no bisection of doubles reaches ends all the same: at most ``CapacitySearch/maxBisectionSteps``
    /// steps, fewer when the midpoint stops moving.
    @Test func aToleranceTooFineToReachStillEnds() throws {
        let (capacity, tried) = try CapacitySearch(start: 1, tolerance: 1e-300).run(Self.threshold(1.7))
        #expect(capacity.value <= 1.7 && capacity.value > 1.7 * (1 - 1e-12))
        #expect(tried.count <= 2 + CapacitySearch.maxBisectionSteps)
        let (clients, triedClients) = try CapacitySearch(start: 1, integer: true, tolerance: 1e-300).run(Self.threshold(37))
        #expect(clients.value == 37 && triedClients.count < 20)
    }

    @Test func toleranceParses() throws {
        #expect(try ExperimentCapacity.parseTolerance("2%") == 0.02)
        #expect(try ExperimentCapacity.parseTolerance("0.05") == 0.05)
        #expect(try ExperimentCapacity.parseTolerance("0.01%") == 0.0001)
        for bad in ["0", "100%", "-1%", "two", "1.5", "1e-300", "0.009%"] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try ExperimentCapacity.parseTolerance(bad) }
        }
    }
}

/// ``ExperimentCapacity`` over real simulations.
@Suite struct ExperimentCapacityTests {
    static let experiment = StoreFixtures.path("Configs/experiments/default.yaml")

    /// The default experiment made a closed loop of identical one-token requests (64-token prompts, no think time).
    static func closedLoop(clients: Int) throws -> [ConfigOverride] {
        try ["workload={max_requests: 60, arrivals: {kind: closed, clients: \(clients)}, lengths: {kind: fixed, prompt: 64, output: 1}}"]
            .map(ConfigOverride.init(parsing:))
    }

    /// Worked by hand. With C clients, no think time and one output token, all C requests arrive at time 0,
    /// are prefilled together in one iteration (C × 64 tokens, well within the batch limits) and finish at its
    /// end, when all C clients send their next request at once: the run is a sequence of identical C-prompt
    /// iterations, and every request's TTFT is exactly the time model's duration of that iteration, d(C).
    /// d grows with C, so with a TTFT bound halfway between d(7) and d(8) the capacity is 7 clients, and from
    /// the experiment's 2 clients the search tries 2, 4, 8 (fail), then 6 and 7.
    @Test func closedLoopCapacityWorkedByHand() throws {
        let loaded = try Experiment.load(path: Self.experiment, overrides: Self.closedLoop(clients: 2))
        let timeModel = IterationTimeModel(model: loaded.instances[0].model, gpu: loaded.hardware.gpu)
        func durationMs(_ clients: Int) -> Double {
            let shape = BatchShape(prefillTokens: 64 * clients, prefillSequences: clients, prefillAttentionPairs: Double(clients) * 64 * 32.5,
                                   sampledSequences: clients)
            return Double(timeModel.duration(of: shape).ns) / 1e6
        }
        #expect(durationMs(7) < durationMs(8))
        let bound = (durationMs(7) + durationMs(8)) / 2
        let search = ExperimentCapacity(path: Self.experiment, overrides: try Self.closedLoop(clients: 2),
                                        objectives: [MetricBound(metric: "ttft_p99_ms", bound: bound)])
        let result = try search.run()
        #expect(result.knob.key == "workload.arrivals.clients")
        #expect(result.capacity.value == 7)
        #expect(result.tried.map(\.value) == [2, 4, 8, 6, 7])
        for point in result.tried {
            #expect(abs(point.metrics[0].value - durationMs(Int(point.value))) < 1e-6, "clients \(point.value)")
        }
        #expect(result.goodputRequestsPerSecond > 0)
        #expect(CapacityReport.text(result).contains("capacity workload.arrivals.clients = 7"))
    }

    @Test func knobFollowsTheArrivalKind() throws {
        #expect(try ExperimentCapacity.knob(path: Self.experiment).key == "workload.arrivals.rate")
        #expect(try ExperimentCapacity.knob(path: Self.experiment).start == 6)
        let trace = StoreFixtures.path("Configs/experiments/c1-temporal.yaml")
        #expect(try ExperimentCapacity.knob(path: trace).key == "workload.arrivals.rate_scale")
        #expect(try ExperimentCapacity.knob(path: Self.experiment, overrides: Self.closedLoop(clients: 3)).start == 3)
        let sessions = StoreFixtures.path("Configs/experiments/multi-turn-sessions.yaml")
        #expect(try ExperimentCapacity.knob(path: sessions).key == "workload.arrivals.users")
        #expect(try ExperimentCapacity.knob(path: sessions).start == 128)
        let atARate = try ["workload.arrivals={kind: sessions, session_rate: 0.5, turns: 3}"].map(ConfigOverride.init(parsing:))
        #expect(try ExperimentCapacity.knob(path: sessions, overrides: atARate).key == "workload.arrivals.session_rate")
        #expect(try ExperimentCapacity.knob(path: sessions, overrides: atARate).start == 0.5)
    }

    @Test func unknownMetricListsTheKnownOnes() throws {
        let search = ExperimentCapacity(path: Self.experiment, overrides: try Self.closedLoop(clients: 2),
                                        objectives: [MetricBound(metric: "ttft_p42_ms", bound: 1)])
        #expect {
            _ = try search.run()
        } throws: { error in
            let text = (error as? StoreError)?.description ?? ""
            return text.contains("unknown metric ttft_p42_ms") && text.contains("ttft_p99_ms") && text.contains("e2e_p99_ms")
        }
    }

    /// One client already misses a 0.001 ms TTFT: 2 and 1 are tried, then the search gives up.
    @Test func failingAtOneClientSaysWhatWasTried() throws {
        let search = ExperimentCapacity(path: Self.experiment, overrides: try Self.closedLoop(clients: 2),
                                        objectives: [MetricBound(metric: "ttft_p99_ms", bound: 0.001)])
        #expect {
            _ = try search.run()
        } throws: { error in
            let text = (error as? StoreError)?.description ?? ""
            return text.contains("fail even at the lowest workload.arrivals.clients tried, 1") && text.contains("2 fail")
        }
    }
}
