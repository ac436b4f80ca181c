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

    /// Two instances, each with a fraction of the GPU that leaves thousands of KV blocks.
    static func twoInstances(strategy: StrategyKind) throws -> Experiment {
        try TestExperiments.experiment("""
        name: two
        hardware: gh200-96gb
        strategy: \(strategy.rawValue)
        instances:
          - model: llama-3-8b
            memory_fraction: 0.45
          - model: opt-6.7b
            memory_fraction: 0.45
        workload:
          max_requests: 1
          arrivals: {kind: poisson, rate: 1}
          lengths: {kind: fixed, prompt: 16, output: 16}
          shares: [1, 1]
        simulation:
          check_invariants: true
        """)
    }

    static func experiments(_ strategy: StrategyKind) throws -> [(name: String, experiment: Experiment, requests: [RequestSpec])] {
        [("one instance", try TestExperiments.singleInstance(strategy: strategy.rawValue), light(instances: 1)),
         ("two instances", try twoInstances(strategy: strategy), light(instances: 2))]
    }

    /// With memory to spare (no request is ever preempted under recompute) a strategy has nothing to do, so
    /// its report is recompute's, byte for byte, but for the strategy's name and its own section.
    @Test(arguments: StrategyKind.allCases)
    func noPressureGivesTheRecomputeResult(strategy: StrategyKind) throws {
        for ((name, baseline, requests), (_, experiment, _)) in zip(try Self.experiments(.recompute), try Self.experiments(strategy)) {
            let recomputeRun = try Simulator(experiment: baseline, requests: requests)
            let recompute = recomputeRun.run()
            #expect(recompute.overall.preemptions == 0 && recompute.overall.requests.finished == requests.count,
                    "\(name): the baseline must be free of KV pressure")
            let simulator = try Simulator(experiment: experiment, requests: requests)
            let report = simulator.run()
            #expect(report.strategy == strategy.rawValue)
            #expect(simulator.invariantViolations.isEmpty, "\(strategy) \(name): \(simulator.invariantViolations.prefix(3))")
            let moves = try StrategyComparison.differences(report, from: recompute)
            #expect(moves.isEmpty, "\(strategy) \(name) differs from recompute:\n\(moves.prefix(20).joined(separator: "\n"))")
        }
    }

    /// The randomized scenarios of ``SimulationPropertyTests`` under each strategy: no invariant violation after
    /// any event (KV-1, KV-2, Q-1…, T-1, HBM-1 and the strategy's own), no request losing tokens or gaining two
    /// in one step, and every request accounted for — finished + rejected + unfinished = arrived, per instance
    /// and overall, agreeing with the request states. Without a time limit everything finishes, the queues and
    /// pools end empty and no transfer is left on the link.
    @Test(arguments: StrategyKind.allCases)
    func randomScenariosKeepTheInvariants(strategy: StrategyKind) async throws {
        await Self.checkRandomScenarios(strategy: strategy, sharing: .temporal, count: 40)
    }

    /// The same under MPS and MIG, where iterations of different instances overlap and MIG slices hold their
    /// own memory (MIG-1).
    @Test(arguments: StrategyKind.allCases, [SharingMode.mps, .mig])
    func randomScenariosKeepTheInvariantsUnderSpatialSharing(strategy: StrategyKind, sharing: SharingMode) async throws {
        await Self.checkRandomScenarios(strategy: strategy, sharing: sharing, count: 20)
    }

    /// Weight offloading's default (nothing offloaded) is recompute, so the scenarios above cannot see it at work:
    /// the same with a quarter GiB of every instance's weights in CPU memory, under every sharing mode.
    @Test(arguments: [SharingMode.temporal, .mps, .mig])
    func randomScenariosKeepTheInvariantsWithWeightsOffloaded(sharing: SharingMode) async throws {
        await Self.checkRandomScenarios(strategy: .weightOffload, options: "cpu_offload_gb: 0.25", sharing: sharing, count: 20)
    }

    static func checkRandomScenarios(strategy: StrategyKind, options: String = "", sharing: SharingMode, count: Int) async {
        await propertyCheck(count: count, input: RandomWorkload.generator) { workload in
            var workload = workload
            workload.strategy = strategy
            workload.strategyOptions = options
            workload.sharing = sharing
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
