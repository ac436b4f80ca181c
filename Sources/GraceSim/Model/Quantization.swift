/// How a model's matrix weights are stored, as vLLM names the method (`--quantization`), and the bytes each takes.
///
/// A quantized matrix keeps its low-precision weights plus scales: per tensor (fp8), per output channel (int8), per
/// group of inputs (AWQ and GPTQ int4, with a 16-bit scale and a 4-bit zero point), per 128 × 128 block (fp8 block-
/// scaled), or per 32 or 16 elements (MXFP4's 8-bit power-of-two scale, NVFP4's fp8 scale). Embeddings, norms,
/// biases, the router and the LM head stay 16-bit, as in the checkpoints vLLM serves.
public struct Quantization: Sendable, Hashable {
    /// The weight format, spelled as vLLM's `--quantization` spells it where it has one name for it.
    public enum Method: String, Sendable, Hashable, CaseIterable {
        /// 16-bit weights (the model's `dtype`).
        case none
        /// 8-bit floating point (E4M3), per-tensor or block-scaled; activations fp8 too where the GPU has fp8.
        case fp8
        /// 8-bit integer weights with per-channel scales and int8 activations (W8A8).
        case int8
        /// 4-bit integer weights in groups (AWQ), 16-bit activations.
        case awq
        /// 4-bit integer weights in groups (GPTQ), 16-bit activations.
        case gptq
        /// 4-bit floating point (E2M1) with an 8-bit power-of-two scale per 32 weights (OCP MX).
        case mxfp4
        /// 4-bit floating point (E2M1) with an fp8 scale per 16 weights and an fp32 scale per tensor (NVIDIA).
        case nvfp4
    }

    /// Which matrices the method applies to.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        /// Every matrix of the decoder layers (attention, MLP, experts).
        case allLinear = "all"
        /// Only the routed experts' matrices; attention and shared experts stay 16-bit (gpt-oss's MXFP4 checkpoints).
        case experts
    }

    public var method: Method
    /// Rows and columns of one fp8 scale block (128 × 128 in DeepSeek- and Qwen-style checkpoints); nil: per tensor.
    public var blockSize: Int?
    /// Weights per scale group for AWQ and GPTQ (vLLM requires one; 128 is common).
    public var groupSize: Int?
    public var scope: Scope

    public init(method: Method, blockSize: Int? = nil, groupSize: Int? = nil, scope: Scope = .allLinear) {
        self.method = method
        self.blockSize = blockSize
        self.groupSize = groupSize
        self.scope = scope
    }

    /// 16-bit weights.
    public static let none = Quantization(method: .none)

    /// Whether the method stores weights in fewer than 16 bits.
    public var isQuantized: Bool { method != .none }

    /// Bits of one stored weight, scales aside.
    public var weightBits: Int {
        switch method {
        case .none: return 16
        case .fp8, .int8: return 8
        case .awq, .gptq, .mxfp4, .nvfp4: return 4
        }
    }

    /// Bytes of one `inputs` × `outputs` matrix in this format, scales included; `elementBytes` for 16-bit weights.
    ///
    /// - fp8 per tensor: one byte per weight plus an fp32 weight scale and an fp32 input scale.
    /// - fp8 block-scaled: one byte per weight plus an fp32 scale per `blockSize` × `blockSize` block.
    /// - int8: one byte per weight plus an fp32 scale per output channel.
    /// - AWQ, GPTQ: half a byte per weight plus, per group of `groupSize` inputs and per output, a 16-bit scale and a
    ///   4-bit zero point (GPTQ's activation-order index is not kept by vLLM's Marlin kernels without `desc_act`).
    /// - MXFP4: half a byte per weight plus one byte (E8M0) per 32 weights.
    /// - NVFP4: half a byte per weight plus one byte (E4M3) per 16 weights and two fp32 scales per tensor.
    public func matrixBytes(inputs: Int, outputs: Int, elementBytes: Int) -> Int64 {
        let k = Int64(inputs), n = Int64(outputs), weights = k * n
        func groups(_ size: Int, _ length: Int64) -> Int64 { (length + Int64(size) - 1) / Int64(size) }
        switch method {
        case .none:
            return weights * Int64(elementBytes)
        case .fp8:
            if let block = blockSize { return weights + 4 * groups(block, k) * groups(block, n) }
            return weights + 8
        case .int8:
            return weights + 4 * n
        case .awq, .gptq:
            let size = groupSize ?? 128
            // Per group and output: a 2-byte scale and a 4-bit zero point, 2.5 bytes as two halves.
            return weights / 2 + (5 * groups(size, k) * n + 1) / 2
        case .mxfp4:
            return weights / 2 + (weights + 31) / 32
        case .nvfp4:
            return weights / 2 + (weights + 15) / 16 + 8
        }
    }
}

/// The KV cache's element type, as vLLM's `--kv-cache-dtype` names it.
public enum KVCacheDtype: String, Sendable, Hashable, CaseIterable {
    /// The model's dtype (16-bit).
    case auto
    /// 8-bit floating point (E4M3 on Hopper and later, vLLM's `fp8` and `fp8_e4m3`; `fp8_e5m2` is read as this too).
    case fp8

    /// Bytes of one K or V element, given the model's element size.
    public func elementBytes(modelElementBytes: Int) -> Int {
        self == .fp8 ? 1 : modelElementBytes
    }

    /// The dtype the kernel tables name this KV cache by.
    public var tableName: String { self == .fp8 ? "fp8" : "bfloat16" }
}
