/// Which fused-MoE layer a measured curve times: the expert weights' dtype and shape, how they are sharded, and how
/// the router spreads tokens over the experts.
///
/// A curve is the latency of one forward of vLLM's `FusedMoE` on one GPU against the tokens entering the layer
/// (before routing; each picks ``expertsPerToken`` experts). It includes the top-k selection from router logits,
/// the token permutation, the gate-and-up and down expert GEMMs, the activation and the weighted combine. It
/// excludes the router's own GEMM, shared experts and all communication (tensor-parallel all-reduce,
/// expert-parallel dispatch): one GPU's share of the layer, timed alone. The evidence is in the `.kernels` files'
/// MoE comments and `Configs/kernels/SOURCE.md`.
public struct MoEKernelKey: Sendable, Hashable, Comparable {
    /// The experts' weight dtype as the tables name it: `bfloat16`, `fp8`, `fp8_block`, `nvfp4`, `int4_wo`, …
    public var dtype: String
    /// The model's hidden size (each expert's input and output width).
    public var hiddenSize: Int
    /// One expert's intermediate size as the checkpoint gives it, before any tensor-parallel split.
    public var interSize: Int
    /// Routed experts in the layer (all GPUs together).
    public var experts: Int
    /// Experts each token is routed to (top-k).
    public var expertsPerToken: Int
    /// MoE tensor-parallel size: each expert's intermediate size is split this many ways.
    public var tensorParallel: Int
    /// Expert-parallel size: the experts are split this many ways; the measured GPU holds the first share.
    public var expertParallel: Int
    /// How the router spreads tokens: `balanced`, or `power_law_<exponent>` with the busiest experts on the measured
    /// GPU (`power_law_1.01`, `power_law_1.2`).
    public var distribution: String

    public init(dtype: String, hiddenSize: Int, interSize: Int, experts: Int, expertsPerToken: Int,
                tensorParallel: Int, expertParallel: Int, distribution: String) {
        self.dtype = dtype
        self.hiddenSize = hiddenSize
        self.interSize = interSize
        self.experts = experts
        self.expertsPerToken = expertsPerToken
        self.tensorParallel = tensorParallel
        self.expertParallel = expertParallel
        self.distribution = distribution
    }

    public static func < (a: MoEKernelKey, b: MoEKernelKey) -> Bool {
        let shapeA = (a.dtype, a.hiddenSize, a.interSize, a.experts)
        let shapeB = (b.dtype, b.hiddenSize, b.interSize, b.experts)
        if shapeA != shapeB { return shapeA < shapeB }
        return (a.expertsPerToken, a.tensorParallel, a.expertParallel, a.distribution)
            < (b.expertsPerToken, b.tensorParallel, b.expertParallel, b.distribution)
    }
}

extension MoEKernelKey: CustomStringConvertible {
    /// The key in the words of a `.kernels` file:
    /// `bfloat16 hidden=2048 inter=768 experts=128 topk=8 tp=1 ep=1 balanced`.
    public var description: String {
        "\(dtype) hidden=\(hiddenSize) inter=\(interSize) experts=\(experts) topk=\(expertsPerToken) "
            + "tp=\(tensorParallel) ep=\(expertParallel) \(distribution)"
    }
}

extension KernelTables {
    /// The measured latency of one fused-MoE layer against the tokens entering it, seconds; nil when these tables
    /// have no curve for exactly this layer. A curve holds only measured token counts: below its first it holds that
    /// latency, above its last it grows in proportion (``LogLogCurve``). Most curves span 1 to 16,384 tokens, but a
    /// few were measured at fewer counts (24 of gb200's at 1 token only): `logSizes` says which. O(1).
    public func moeCurve(dtype: String, hiddenSize: Int, interSize: Int, experts: Int, expertsPerToken: Int,
                         distribution: String, tensorParallel: Int = 1, expertParallel: Int = 1) -> LogLogCurve? {
        moe[MoEKernelKey(dtype: dtype, hiddenSize: hiddenSize, interSize: interSize, experts: experts,
                         expertsPerToken: expertsPerToken, tensorParallel: tensorParallel,
                         expertParallel: expertParallel, distribution: distribution)]
    }
}
