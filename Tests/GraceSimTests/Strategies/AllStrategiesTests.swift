import GraceSimTestSupport
import PropertyBased
import Testing
@testable import GraceSim

/// Properties every memory strategy must have, run for each case of ``StrategyKind`` so that a strategy added
/// to the registry is covered without touching this file. The randomized scenarios check every invariant after
/// every event, HBM-1 (resident weights + KV + buffers + reserves ≤ HBM, from each strategy's ``GPUMemoryUse``)
/// and, under MIG, MIG-1 among them.
@Suite struct AllStrategiesTests {
    /// Requests of mixed lengths spread over 2 s, for instance 0 or both instances alternately.
    static func light(instances: Int) -> [RequestSpec] {
        (0..<24).map { i in
            TestExperiments.request(at: Double(i) * 0.08, prompt: Int32(40 + 37 * (i % 7)), output: Int32(5 + 23 * (i % 5)),
                                    instance: i % instances)
        }
    }

    /// The engine a strategy is tested on: V0, the paper's, unless the strategy cannot serve a V0 instance (a tier
    /// of V1's prefix cache).
    static func engine(for strategy: StrategyKind) throws -> ServingEngine {
        let spec = try StrategySpec.load(from: try ConfigNode.parse(strategy.rawValue, file: "test"))
        let v0 = InstanceSpec(name: "x", model: TestExperiments.model("llama-3-8b"), gpuMemoryUtilization: 0.9)
        return spec.refusal(for: v0) == nil ? .vllmV0 : .vllmV1
    }

    /// The strategies that can serve a vLLM V1 instance (all but V0's swap mode).
    static var v1Strategies: [StrategyKind] {
        StrategyKind.allCases.filter { kind in
            let spec = try? StrategySpec.load(from: try ConfigNode.parse(kind.rawValue, file: "test"))
            let v1 = InstanceSpec(name: "x", model: TestExperiments.model("llama-3-8b"), gpuMemoryUtilization: 0.9, engine: .vllmV1, prefixCaching: true)
            return spec?.refusal(for: v1) == nil
        }
    }

    /// Two instances, each with a fraction of the GPU that leaves thousands of KV blocks.
    static func twoInstances(strategy: StrategyKind, engine: ServingEngine) throws -> Experiment {
        try TestExperiments.experiment("""
        name: two
        hardware: gh200-96gb
        strategy: \(strategy.rawValue)
        instances:
          - model: llama-3-8b
            memory_fraction: 0.45
            engine: \(engine.rawValue)
          - model: opt-6.7b
            memory_fraction: 0.45
            engine: \(engine.rawValue)
        workload:
          max_requests: 1
          arrivals: {kind: poisson, rate: 1}
          lengths: {kind: fixed, prompt: 16, output: 16}
          shares: [1, 1]
        simulation:
          check_invariants: true
        """)
    }

    static func experiments(_ strategy: StrategyKind, engine: ServingEngine) throws -> [(name: String, experiment: Experiment, requests: [RequestSpec])] {
        [("one instance", try TestExperiments.singleInstance(extra: "engine: \(engine.rawValue)", strategy: strategy.rawValue), light(instances: 1)),
         ("two instances", try twoInstances(strategy: strategy, engine: engine), light(instances: 2))]
    }

    /// Strategies whose traffic does not depend on memory pressure: kv-offload stores every block the prefix cache
    /// caches, as vLLM's connector does. Without pressure their latencies are recompute's, their link traffic is not.
    static let trafficWithoutPressure: Set<StrategyKind> = [.kvOffload]

