/// The routed experts of one MoE layer as one fused kernel: each of `tokens` tokens goes through `expertsPerToken`
/// experts, and the kernel reads the weights of every expert some token chose.
///
/// **Measured**, where the GPU's tables have this layer (its shape, the experts' dtype; ``measured``): NVIDIA's
/// latency of vLLM's `FusedMoE` forward at the tokens entering the layer, measured under balanced routing (every
/// expert as loaded as the next, so min(E, T k) experts active), scaled by the roofline ratio of the model's routing
/// on this GPU to the table's on the measured GPU: `max(F / (P c), B(D) / W)` here over the same there, D the active
/// experts [E]. The kernel includes the top-k selection, the permutation, both expert GEMMs, the activation and the
/// combine; the router's GEMM and the shared experts are timed apart, as ordinary GEMMs.
///
/// **Otherwise by the roofline:** FLOPs 2 × tokens × k × (an expert's parameters), at η_c of the multiply's peak for the rows one
/// expert sees on average (tokens × k / active experts); bytes the active experts' stored weights plus the
/// activations in and out of both GEMMs; plus two GEMMs' fixed cost. The active experts are the expected distinct
/// experts under the model's routing (``MixtureOfExperts/expectedActiveExperts(tokens:)``).
struct RoutedExperts: Sendable {
    let moe: MixtureOfExperts
    /// One expert's two matrices (gate and up fused, then down) as stored.
    let gateUp: MatrixVariant
    let down: MatrixVariant
    /// Per-expert pick probabilities under a power-law routing, precomputed; empty under uniform routing.
    private let probabilities: [Double]

    /// The measured fused kernel of this layer and the GPU it was measured on, when the tables have it: for a
    /// tensor-parallel shard, the curve of the whole layer's shape measured at that tensor-parallel size (over every
    /// data-parallel rank's GPUs), or, with the experts spread whole, at that expert-parallel size (one rank's time).
    /// `tokens` are then the tokens of every data-parallel rank, which all enter every GPU's experts.
    let measured: (curve: LogLogCurve, peakFlops: Double, bandwidth: Double)?

    /// The GPUs the layer's experts are spread over whole (expert parallelism); 1 otherwise. `moe` is then the
    /// whole layer, and one GPU does `1 / ranks` of its work.
    let ranks: Int

    init(model: ModelSpec, moe shardMoE: MixtureOfExperts, precision: GEMMPrecision, tables: KernelTables?) {
        var moe = shardMoE
        moe.experts *= model.expertParallel
        ranks = model.expertParallel
        self.moe = moe
        let shapes = model.mlpShapes(ffn: moe.expertFFNSize)
        gateUp = MatrixVariant(shapes[0], model: model, precision: precision, quantized: model.quantization.isQuantized)
        down = MatrixVariant(shapes[1], model: model, precision: precision, quantized: model.quantization.isQuantized)
        probabilities = moe.pickProbabilities()
        // Sliced experts are split over every GPU of the MoE group: the tensor-parallel GPUs of every data-parallel rank.
        let slices = model.tensorParallel * model.dataParallel
        if let tables, let dtype = Self.tableDtype(model.quantization, precision: precision),
           let curve = tables.moeCurve(dtype: dtype, hiddenSize: model.hiddenSize,
                                       interSize: moe.expertFFNSize * (ranks > 1 ? 1 : slices),
                                       experts: moe.experts, expertsPerToken: moe.expertsPerToken, distribution: "balanced",
                                       tensorParallel: ranks > 1 ? 1 : slices, expertParallel: ranks) {
            measured = (curve, tables.peakFlopsPerSecond, tables.hbmBytesPerSecond)
        } else {
            measured = nil
        }
    }

    /// The MoE tables' name for the experts' dtype as this GPU runs it, or nil when they measure no such kernel.
    static func tableDtype(_ quantization: Quantization, precision: GEMMPrecision) -> String? {
        switch quantization.method {
        case .none: return "bfloat16"
        case .fp8: return precision.tableDtype  // fp8 or fp8_block where the GPU has fp8; nil weight-only
        case .awq, .gptq: return "int4_wo"
        case .mxfp4: return "w4a16_mxfp4"
        case .nvfp4: return precision.tableDtype
        case .int8: return nil
        }
    }

    /// Bytes of one expert's stored weights.
    var expertBytes: Double { gateUp.weightBytes + down.weightBytes }

    /// The expected distinct experts `tokens` tokens choose.
    func activeExperts(tokens: Double) -> Double {
        probabilities.isEmpty ? moe.expectedActiveExperts(tokens: tokens)
                              : MixtureOfExperts.expectedActive(tokens: tokens, probabilities: probabilities)
    }

    /// FLOPs of the experts' GEMMs for `tokens` tokens (each through k experts).
    func flops(tokens: Double) -> Double {
        let routed = tokens * Double(moe.expertsPerToken)
        return gateUp.flops(tokens: routed) + down.flops(tokens: routed)
    }

    /// Bytes the kernel moves for `tokens` tokens when `active` experts are hit: their weights, and each routed
    /// token's activations into and out of both GEMMs.
    func bytes(tokens: Double, active: Double, activationBytes: Double) -> Double {
        let routed = tokens * Double(moe.expertsPerToken)
        return active * expertBytes + routed * (gateUp.inputs + gateUp.outputs + down.inputs + down.outputs) * activationBytes
    }

    /// Seconds of the routed experts on `gpu`: measured where the tables have the layer, else by the roofline.
    func seconds(tokens: Double, gpu: GPUSpec, efficiency: ComputeEfficiency, activationBytes: Double) -> Double {
        guard tokens > 0 else { return 0 }
        let active = activeExperts(tokens: tokens)
        if let measured {
            let flops = flops(tokens: tokens) / gateUp.computeRatio
            let here = max(flops / gpu.peakFlopsPerSecond,
                           bytes(tokens: tokens, active: active, activationBytes: activationBytes) / gpu.hbmBytesPerSecond)
            let balanced = min(Double(moe.experts), tokens * Double(moe.expertsPerToken))
            let there = max(flops / measured.peakFlops,
                            bytes(tokens: tokens, active: balanced, activationBytes: activationBytes) / measured.bandwidth)
            return measured.curve.seconds(at: tokens) * (there > 0 ? here / there : 1)
        }
        let rowsPerExpert = efficiency.computedTokens(tokens * Double(moe.expertsPerToken) / max(active, 1))
        let computeRate = gpu.peakFlopsPerSecond * gateUp.computeRatio * efficiency.computeFraction(tokens: rowsPerExpert)
        let compute = flops(tokens: tokens) / computeRate
        let memory = bytes(tokens: tokens, active: active, activationBytes: activationBytes)
            / (gpu.hbmBytesPerSecond * efficiency.gemmMemoryFraction)
        return max(compute, memory) / Double(ranks) + 2 * efficiency.gemmFixedSeconds
    }
}
