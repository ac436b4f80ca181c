/// Reading how a model is stored and routed: the quantization keys a model file or an experiment's instance gives
/// (vLLM's names), `kv_cache_dtype`, `dtype`, a model file's `moe:` block and an instance's `expert_routing`.
extension Quantization {
    /// vLLM's `--quantization` names and the method each selects; several of vLLM's names pick the same format.
    static let methodNames: [(name: String, method: Method)] = [
        ("none", .none), ("fp8", .fp8), ("fbgemm_fp8", .fp8), ("modelopt", .fp8), ("int8", .int8),
        ("awq", .awq), ("awq_marlin", .awq), ("gptq", .gptq), ("gptq_marlin", .gptq),
        ("mxfp4", .mxfp4), ("nvfp4", .nvfp4), ("modelopt_fp4", .nvfp4),
    ]

    /// The largest group or block size accepted.
    static let maxGroupSize = 1 << 20

    /// Reads `quantization` (a vLLM method name), `weight_block_size` (fp8 only: a size or `[rows, columns]` with
    /// equal sides), `group_size` (AWQ and GPTQ, required) and `quantized_modules` (`all` or `experts`) from `o`;
    /// `fallback` when `quantization` is absent. Every key is checked against the method it qualifies.
    static func load(from o: ConfigObject, default fallback: Quantization) throws -> Quantization {
        guard let node = o.optional("quantization") else {
            for key in ["weight_block_size", "group_size", "quantized_modules"] {
                if let stray = o.optional(key) { throw stray.error("needs `quantization` beside it") }
            }
            return fallback
        }
        let name = try node.string()
        guard let method = methodNames.first(where: { $0.name == name })?.method else {
            let known = methodNames.map(\.name).joined(separator: ", ")
            throw node.error("expected one of vLLM's quantization methods gracesim models (\(known)), found \"\(name)\"")
        }
        var result = Quantization(method: method)
        if let block = o.optional("weight_block_size") {
            guard method == .fp8 else { throw block.error("applies to fp8 only (quantization is \(name))") }
            result.blockSize = try blockSize(block)
        }
        let groupNode = o.optional("group_size")
        if method == .awq || method == .gptq {
            guard groupNode != nil else {
                throw o.missing("group_size").withMessage("is required with \(name): the group size its checkpoint was quantized with (128 is common)")
            }
            result.groupSize = try o.positiveInt("group_size", atMost: maxGroupSize)
        } else if let groupNode {
            throw groupNode.error("applies to awq and gptq only (quantization is \(name))")
        }
        result.scope = try o.choice("quantized_modules", default: .allLinear)
        return result
    }

    private static func blockSize(_ node: ConfigNode) throws -> Int {
        let sides = (try? node.list()) ?? [node]
        let values = try sides.map { try $0.int() }
        guard (1...2).contains(values.count), let first = values.first, values.allSatisfy({ $0 == first }),
              first > 0, first <= maxGroupSize else {
            throw node.error("expected a positive block size or [rows, columns] with equal sides, such as [128, 128]")
        }
        return first
    }
}

extension KVCacheDtype {
    /// vLLM's `--kv-cache-dtype` names.
    static let names: [(name: String, dtype: KVCacheDtype)] = [
        ("auto", .auto), ("bfloat16", .auto), ("float16", .auto), ("fp8", .fp8), ("fp8_e4m3", .fp8), ("fp8_e5m2", .fp8),
    ]

    /// Reads `kv_cache_dtype`, `auto` when absent.
    static func load(from o: ConfigObject) throws -> KVCacheDtype {
        guard let node = o.optional("kv_cache_dtype") else { return .auto }
        let text = try node.string()
        guard let dtype = names.first(where: { $0.name == text })?.dtype else {
            throw node.error("expected one of \(names.map(\.name).joined(separator: ", ")), found \"\(text)\"")
        }
        return dtype
    }
}

extension ModelSpec {
    /// vLLM's `--dtype` values gracesim serves: all 16-bit, so none changes bytes or time.
    static let sixteenBitDtypes = ["auto", "bfloat16", "bf16", "float16", "fp16", "half"]

