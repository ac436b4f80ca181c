/// Quantities derived from a model's shape and storage: parameter and byte counts per layer, KV bytes per token,
/// and FLOPs per token. Bytes are bytes; FLOPs count a multiply-add as two.
///
/// A mixture-of-experts model has two kinds of layer, dense (``denseLayers``) and MoE (``MixtureOfExperts/moeLayers``);
/// per-layer quantities that the strategies use as a unit (``weightBytesPerLayer``) are the mean over the layers.
extension ModelSpec {
    /// Width of the query projection output (heads × head dim).
    public var queryWidth: Int { attentionHeads * headDim }
    /// Width of each of the K and V projection outputs (KV heads × head dim).
    public var kvWidth: Int { kvHeads * headDim }

    /// The attention matrices of one decoder layer as (input features, output features): fused QKV, then output.
    public var attentionShapes: [(inputs: Int, outputs: Int)] {
        [(hiddenSize, queryWidth + 2 * kvWidth), (queryWidth, hiddenSize)]
    }

    /// The matrices of a gated (or two-matrix) MLP of intermediate size `ffn`: gate and up fused, then down.
    func mlpShapes(ffn: Int) -> [(inputs: Int, outputs: Int)] {
        switch mlp {
        case .gated: return [(hiddenSize, 2 * ffn), (ffn, hiddenSize)]
        case .twoMatrix: return [(hiddenSize, ffn), (ffn, hiddenSize)]
        }
    }

    /// The weight matrices of one dense decoder layer as (rows, columns) = (input features, output features),
    /// in the order they run: QKV, output projection, then the MLP.
    public var linearShapesPerLayer: [(inputs: Int, outputs: Int)] { attentionShapes + mlpShapes(ffn: ffnSize) }

    /// The experts an MoE layer's router scores: all of the layer's, on every GPU, also when expert parallelism
    /// leaves each GPU a share of them (``expertParallel``).
    public var routerExperts: Int { (moe?.experts ?? 0) * expertParallel }

    /// Decoder layers with the dense MLP: all of them in a dense model.
    public var denseLayers: Int { layers - (moe?.moeLayers ?? 0) }

    // MARK: - Parameters

    /// Parameters of the attention matrices of one layer.
    public var attentionParametersPerLayer: Int64 {
        let h = Int64(hiddenSize), q = Int64(queryWidth), kv = Int64(kvWidth)
        return h * (q + 2 * kv) + q * h
    }

    /// Parameters of the matrices of an MLP of intermediate size `ffn`.
    func mlpParameters(ffn: Int) -> Int64 { Int64(mlp == .gated ? 3 : 2) * Int64(hiddenSize) * Int64(ffn) }

    /// Parameters of the linear layers (matrices only) of one dense decoder layer, computed without building an array
    /// (it is read on hot paths).
    public var linearParametersPerLayer: Int64 { attentionParametersPerLayer + mlpParameters(ffn: ffnSize) }

    /// Parameters of the MLP part of one MoE layer: the router, the shared experts and every routed expert with their
    /// biases. Zero for a dense model.
    public var moeMLPParametersPerLayer: Int64 {
        guard let moe else { return 0 }
        let h = Int64(hiddenSize)
        let router = h * Int64(routerExperts)
        let shared = Int64(moe.sharedExperts) * mlpParameters(ffn: moe.sharedExpertFFNSize)
        return router + shared + Int64(moe.experts) * (mlpParameters(ffn: moe.expertFFNSize) + expertBiasParameters)
    }

    /// Bias parameters of one routed expert: the outputs of its gate-and-up (or up) and down matrices, if it has them.
    var expertBiasParameters: Int64 {
        guard let moe, moe.expertBias else { return 0 }
        return Int64(mlp == .gated ? 2 : 1) * Int64(moe.expertFFNSize) + Int64(hiddenSize)
    }

    /// Parameters of one decoder layer that are not matrix weights: biases and norm scales.
    public var smallParametersPerLayer: Int64 {
        let h = Int64(hiddenSize)
        switch family {
        case .opt:
            // Biases on every linear (the outputs of QKV, output projection, MLP up and down), plus two
            // LayerNorms with weight and bias.
            let mlpUp = Int64(mlp == .gated ? 2 * ffnSize : ffnSize)
            let biases = Int64(queryWidth + 2 * kvWidth) + h + mlpUp + h
            return biases + 4 * h
        case .llama:
            // Two RMSNorm scales; QKV biases for models that have them (Qwen2, gpt-oss).
            return 2 * h + (attentionBias ? Int64(queryWidth + 2 * kvWidth) : 0)
        }
    }

    /// Parameters of one dense decoder layer.
    public var parametersPerLayer: Int64 { linearParametersPerLayer + smallParametersPerLayer }

    /// Parameters of all decoder layers, dense and MoE.
    public var layerParameters: Int64 {
        let moeLayers = Int64(moe?.moeLayers ?? 0)
        let attentionAndNorms = Int64(layers) * (attentionParametersPerLayer + smallParametersPerLayer)
        return attentionAndNorms + Int64(denseLayers) * mlpParameters(ffn: ffnSize) + moeLayers * moeMLPParametersPerLayer
    }

