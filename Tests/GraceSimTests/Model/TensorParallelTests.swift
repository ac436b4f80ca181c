import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// Tensor parallelism: one GPU's shard of a model, the all-reduces between the GPUs, what each GPU has of the host,
/// and experiments that split an instance over several GPUs.
@Suite struct TensorParallelTests {
    static let qwen = TestExperiments.model("qwen3-32b")

    /// Qwen3-32B (64 query heads, 8 KV heads, MLP 25,600, vocabulary 151,936) at TP 2: half of every split dimension,
    /// the hidden size whole; at TP 16 each GPU keeps a copy of one KV head, so its KV per token is an eighth, not a
    /// sixteenth.
    @Test func aShardHalvesTheSplitDimensions() {
        let shard = Self.qwen.shard(tensorParallel: 2)
        #expect((shard.attentionHeads, shard.kvHeads, shard.ffnSize, shard.vocabSize) == (32, 4, 12_800, 75_968))
        #expect(shard.hiddenSize == Self.qwen.hiddenSize && shard.layers == Self.qwen.layers)
        #expect(shard.tensorParallel == 2 && Self.qwen.tensorParallel == 1)
        #expect(shard.kvBytesPerToken * 2 == Self.qwen.kvBytesPerToken)
        // Norms stay whole on each GPU: a shard holds a little more than half of the weights.
        #expect(shard.totalWeightBytes > Self.qwen.totalWeightBytes / 2)
        #expect(Double(shard.totalWeightBytes) < 0.501 * Double(Self.qwen.totalWeightBytes))
        let sixteen = Self.qwen.shard(tensorParallel: 16)
        #expect((sixteen.attentionHeads, sixteen.kvHeads) == (4, 1))
        #expect(sixteen.kvBytesPerToken * 8 == Self.qwen.kvBytesPerToken)
        #expect(Self.qwen.shard(tensorParallel: 1) == Self.qwen)
    }