    /// With memory to spare (no request is ever preempted under recompute) a strategy has nothing to do, so
    /// its report is recompute's, byte for byte, but for the strategy's name and its own section (and the link's
    /// traffic, for a strategy in ``trafficWithoutPressure``).
    @Test(arguments: StrategyKind.allCases)
    func noPressureGivesTheRecomputeResult(strategy: StrategyKind) throws {
        let engine = try Self.engine(for: strategy)
        for ((name, baseline, requests), (_, experiment, _)) in zip(try Self.experiments(.recompute, engine: engine),
                                                                    try Self.experiments(strategy, engine: engine)) {
            let recomputeRun = try Simulator(experiment: baseline, requests: requests)
            let recompute = recomputeRun.run()
            #expect(recompute.overall.preemptions == 0 && recompute.overall.requests.finished == requests.count,
                    "\(name): the baseline must be free of KV pressure")
            let simulator = try Simulator(experiment: experiment, requests: requests)
            let report = simulator.run()
            #expect(report.strategy == strategy.rawValue)
            #expect(simulator.invariantViolations.isEmpty, "\(strategy) \(name): \(simulator.invariantViolations.prefix(3))")
            let moves = try StrategyComparison.differences(report, from: recompute).filter {
                !Self.trafficWithoutPressure.contains(strategy) || !($0.contains("transfers") || $0.contains("link"))
            }
            #expect(moves.isEmpty, "\(strategy) \(name) differs from recompute:\n\(moves.prefix(20).joined(separator: "\n"))")
        }
    }

    /// The randomized scenarios of ``SimulationPropertyTests`` under each strategy: no invariant violation after
    /// any event (KV-1, KV-2, Q-1…, T-1, HBM-1 and the strategy's own), no request losing tokens or gaining two
    /// in one step, and every request accounted for — finished + rejected + unfinished = arrived, per instance
    /// and overall, agreeing with the request states. Without a time limit everything finishes, the queues and
    /// pools end empty and no transfer is left on the link. Each test runs the counts written here with
    /// `GRACESIM_WIDE_TESTS=1` (as in CI), a tenth of them otherwise (``TestScale``).
    @Test(arguments: StrategyKind.allCases)
    func randomScenariosKeepTheInvariants(strategy: StrategyKind) async throws {
        await Self.checkRandomScenarios(strategy: strategy, sharing: .temporal, engine: try Self.engine(for: strategy), count: TestScale.scenarios(40))
    }

    /// The same under vLLM V1 with prefix caching, for every strategy that serves V1.
    @Test(arguments: AllStrategiesTests.v1Strategies)
    func randomScenariosKeepTheInvariantsUnderV1(strategy: StrategyKind) async throws {
        await Self.checkRandomScenarios(strategy: strategy, sharing: .temporal, engine: .vllmV1, count: TestScale.scenarios(30))
    }

    /// The same under MPS and MIG, where iterations of different instances overlap and MIG slices hold their
    /// own memory (MIG-1).
    @Test(arguments: StrategyKind.allCases, [SharingMode.mps, .mig])
    func randomScenariosKeepTheInvariantsUnderSpatialSharing(strategy: StrategyKind, sharing: SharingMode) async throws {
        await Self.checkRandomScenarios(strategy: strategy, sharing: sharing, engine: try Self.engine(for: strategy), count: TestScale.scenarios(20))
    }

    /// Weight offloading's default (nothing offloaded) is recompute, so the scenarios above cannot see it at work:
    /// the same with a quarter GiB of every instance's weights in CPU memory, under every sharing mode.
    @Test(arguments: [SharingMode.temporal, .mps, .mig])
    func randomScenariosKeepTheInvariantsWithWeightsOffloaded(sharing: SharingMode) async throws {
        await Self.checkRandomScenarios(strategy: .weightOffload, options: "cpu_offload_gb: 0.25", sharing: sharing, count: TestScale.scenarios(20))
    }

    /// The same under vLLM V1 with prefix caching.
    @Test func randomScenariosKeepTheInvariantsWithWeightsOffloadedUnderV1() async throws {
        await Self.checkRandomScenarios(strategy: .weightOffload, options: "cpu_offload_gb: 0.25", sharing: .temporal, engine: .vllmV1, count: TestScale.scenarios(20))
    }

    static func checkRandomScenarios(strategy: StrategyKind, options: String = "", sharing: SharingMode, engine: ServingEngine = .vllmV0,
                                     count: Int) async {
        await propertyCheck(count: count, input: RandomWorkload.generator) { workload in
            var workload = workload
            workload.strategy = strategy
            workload.strategyOptions = options
            workload.sharing = sharing
            workload.engine = engine
            let run = try RandomRun(workload)
            let simulator = run.simulator
            #expect(simulator.invariantViolations.isEmpty, "\(simulator.invariantViolations.prefix(5))")
            #expect(run.stepProblems.isEmpty, "\(run.stepProblems.prefix(5))")
            #expect(run.report.strategy == strategy.rawValue)
            let states = simulator.requests.states
            let limited = workload.maxTimeS != nil
            if !limited { #expect(states.count == workload.requests.count, "every request arrives") }
            for instance in simulator.instances {
                let mine = states.filter { Int($0.instance) == instance.index }
                let counts = run.report.instances[instance.index].requests
                let finished = mine.count { $0.phase == .finished }
                let rejected = mine.count { $0.phase == .rejected }
                #expect(counts.arrived == mine.count)
                #expect(counts.finished == finished && counts.rejected == rejected)
                #expect(counts.arrived == counts.finished + counts.rejected + counts.unfinished)
                if !limited {
                    #expect(counts.unfinished == 0, "\(instance.spec.name): no time limit, yet \(counts.unfinished) unfinished")
                    #expect(instance.pool.usedBlocks == 0, "\(instance.spec.name): pool not empty at the end")
                    #expect(instance.waiting.isEmpty && instance.running.isEmpty && instance.swapped.isEmpty,
                            "\(instance.spec.name): queues not empty")
                }
            }
            let overall = run.report.overall.requests
            #expect(overall.arrived == states.count)
            #expect(overall.arrived == overall.finished + overall.rejected + overall.unfinished)
            if !limited { #expect(simulator.link.flows.isEmpty, "transfers left on the link: \(simulator.link.flows.count)") }
        }
    }
}
