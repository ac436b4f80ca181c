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
        let name = try nonEmptyName(o)
        let family: Family = try o.required("family").choice()
        let layers = try o.positiveInt("layers")
        let hiddenSize = try o.positiveInt("hidden_size")
        let heads = try o.positiveInt("attention_heads")
        let kvHeads = try o.positiveInt("kv_heads", default: heads)
        let headDim = try o.positiveInt("head_dim", default: try defaultHeadDim(o, hiddenSize: hiddenSize, heads: heads))
        let spec = ModelSpec(
            name: name, family: family, layers: layers, hiddenSize: hiddenSize, attentionHeads: heads,
            kvHeads: kvHeads, headDim: headDim, ffnSize: try o.positiveInt("ffn_size"),
            vocabSize: try o.positiveInt("vocab_size"),
            mlp: try o.choice("mlp", default: family == .opt ? .twoMatrix : .gated),
            maxContextTokens: try o.positiveInt("max_context_tokens"),
            tiedEmbeddings: try o.bool("tied_embeddings", default: family == .opt),
            attentionBias: try o.bool("attention_bias", default: family == .opt),
            bytesPerElement: try bytesPerElement(o))
        try spec.validate(in: o, keys: .init(heads: "attention_heads", kvHeads: "kv_heads", headDim: "head_dim"))
        try o.finish()
        return spec
    }

    /// Reads a model file that points at a Hugging Face `config.json`; `name` is required and
    /// `bytes_per_element` and `max_context_tokens` may override what the config implies.
    private static func loadReferencingHuggingFace(_ o: ConfigObject) throws -> ModelSpec {
        let name = try nonEmptyName(o)
        _ = try o.optional("source")?.string()
        let pathNode = try o.required("huggingface_config")
        let path = try pathNode.string()
        let resolved = resolve(path, relativeTo: o.node.file)
        guard FileManager.default.fileExists(atPath: resolved) else {
            throw pathNode.error("no such file \"\(resolved)\"")
        }
        var spec = try fromHuggingFaceConfig(try ConfigNode.load(path: resolved), name: name)
        spec.bytesPerElement = try bytesPerElement(o)
        spec.maxContextTokens = try o.positiveInt("max_context_tokens", default: spec.maxContextTokens)
        try o.finish()
        return spec
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

    /// The key names a source uses for the values checked by ``validate(in:keys:)``.
    struct ShapeKeys {
        var heads: String
        var kvHeads: String
        var headDim: String
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
    }
}
