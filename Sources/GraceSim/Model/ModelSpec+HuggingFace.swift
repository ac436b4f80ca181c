/// Reading a ``ModelSpec`` from a Hugging Face `config.json` (OPT, Llama, Mistral, Qwen2).
///
/// Such files carry many keys the simulator has no use for (dropout, token ids, rope scaling), so
/// unknown keys are ignored here, unlike in the project's own files.
extension ModelSpec {
    /// The `model_type` values this reader understands.
    public static let supportedHuggingFaceModelTypes = ["llama", "mistral", "opt", "qwen2"]

    /// Reads a Hugging Face `config.json`; the model gets `name`, since the file does not say it.
    /// Weights and KV are taken as 2 bytes per element (fp16/bf16 serving), whatever `torch_dtype` says.
    public static func fromHuggingFaceConfig(_ node: ConfigNode, name: String) throws -> ModelSpec {
        let o = try node.object()
        let typeNode = try o.required("model_type")
        let modelType = try typeNode.string()
        let spec: ModelSpec
        switch modelType {
        case "opt":
            spec = try optFromHuggingFace(o, name: name)
        case "llama", "mistral", "qwen2":
            spec = try llamaFromHuggingFace(o, name: name, qwen2: modelType == "qwen2")
        default:
            let known = supportedHuggingFaceModelTypes.joined(separator: ", ")
            throw typeNode.error("unsupported model_type \"\(modelType)\" (supported: \(known))")
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

    private static func llamaFromHuggingFace(_ o: ConfigObject, name: String, qwen2: Bool) throws -> ModelSpec {
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
        let attentionBias = qwen2 ? true : try o.bool("attention_bias", default: false)
        let spec = ModelSpec(
            name: name, family: .llama, layers: try o.positiveInt("num_hidden_layers", atMost: Limits.layers), hiddenSize: hidden,
            attentionHeads: heads, kvHeads: kvHeads, headDim: headDim,
            ffnSize: try o.positiveInt("intermediate_size", atMost: Limits.ffnSize), vocabSize: try o.positiveInt("vocab_size", atMost: Limits.vocabSize), mlp: .gated,
            maxContextTokens: try o.positiveInt("max_position_embeddings", atMost: Limits.contextTokens),
            tiedEmbeddings: try o.bool("tie_word_embeddings", default: false), attentionBias: attentionBias)
        try spec.validate(in: o, keys: .init(heads: "num_attention_heads", kvHeads: "num_key_value_heads", headDim: "head_dim", layers: "num_hidden_layers"))
        return spec
    }
}
