import Foundation

/// The experts of a mixture-of-experts model: in each MoE layer a router sends every token to `expertsPerToken` of
/// `experts` gated MLPs of `expertFFNSize`, and `sharedExperts` MLPs of `sharedExpertFFNSize` see every token.
///
/// `moeLayers` of the model's layers carry experts; the others keep the dense MLP of the model's `ffnSize`
/// (Llama-4's `interleave_moe_layer_step`, Qwen3-MoE's `mlp_only_layers`). Memory holds every expert; a step reads
/// only the experts its tokens chose (``expectedActiveExperts(tokens:)``).
public struct MixtureOfExperts: Sendable, Hashable {
    /// Routed experts per MoE layer.
    public var experts: Int
    /// Experts each token is routed to (top-k).
    public var expertsPerToken: Int
    /// Intermediate size of one routed expert's gated MLP.
    public var expertFFNSize: Int
    /// Experts every token passes through besides the routed ones (Llama-4: 1; Mixtral, Qwen3, gpt-oss: 0).
    public var sharedExperts: Int
    /// Intermediate size of one shared expert.
    public var sharedExpertFFNSize: Int
    /// Decoder layers that carry experts; the rest have the dense MLP.
    public var moeLayers: Int
    /// Whether the experts' matrices carry biases (gpt-oss).
    public var expertBias: Bool
    /// How the router spreads tokens over experts.
    public var routing: ExpertRouting

    public init(experts: Int, expertsPerToken: Int, expertFFNSize: Int, sharedExperts: Int = 0, sharedExpertFFNSize: Int = 0,
                moeLayers: Int, expertBias: Bool = false, routing: ExpertRouting = .uniform) {
        self.experts = experts
        self.expertsPerToken = expertsPerToken
        self.expertFFNSize = expertFFNSize
        self.sharedExperts = sharedExperts
        self.sharedExpertFFNSize = sharedExpertFFNSize
        self.moeLayers = moeLayers
        self.expertBias = expertBias
        self.routing = routing
    }

    /// Parameters of one routed expert's matrices (gate and up fused, then down).
    public func expertParameters(hiddenSize: Int) -> Int64 { 3 * Int64(hiddenSize) * Int64(expertFFNSize) }

    /// The expected number of distinct experts that `tokens` tokens choose in one layer.
    ///
    /// Each token picks `expertsPerToken` distinct experts. Under uniform routing an expert is missed by one token
    /// with probability 1 − k/E, so E (1 − (1 − k/E)^T) experts are hit. Under a power-law skew the expert of rank i
    /// is picked by a token with probability p_i = min(1, k i^−α / Σ_j j^−α), and Σ 1 − (1 − p_i)^T are hit
    /// (tokens independent, as in the uniform case) [E].
    public func expectedActiveExperts(tokens: Double) -> Double {
        if tokens <= 0 { return 0 }
        switch routing {
        case .uniform:
            let e = Double(experts), k = Double(expertsPerToken)
            return e * (1 - pow(1 - k / e, tokens))
        case .powerLaw:
            return Self.expectedActive(tokens: tokens, probabilities: pickProbabilities())
        }
    }

    /// The probability that one token picks each expert, by rank; empty under uniform routing (closed form).
    public func pickProbabilities() -> [Double] {
        guard case .powerLaw(let alpha) = routing else { return [] }
        let weights = (1...experts).map { pow(Double($0), -alpha) }
        let total = weights.reduce(0, +)
        let k = Double(expertsPerToken)
        return weights.map { min(1, k * $0 / total) }
    }

    /// Σ 1 − (1 − p_i)^T over the experts' pick probabilities.
    public static func expectedActive(tokens: Double, probabilities: [Double]) -> Double {
        if tokens <= 0 { return 0 }
        var hit = 0.0
        for p in probabilities { hit += 1 - pow(1 - p, tokens) }
        return hit
    }
}

/// How a router spreads tokens over the experts of a layer (`expert_routing` in an experiment).
public enum ExpertRouting: Sendable, Hashable {
    /// Every expert equally likely (the default).
    case uniform
    /// Expert i (by popularity) chosen with probability ∝ i^−α, α > 0: a few hot experts.
    case powerLaw(Double)

    /// The distribution name aiconfigurator's MoE tables use for this routing, when they measured it.
    public var tableDistribution: String? {
        switch self {
        case .uniform: return "balanced"
        case .powerLaw(let alpha):
            if alpha == 1.01 { return "power_law_1.01" }
            if alpha == 1.2 { return "power_law_1.2" }
            return nil
        }
    }
}
