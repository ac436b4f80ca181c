/// The serving engine's CPU work per iteration that the GPU waits for: scheduling, input preparation,
/// sampling and output processing.
///
/// One profile per engine version (``Profile``), chosen per instance with `engine_overhead:` in an experiment,
/// or given as numbers (`{per_step_us: X, per_sequence_us: Y}`). Sources and fits are in `docs/time-model.md`.
public struct EngineOverhead: Sendable, Hashable {
    /// Fixed cost of one iteration.
    public var perIteration: SimTime
    /// Added cost for each sequence that samples a token this iteration.
    public var perSequence: SimTime

    public init(perIteration: SimTime, perSequence: SimTime) {
        self.perIteration = perIteration
        self.perSequence = perSequence
    }

    /// No engine overhead: the GPU's work only.
    public static let none = EngineOverhead(perIteration: .zero, perSequence: .zero)

    /// vLLM 0.5 (v0.5.3): 1 ms per iteration plus 90 µs per sampled sequence [fitted to a published profile].
    /// vLLM's v0.6.0 performance post ("vLLM v0.6.0: 2.7x Throughput Improvement and 5x Latency Reduction",
    /// blog.vllm.ai, 2024-09-05) profiled Llama-3-8B on one H100 under v0.5.3: the GPU busy only 38% of the time,
    /// the HTTP API server 33% and scheduling 29%. So the CPU takes 62/38 = 1.63× the GPU time of a step. For
    /// ShareGPT at 32 QPS (the post's load) we take the batch at max_num_seqs 256 with ≈ 600 tokens of context each
    /// [E]; this model gives ≈ 15 ms of GPU work for that step on an H100 SXM, hence ≈ 24.5 ms of CPU: the fixed
    /// millisecond of ``vllm07`` plus (24.5 − 1) ms / 256 ≈ 90 µs per sequence.
    public static let vllm05 = EngineOverhead(perIteration: SimTime(ns: 1_000_000), perSequence: SimTime(ns: 90_000))

    /// vLLM 0.7 V0 (0.7.3, async output processing on, no multi-step; the MIRAGE paper's engine and the default):
    /// 1 ms per iteration plus 10 µs per sampled sequence [E, bounded by published measurements]. Upper bound:
    /// v0.6 moved the API server to its own process and overlapped output processing with the GPU step (+12%
    /// throughput from the async output processor alone, vLLM PR #7049), removing most of ``vllm05``'s per-sequence
    /// cost. Lower bound: vLLM's V1 alpha post (blog.vllm.ai, 2025-01-27) reports up to 1.7× V0's throughput
    /// (without multi-step) on Llama-3.1-8B, H100, which bounds V0's extra CPU time per step by 0.7× the GPU time
    /// (it also counts V1's piecewise CUDA graphs and FlashAttention 3). At batch 256 on an H100 this profile costs
    /// 3.6 ms, ≈ 0.25× the GPU step: inside the bounds. Not itself measured.
    public static let vllm07 = EngineOverhead(perIteration: SimTime(ns: 1_000_000), perSequence: SimTime(ns: 10_000))

    /// The default engine of the existing experiments: ``vllm07``.
    public static let vllmV0 = vllm07

    /// vLLM V1 (0.8 and later; the real runs use 0.19.0): 0.7 ms per step, nothing per sequence [fitted to a
    /// measurement]. The per-step time is fitted to the median TPOT of the real RTX PRO 6000 run in
    /// `Workloads/vllm-runs/` (replayed on `validation-rtxpro6000-llama-3.1-8b`: 0.6 ms gives −0.3%, 0.7 ms +0.0%,
    /// 0.9 ms +0.5%). The RTX 4090 run cannot constrain it: its median TPOT is 28% above the measurement even at zero
    /// overhead, a GPU-time error (see `docs/validation.md`). Per sequence zero: V1's persistent batch updates its
    /// inputs incrementally and detokenizes in another process, and the V1 alpha post (blog.vllm.ai, 2025-01-27)
    /// reports near-zero CPU overhead.
    public static let vllmV1 = EngineOverhead(perIteration: SimTime(ns: 700_000), perSequence: .zero)

    /// The overhead of one iteration in which `sampledSequences` sequences produce a token.
    @inlinable public func duration(sampledSequences: Int) -> SimTime {
        perIteration + perSequence * sampledSequences
    }

    /// The named profiles a config may give as `engine_overhead`.
    public enum Profile: String, CaseIterable, Sendable {
        case vllm05 = "vllm-0.5"
        case vllm07 = "vllm-0.7"
        case vllmV1 = "vllm-v1"

        public var overhead: EngineOverhead {
            switch self {
            case .vllm05: return .vllm05
            case .vllm07: return .vllm07
            case .vllmV1: return .vllmV1
            }
        }
    }
}
