/// How a GPU multiplies a model's quantized matrices, as vLLM picks its kernels (0.11, in outline): with
/// low-precision activations on tensor cores that have the type (W8A8 fp8 and int8, W4A4 NVFP4 on Blackwell), or
/// weight-only, dequantizing in registers and multiplying at 16 bits (AWQ, GPTQ and MXFP4 through Marlin- and
/// Triton-style kernels; fp8 and NVFP4 on GPUs without those tensor cores).
///
/// Weight-only kernels charge no time for dequantization beyond their 16-bit multiply and their smaller weight
/// reads: Marlin dequantizes in registers while the next weights load, and reaches close to the ideal 4× speed-up of
/// 4-bit weights at batch sizes up to 16–32 (Frantar et al., "MARLIN: Mixed-Precision Auto-Regressive Parallel
/// Inference on Large Language Models", 2024) [E].
public struct GEMMPrecision: Sendable, Equatable {
    /// Tensor-core throughput of the multiply relative to the 16-bit peak: 1 weight-only, 2 for fp8 and int8, 4 for fp4.
    public var computeRatio: Double
    /// The GEMM table dtype that measured this kernel (`fp8`, `fp8_block`, `nvfp4`), or nil when the tables hold
    /// only its 16-bit cousin, which is then scaled by the roofline ratio of the two.
    public var tableDtype: String?
    /// One line for the run's output when the GPU lacks the method's type and the kernel falls back, as vLLM does.
    public var fallbackNote: String?

    /// Sixteen-bit weights and activations.
    public static let sixteenBit = GEMMPrecision(computeRatio: 1, tableDtype: "bfloat16", fallbackNote: nil)

    /// The kernels `quantization`'s matrices run with on `gpu`.
    public static func resolve(_ quantization: Quantization, on gpu: GPUSpec) -> GEMMPrecision {
        switch quantization.method {
        case .none:
            return .sixteenBit
        case .fp8:
            guard gpu.lowPrecision.contains(.fp8) else {
                return GEMMPrecision(computeRatio: 1, tableDtype: nil,
                                     fallbackNote: "fp8 weights run weight-only (W8A16) on this GPU, which has no fp8 tensor cores, as vLLM's FP8 Marlin kernels do")
            }
            return GEMMPrecision(computeRatio: LowPrecisionType.fp8.peakRatio,
                                 tableDtype: quantization.blockSize == nil ? "fp8" : "fp8_block", fallbackNote: nil)
        case .int8:
            // Int8 tensor cores run at twice the 16-bit rate on every GPU since Turing (A100: 624 vs 312 TOPS).
            return GEMMPrecision(computeRatio: 2, tableDtype: nil, fallbackNote: nil)
        case .awq, .gptq, .mxfp4:
            return GEMMPrecision(computeRatio: 1, tableDtype: nil, fallbackNote: nil)
        case .nvfp4:
            guard gpu.lowPrecision.contains(.fp4) else {
                return GEMMPrecision(computeRatio: 1, tableDtype: nil,
                                     fallbackNote: "NVFP4 weights run weight-only (W4A16) on this GPU, which has no fp4 tensor cores, as vLLM's FP4 Marlin kernels do")
            }
            return GEMMPrecision(computeRatio: LowPrecisionType.fp4.peakRatio, tableDtype: "nvfp4", fallbackNote: nil)
        }
    }
}

/// One matrix of a layer as the time model sees it: its shape, the bytes stored for it and how fast it multiplies.
public struct MatrixVariant: Sendable, Equatable {
    public var inputs: Double
    public var outputs: Double
    /// Bytes of the stored weights, scales included.
    public var weightBytes: Double
    /// Tensor-core throughput relative to the 16-bit peak.
    public var computeRatio: Double

    public init(inputs: Double, outputs: Double, weightBytes: Double, computeRatio: Double) {
        self.inputs = inputs
        self.outputs = outputs
        self.weightBytes = weightBytes
        self.computeRatio = computeRatio
    }

    /// The matrix `shape` of `model`, stored as its quantization says when `quantized`, else at 16 bits.
    init(_ shape: (inputs: Int, outputs: Int), model: ModelSpec, precision: GEMMPrecision, quantized: Bool) {
        inputs = Double(shape.inputs)
        outputs = Double(shape.outputs)
        let format = quantized ? model.quantization : .none
        weightBytes = Double(format.matrixBytes(inputs: shape.inputs, outputs: shape.outputs, elementBytes: model.bytesPerElement))
        computeRatio = quantized ? precision.computeRatio : 1
    }

    /// The same shape with 16-bit weights and a 16-bit multiply.
    func sixteenBit(elementBytes: Double) -> MatrixVariant {
        MatrixVariant(inputs: inputs, outputs: outputs, weightBytes: inputs * outputs * elementBytes, computeRatio: 1)
    }

    /// FLOPs of `tokens` rows.
    @inlinable func flops(tokens: Double) -> Double { 2 * tokens * inputs * outputs }

    /// Bytes of `tokens` rows: the weights once, activations in and out at `activationBytes` per element.
    @inlinable func bytes(tokens: Double, activationBytes: Double) -> Double {
        weightBytes + tokens * (inputs + outputs) * activationBytes
    }

    /// The roofline time `max(F / (P × ratio), B / W)` on a GPU of peak `flops` and bandwidth `bandwidth`.
    @inlinable func rooflineSeconds(tokens: Double, activationBytes: Double, peakFlops: Double, bandwidth: Double) -> Double {
        max(flops(tokens: tokens) / (peakFlops * computeRatio), bytes(tokens: tokens, activationBytes: activationBytes) / bandwidth)
    }
}
