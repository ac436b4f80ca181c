/// Reading a ``ModelSpec`` from a Hugging Face `config.json`: dense OPT, Llama, Mistral, Qwen2 and Qwen3; the
/// mixture-of-experts Mixtral, Qwen3-MoE, gpt-oss and Llama-4 (its `text_config`); and a `quantization_config`,
/// read as vLLM reads it (``Quantization/fromHuggingFace(_:)``).
///
/// Such files carry many keys the simulator has no use for (dropout, token ids, rope scaling), so
/// unknown keys are ignored here, unlike in the project's own files.
extension ModelSpec {
    /// The `model_type` values this reader understands.
    public static let supportedHuggingFaceModelTypes = ["gpt_oss", "llama", "llama4", "mistral", "mixtral", "opt", "qwen2", "qwen3", "qwen3_moe"]

    /// Reads a Hugging Face `config.json`; the model gets `name`, since the file does not say it.
    /// Unquantized weights and the KV cache are taken as 2 bytes per element (fp16/bf16 serving), whatever
    /// `torch_dtype` says.
    public static func fromHuggingFaceConfig(_ node: ConfigNode, name: String) throws -> ModelSpec {
        let outer = try node.object()
        let typeNode = try outer.required("model_type")
        let modelType = try typeNode.string()
        // Llama-4 keeps the language model's shape under `text_config` (type llama4_text); the vision tower aside.
        var o = outer
        if modelType == "llama4" {
            o = try outer.required("text_config").object()
        }
        var spec: ModelSpec
        switch modelType {
        case "opt":
            spec = try optFromHuggingFace(o, name: name)
        case "llama", "mistral", "qwen2", "qwen3", "mixtral", "qwen3_moe", "gpt_oss", "llama4":
            spec = try llamaFromHuggingFace(o, name: name, modelType: modelType)
        default:
            let known = supportedHuggingFaceModelTypes.joined(separator: ", ")
            throw typeNode.error("unsupported model_type \"\(modelType)\" (supported: \(known))")
        }
        if let config = outer.optional("quantization_config") ?? o.optional("quantization_config") {
            spec.quantization = try Quantization.fromHuggingFace(config)
        }
        return spec
    }

    private static func optFromHuggingFace(_ o: ConfigObject, name: String) throws -> ModelSpec {
        let hidden = try o.positiveInt("hidden_size", atMost: Limits.hiddenSize)
        let heads = try o.positiveInt("num_attention_heads", atMost: Limits.heads)
        if let projection = o.optional("word_embed_proj_dim") {
            let value = try projection.int()
            guard value == hidden else {
                throw projection.error("must equal hidden_size (\(hidden)); OPT models with an embedding projection are not supported, found \(value)")
            }
        }
        guard hidden % heads == 0 else {
            throw try o.required("num_attention_heads").error("must divide hidden_size (\(hidden)), found \(heads)")
        }
        let spec = ModelSpec(
            name: name, family: .opt, layers: try o.positiveInt("num_hidden_layers", atMost: Limits.layers), hiddenSize: hidden,
            attentionHeads: heads, kvHeads: heads, headDim: hidden / heads, ffnSize: try o.positiveInt("ffn_dim", atMost: Limits.ffnSize),
            vocabSize: try o.positiveInt("vocab_size", atMost: Limits.vocabSize), mlp: .twoMatrix,
            maxContextTokens: try o.positiveInt("max_position_embeddings", atMost: Limits.contextTokens),
            tiedEmbeddings: try o.bool("tie_word_embeddings", default: true), attentionBias: true)
        try spec.validate(in: o, keys: .init(heads: "num_attention_heads", kvHeads: "num_attention_heads", headDim: "hidden_size", layers: "num_hidden_layers"))
        return spec
    }

