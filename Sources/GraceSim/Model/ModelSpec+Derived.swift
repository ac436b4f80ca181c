/// Quantities derived from a model's shape: parameter and byte counts per layer, KV bytes per token,
/// and FLOPs per token. Bytes are bytes; FLOPs count a multiply-add as two.
extension ModelSpec {
    /// Width of the query projection output (heads × head dim).
    public var queryWidth: Int { attentionHeads * headDim }
    /// Width of each of the K and V projection outputs (KV heads × head dim).
    public var kvWidth: Int { kvHeads * headDim }

    /// The weight matrices of one decoder layer as (rows, columns) = (input features, output features),
    /// in the order they run: QKV, output projection, then the MLP.
    public var linearShapesPerLayer: [(inputs: Int, outputs: Int)] {
        let attention = [(hiddenSize, queryWidth + 2 * kvWidth), (queryWidth, hiddenSize)]
        switch mlp {
        case .gated: return attention + [(hiddenSize, 2 * ffnSize), (ffnSize, hiddenSize)]
        case .twoMatrix: return attention + [(hiddenSize, ffnSize), (ffnSize, hiddenSize)]
        }
    }

    /// Parameters of the linear layers (matrices only) of one decoder layer: the sum over
    /// ``linearShapesPerLayer``, computed without building the array (it is read on hot paths).
    public var linearParametersPerLayer: Int64 {
        let h = Int64(hiddenSize), q = Int64(queryWidth), kv = Int64(kvWidth), f = Int64(ffnSize)
        let attention = h * (q + 2 * kv) + q * h
        let mlpMatrices: Int64 = mlp == .gated ? 3 : 2
        return attention + mlpMatrices * h * f
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
            // Two RMSNorm scales; QKV biases for models that have them (Qwen2).
            return 2 * h + (attentionBias ? Int64(queryWidth + 2 * kvWidth) : 0)
        }
    }

    /// Parameters of one decoder layer.
    public var parametersPerLayer: Int64 { linearParametersPerLayer + smallParametersPerLayer }

    /// Bytes of one decoder layer's weights: the unit that parameter remapping frees and reloads.
    public var weightBytesPerLayer: Int64 { parametersPerLayer * Int64(bytesPerElement) }

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

    /// Bytes of the weights outside the decoder layers (embeddings, final norm, LM head).
    public var nonLayerWeightBytes: Int64 { nonLayerParameters * Int64(bytesPerElement) }

    /// All parameters of the model.
    public var totalParameters: Int64 { Int64(layers) * parametersPerLayer + nonLayerParameters }

    /// Bytes of all weights resident on the GPU when nothing is remapped.
    public var totalWeightBytes: Int64 { totalParameters * Int64(bytesPerElement) }

    /// Bytes the LM head matrix reads each iteration (vocab × hidden), tied or not.
    public var lmHeadBytes: Int64 { Int64(vocabSize) * Int64(hiddenSize) * Int64(bytesPerElement) }

    /// KV-cache bytes one token occupies in one layer: K and V, each KV heads × head dim elements.
    public var kvBytesPerTokenPerLayer: Int64 { 2 * Int64(kvWidth) * Int64(bytesPerElement) }

    /// KV-cache bytes one token occupies across all layers.
    public var kvBytesPerToken: Int64 { Int64(layers) * kvBytesPerTokenPerLayer }

    /// FLOPs of the linear layers of one decoder layer for one token (2 × matrix parameters).
    public var linearFlopsPerTokenPerLayer: Double { 2 * Double(linearParametersPerLayer) }

    /// FLOPs of one token's forward pass through the matrices of all layers and the LM head,
    /// not counting attention scores (2 × parameters, the usual estimate).
    public var flopsPerToken: Double {
        Double(layers) * linearFlopsPerTokenPerLayer + 2 * Double(vocabSize) * Double(hiddenSize)
    }

    /// Attention FLOPs in one layer for one query token attending to `contextTokens` keys
    /// (QKᵀ and PV: 2 × 2 × heads × head dim per key).
    public func attentionFlopsPerLayer(contextTokens: Double) -> Double {
        4 * Double(queryWidth) * contextTokens
    }
}
