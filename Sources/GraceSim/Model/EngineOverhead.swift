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
    /// CPU seconds per second of the step's GPU work, run before the GPU starts (an engine whose CPU work scales
    /// with what the GPU does and does not overlap it).
    public var cpuPerGPUSecond: Double
    /// Which steps the engine replays as CUDA graphs; the others launch every kernel from the CPU.
    public var cudaGraphs: CUDAGraphCapture

    public init(perIteration: SimTime, perSequence: SimTime, cpuPerGPUSecond: Double = 0,
                cudaGraphs: CUDAGraphCapture = .vllmV1) {
        self.perIteration = perIteration
        self.perSequence = perSequence
        self.cpuPerGPUSecond = cpuPerGPUSecond
        self.cudaGraphs = cudaGraphs
    }

    /// CPU time to launch one kernel outside a CUDA graph: PyTorch's eager dispatch plus `cudaLaunchKernel`
    /// [E: a few µs each; not measured here]. A step that is not captured takes at least this per kernel, so a
    /// small model's small steps become bound by the CPU; a captured step launches its graph at once.
    public static let eagerLaunchSeconds = 5e-6

    /// No engine overhead: the GPU's work only, every step captured.
    public static let none = EngineOverhead(perIteration: .zero, perSequence: .zero, cudaGraphs: .all)

    /// vLLM 0.5 (v0.5.3): 1.63 s of CPU per second of GPU work, nothing fixed [fitted to two published figures].
    /// vLLM's v0.6.0 performance post ("vLLM v0.6.0: 2.7x Throughput Improvement and 5x Latency Reduction",
    /// blog.vllm.ai, 2024-09-05) profiled Llama-3-8B on one H100 under v0.5.3: the GPU was busy 38% of the time,
    /// the HTTP API server took 33% and scheduling and input preparation 29%, in the same process and not
    /// overlapped; so every second of GPU work came with 62 / 38 = 1.63 s of CPU. The same post measures v0.6.0's
    /// throughput at 2.7× v0.5.3's on that setup, which a step of 1 + 1.63 = 2.63× its GPU time also gives when
    /// v0.6.0 is near GPU-bound. No batch size is assumed: the profile scales with whatever the GPU does.
    public static let vllm05 = EngineOverhead(perIteration: .zero, perSequence: .zero, cpuPerGPUSecond: 62.0 / 38.0,
                                              cudaGraphs: .vllmV0)

    /// vLLM 0.7 V0 (0.7.3, async output processing on, no multi-step; the MIRAGE paper's engine and the default):
    /// 1 ms per iteration plus 10 µs per sampled sequence [E, bounded by published measurements]. Upper bound:
    /// v0.6 moved the API server to its own process and overlapped output processing with the GPU step (+12%
    /// throughput from the async output processor alone, vLLM PR #7049), removing most of ``vllm05``'s per-sequence
    /// cost. Lower bound: vLLM's V1 alpha post (blog.vllm.ai, 2025-01-27) reports up to 1.7× V0's throughput
    /// (without multi-step) on Llama-3.1-8B, H100, which bounds V0's extra CPU time per step by 0.7× the GPU time
    /// (it also counts V1's piecewise CUDA graphs and FlashAttention 3). At batch 256 on an H100 this profile costs
    /// 3.6 ms, ≈ 0.25× the GPU step: inside the bounds. Not itself measured.
    public static let vllm07 = EngineOverhead(perIteration: SimTime(ns: 1_000_000), perSequence: SimTime(ns: 10_000),
                                              cudaGraphs: .vllmV0)

    /// The default engine of the existing experiments: ``vllm07``.
    public static let vllmV0 = vllm07

    /// vLLM V1 (0.8 and later; the real runs use 0.19.0): nothing per step, 30 µs per sampled sequence
    /// [fitted to a measurement, with the split bounded by another].
    /// - The total is fitted to the real RTX PRO 6000 run in `Workloads/vllm-runs/` (replayed on
    ///   `validation-rtxpro6000-llama-3.1-8b` with the measured kernel tables): the sum of squared errors of median,
    ///   P90 and P99 TTFT and TPOT and of output throughput is smallest along a ridge of equal CPU time at its
    ///   batch of ≈ 120 (2.0 ms + 10 µs, 1.0 ms + 20 µs, 0 + 30 µs all within 3%). One run cannot split the two.
    /// - The split comes from a public measurement: with vLLM 0.19.0 the CPU's share of end-to-end time is
    ///   0.4–0.6% for a single request and 11–15% at 32 concurrent ones ("CPU–GPU co-design for agentic
    ///   inference", andyluo7.github.io, 2026-05-14), so the cost grows with the batch and a fixed per-step cost
    ///   is near zero.
    /// - The RTX 4090 run cannot constrain it: the roofline times that GPU (no tables), and its error is GPU time.
    public static let vllmV1 = EngineOverhead(perIteration: .zero, perSequence: SimTime(ns: 30_000))

    /// The overhead of one iteration in which `sampledSequences` sequences produce a token and the GPU works
    /// `gpuSeconds`.
    @inlinable public func duration(sampledSequences: Int, gpuSeconds: Double) -> SimTime {
        let proportional = cpuPerGPUSecond > 0 ? SimTime.capped(seconds: cpuPerGPUSecond * gpuSeconds) : .zero
        return perIteration + perSequence * sampledSequences + proportional
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

/// The steps a serving engine runs as CUDA graphs, which launch a whole pass at once instead of kernel by kernel.
public enum CUDAGraphCapture: Sendable, Hashable {
    /// Every step (an idealised engine with no CPU launch cost).
    case all
    /// No step (`enforce_eager`).
    case none
    /// Decode-only steps of at most this many sequences (vLLM V0: captured batch sizes up to 256).
    case decodeOnly(maxSequences: Int)
    /// Every step of at most this many tokens, prefill chunks included (vLLM V1: piecewise graphs around attention
    /// and full graphs for decodes, captured sizes up to 512 tokens by default).
    case upToTokens(Int)

    /// vLLM V0 (0.5–0.7): decode-only batches up to 256 sequences [D: vLLM 0.7 `_BATCH_SIZES_TO_CAPTURE`].
    public static let vllmV0 = CUDAGraphCapture.decodeOnly(maxSequences: 256)
    /// vLLM V1: steps up to 512 tokens [D: vLLM V1 `max_capture_size` default 512].
    public static let vllmV1 = CUDAGraphCapture.upToTokens(512)

    /// Whether `batch` runs as a CUDA graph.
    @inlinable public func captures(_ batch: BatchShape) -> Bool {
        switch self {
        case .all: return true
        case .none: return false
        case .decodeOnly(let limit):
            return batch.prefillTokens == 0 && batch.decodeSequences + batch.hostDecodeSequences <= limit
        case .upToTokens(let limit): return batch.totalTokens <= limit
        }
    }
}
