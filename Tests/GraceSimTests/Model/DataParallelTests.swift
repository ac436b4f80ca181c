import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// Data parallelism of an MoE model (vLLM's `data_parallel_size` with `enable_expert_parallel`): each rank holds the
/// attention and a share of the experts; the ranks step together as one engine whose step lasts as long as its busiest
/// rank's share.
@Suite struct DataParallelTests {
    static let moe = TestExperiments.model("qwen3-30b-a3b")

    /// Qwen3-30B-A3B (32 query heads, 4 KV heads, 128 experts of MLP 768) over two ranks of one GPU each: the attention
    /// whole on each, 64 whole experts each with expert parallelism, else every expert's MLP halved.
    @Test func eachRankHoldsTheAttentionAndAShareOfTheExperts() {
        let spread = Self.moe.shard(tensorParallel: 1, expertParallel: true, dataParallel: 2)
        #expect((spread.attentionHeads, spread.kvHeads, spread.tensorParallel) == (32, 4, 1))
        #expect(spread.moe?.experts == 64 && spread.moe?.expertFFNSize == 768 && spread.expertParallel == 2 && spread.dataParallel == 2)
        #expect(spread.kvBytesPerToken == Self.moe.kvBytesPerToken)
        let sliced = Self.moe.shard(tensorParallel: 1, dataParallel: 2)
        #expect(sliced.moe?.experts == 128 && sliced.moe?.expertFFNSize == 384 && sliced.expertParallel == 1)
        #expect(spread.moeMLPBytesPerLayer == sliced.moeMLPBytesPerLayer)
        // Two ranks of TP 2: attention over 2 GPUs, experts over all 4.
        let four = Self.moe.shard(tensorParallel: 2, expertParallel: true, dataParallel: 2)
        #expect(four.attentionHeads == 16 && four.moe?.experts == 32 && four.expertParallel == 4)
        #expect(Self.moe.tensorParallelProblem(gpus: 1, expertParallel: true, dataParallel: 3)?.contains("does not divide") == true)
        let dense = TestExperiments.model("qwen3-32b")
        #expect(dense.tensorParallelProblem(gpus: 1, dataParallel: 2)?.contains("dense model") == true)
    }

