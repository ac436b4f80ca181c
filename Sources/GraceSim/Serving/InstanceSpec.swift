/// One model instance as an experiment configures it: the model, its share of GPU memory and the
/// vLLM scheduler limits.
public struct InstanceSpec: Sendable {
    /// Display name (defaults to the model's name; made unique by the loader).
    public var name: String
    /// The model as one GPU holds it: under tensor parallelism one GPU's shard (``ModelSpec/shard(tensorParallel:)``).
    public var model: ModelSpec
    /// vLLM's `tensor_parallel_size`: the GPUs the model is split over.
    public var tensorParallelSize: Int { model.tensorParallel }
    /// vLLM's `data_parallel_size`: engines that step together, each on its own `tensorParallelSize` GPUs (MoE models).
    /// The instance is then all of them as one: one scheduler over every rank's limits and KV, each step split evenly
    /// over the ranks (see docs/model.md).
    public var dataParallelSize: Int { model.dataParallel }
    /// Sequences in one step over every data-parallel rank: `maxNumSeqs` per rank.
    public var stepSequences: Int { maxNumSeqs * dataParallelSize }
    /// Tokens in one step over every data-parallel rank: `maxNumBatchedTokens` per rank.
    public var stepTokens: Int { maxNumBatchedTokens * dataParallelSize }
    /// The machine's GPUs the instance runs on, `tensorParallelSize × dataParallelSize` of them (`devices`; by default
    /// the first ones).
    public var devices: [Int] = [0]
    /// vLLM's `gpu_memory_utilization`: the fraction of HBM this instance may use for weights, activations and KV.
    public var gpuMemoryUtilization: Double
    /// vLLM's `max_num_seqs`: sequences in one step (of one data-parallel rank).
    public var maxNumSeqs: Int
    /// vLLM's `max_num_batched_tokens`: tokens in one step (of one data-parallel rank).
    public var maxNumBatchedTokens: Int
    /// Whether prompts may be split across steps and mixed with decodes (vLLM `enable_chunked_prefill`; always
    /// under V1).
    public var chunkedPrefill: Bool
    /// The serving engine whose scheduler forms the steps (`engine`; V0 unless the config says otherwise).
    public var engine: ServingEngine
    /// Whether full KV blocks are cached and reused by later requests with the same leading tokens (vLLM's
    /// `enable_prefix_caching`; V1 only).
    public var prefixCaching: Bool
    /// vLLM's `max_model_len`, when the experiment gives it: a request whose prompt and output together exceed it
    /// is rejected at arrival, as vLLM's server refuses it. Nil: the model's context, and an output that would not
    /// fit is shortened to fit (counted as truncated).
    public var maxModelLen: Int?
    /// The longest sequence (prompt and output) the instance serves: ``maxModelLen``, else the model's context.
    public var contextTokens: Int { maxModelLen ?? model.maxContextTokens }
    /// Tokens per KV block (vLLM's `block_size`, 16).
    public var blockTokens: Int
    /// Fraction of the pool kept free when admitting a new prefill (vLLM's watermark, 0.01).
    public var watermark: Double
    /// Bytes reserved for activations and the sampler's logits, which vLLM measures in a profiling run
    /// before sizing the KV cache.
    public var activationReserveBytes: Int64
    /// The MIG slice the instance runs on under MIG sharing (nil otherwise). `gpuMemoryUtilization` is then a fraction of
    /// the slice's memory, as vLLM's `gpu_memory_utilization` is of the device it sees.
    public var migProfile: MIGProfile?
    /// The serving engine's CPU time per step (`engine_overhead`; vLLM 0.7 V0 unless the config says otherwise).
    public var engineOverhead: EngineOverhead
    /// The model as the experiment names it (a preset name, a Hugging Face id, a path), when the loader read one.
    public var writtenModel: String?
    /// What vLLM's benchmark records as `model_id`: the model as the experiment names it, else the preset's name.
    public var modelReference: String { writtenModel ?? model.name }

    public init(name: String, model: ModelSpec, gpuMemoryUtilization: Double, maxNumSeqs: Int = 256,
                maxNumBatchedTokens: Int? = nil, chunkedPrefill: Bool = false, maxModelLen: Int? = nil, blockTokens: Int = 16,
                watermark: Double = 0.01, activationReserveBytes: Int64? = nil, migProfile: MIGProfile? = nil, engineOverhead: EngineOverhead = .vllmV0,
                engine: ServingEngine = .vllmV0, prefixCaching: Bool = false) {
        self.engineOverhead = engineOverhead
        self.engine = engine
        self.prefixCaching = prefixCaching
        self.name = name
        self.model = model
        self.gpuMemoryUtilization = gpuMemoryUtilization
        self.maxNumSeqs = maxNumSeqs
        self.maxModelLen = maxModelLen
        let budget = maxNumBatchedTokens ?? InstanceSpec.defaultBatchedTokens(contextTokens: maxModelLen ?? model.maxContextTokens,
                                                                              chunkedPrefill: chunkedPrefill || engine == .vllmV1)
        self.maxNumBatchedTokens = budget
        self.chunkedPrefill = chunkedPrefill || engine == .vllmV1
        self.blockTokens = blockTokens
        self.watermark = watermark
        self.migProfile = migProfile
        self.activationReserveBytes = activationReserveBytes
            ?? InstanceSpec.estimatedActivationBytes(model: model, batchedTokens: budget, sequences: maxNumSeqs)
    }

    /// The largest `max_num_seqs` a config may give: far above any real server, small enough that the
    /// memory estimates below cannot overflow Int64.
    public static let maxSequences = 1_000_000
    /// The largest `max_num_batched_tokens` a config may give (see ``maxSequences``).
    public static let maxBatchedTokens = 100_000_000
    /// The `block_size` values vLLM accepts, in tokens.
    public static let blockSizes = [8, 16, 32, 64, 128]

    /// vLLM V0's default token budget: max(max_model_len, 2048) without chunked prefill, 2048 with it.
    public static func defaultBatchedTokens(contextTokens: Int, chunkedPrefill: Bool) -> Int {
        chunkedPrefill ? 2048 : max(contextTokens, 2048)
    }

    /// An estimate [E] of the peak activation memory vLLM's profiling run finds: the widest per-token
    /// intermediate tensors of one layer (QKV, the MLP's up projection and its output, the residual stream,
    /// in fp16) for a full token budget, plus fp32 logits for every sequence.
    public static func estimatedActivationBytes(model: ModelSpec, batchedTokens: Int, sequences: Int) -> Int64 {
        let mlpWidth = model.mlp == .gated ? 2 * model.ffnSize : model.ffnSize
        let perTokenElements = model.queryWidth + 2 * model.kvWidth + mlpWidth + model.ffnSize + 2 * model.hiddenSize
        let activations = Int64(batchedTokens) * Int64(perTokenElements) * Int64(model.bytesPerElement)
        let logits = Int64(sequences) * Int64(model.vocabSize) * 4
        return activations + logits
    }
}
