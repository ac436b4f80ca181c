/// The shape of one decoder-only transformer and how it is stored (its quantization and KV-cache dtype):
/// everything the simulator derives bytes and FLOPs from.
///
/// Two families are modelled: OPT (learned positions, biases, LayerNorm, two-matrix ReLU MLP, LM head
/// tied to the token embedding) and Llama-style (RoPE, RMSNorm, no biases, gated SiLU MLP, separate
/// LM head unless tied). Byte counts are in bytes, FLOPs are multiply-adds × 2.
public struct ModelSpec: Sendable, Hashable {
    /// The MLP block of a decoder layer.
    public enum MLPKind: String, Sendable, Hashable, CaseIterable {
        /// Up and down projections with a ReLU/GELU between them (OPT).
        case twoMatrix = "two-matrix"
        /// Gate, up and down projections with SiLU (Llama, Mistral, Qwen).
        case gated
    }

    /// The architecture family, which decides biases, norms and position embeddings.
    public enum Family: String, Sendable, Hashable, CaseIterable {
        case opt
        case llama
    }

    public var name: String
    public var family: Family
    public var layers: Int
    public var hiddenSize: Int
    public var attentionHeads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var ffnSize: Int
    public var vocabSize: Int
    public var mlp: MLPKind
    /// Longest sequence (prompt + output) the model accepts, in tokens.
    public var maxContextTokens: Int
    /// Whether the LM head shares the token-embedding matrix (OPT: yes; Llama-2/3: no).
    public var tiedEmbeddings: Bool
    /// Whether the attention QKV projections carry biases (OPT: all linears; Qwen2: QKV only).
    public var attentionBias: Bool
    /// Bytes per unquantized parameter, per activation and per KV element in the model's dtype (2 for fp16/bf16).
    public var bytesPerElement: Int
    /// How the decoder layers' matrices are stored (vLLM's `quantization`; ``Quantization/none`` for 16-bit).
    public var quantization: Quantization
    /// The KV cache's element type (vLLM's `kv_cache_dtype`).
    public var kvCacheDtype: KVCacheDtype
    /// The experts of a mixture-of-experts model; nil for a dense model.
    public var moe: MixtureOfExperts?
    /// The GPUs this model is split over by tensor parallelism when it is one GPU's shard (see
    /// ``shard(tensorParallel:)``); 1 for a whole model.
    public var tensorParallel: Int = 1
    /// The GPUs whose shards hold whole experts of an MoE layer, each a share of them (vLLM's expert parallelism over
    /// the tensor-parallel GPUs); 1 when every shard holds a slice of every expert.
    public var expertParallel: Int = 1
    /// The data-parallel ranks this shard is one of (vLLM's `data_parallel_size`, MoE models only): each holds the
    /// attention and steps in lockstep with the others, their MoE layers sharing the experts; 1 otherwise.
    public var dataParallel: Int = 1

    public init(name: String, family: Family, layers: Int, hiddenSize: Int, attentionHeads: Int, kvHeads: Int,
                headDim: Int, ffnSize: Int, vocabSize: Int, mlp: MLPKind, maxContextTokens: Int,
                tiedEmbeddings: Bool, attentionBias: Bool = false, bytesPerElement: Int = 2,
                quantization: Quantization = .none, kvCacheDtype: KVCacheDtype = .auto, moe: MixtureOfExperts? = nil) {
        self.name = name
        self.family = family
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.attentionHeads = attentionHeads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.ffnSize = ffnSize
        self.vocabSize = vocabSize
        self.mlp = mlp
        self.maxContextTokens = maxContextTokens
        self.tiedEmbeddings = tiedEmbeddings
        self.attentionBias = attentionBias
        self.bytesPerElement = bytesPerElement
        self.quantization = quantization
        self.kvCacheDtype = kvCacheDtype
        self.moe = moe
    }
}