    /// With expert parallelism Qwen3-30B-A3B's 128 experts are spread whole over the GPUs (64 each at TP 2, each of
    /// its full 768-wide MLP), its attention still split; the layer is timed by the curve NVIDIA measured for one
    /// rank at expert-parallel size 2 (MoE tensor-parallel size 1).
    @Test func expertParallelSpreadsWholeExperts() throws {
        let moe = TestExperiments.model("qwen3-30b-a3b")
        let shard = moe.shard(tensorParallel: 2, expertParallel: true)
        #expect(shard.moe?.experts == 64 && shard.moe?.expertFFNSize == 768 && shard.expertParallel == 2)
        #expect(shard.attentionHeads == 16 && shard.tensorParallel == 2)
        let sliced = moe.shard(tensorParallel: 2)
        #expect(sliced.moe?.experts == 128 && sliced.moe?.expertFFNSize == 384 && sliced.expertParallel == 1)
        // The same expert bytes per GPU either way.
        #expect(shard.moeMLPBytesPerLayer == sliced.moeMLPBytesPerLayer)
        let h200 = TestExperiments.hardware("dgx-h200").gpu
        let tables = try #require(h200.kernelTables)
        let spread = RoutedExperts(model: shard, moe: try #require(shard.moe), precision: .resolve(.none, on: h200), tables: tables)
        let expected = tables.moeCurve(dtype: "bfloat16", hiddenSize: 2048, interSize: 768, experts: 128, expertsPerToken: 8,
                                       distribution: "balanced", tensorParallel: 1, expertParallel: 2)
        #expect(expected != nil && spread.measured?.curve == expected && spread.ranks == 2)
        #expect(moe.tensorParallelProblem(gpus: 2, expertParallel: true) == nil)
        #expect(Self.qwen.tensorParallelProblem(gpus: 2, expertParallel: true)?.contains("dense model") == true)
    }

    @Test func vLLMsDivisibilityRulesAreChecked() {
        #expect(Self.qwen.tensorParallelProblem(gpus: 1) == nil)
        #expect(Self.qwen.tensorParallelProblem(gpus: 8) == nil)
        #expect(Self.qwen.tensorParallelProblem(gpus: 3)?.contains("does not divide qwen3-32b's 64 attention heads") == true)
        // 32 heads and 8 KV heads divide, 12 does not divide 32.
        let llama = TestExperiments.model("llama-3.1-8b")
        #expect(llama.tensorParallelProblem(gpus: 12) != nil)
    }

    /// The ring bound by hand: 10 µs + 2 × 3/4 × 8 MB / 100 GB/s = 10 + 120 µs.
    @Test func ringBoundWorkedByHand() {
        let fabric = FabricSpec(kind: "test", bytesPerSecond: 100e9, latencySeconds: 10e-6, measuredAllReduce: false)
        #expect(abs(fabric.ringAllReduceSeconds(bytes: 8e6, gpus: 4) - 130e-6) < 1e-12)
        #expect(fabric.ringAllReduceSeconds(bytes: 8e6, gpus: 1) == 0)
        #expect(fabric.ringAllReduceSeconds(bytes: 0, gpus: 4) == 0)
    }

    /// On dgx-h100 the H100 tables time an all-reduce at their measured points (2 GPUs, 1,048,576 elements: 12.38 µs
    /// in a CUDA graph, 20.22 µs eagerly); on gh200-nvl2, measured nowhere, the ring bound applies:
    /// 4.3 µs + 2 × 1/2 × 2,097,152 bytes / 450 GB/s.
    @Test func allReducesComeFromTablesWhereTheFabricWasMeasured() throws {
        let dgx = TestExperiments.hardware("dgx-h100")
        let measured = try #require(AllReduceTime(gpus: 2, gpu: dgx.gpu, fabric: dgx.fabric, elementBytes: 2))
        #expect(measured.isMeasured)
        #expect(abs(measured.seconds(elements: 1_048_576, captured: true) - 12.38e-6) < 1e-10)
        #expect(abs(measured.seconds(elements: 1_048_576, captured: false) - 20.22e-6) < 1e-10)
        let nvl2 = TestExperiments.hardware("gh200-nvl2")
        let bound = try #require(AllReduceTime(gpus: 2, gpu: nvl2.gpu, fabric: nvl2.fabric, elementBytes: 2))
        #expect(!bound.isMeasured)
        #expect(abs(bound.seconds(elements: 1_048_576, captured: true) - (4.3e-6 + 2_097_152 / 450e9)) < 1e-12)
        #expect(AllReduceTime(gpus: 1, gpu: dgx.gpu, fabric: dgx.fabric, elementBytes: 2) == nil)
    }

    /// A TP pass is its shard's pass plus 2 × layers + 1 all-reduces of the batch's hidden states, exactly; it is
    /// faster than the whole model's on one GPU, and slower than half of it.
    @Test(arguments: [BatchShape(decodeSequences: 32, decodeContextTokens: 32 * 1000),
                      BatchShape(prefillTokens: 2048, prefillSequences: 1, prefillAttentionPairs: 2048 * 2049 / 2)])
    func aPassIsItsShardPlusItsAllReduces(batch: BatchShape) throws {
        let dgx = TestExperiments.hardware("dgx-h100")
        let shard = Self.qwen.shard(tensorParallel: 2)
        let allReduce = try #require(AllReduceTime(gpus: 2, gpu: dgx.gpu, fabric: dgx.fabric, elementBytes: 2))
        let split = IterationTimeModel(model: shard, gpu: dgx.gpu, engineOverhead: .vllmV1, allReduce: allReduce)
        let alone = IterationTimeModel(model: shard, gpu: dgx.gpu, engineOverhead: .vllmV1)
        let captured = EngineOverhead.vllmV1.cudaGraphs.captures(batch)
        let one = allReduce.seconds(elements: Double(batch.totalTokens) * Double(Self.qwen.hiddenSize), captured: captured)
        let expected = alone.computeSeconds(of: batch) + Double(2 * Self.qwen.layers + 1) * one
        #expect(abs(split.computeSeconds(of: batch) - expected) < 1e-12 * expected)
        #expect(split.layerBreakdown(of: batch).communicationSeconds == 2 * one)
        let whole = IterationTimeModel(model: Self.qwen, gpu: dgx.gpu, engineOverhead: .vllmV1).computeSeconds(of: batch)
        #expect(split.computeSeconds(of: batch) < whole)
        #expect(split.computeSeconds(of: batch) > whole / 2)
    }

    /// Two GPUs of one x86 host share its cores, memory and memory bandwidth; each GH200 of an NVL2 has its own Grace;
    /// one GPU alone keeps the whole host.
    @Test func eachGPUSeesItsShareOfTheHost() {
        let pair = TestExperiments.hardware("x86-2x-rtxpro6000-pcie5")
        let view = pair.gpuView(devices: [0, 1])
        #expect(view.cpu.cores == pair.cpu.cores / 2 && view.cpu.memoryBytes == pair.cpu.memoryBytes / 2)
        #expect(view.cpu.memoryBytesPerSecond == pair.cpu.memoryBytesPerSecond / 2)
        #expect(view.link == pair.link && view.gpu == pair.gpu)
        #expect(pair.gpuView(devices: [0]) == pair)
        let nvl2 = TestExperiments.hardware("gh200-nvl2")
        #expect(nvl2.gpuView(devices: [0, 1]) == nvl2)
        let nvl4 = TestExperiments.hardware("gb200-nvl4")
        #expect(nvl4.gpuView(devices: [0, 1, 2, 3]).cpu.cores == 36)
    }

    /// A GB200 NVL4 has two GPUs on each Grace: two GPUs placed on one Grace share it, placed on both each has one.
    @Test func aPlacementDecidesWhatEachGPUHasOfTheHost() throws {
        let nvl4 = TestExperiments.hardware("gb200-nvl4")
        #expect(nvl4.gpuView(devices: [0, 1]).cpu.cores == 36)
        #expect(nvl4.gpuView(devices: [0, 2]).cpu.cores == 72 && nvl4.gpuView(devices: [1, 3]) == nvl4)
        // Three GPUs on two Graces: the simulated GPU is one of the crowded Grace's.
        #expect(nvl4.gpuView(devices: [0, 1, 2]).cpu.memoryBytes == nvl4.cpu.memoryBytes / 2)
        let text = """
            name: placed
            hardware: gb200-nvl4
            instances: [{model: qwen3-32b, tensor_parallel_size: 2, devices: [0, 2]}, {model: llama-3.1-8b, tensor_parallel_size: 2, devices: [2, 0], gpu_memory_utilization: 0.2}]
            workload: {max_requests: 4, arrivals: {kind: poisson, rate: 4}, lengths: {kind: fixed, prompt: 64, output: 8}}
            """
        let experiment = try TestExperiments.experiment(text.replacingOccurrences(of: "qwen3-32b,", with: "qwen3-32b, gpu_memory_utilization: 0.5,"))
        #expect(experiment.instances.map(\.devices) == [[0, 2], [2, 0]])
        #expect(experiment.gpuView.cpu.cores == 72)
        #expect(try TestExperiments.experiment(Self.yaml(tensorParallel: 4)).instances[0].devices == [0, 1, 2, 3])
    }

    static func yaml(hardware: String = "dgx-h100", tensorParallel: Int, strategy: String = "recompute") -> String {
        """
        name: tp
        hardware: \(hardware)
        strategy: \(strategy)
        instances: [{model: qwen3-32b, tensor_parallel_size: \(tensorParallel), engine: vllm-v1, enable_prefix_caching: false}]
        workload: {max_requests: 40, arrivals: {kind: poisson, rate: 4}, lengths: {kind: fixed, prompt: 512, output: 64}}
        simulation: {check_invariants: true}
        """
    }

    /// At TP 2 each GPU holds half the weights, so its KV pool (per GPU, in blocks of the shard's KV) is larger; the
    /// run ends with every request served, no invariant broken, and shorter TPOT than at TP 1.
    @Test func anInstanceSplitOverTwoGPUsHasMoreKVAndDecodesFaster() throws {
        let one = try Simulator(experiment: try TestExperiments.experiment(Self.yaml(tensorParallel: 1)))
        let two = try Simulator(experiment: try TestExperiments.experiment(Self.yaml(tensorParallel: 2)))
        #expect(two.instances[0].pool.capacityBlocks > 2 * one.instances[0].pool.capacityBlocks)
        let reportOne = one.run(), reportTwo = two.run()
        #expect(one.invariantViolations.isEmpty && two.invariantViolations.isEmpty)
        #expect(reportTwo.instances[0].requests.finished == 40)
        #expect(reportTwo.instances[0].tpot.meanMs < reportOne.instances[0].tpot.meanMs)
    }

    /// Every strategy runs at TP 2 on a GH200 NVL2 (each GPU streaming or swapping its shard over its own C2C link)
    /// under memory pressure without breaking an invariant.
    @Test(arguments: ["recompute", "pie", "offload", "remap", "kv-offload", "weight-offload"])
    func everyStrategyRunsSplitOverTwoGPUs(strategy: String) throws {
        var text = Self.yaml(hardware: "gh200-nvl2", tensorParallel: 2, strategy: strategy)
            .replacingOccurrences(of: "enable_prefix_caching: false", with: "enable_prefix_caching: true, gpu_memory_utilization: 0.3")
            .replacingOccurrences(of: "rate: 4}", with: "rate: 40}")
            .replacingOccurrences(of: "max_requests: 40", with: "max_requests: 120")
            .replacingOccurrences(of: "prompt: 512, output: 64", with: "prompt: 2048, output: 256")
        if strategy == "weight-offload" { text = text.replacingOccurrences(of: "strategy: weight-offload", with: "strategy: {kind: weight-offload, cpu_offload_gb: 4}") }
        let simulator = try Simulator(experiment: try TestExperiments.experiment(text))
        let report = simulator.run()
        #expect(simulator.invariantViolations.isEmpty, "\(simulator.invariantViolations.prefix(3))")
        #expect(report.instances[0].requests.finished == 120)
    }

    /// Remapping lends a shard's layers: each is half of a whole layer's bytes plus its norms, which every GPU keeps
    /// whole (so twice a shard's layer is a whole layer and one more set of norms), and so is its load over the GPU's
    /// own link.
    @Test func remapLendsHalfALayerPerGPU() throws {
        let experiment = try TestExperiments.experiment(Self.yaml(hardware: "gh200-nvl2", tensorParallel: 2, strategy: "remap"))
        let layer = experiment.instances[0].model.weightBytesPerLayer
        let norms = Self.qwen.smallParametersPerLayer * Int64(Self.qwen.bytesPerElement)
        #expect(abs(layer * 2 - Self.qwen.weightBytesPerLayer - norms) <= 2)
    }
}
