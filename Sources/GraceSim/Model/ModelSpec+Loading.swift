import Foundation

/// Reading a ``ModelSpec`` from a model file in `Configs/models/` or from a Hugging Face `config.json`.
///
/// A model file either spells out the shape (`layers`, `hidden_size`, ...) or names a Hugging Face
/// config with `huggingface_config: path/to/config.json` (relative to the model file's folder).
extension ModelSpec {
    /// Reads a model file; unknown keys, non-positive sizes and inconsistent head counts are errors
    /// naming the file and the key.
    public static func load(from node: ConfigNode) throws -> ModelSpec {
        let o = try node.object()
        if o.has("huggingface_config") { return try loadReferencingHuggingFace(o) }
        _ = try o.optional("source")?.string()
        _ = try huggingFaceIds(o)
        let name = try nonEmptyName(o)
        let family: Family = try o.required("family").choice()
        let layers = try o.positiveInt("layers", atMost: Limits.layers)
        let hiddenSize = try o.positiveInt("hidden_size", atMost: Limits.hiddenSize)
        let heads = try o.positiveInt("attention_heads", atMost: Limits.heads)
        let kvHeads = try o.positiveInt("kv_heads", default: heads, atMost: Limits.heads)
        let headDim = try o.positiveInt("head_dim", default: try defaultHeadDim(o, hiddenSize: hiddenSize, heads: heads),
                                        atMost: Limits.headDim)
        var spec = ModelSpec(
            name: name, family: family, layers: layers, hiddenSize: hiddenSize, attentionHeads: heads,
            kvHeads: kvHeads, headDim: headDim, ffnSize: try o.positiveInt("ffn_size", atMost: Limits.ffnSize),
            vocabSize: try o.positiveInt("vocab_size", atMost: Limits.vocabSize),
            mlp: try o.choice("mlp", default: family == .opt ? .twoMatrix : .gated),
            maxContextTokens: try o.positiveInt("max_context_tokens", atMost: Limits.contextTokens),
            tiedEmbeddings: try o.bool("tied_embeddings", default: family == .opt),
            attentionBias: try o.bool("attention_bias", default: family == .opt),
            bytesPerElement: try bytesPerElement(o))
        spec.quantization = try Quantization.load(from: o, default: .none)
        spec.moe = try o.optional("moe").map { try MixtureOfExperts.load(from: $0, layers: layers) }
        try spec.validate(in: o, keys: .init(heads: "attention_heads", kvHeads: "kv_heads", headDim: "head_dim", layers: "layers"))
        try o.finish()
        return spec
    }

    /// Reads a model file that points at a Hugging Face `config.json`; `name` is required and
    /// `bytes_per_element` and `max_context_tokens` may override what the config implies.
    private static func loadReferencingHuggingFace(_ o: ConfigObject) throws -> ModelSpec {
        let name = try nonEmptyName(o)
        _ = try o.optional("source")?.string()
        _ = try huggingFaceIds(o)
        let pathNode = try o.required("huggingface_config")
        let path = try pathNode.string()
        let resolved = resolve(path, relativeTo: o.node.file)
        guard FileManager.default.fileExists(atPath: resolved) else {
            throw pathNode.error("no such file \"\(resolved)\"")
        }
        var spec = try fromHuggingFaceConfig(try ConfigNode.load(path: resolved), name: name)
        spec.bytesPerElement = try bytesPerElement(o)
        spec.maxContextTokens = try o.positiveInt("max_context_tokens", default: spec.maxContextTokens, atMost: Limits.contextTokens)
        spec.quantization = try Quantization.load(from: o, default: spec.quantization)
        try o.finish()
        return spec
    }

    /// `hf_id`: the Hugging Face model ids (`owner/name`) whose shape this file describes, one or a list; an
    /// experiment's `model:` may name any of them.
    static func huggingFaceIds(_ o: ConfigObject) throws -> [String] {
        guard let node = o.optional("hf_id") else { return [] }
        let items = (try? node.list()) ?? [node]
        return try items.map { item in
            let id = try item.string()
            let parts = id.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !id.contains(" ") else {
                throw item.error("expected a Hugging Face model id such as meta-llama/Llama-2-13b-hf, found \"\(id)\"")
            }
            return id
        }
    }

