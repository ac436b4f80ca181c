import GraceSimTestSupport
import Testing
@testable import GraceSim

/// The clock ends with the work: a run without a time limit ends no later than one sample interval after its last
/// request finishes, under every strategy and every way of sharing the GPU. Stale events (link and GPU changes
/// rescheduled since, timers of passes that have ended) are dropped without moving the clock; handling them once
/// carried an offload run under MPS, whose CPU attention starved the link and so put link changes about 10⁹ s
/// ahead, to 10⁹ s.
@Suite struct RunEndTests {
    /// Three OPT-6.7B instances with small KV pools and twelve long requests each at once: every strategy meets
    /// KV pressure, and offload moves enough KV to the CPU on every instance that their CPU attention, running
    /// side by side under MPS and MIG, holds all of the host memory bandwidth.
    static func workload(strategy: StrategyKind, sharing: SharingMode) -> RandomWorkload {
        let instance = RandomWorkload.Instance(model: "opt-6.7b", blocks: 60, maxNumSeqs: 64, chunkedPrefill: false,
                                               maxNumBatchedTokens: nil, watermark: 0)
        let requests = (0..<24).map { i in
            TestExperiments.request(at: Double(i / 3) * 0.01, prompt: 300 + Int32(i % 5) * 40, output: 100 + Int32(i % 7) * 20,
                                    instance: i % 3)
        }
        var workload = RandomWorkload(instances: Array(repeating: instance, count: 3), scheduler: .roundRobin, maxTimeS: nil,
                                      requests: requests, strategy: strategy, sharing: sharing)
        // A strategy that cannot serve V0 (a tier of V1's prefix cache) runs on V1.
        workload.engine = (try? AllStrategiesTests.engine(for: strategy)) ?? .vllmV0
        return workload
    }

    @Test(arguments: StrategyKind.allCases, SharingMode.allCases)
    func theRunEndsWithItsLastRequest(strategy: StrategyKind, sharing: SharingMode) throws {
        var experiment = try Self.workload(strategy: strategy, sharing: sharing).experiment()
        experiment.checkInvariants = false  // the property tests check them; here they would take most of the time
        #expect(experiment.maxTime == nil)
        let requests = Self.workload(strategy: strategy, sharing: sharing).requests
        let simulator = try Simulator(experiment: experiment, requests: requests)
        let report = simulator.run()
        let states = simulator.requests.states
        #expect(states.count == requests.count && states.allSatisfy { $0.phase == .finished }, "every request finishes")
        let lastFinish = SimTime(ns: states.map(\.finishNs).max() ?? 0)
        #expect(simulator.now <= lastFinish + experiment.sampleInterval,
                "ends at \(simulator.now.seconds) s, \((simulator.now - lastFinish).seconds) s after the last request finished")
        #expect(report.simulatedSeconds == simulator.now.seconds)
    }

    /// A strategy whose passes hold all of the host memory bandwidth while they run, and start a 1 MB copy that is
    /// not waited for: the copy is starved (1 B/s) until the pass ends, so its first finish is about 10⁶ s ahead.
    final class StarvingStrategy: MemoryStrategy {
        var kind: StrategyKind { .recompute }
        weak var context: SimulationContext?
        func attach(to context: SimulationContext) { self.context = context }
        func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
            context?.reserveHostBandwidth(context?.hardware.cpu.memoryBytesPerSecond ?? 0)
            _ = context?.startTransfer(bytes: 1_000_000, direction: .deviceToHost, purpose: .kvWriteback, instance: instance.index)
            return IterationPlan()
        }
        func iterationFinished(instance: ServingInstance, now: SimTime) { context?.reserveHostBandwidth(0) }
    }

    /// The copy's first finish, 10⁶ s ahead, is superseded when the pass releases the bandwidth; the run ends once the
    /// copy has moved at full speed, not at the superseded time.
    @Test func aSupersededLinkChangeDoesNotMoveTheClock() throws {
        let experiment = try TestExperiments.singleInstance()
        let simulator = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0, prompt: 64, output: 2)],
                                      strategy: StarvingStrategy())
        _ = simulator.run()
        let finish = SimTime(ns: simulator.requests.states[0].finishNs)
        #expect(finish > .zero && finish < .seconds(1))
        #expect(simulator.link.flows.isEmpty && abs(simulator.link.bytesMoved[LinkDirection.deviceToHost.rawValue] - 2_000_000) < 1)
        #expect(simulator.now < finish + .milliseconds(1), "ends at \(simulator.now.seconds) s; the last request finished at \(finish.seconds) s")
    }
}