    /// Checks `dtype`: a 16-bit type (the kernel tables are bf16; fp16 runs at the same rate), or one line saying
    /// that float32 serving is not modelled.
    static func checkDtype(_ o: ConfigObject) throws {
        guard let node = o.optional("dtype") else { return }
        let text = try node.string()
        guard sixteenBitDtypes.contains(text) else {
            if ["float32", "float", "fp32"].contains(text) {
                throw node.error("float32 serving is not modelled (gracesim serves 16-bit dtypes: \(sixteenBitDtypes.joined(separator: ", ")))")
            }
            throw node.error("expected one of \(sixteenBitDtypes.joined(separator: ", ")), found \"\(text)\"")
        }
    }

    /// Applies an experiment instance's storage keys to the model: `dtype`, `quantization` (with its
    /// `weight_block_size`, `group_size`, `quantized_modules`; a different checkpoint of the same shape),
    /// `kv_cache_dtype` and, for an MoE model, `expert_routing`.
    func applyingInstanceStorage(_ o: ConfigObject) throws -> ModelSpec {
        var model = self
        try Self.checkDtype(o)
        model.quantization = try Quantization.load(from: o, default: quantization)
        model.kvCacheDtype = try KVCacheDtype.load(from: o)
        if let node = o.optional("expert_routing") {
            guard var moe = model.moe else {
                throw node.error("applies to mixture-of-experts models; \(name) is dense")
            }
            moe.routing = try ExpertRouting.load(from: node)
            model.moe = moe
        }
        return model
    }
}

extension ExpertRouting {
    /// `uniform`, or `{power_law: α}` with 0 < α ≤ 10.
    static func load(from node: ConfigNode) throws -> ExpertRouting {
        if case .mapping = node.node {
            let o = try node.object()
            let alpha = try o.double("power_law", in: 0.001...10)
            try o.finish()
            return .powerLaw(alpha)
        }
        guard (try? node.string()) == "uniform" else {
            throw node.error("expected uniform or {power_law: α} with α from 0.001 to 10")
        }
        return .uniform
    }
}

extension MixtureOfExperts {
    /// The most experts per layer a model may have.
    static let maxExperts = 65_536

    /// Reads a model file's `moe:` block: `experts`, `experts_per_token`, `expert_ffn_size`, optionally
    /// `shared_experts` and `shared_expert_ffn_size` (both or neither), `moe_layers` (default: every layer) and
    /// `expert_bias`.
    static func load(from node: ConfigNode, layers: Int) throws -> MixtureOfExperts {
        let o = try node.object()
        let experts = try o.positiveInt("experts", atMost: maxExperts)
        let perToken = try o.positiveInt("experts_per_token", atMost: maxExperts)
        guard perToken <= experts else {
            throw try o.required("experts_per_token").error("must be at most experts (\(experts)), found \(perToken)")
        }
        let sharedNode = o.optional("shared_experts")
        let shared = try sharedNode.map { _ in try o.positiveInt("shared_experts", atMost: maxExperts) } ?? 0
        let sharedSize = shared > 0 ? try o.positiveInt("shared_expert_ffn_size", atMost: ModelSpec.Limits.ffnSize) : 0
        if shared == 0, let stray = o.optional("shared_expert_ffn_size") {
            throw stray.error("needs shared_experts beside it")
        }
        let moe = MixtureOfExperts(
            experts: experts, expertsPerToken: perToken,
            expertFFNSize: try o.positiveInt("expert_ffn_size", atMost: ModelSpec.Limits.ffnSize),
            sharedExperts: shared, sharedExpertFFNSize: sharedSize,
            moeLayers: try o.positiveInt("moe_layers", default: layers, atMost: layers),
            expertBias: try o.bool("expert_bias", default: false))
        try o.finish()
        return moe
    }
}

extension ConfigError {
    /// The same place with another message.
    func withMessage(_ message: String) -> ConfigError {
        var copy = self
        copy.message = message
        return copy
    }
}