    /// Parameters outside the decoder layers: token embedding, OPT's learned positions (2048 + 2 offset
    /// rows), the final norm and, unless tied, the LM head.
    public var nonLayerParameters: Int64 {
        let h = Int64(hiddenSize)
        let tokenEmbedding = Int64(vocabSize) * h
        let positions: Int64 = family == .opt ? Int64(maxContextTokens + 2) * h : 0
        let finalNorm: Int64 = family == .opt ? 2 * h : h
        let lmHead: Int64 = tiedEmbeddings ? 0 : Int64(vocabSize) * h
        return tokenEmbedding + positions + finalNorm + lmHead
    }

    /// All parameters of the model.
    public var totalParameters: Int64 { layerParameters + nonLayerParameters }

    /// Parameters one token passes through: attention, the dense MLPs, and in MoE layers the router, the shared
    /// experts and `expertsPerToken` routed experts; plus the embedding row and the LM head.
    public var activeParametersPerToken: Int64 {
        let h = Int64(hiddenSize)
        var perLayer = Int64(layers) * attentionParametersPerLayer + Int64(denseLayers) * mlpParameters(ffn: ffnSize)
        if let moe {
            let routed = Int64(moe.expertsPerToken) * mlpParameters(ffn: moe.expertFFNSize)
            let shared = Int64(moe.sharedExperts) * mlpParameters(ffn: moe.sharedExpertFFNSize)
            perLayer += Int64(moe.moeLayers) * (h * Int64(routerExperts) + shared + routed)
        }
        return perLayer + Int64(vocabSize) * h
    }

    // MARK: - Bytes

    /// Bytes of `shapes` stored under the model's quantization (`routedExperts`: whether they are routed experts,
    /// which an experts-only method quantizes alone).
    func matrixBytes(_ shapes: [(inputs: Int, outputs: Int)], routedExperts: Bool = false) -> Int64 {
        let applies = quantization.scope == .allLinear || routedExperts
        let format = applies ? quantization : .none
        return shapes.reduce(0) { $0 + format.matrixBytes(inputs: $1.inputs, outputs: $1.outputs, elementBytes: bytesPerElement) }
    }

    /// Bytes of the MLP part of one MoE layer: the 16-bit router, the shared experts and the routed experts (scales
    /// included), and their biases.
    public var moeMLPBytesPerLayer: Int64 {
        guard let moe else { return 0 }
        let e = Int64(bytesPerElement)
        let router = Int64(hiddenSize) * Int64(routerExperts) * e
        let shared = Int64(moe.sharedExperts) * matrixBytes(mlpShapes(ffn: moe.sharedExpertFFNSize))
        let routed = Int64(moe.experts) * matrixBytes(mlpShapes(ffn: moe.expertFFNSize), routedExperts: true)
        return router + shared + routed + Int64(moe.experts) * expertBiasParameters * e
    }

    /// Bytes of all decoder layers' weights, scales included.
    public var layerWeightBytes: Int64 {
        let perLayer = matrixBytes(attentionShapes) + smallParametersPerLayer * Int64(bytesPerElement)
        let dense = Int64(denseLayers) * matrixBytes(mlpShapes(ffn: ffnSize))
        return Int64(layers) * perLayer + dense + Int64(moe?.moeLayers ?? 0) * moeMLPBytesPerLayer
    }

    /// Bytes of one decoder layer's weights, the mean over the layers (rounded up): the unit that parameter
    /// remapping frees and reloads. For a dense model every layer has exactly this many.
    public var weightBytesPerLayer: Int64 { (layerWeightBytes + Int64(layers) - 1) / Int64(layers) }

    /// Bytes of the weights outside the decoder layers (embeddings, final norm, LM head), all 16-bit.
    public var nonLayerWeightBytes: Int64 { nonLayerParameters * Int64(bytesPerElement) }

    /// Bytes of all weights resident on the GPU when nothing is remapped.
    public var totalWeightBytes: Int64 { layerWeightBytes + nonLayerWeightBytes }

    /// Bytes the LM head matrix reads each iteration (vocab × hidden), tied or not.
    public var lmHeadBytes: Int64 { Int64(vocabSize) * Int64(hiddenSize) * Int64(bytesPerElement) }

    /// Bytes of one element of the KV cache.
    public var kvElementBytes: Int { kvCacheDtype.elementBytes(modelElementBytes: bytesPerElement) }

    /// KV-cache bytes one token occupies in one layer: K and V, each KV heads × head dim elements.
    public var kvBytesPerTokenPerLayer: Int64 { 2 * Int64(kvWidth) * Int64(kvElementBytes) }

    /// KV-cache bytes one token occupies across all layers.
    public var kvBytesPerToken: Int64 { Int64(layers) * kvBytesPerTokenPerLayer }

    // MARK: - FLOPs

    /// FLOPs of the linear layers of one dense decoder layer for one token (2 × matrix parameters).
    public var linearFlopsPerTokenPerLayer: Double { 2 * Double(linearParametersPerLayer) }

    /// FLOPs of one token's forward pass through the matrices it uses and the LM head, not counting attention
    /// scores (2 × active parameters, the usual estimate).
    public var flopsPerToken: Double { 2 * Double(activeParametersPerToken) }

    /// Attention FLOPs in one layer for one query token attending to `contextTokens` keys
    /// (QKᵀ and PV: 2 × 2 × heads × head dim per key).
    public func attentionFlopsPerLayer(contextTokens: Double) -> Double {
        4 * Double(queryWidth) * contextTokens
    }
}
