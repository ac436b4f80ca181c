/// The fractions of a GPU's peak that its kernels reach, and the fixed cost of one kernel: the only tuned
/// constants of the time model.
///
/// Fitted once by `Scripts/fit_compute_efficiency.py` to Vidur's measured operator times of Llama-2-7B on one
/// H100 SXM (`Configs/calibration/h100-llama-2-7b-mlp.csv`, TP = 1 rows); the per-row errors are in
/// `docs/calibration.md`. They are fractions of the data-sheet peak (989 TFLOP/s, 3.35 TB/s), not absolute rates,
/// on the assumption that kernels on another GPU of the same generation (GH200's H100 die, H100 PCIe) reach the
/// same fractions of that GPU's peak [E]. Refit with the script before changing any of them.
public struct ComputeEfficiency: Sendable, Hashable {
    /// Fraction of peak tensor FLOP/s a large GEMM reaches: the saturation value of η_c(n) [fitted].
    public var computePeakFraction: Double
    /// Tokens at which a GEMM reaches half of `computePeakFraction`: η_c(n) = peak fraction × n / (n + this)
    /// [fitted]. Small token counts leave tiles and SMs idle.
    public var computeHalfSaturationTokens: Double
    /// Fraction of peak HBM bandwidth a GEMM's weight and activation traffic reaches (η_m) [fitted]; also used
    /// for the KV reads of decode attention [E: same streaming-read pattern].
    public var memoryFraction: Double
    /// Fraction of peak HBM bandwidth the elementwise kernels (norms, RoPE, activation, residual add) reach
    /// [fitted].
    public var elementwiseMemoryFraction: Double
    /// Fixed time every kernel costs on top of its roofline, in seconds (launch, ramp-up and tail) [fitted].
    public var kernelFixedSeconds: Double
    /// Fraction of peak FLOP/s prefill attention reaches on the causal query-key pairs [E: FlashAttention-2
    /// reaches ≈ 35–50% of H100 peak and FlashAttention-3 ≈ 60–75%; vLLM 0.7 V0 uses either, so 0.5 is taken].
    public var attentionPeakFraction: Double

    public init(computePeakFraction: Double, computeHalfSaturationTokens: Double, memoryFraction: Double,
                elementwiseMemoryFraction: Double, kernelFixedSeconds: Double, attentionPeakFraction: Double) {
        self.computePeakFraction = computePeakFraction
        self.computeHalfSaturationTokens = computeHalfSaturationTokens
        self.memoryFraction = memoryFraction
        self.elementwiseMemoryFraction = elementwiseMemoryFraction
        self.kernelFixedSeconds = kernelFixedSeconds
        self.attentionPeakFraction = attentionPeakFraction
    }

    /// The fit to the H100 table (median |error| 3.9%, worst 19.9% over 261 rows; see `docs/calibration.md`).
    public static let fitted = ComputeEfficiency(
        computePeakFraction: 0.793,
        computeHalfSaturationTokens: 222,
        memoryFraction: 0.821,
        elementwiseMemoryFraction: 0.575,
        kernelFixedSeconds: 2.5e-6,
        attentionPeakFraction: 0.5
    )

    /// η_c(n): the fraction of peak FLOP/s a GEMM over `tokens` rows reaches. Zero for zero tokens.
    @inlinable public func computeFraction(tokens: Double) -> Double {
        tokens > 0 ? computePeakFraction * tokens / (tokens + computeHalfSaturationTokens) : 0
    }
}
