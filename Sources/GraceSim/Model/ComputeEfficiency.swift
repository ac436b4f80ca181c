import Foundation

/// The fractions of a GPU's peak that its kernels reach, and the fixed cost of a kernel: the tuned constants of the
/// per-layer roofline, one set for GEMMs, one for attention and one for the small elementwise kernels.
///
/// Fitted by `Scripts/fit_compute_efficiency.py`. They are fractions of the data-sheet peak (989 TFLOP/s, 3.35 TB/s
/// on the H100 SXM they were fitted on), not absolute rates, on the assumption that kernels on another GPU reach the
/// same fractions of that GPU's peak [E]; the fixed costs are absolute times. The script prints the errors of each
/// fit, and `docs/calibration.md` sets the roofline beside the measured kernel tables and Vidur's table. Refit with
/// the script before changing any of them.
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

    /// η_c(n) at fixed token counts, in increasing order [fitted to the H100 kernel tables' GEMMs]: between two
    /// knots η_c is linear in log(tokens), below the first and above the last it is constant. Small GEMMs leave
    /// tiles and SMs idle; past ≈ 1,000 rows the GEMM saturates.
    public var computeFractionKnots: [Knot]
    /// GEMM tile height, in tokens [fitted to the H100 kernel tables' GEMMs, the best of 0, 16, 32, 64, 128 and 256]:
    /// a GEMM over more than this many rows computes whole tiles, so it costs the FLOPs of its rows rounded up to a
    /// multiple of this. Below one tile the rows are taken as they are. Zero: no rounding.
    public var gemmTileTokens: Double
    /// Fraction of peak HBM bandwidth a GEMM's weight and activation traffic reaches (η_m) [fitted to the H100
    /// kernel tables' GEMMs].
    public var gemmMemoryFraction: Double
    /// Fixed time one GEMM costs on top of its roofline, in seconds (launch, ramp-up and tail) [fitted to the H100
    /// kernel tables' GEMMs].
    public var gemmFixedSeconds: Double
    /// Fraction of peak FLOP/s attention reaches on its causal query–key pairs (η_a) [fitted to the H100 kernel
    /// tables' prefill attention].
    public var attentionComputeFraction: Double
    /// Fraction of peak HBM bandwidth attention's KV, query and output traffic reaches (η_kv) [fitted to the H100
    /// kernel tables' decode attention].
    public var attentionMemoryFraction: Double
    /// Fixed time one attention kernel (prefill or decode) costs on top of its roofline, in seconds [fitted to the
    /// H100 kernel tables' decode attention].
    public var attentionFixedSeconds: Double
    /// Fraction of peak HBM bandwidth the elementwise kernels (norms, RoPE, activation, residual add, the KV-cache
    /// write, embedding lookup and final norm) reach (η_e) [fitted to Vidur's H100 operator table].
    public var elementwiseMemoryFraction: Double
    /// Fixed time one elementwise kernel costs on top of its bytes, in seconds (t_k) [fitted to Vidur's H100
    /// operator table].
    public var elementwiseFixedSeconds: Double

    public init(computeFractionKnots: [Knot], gemmTileTokens: Double, gemmMemoryFraction: Double,
                gemmFixedSeconds: Double, attentionComputeFraction: Double, attentionMemoryFraction: Double,
                attentionFixedSeconds: Double, elementwiseMemoryFraction: Double, elementwiseFixedSeconds: Double) {
        precondition(!computeFractionKnots.isEmpty, "η_c needs at least one knot")
        self.computeFractionKnots = computeFractionKnots
        self.gemmTileTokens = gemmTileTokens
        self.gemmMemoryFraction = gemmMemoryFraction
        self.gemmFixedSeconds = gemmFixedSeconds
        self.attentionComputeFraction = attentionComputeFraction
        self.attentionMemoryFraction = attentionMemoryFraction
        self.attentionFixedSeconds = attentionFixedSeconds
        self.elementwiseMemoryFraction = elementwiseMemoryFraction
        self.elementwiseFixedSeconds = elementwiseFixedSeconds
    }

    /// The constants `Scripts/fit_compute_efficiency.py` fits, from two sources:
    ///
    /// - **GEMMs and attention** [fitted to NVIDIA's measured H100 SXM kernel tables,
    ///   `Configs/kernels/h100-sxm.kernels`]: the four layer GEMMs (bfloat16) of seven catalog models at the tables'
    ///   m up to 8,192 (median |error| 4.0% on the held-out m); decode attention of every head pair with head size
    ///   128 (9.8% held out) for η_kv and t_a; prefill attention of steps up to 16,384 tokens (22.4% held out,
    ///   bias −15%) for η_a. Every 4th grid value was held out of each fit.
    /// - **Elementwise kernels** [fitted to Vidur's operator times of Llama-2-7B on one H100 SXM,
    ///   `Configs/calibration/h100-llama-2-7b-mlp.csv`, TP = 1 rows]: the tables have no elementwise kernels.
    public static let fitted = ComputeEfficiency(
        computeFractionKnots: [Knot(tokens: 64, fraction: 0.177), Knot(tokens: 256, fraction: 0.569),
                               Knot(tokens: 1024, fraction: 0.857), Knot(tokens: 4096, fraction: 0.788)],
        gemmTileTokens: 16,
        gemmMemoryFraction: 0.844,
        gemmFixedSeconds: 3.3e-6,
        attentionComputeFraction: 0.454,
        attentionMemoryFraction: 0.777,
        attentionFixedSeconds: 12.7e-6,
        elementwiseMemoryFraction: 0.576,
        elementwiseFixedSeconds: 2.6e-6
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