    /// Counts split rounded up (the largest rank's), sums split evenly; one rank is the batch itself.
    @Test func aRanksShareWorkedByHand() {
        let batch = BatchShape(prefillTokens: 2049, prefillSequences: 3, prefillAttentionPairs: 1000, decodeSequences: 5,
                               decodeContextTokens: 5001, sampledSequences: 7)
        let share = batch.rankShare(of: 2)
        #expect(share == BatchShape(prefillTokens: 1025, prefillSequences: 2, prefillAttentionPairs: 500, decodeSequences: 3,
                                    decodeContextTokens: 2501, sampledSequences: 4))
        #expect(batch.rankShare(of: 1) == batch)
    }

    /// A prefill chunk runs whole on its request's rank: the busiest rank has the largest chunk, or an even share
    /// when that is more; decodes split evenly beside it.
    @Test func aPromptChunkRunsWholeOnOneRank() {
        // One prompt of 1,000 tokens beside 10 decodes: that rank prefills all 1,000 (500,500 pairs) and 5 decodes.
        var batch = Batch()
        batch.addPrefill(0, chunk: 1000, priorTokens: 0, samples: true)
        for id in 1...10 { batch.addDecode(Int32(id), contextTokens: 200) }
        let share = batch.shape.rankShare(of: 2)
        #expect(share.prefillTokens == 1000 && share.prefillAttentionPairs == 500_500)
        #expect(share.decodeSequences == 5 && share.decodeContextTokens == 1000 && share.sampledSequences == 6)
        // Chunks of 600 (after 100 cached: 600 × (100 + 300.5) = 240,300 pairs) and 400 (400 × 200.5 = 80,200):
        // the busiest rank has at least the 600-token chunk, more than the even 500.
        var two = Batch()
        two.addPrefill(0, chunk: 600, priorTokens: 100, samples: true)
        two.addPrefill(1, chunk: 400, priorTokens: 0, samples: true)
        #expect(two.shape.largestPrefillChunk == 600 && two.shape.largestPrefillChunkPairs == 240_300)
        #expect(two.shape.rankShare(of: 2).prefillTokens == 600 && two.shape.rankShare(of: 2).prefillAttentionPairs == 240_300)
        // Four chunks of 300 over two ranks: the even share, 600 tokens, is more than any one chunk.
        var four = Batch()
        for id in 0..<4 { four.addPrefill(Int32(id), chunk: 300, priorTokens: 0, samples: true) }
        #expect(four.shape.rankShare(of: 2).prefillTokens == 600 && four.shape.rankShare(of: 2).prefillAttentionPairs == 90_300)
    }

    /// One of two ranks computes its half of the batch's attention, the experts for both halves' tokens, and one
    /// exchange of every rank's hidden states per MoE layer: the same attention as one rank alone with half the batch,
    /// more expert work, and communication that only data parallelism adds.
    @Test(arguments: [BatchShape.decode(sequences: 64, contextTokens: 1500), BatchShape.prefill(tokens: 2048)])
    func aRankComputesItsShareAndEveryRanksExpertTokens(batch: BatchShape) throws {
        let pair = TestExperiments.hardware("x86-2x-rtxpro6000-pcie5")
        let shard = Self.moe.shard(tensorParallel: 1, expertParallel: true, dataParallel: 2)
        var alone = shard
        alone.dataParallel = 1
        let exchange = try #require(AllReduceTime(gpus: 2, gpu: pair.gpu, fabric: pair.fabric, elementBytes: 2))
        let ranks = IterationTimeModel(model: shard, gpu: pair.gpu, engineOverhead: .vllmV1, expertExchange: exchange)
        let one = IterationTimeModel(model: alone, gpu: pair.gpu, engineOverhead: .vllmV1, expertExchange: exchange)
        #expect(one.expertExchange == nil, "one rank exchanges nothing")
        let together = ranks.layerBreakdown(of: batch), half = one.layerBreakdown(of: batch.rankShare(of: 2))
        #expect(together.attentionSeconds == half.attentionSeconds)
        #expect(together.elementwiseSeconds == half.elementwiseSeconds)
        #expect(together.linearSeconds > half.linearSeconds, "the experts see both ranks' tokens")
        #expect(half.communicationSeconds == 0)
        // 48 MoE layers of 48: one exchange of every rank's tokens' hidden states (2,048 wide, 2 bytes), each rank's
        // padded to the busiest's, per layer, by the ring bound of this PCIe pair. A single prompt runs on one rank:
        // 2 × 2,048 tokens exchanged; 64 decodes split 32 and 32.
        let bytes = Double(2 * batch.rankShare(of: 2).totalTokens) * 2048 * 2
        #expect(batch.rankShare(of: 2).totalTokens == (batch.prefillTokens > 0 ? 2048 : 32))
        let expected = pair.fabric!.ringAllReduceSeconds(bytes: bytes, gpus: 2)
        #expect(abs(together.communicationSeconds - expected) < 1e-12)
        #expect(ranks.duration(of: batch) > one.duration(of: batch.rankShare(of: 2)))
    }

    static func yaml(ranks: Int, strategy: String = "recompute", model: String = "qwen3-30b-a3b", extra: String = "") -> String {
        """
        name: dp
        hardware: x86-2x-rtxpro6000-pcie5
        strategy: \(strategy)
        instances: [{model: \(model), data_parallel_size: \(ranks), enable_expert_parallel: true, engine: vllm-v1,
                     enable_prefix_caching: false, max_num_seqs: 64, max_num_batched_tokens: 2048\(extra)}]
        workload: {max_requests: 80, arrivals: {kind: poisson, rate: 20}, lengths: {kind: fixed, prompt: 1024, output: 128}}
        simulation: {check_invariants: true}
        """
    }

    /// Two ranks: twice one GPU's KV and twice the step limits, on GPUs 0 and 1; the run serves every request without
    /// breaking an invariant (each GPU holding its half of the KV).
    @Test func twoRanksHaveTwiceTheKVAndStepLimits() throws {
        let experiment = try TestExperiments.experiment(Self.yaml(ranks: 2))
        let spec = experiment.instances[0]
        #expect(spec.dataParallelSize == 2 && spec.devices == [0, 1] && spec.stepSequences == 128 && spec.stepTokens == 4096)
        let simulator = try Simulator(experiment: experiment)
        let perGPU = try MemoryPartition.plan(experiment.instances, gpu: experiment.gpuView.gpu).kvBlocks[0]
        #expect(simulator.instances[0].pool.capacityBlocks == 2 * perGPU)
        let report = simulator.run()
        #expect(simulator.invariantViolations.isEmpty, "\(simulator.invariantViolations.prefix(3))")
        #expect(report.instances[0].requests.finished == 80)
    }

    /// Records each pass's prefill tokens.
    final class PrefillLog: SimulationObserver {
        var prefillTokens: [Int] = []
        func iterationStarted(_ iteration: IterationRecord) { prefillTokens.append(iteration.prefillTokens) }
        func transferStarted(_ transfer: Transfer) {}
        func transferFinished(_ transfer: Transfer, end: SimTime) {}
        func preempted(request: Int32, instance: Int, mode: PreemptionMode, at: SimTime) {}
        func strategyEvent(_ event: StrategyEvent, at: SimTime) {}
        func kvBlocks(instance: Int, usedBlocks: Int, capacityBlocks: Int, at: SimTime) {}
    }

    /// A request runs on one rank, so it computes at most one rank's `max_num_batched_tokens` (2,048) a step, though
    /// the two ranks together may schedule 4,096: a prompt of 5,000 alone takes chunks of 2,048, 2,048 and 904.
    @Test func aRequestComputesAtMostOneRanksTokenBudgetAStep() throws {
        let experiment = try TestExperiments.experiment(Self.yaml(ranks: 2))
        let simulator = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0, prompt: 5000, output: 2)])
        let log = PrefillLog()
        simulator.observer = log
        _ = simulator.run()
        #expect(log.prefillTokens == [2048, 2048, 904, 0])
    }

    @Test(arguments: ["pie", "offload", "remap", "kv-offload"])
    func strategiesOtherThanRecomputeAreRefused(strategy: String) {
        #expect {
            _ = try TestExperiments.experiment(Self.yaml(ranks: 2, strategy: strategy))
        } throws: { error in
            (error as? ConfigError)?.description.contains("data_parallel_size 2 is modelled under recompute only") == true
        }
    }

    /// A dense model (whose replicas vLLM runs as independent servers), more ranks than GPUs, too few devices.
    @Test(arguments: [("qwen3-32b", 2, "", "dense model"), ("qwen3-30b-a3b", 3, "", "expected 1 to 2"),
                      ("qwen3-30b-a3b", 2, ", devices: [0]", "expected 2 GPUs")])
    func badParallelismIsRefused(model: String, ranks: Int, extra: String, mention: String) {
        #expect {
            _ = try TestExperiments.experiment(Self.yaml(ranks: ranks, model: model, extra: extra))
        } throws: { error in
            ((error as? ConfigError)?.description ?? "").contains(mention)
        }
    }
}