    /// `path` as given when absolute, otherwise relative to the folder that holds `file`.
    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).path
    }

    private static func nonEmptyName(_ o: ConfigObject) throws -> String {
        let node = try o.required("name")
        let name = try node.string()
        guard !name.isEmpty else { throw node.error("expected a non-empty name") }
        return name
    }

    private static func bytesPerElement(_ o: ConfigObject) throws -> Int {
        guard let node = o.optional("bytes_per_element") else { return 2 }
        let value = try node.int()
        guard [1, 2, 4].contains(value) else { throw node.error("expected 1, 2 or 4, found \(value)") }
        return value
    }

    /// hidden / heads, the head size when a file does not state one; an error if it does not divide.
    private static func defaultHeadDim(_ o: ConfigObject, hiddenSize: Int, heads: Int) throws -> Int {
        guard o.has("head_dim") || hiddenSize % heads == 0 else {
            throw o.missing("head_dim")
        }
        return max(1, hiddenSize / heads)
    }

    /// The largest size a model file or config.json may give for each dimension: well above every published
    /// model, small enough that the byte and FLOP counts derived from them fit in Int64 (``validate(in:keys:)``
    /// also bounds their products).
    public enum Limits {
        public static let layers = 10_000
        public static let hiddenSize = 1_048_576
        public static let heads = 16_384
        public static let headDim = 16_384
        public static let ffnSize = 16_777_216
        public static let vocabSize = 16_777_216
        /// Also bounds every prompt plus output, so that token counts fit in Int32.
        public static let contextTokens = RequestSpec.maxTokens
        /// The most weight bytes a model may have (10¹⁵, a petabyte).
        public static let weightBytes = 1e15
        /// The most KV bytes one token may take over all layers (10⁹, a gigabyte).
        public static let kvBytesPerToken = 1e9
    }

    /// The key names a source uses for the values checked by ``validate(in:keys:)``.
    struct ShapeKeys {
        var heads: String
        var kvHeads: String
        var headDim: String
        var layers: String
    }

    /// Checks relations between sizes that each look fine alone.
    func validate(in o: ConfigObject, keys: ShapeKeys) throws {
        func error(_ key: String, _ message: String) -> ConfigError {
            ConfigError(file: o.node.file, key: o.node.path.isEmpty ? key : "\(o.node.path).\(key)", message)
        }
        guard kvHeads <= attentionHeads, attentionHeads % kvHeads == 0 else {
            throw error(keys.kvHeads, "\(keys.heads) (\(attentionHeads)) must be a multiple of \(keys.kvHeads) (\(kvHeads))")
        }
        if family == .opt && attentionHeads * headDim != hiddenSize {
            throw error(keys.headDim, "OPT models need \(keys.heads) × head size = hidden size, found \(attentionHeads) × \(headDim) ≠ \(hiddenSize)")
        }
        // The Int64 counts of ModelSpec+Derived are sums of positive products, each at most the total, so bounding
        // the totals (computed in Double, which cannot overflow) makes every one of them safe.
        let h = Double(hiddenSize), q = Double(attentionHeads) * Double(headDim), kv = Double(kvHeads) * Double(headDim)
        let f = Double(ffnSize), v = Double(vocabSize), bytes = Double(bytesPerElement)
        var perLayer = h * (q + 2 * kv) + q * h + (mlp == .gated ? 3 : 2) * h * f + 2 * (q + 2 * kv) + 3 * f + 8 * h
        if let moe {
            let experts = Double(moe.experts) * (3 * h * Double(moe.expertFFNSize) + 3 * Double(moe.expertFFNSize) + h)
            perLayer += experts + Double(moe.sharedExperts) * 3 * h * Double(moe.sharedExpertFFNSize) + h * Double(moe.experts)
        }
        let nonLayer = 2 * v * h + Double(maxContextTokens + 2) * h + 2 * h
        let weightBytes = (Double(layers) * perLayer + nonLayer) * bytes
        guard weightBytes <= Limits.weightBytes else {
            throw error(keys.layers, String(format: "the model would have %.3g bytes of weights, more than the %.0e allowed; check the sizes", weightBytes, Limits.weightBytes))
        }
        let kvBytes = Double(layers) * 2 * kv * bytes
        guard kvBytes <= Limits.kvBytesPerToken else {
            throw error(keys.kvHeads, String(format: "a token's KV would take %.3g bytes over all layers, more than the %.0e allowed; check the sizes", kvBytes, Limits.kvBytesPerToken))
        }
    }
}