    private static func llamaFromHuggingFace(_ o: ConfigObject, name: String, modelType: String) throws -> ModelSpec {
        let hidden = try o.positiveInt("hidden_size", atMost: Limits.hiddenSize)
        let heads = try o.positiveInt("num_attention_heads", atMost: Limits.heads)
        let kvHeads = try o.positiveInt("num_key_value_heads", default: heads, atMost: Limits.heads)
        let headDim: Int
        if o.optional("head_dim") != nil {
            headDim = try o.positiveInt("head_dim", atMost: Limits.headDim)
        } else {
            guard hidden % heads == 0 else {
                throw try o.required("num_attention_heads").error("must divide hidden_size (\(hidden)) when head_dim is absent, found \(heads)")
            }
            headDim = hidden / heads
        }
        // Qwen2 always has QKV biases; Llama configs may say so with `attention_bias`.
        let attentionBias = modelType == "qwen2" ? true : try o.bool("attention_bias", default: false)
        let layers = try o.positiveInt("num_hidden_layers", atMost: Limits.layers)
        let moe = try moeFromHuggingFace(o, modelType: modelType, layers: layers)
        // Llama-4 names its dense layers' MLP size `intermediate_size_mlp` (its `intermediate_size` is an expert's).
        let ffnKey = modelType == "llama4" ? "intermediate_size_mlp" : "intermediate_size"
        var spec = ModelSpec(
            name: name, family: .llama, layers: layers, hiddenSize: hidden,
            attentionHeads: heads, kvHeads: kvHeads, headDim: headDim,
            ffnSize: try o.positiveInt(ffnKey, atMost: Limits.ffnSize), vocabSize: try o.positiveInt("vocab_size", atMost: Limits.vocabSize), mlp: .gated,
            maxContextTokens: try o.positiveInt("max_position_embeddings", atMost: Limits.contextTokens),
            tiedEmbeddings: try o.bool("tie_word_embeddings", default: false), attentionBias: attentionBias)
        spec.moe = moe
        try spec.validate(in: o, keys: .init(heads: "num_attention_heads", kvHeads: "num_key_value_heads", headDim: "head_dim", layers: "num_hidden_layers"))
        return spec
    }

    /// The experts of an MoE `model_type`, each under its own keys; nil for a dense type.
    private static func moeFromHuggingFace(_ o: ConfigObject, modelType: String, layers: Int) throws -> MixtureOfExperts? {
        let maxExperts = MixtureOfExperts.maxExperts, maxFFN = Limits.ffnSize
        let moe: MixtureOfExperts
        switch modelType {
        case "mixtral":
            moe = MixtureOfExperts(experts: try o.positiveInt("num_local_experts", atMost: maxExperts),
                                   expertsPerToken: try o.positiveInt("num_experts_per_tok", atMost: maxExperts),
                                   expertFFNSize: try o.positiveInt("intermediate_size", atMost: maxFFN), moeLayers: layers)
        case "qwen3_moe":
            // Layer i has experts unless listed in `mlp_only_layers`, when (i + 1) is a multiple of `decoder_sparse_step`.
            let step = try o.positiveInt("decoder_sparse_step", default: 1, atMost: Limits.layers)
            let denseOnly = Set(try (o.optional("mlp_only_layers")?.list() ?? []).map { try $0.int() })
            let moeLayers = (0..<layers).filter { !denseOnly.contains($0) && ($0 + 1) % step == 0 }.count
            moe = MixtureOfExperts(experts: try o.positiveInt("num_experts", atMost: maxExperts),
                                   expertsPerToken: try o.positiveInt("num_experts_per_tok", atMost: maxExperts),
                                   expertFFNSize: try o.positiveInt("moe_intermediate_size", atMost: maxFFN), moeLayers: moeLayers)
        case "gpt_oss":
            let perTokenKey = o.has("experts_per_token") ? "experts_per_token" : "num_experts_per_tok"
            moe = MixtureOfExperts(experts: try o.positiveInt("num_local_experts", atMost: maxExperts),
                                   expertsPerToken: try o.positiveInt(perTokenKey, atMost: maxExperts),
                                   expertFFNSize: try o.positiveInt("intermediate_size", atMost: maxFFN), moeLayers: layers,
                                   expertBias: true)
        case "llama4":
            // Every `interleave_moe_layer_step`-th layer has 16 or 128 routed experts and one shared expert of the same size.
            let step = try o.positiveInt("interleave_moe_layer_step", default: 1, atMost: Limits.layers)
            let expertSize = try o.positiveInt("intermediate_size", atMost: maxFFN)
            moe = MixtureOfExperts(experts: try o.positiveInt("num_local_experts", atMost: maxExperts),
                                   expertsPerToken: try o.positiveInt("num_experts_per_tok", atMost: maxExperts),
                                   expertFFNSize: expertSize, sharedExperts: 1, sharedExpertFFNSize: expertSize,
                                   moeLayers: (0..<layers).filter { ($0 + 1) % step == 0 }.count)
        default:
            return nil
        }
        guard moe.expertsPerToken <= moe.experts else {
            throw ConfigError(file: o.node.file, key: "num_experts_per_tok", "must be at most the number of experts (\(moe.experts)), found \(moe.expertsPerToken)")
        }
        return moe
    }
}
