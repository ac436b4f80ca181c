import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Every memory strategy on mixture-of-experts models, quantized weights and an fp8 KV cache, under KV pressure, with
/// every invariant checked after every event (KV-1, KV-2, Q-1…Q-4, R-1, T-1, HBM-1 and each strategy's own). Run
/// for each case of ``StrategyKind``, so a strategy added to the registry is covered here too.
///
/// Remapping lends whole decoder layers of an MoE model (``ModelSpec/weightBytesPerLayer``, every expert
/// included), because the layer is loaded before its router has chosen experts; swapping, Pie and offloading move
/// KV, whose bytes per token follow `kv_cache_dtype`.
@Suite struct MoEAndPrecisionStrategiesTests {
    /// KV blocks of each instance's pool: a few requests fill it.
    static let blocks = 48

    /// The memory fraction that gives `model` (with `kvFP8`: an fp8 KV cache) a pool of ``blocks`` blocks on
    /// gh200-144gb with `max_model_len: 2048`.
    static func fraction(_ model: String, kvFP8: Bool = false) -> Double {
        var spec = TestExperiments.model(model)
        if kvFP8 { spec.kvCacheDtype = .fp8 }
        return TestExperiments.gpuMemoryUtilization(forBlocks: blocks, model: spec, hardware: TestExperiments.hardware("gh200-144gb"),
                                              maxNumBatchedTokens: 2048)
    }

    /// Two instances on gh200-144gb, each `model:` line given with its storage keys.
    static func pair(_ strategy: StrategyKind, engine: ServingEngine, sharing: SharingMode, _ first: String, _ second: String) throws -> Experiment {
        try TestExperiments.experiment("""
        name: moe-precision
        hardware: gh200-144gb
        strategy: \(strategy.rawValue)
        sharing: {mode: \(sharing.rawValue)}
        instances:
          - {\(first), max_model_len: 2048, max_num_batched_tokens: 2048, max_num_seqs: 256, engine: \(engine.rawValue)}
          - {\(second), max_model_len: 2048, max_num_batched_tokens: 2048, max_num_seqs: 256, engine: \(engine.rawValue)}
        workload:
          max_requests: 1
          arrivals: {kind: poisson, rate: 1}
          lengths: {kind: fixed, prompt: 16, output: 16}
          shares: [1, 1]
        simulation:
          check_invariants: true
        """)
    }

    /// An MoE model with a skewed router beside a dense fp8 model with an fp8 KV cache, taking turns (temporal
    /// sharing: remapping lends the idle instance's layers); and two MoE models at once under MPS (each remaps its
    /// own): gpt-oss-20b (MXFP4 experts with biases) and Mixtral-8x7B, here with fp8 block-scaled weights.
    /// On vLLM V0 unless `engine` says otherwise (a strategy that needs V1's prefix cache, and its recompute baseline).
    static func scenarios(_ strategy: StrategyKind, engine: ServingEngine = .vllmV0) throws -> [(name: String, experiment: Experiment)] {
        [("qwen3-30b-a3b beside llama-3.1-8b-fp8 with fp8 KV",
          try pair(strategy, engine: engine, sharing: .temporal,
                   "model: qwen3-30b-a3b, expert_routing: {power_law: 1.2}, memory_fraction: \(fraction("qwen3-30b-a3b"))",
                   "model: llama-3.1-8b-fp8, kv_cache_dtype: fp8, memory_fraction: \(fraction("llama-3.1-8b-fp8", kvFP8: true))")),
         ("gpt-oss-20b and mixtral-8x7b in fp8 under MPS",
          try pair(strategy, engine: engine, sharing: .mps,
                   "model: gpt-oss-20b, memory_fraction: \(fraction("gpt-oss-20b"))",
                   "model: mixtral-8x7b, quantization: fp8, weight_block_size: 128, memory_fraction: \(Self.mixtralFP8Fraction)"))]
    }

    /// Mixtral-8x7B with fp8 block-scaled weights: ``fraction(_:kvFP8:)`` for the stored bytes of that checkpoint.
    static var mixtralFP8Fraction: Double {
        var spec = TestExperiments.model("mixtral-8x7b")
        spec.quantization = Quantization(method: .fp8, blockSize: 128)
        return TestExperiments.gpuMemoryUtilization(forBlocks: blocks, model: spec, hardware: TestExperiments.hardware("gh200-144gb"),
                                              maxNumBatchedTokens: 2048)
    }

    /// 32 requests in the first second, alternating between the instances, up to 25 blocks each: far more than
    /// each pool's 48 blocks.
    static let requests: [RequestSpec] = (0..<32).map { i in
        TestExperiments.request(at: Double(i) * 0.03, prompt: Int32(60 + 41 * (i % 7)), output: Int32(20 + 17 * (i % 6)),
                                instance: i % 2)
    }

    /// Each strategy runs every scenario to the end with no invariant violated and every request finished; the
    /// pressure is real (recompute preempts), every other strategy but weight offloading acts on it (its run differs
    /// from recompute's), and remapping lends layers in both.
    @Test(arguments: StrategyKind.allCases)
    func everyStrategyRunsMoEAndQuantizedModelsUnderPressure(strategy: StrategyKind) throws {
        let engine = try AllStrategiesTests.engine(for: strategy)
        for ((name, baseline), (_, experiment)) in zip(try Self.scenarios(.recompute, engine: engine), try Self.scenarios(strategy, engine: engine)) {
            let recompute = try Simulator(experiment: baseline, requests: Self.requests).run()
            #expect(recompute.overall.preemptions > 0, "\(name): recompute must be under KV pressure")
            let simulator = try Simulator(experiment: experiment, requests: Self.requests)
            let report = simulator.run()
            #expect(report.strategy == strategy.rawValue)
            #expect(simulator.invariantViolations.isEmpty, "\(strategy) \(name): \(simulator.invariantViolations.prefix(3))")
            #expect(report.overall.requests.finished == Self.requests.count, "\(strategy) \(name): every request finishes")
            for instance in simulator.instances {
                #expect(instance.pool.usedBlocks == 0 && instance.running.isEmpty && instance.waiting.isEmpty && instance.swapped.isEmpty,
                        "\(strategy) \(name): \(instance.spec.name) ends with work left")
            }
            #expect(simulator.link.flows.isEmpty, "\(strategy) \(name): transfers left on the link")
            // Weight offloading's default offloads nothing (vLLM's `cpu_offload_gb: 0`), so it runs as recompute.
            if strategy != .recompute && strategy != .weightOffload {
                #expect(try !StrategyComparison.differences(report, from: recompute).isEmpty,
                        "\(strategy) \(name): the strategy never acted under pressure")
            }
            if strategy == .remap {
                // Under MPS each instance lends only its own layers: there, whole layers of an MoE model, every expert included.
                let lent = report.instances.map { $0.strategy?.counters["remapped_layers_max"] ?? 0 }
                #expect(lent.contains { $0 > 0 }, "\(name): no layer was remapped (\(lent))")
            }
        }
    }
}
