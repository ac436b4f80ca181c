/// The routed experts of one MoE layer as one fused kernel: each of `tokens` tokens goes through `expertsPerToken`
/// experts, and the kernel reads the weights of every expert some token chose.
///
/// By the roofline: FLOPs 2 × tokens × k × (an expert's parameters), at η_c of the multiply's peak for the rows one
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

    init(model: ModelSpec, moe: MixtureOfExperts, precision: GEMMPrecision) {
        self.moe = moe
        let shapes = model.mlpShapes(ffn: moe.expertFFNSize)
        gateUp = MatrixVariant(shapes[0], model: model, precision: precision, quantized: model.quantization.isQuantized)
        down = MatrixVariant(shapes[1], model: model, precision: precision, quantized: model.quantization.isQuantized)
        probabilities = moe.pickProbabilities()
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

    /// Seconds of the routed experts by the roofline on `gpu`.
    func seconds(tokens: Double, gpu: GPUSpec, efficiency: ComputeEfficiency, activationBytes: Double) -> Double {
        guard tokens > 0 else { return 0 }
        let active = activeExperts(tokens: tokens)
        let rowsPerExpert = efficiency.computedTokens(tokens * Double(moe.expertsPerToken) / max(active, 1))
        let computeRate = gpu.peakFlopsPerSecond * gateUp.computeRatio * efficiency.computeFraction(tokens: rowsPerExpert)
        let compute = flops(tokens: tokens) / computeRate
        let memory = bytes(tokens: tokens, active: active, activationBytes: activationBytes)
            / (gpu.hbmBytesPerSecond * efficiency.gemmMemoryFraction)
        return max(compute, memory) + 2 * efficiency.gemmFixedSeconds
    }
}
