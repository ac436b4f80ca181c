/// Reading a Hugging Face `quantization_config` as vLLM 0.11 reads it: the `quant_method` picks the scheme, and the
/// scheme's own keys give the format.
extension Quantization {
    /// The `quant_method` values understood here.
    static let huggingFaceMethods = ["awq", "compressed-tensors", "fbgemm_fp8", "fp8", "gptq", "modelopt", "mxfp4"]

    /// The quantization a `quantization_config` describes.
    ///
    /// - `fp8` (and `fbgemm_fp8`): fp8 weights, block-scaled when `weight_block_size` is given.
    /// - `modelopt`: `quant_algo` `FP8` or `NVFP4` (at the top or under `quantization`).
    /// - `compressed-tensors`: the first config group's `weights`: 8-bit `float` is fp8 (block-scaled with a
    ///   `block_structure`), 8-bit `int` is int8, 4-bit `int` with a group size is GPTQ-style int4, 4-bit `float`
    ///   with group size 16 is NVFP4.
    /// - `awq`, `gptq`: 4-bit weights with `group_size` (`q_group_size` in some AWQ files).
    /// - `mxfp4`: gpt-oss's experts; `modules_to_not_convert` that names `self_attn` keeps attention 16-bit.
    static func fromHuggingFace(_ node: ConfigNode) throws -> Quantization {
        let o = try node.object()
        let methodNode = try o.required("quant_method")
        let method = try methodNode.string()
        switch method {
        case "fp8", "fbgemm_fp8":
            var result = Quantization(method: .fp8)
            if let block = o.optional("weight_block_size") {
                result.blockSize = try squareBlock(block)
            }
            return result
        case "modelopt":
            let algoNode = try (o.optional("quantization").map { try $0.object() } ?? o).required("quant_algo")
            switch try algoNode.string() {
            case "FP8": return Quantization(method: .fp8)
            case "NVFP4": return Quantization(method: .nvfp4)
            case let other: throw algoNode.error("expected FP8 or NVFP4, found \"\(other)\"")
            }
        case "compressed-tensors":
            return try compressedTensors(o)
        case "awq", "gptq":
            let bitsNode = try o.required(method == "awq" && o.has("w_bit") ? "w_bit" : "bits")
            let bits = try bitsNode.int()
            guard bits == 4 else { throw bitsNode.error("expected 4-bit \(method) weights (gracesim models int4), found \(bits)") }
            let groupKey = o.has("q_group_size") ? "q_group_size" : "group_size"
            let group = try o.int(groupKey)
            guard group > 0, group <= maxGroupSize else {
                throw try o.required(groupKey).error("expected a positive group size (per-channel -1 is not modelled), found \(group)")
            }
            return Quantization(method: method == "awq" ? .awq : .gptq, groupSize: group)
        case "mxfp4":
            let skipped = try (o.optional("modules_to_not_convert")?.list() ?? []).map { try $0.string() }
            return Quantization(method: .mxfp4, scope: skipped.contains { $0.contains("self_attn") } ? .experts : .allLinear)
        default:
            throw methodNode.error("unsupported quant_method \"\(method)\" (supported: \(huggingFaceMethods.joined(separator: ", ")))")
        }
    }

    private static func squareBlock(_ node: ConfigNode) throws -> Int {
        let values = try node.list().map { try $0.int() }
        guard values.count == 2, values[0] == values[1], values[0] > 0, values[0] <= maxGroupSize else {
            throw node.error("expected [rows, columns] with equal positive sides, such as [128, 128]")
        }
        return values[0]
    }

    /// compressed-tensors: the first config group's weight scheme.
    private static func compressedTensors(_ o: ConfigObject) throws -> Quantization {
        let groups = try o.required("config_groups").object()
        guard let first = groups.keys.first, let group = groups.optional(first) else {
            throw try o.required("config_groups").error("expected at least one config group")
        }
        let weights = try group.object().required("weights").object()
        let bitsNode = try weights.required("num_bits")
        let bits = try bitsNode.int()
        let type = try weights.string("type", default: "int")
        switch (bits, type) {
        case (8, "float"):
            var result = Quantization(method: .fp8)
            if let block = weights.optional("block_structure") { result.blockSize = try squareBlock(block) }
            return result
        case (8, "int"):
            return Quantization(method: .int8)
        case (4, "int"):
            let size = try weights.int("group_size", default: 128)
            guard size > 0, size <= maxGroupSize else {
                throw try weights.required("group_size").error("expected a positive group size, found \(size)")
            }
            return Quantization(method: .gptq, groupSize: size)
        case (4, "float"):
            return Quantization(method: .nvfp4)
        default:
            throw bitsNode.error("expected 8-bit float or int, 4-bit int or float weights, found \(bits)-bit \(type)")
        }
    }
}
