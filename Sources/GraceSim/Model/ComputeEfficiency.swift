import Foundation

/// The fractions of a GPU's peak that its kernels reach, and the fixed cost of one kernel: the only tuned
/// constants of the time model.
///
/// Fitted once by `Scripts/fit_compute_efficiency.py` to Vidur's measured operator times of Llama-2-7B on one
/// H100 SXM (`Configs/calibration/h100-llama-2-7b-mlp.csv`, TP = 1 rows); the script prints the per-row errors, and
/// `docs/calibration.md` sets them beside the measured kernel tables'. They are fractions of the data-sheet peak
/// (989 TFLOP/s, 3.35 TB/s), not absolute rates, on the assumption that kernels on another GPU reach the same
/// fractions of that GPU's peak [E]. Refit with the script before changing any of them.
public struct ComputeEfficiency: Sendable, Hashable {
    /// One point of η_c(n): at `tokens` GEMM rows, a GEMM reaches `fraction` of peak tensor FLOP/s.
    public struct Knot: Sendable, Hashable {
        public var tokens: Double
        public var fraction: Double

        public init(tokens: Double, fraction: Double) {
            self.tokens = tokens
            self.fraction = fraction
        }
    }

    /// η_c(n) at fixed token counts, in increasing order [fitted]: between two knots η_c is linear in log(tokens),
    /// below the first and above the last it is constant. Small GEMMs leave tiles and SMs idle; past ≈ 1,000
    /// rows the GEMM saturates.
    public var computeFractionKnots: [Knot]
    /// GEMM tile height, in tokens [fitted: 128 fits the table better than 64]: a GEMM over more than this many rows
    /// computes whole tiles, so it costs the FLOPs of its rows rounded up to a multiple of this. Below one tile
    /// cuBLAS picks narrower kernels and the rows are taken as they are.
    public var gemmTileTokens: Double
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

    public init(computeFractionKnots: [Knot], gemmTileTokens: Double, memoryFraction: Double,
                elementwiseMemoryFraction: Double, kernelFixedSeconds: Double, attentionPeakFraction: Double) {
        precondition(!computeFractionKnots.isEmpty, "η_c needs at least one knot")
        self.computeFractionKnots = computeFractionKnots
        self.gemmTileTokens = gemmTileTokens
        self.memoryFraction = memoryFraction
        self.elementwiseMemoryFraction = elementwiseMemoryFraction
        self.kernelFixedSeconds = kernelFixedSeconds
        self.attentionPeakFraction = attentionPeakFraction
    }

    /// The fit to the H100 table (median |error| 3.2%, worst 14.3%, median 2.9% from 512 tokens, over 261 rows;
    /// see `docs/calibration.md`).
    public static let fitted = ComputeEfficiency(
        computeFractionKnots: [Knot(tokens: 64, fraction: 0.174), Knot(tokens: 256, fraction: 0.493),
                               Knot(tokens: 1024, fraction: 0.72), Knot(tokens: 4096, fraction: 0.73)],
        gemmTileTokens: 128,
        memoryFraction: 0.756,
        elementwiseMemoryFraction: 0.576,
        kernelFixedSeconds: 2.6e-6,
        attentionPeakFraction: 0.5
    )

    /// The rows a GEMM over `tokens` rows computes: whole tiles above one tile, the rows themselves below.
    @inlinable public func computedTokens(_ tokens: Double) -> Double {
        guard gemmTileTokens > 0, tokens > gemmTileTokens else { return tokens }
        return (tokens / gemmTileTokens).rounded(.up) * gemmTileTokens
    }

    /// η_c(n): the fraction of peak FLOP/s a GEMM over `tokens` computed rows reaches. Zero for zero tokens.
    @inlinable public func computeFraction(tokens: Double) -> Double {
        guard tokens > 0 else { return 0 }
        let first = computeFractionKnots[0]
        if tokens <= first.tokens { return first.fraction }
        var previous = first
        for knot in computeFractionKnots.dropFirst() {
            if tokens <= knot.tokens {
                let t = log(tokens / previous.tokens) / log(knot.tokens / previous.tokens)
                return previous.fraction + t * (knot.fraction - previous.fraction)
            }
            previous = knot
        }
        return previous.fraction
    }
}
