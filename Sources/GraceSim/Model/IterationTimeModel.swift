/// The time one iteration of one model instance takes on one GPU: per layer, its GEMMs and attention from measured
/// kernel tables where the GPU has them (``MeasuredKernels``), else from a fitted roofline; its small elementwise
/// kernels from the roofline; plus the LM head and the serving engine's CPU overhead. A step the engine does not
/// capture as a CUDA graph takes at least the CPU's launch time per kernel. See `docs/time-model.md`.
///
/// Seconds inside, `SimTime` out. `duration(of:)` is O(1) in the batch (it loops over the four matrices of a
/// layer, never over sequences) and allocates nothing; everything that depends only on the model and the GPU is
/// computed once in `init`.
public struct IterationTimeModel: Sendable {
    public let model: ModelSpec
    public let gpu: GPUSpec
    public let efficiency: ComputeEfficiency
    public let engineOverhead: EngineOverhead
    /// The measured kernels that time GEMMs and attention, or nil where the GPU has no tables.
    public let measured: MeasuredKernels?

    /// The matrices of one decoder layer (input features, output features) as Doubles.
    private let matrices: [Matrix]
    /// Bytes the elementwise kernels of one layer move per token (norms, RoPE, activation, residual adds).
    private let elementwiseBytesPerToken: Double
    /// Elementwise kernels launched per layer.
    private let elementwiseKernels: Double
    /// KV bytes of one token in one layer.
    private let kvBytesPerTokenPerLayer: Double
    /// FP16 elements: bytes per element.
    private let elementBytes: Double
    private let lmHead: Matrix
    /// Bytes per token of the embedding lookup and of the final norm (read and write one hidden vector each).
    private let hiddenReadWriteBytesPerToken: Double

    struct Matrix: Sendable {
        var inputs: Double
        var outputs: Double
    }

    public init(model: ModelSpec, gpu: GPUSpec, engineOverhead: EngineOverhead = .vllmV0,
                efficiency: ComputeEfficiency = .fitted) {
        self.model = model
        self.gpu = gpu
        self.efficiency = efficiency
        self.engineOverhead = engineOverhead
        measured = gpu.kernelTables.map { MeasuredKernels(tables: $0, model: model, gpu: gpu) }
        matrices = model.linearShapesPerLayer.map { Matrix(inputs: Double($0.inputs), outputs: Double($0.outputs)) }
        let e = Double(model.bytesPerElement)
        let h = Double(model.hiddenSize)
        let f = Double(model.ffnSize)
        let norm = 2 * h * e  // read and write one hidden vector
        let residualAdd = 3 * h * e  // read two hidden vectors, write one
        switch model.family {
        case .llama:
            // Two RMSNorms, RoPE on Q and K (read and write), one residual add: vLLM fuses the other residual
            // add into the RMSNorm, and Vidur's table has one `add` per layer.
            let rope = 2 * Double(model.queryWidth + model.kvWidth) * e
            let activation = model.mlp == .gated ? 3 * f * e : 2 * f * e
            elementwiseBytesPerToken = 2 * norm + rope + activation + residualAdd
            elementwiseKernels = 5
        case .opt:
            // Two LayerNorms, the activation, two unfused residual adds; no RoPE (learned positions).
            let activation = model.mlp == .gated ? 3 * f * e : 2 * f * e
            elementwiseBytesPerToken = 2 * norm + activation + 2 * residualAdd
            elementwiseKernels = 5
        }
        kvBytesPerTokenPerLayer = Double(model.kvBytesPerTokenPerLayer)
        elementBytes = e
        lmHead = Matrix(inputs: h, outputs: Double(model.vocabSize))
        hiddenReadWriteBytesPerToken = 2 * h * e
    }

    // MARK: - Public queries

    /// Wall time of one iteration: the GPU's work plus the engine's CPU overhead. Zero for an empty batch.
    public func duration(of batch: BatchShape) -> SimTime {
        if batch.totalTokens == 0 && batch.sampledSequences == 0 { return .zero }
        let gpu = computeSeconds(of: batch)
        return SimTime.capped(seconds: gpu) + engineOverhead.duration(sampledSequences: batch.sampledSequences, gpuSeconds: gpu)
    }

    /// Seconds of GPU work of one forward pass over `batch`: all decoder layers, the embedding lookup, the final
    /// norm and the LM head; no engine overhead.
    public func computeSeconds(of batch: BatchShape) -> Double {
        let n = Double(batch.totalTokens)
        var layer = layerComputeSeconds(of: batch)
        if !engineOverhead.cudaGraphs.captures(batch) {
            layer = max(layer, kernelsPerLayer(batch) * EngineOverhead.eagerLaunchSeconds)
        }
        let layers = Double(model.layers) * layer
        var outside = 0.0
        if n > 0 {
            // Embedding lookup and final norm: memory-bound, one hidden vector read and written per token.
            outside += 2 * (n * hiddenReadWriteBytesPerToken / elementwiseBandwidth + efficiency.elementwiseFixedSeconds)
        }
        if batch.sampledSequences > 0 {
            let sampled = Double(batch.sampledSequences)
            outside += measured?.lmHeadSeconds(sequences: sampled) ?? linearSeconds(lmHead, tokens: sampled)
        }
        return layers + outside
    }

    /// Kernels one layer launches for `batch`: its GEMMs, elementwise kernels, the KV-cache write, and prefill and
    /// decode attention where the batch has them.
    private func kernelsPerLayer(_ batch: BatchShape) -> Double {
        Double(matrices.count) + elementwiseKernels + 1 + (batch.prefillTokens > 0 ? 1 : 0) + (batch.decodeSequences > 0 ? 1 : 0)
    }

    /// Seconds of GPU work of one decoder layer over `batch`: linear, elementwise and attention kernels.
    /// A memory strategy compares this with the time to load one layer over the CPU–GPU link.
    public func layerComputeSeconds(of batch: BatchShape) -> Double {
        layerBreakdown(of: batch).totalSeconds
    }

    /// Seconds of one decoder layer over `batch`, split by kind of kernel.
    public func layerBreakdown(of batch: BatchShape) -> LayerTimes {
        let n = Double(batch.totalTokens)
        return LayerTimes(linearSeconds: matrixSeconds(tokens: n),
                          elementwiseSeconds: elementwiseSeconds(tokens: n),
                          attentionSeconds: attentionSeconds(of: batch))
    }

    /// Seconds of one decoder layer's work that Vidur's calibration table measures, for `tokens` tokens: the four
    /// matrix multiplications plus the norms, RoPE, activation and residual add. No attention.
    public func linearLayerSeconds(tokens: Int) -> Double {
        let n = Double(tokens)
        return matrixSeconds(tokens: n) + elementwiseSeconds(tokens: n)
    }

    // MARK: - Pieces of the roofline

    private var matrixBandwidth: Double { gpu.hbmBytesPerSecond * efficiency.gemmMemoryFraction }
    private var attentionBandwidth: Double { gpu.hbmBytesPerSecond * efficiency.attentionMemoryFraction }
    private var elementwiseBandwidth: Double { gpu.hbmBytesPerSecond * efficiency.elementwiseMemoryFraction }

    /// One GEMM of `tokens` rows: the slower of the FLOPs of its computed rows n' (whole tiles) at η_c(n') of peak
    /// and its bytes (weights once, activations in and out) at η_m of peak bandwidth, plus a GEMM's fixed cost.
    private func linearSeconds(_ m: Matrix, tokens n: Double) -> Double {
        if n <= 0 { return 0 }
        let computed = efficiency.computedTokens(n)
        let flops = 2 * computed * m.inputs * m.outputs
        let bytes = elementBytes * (m.inputs * m.outputs + n * (m.inputs + m.outputs))
        let compute = flops / (gpu.peakFlopsPerSecond * efficiency.computeFraction(tokens: computed))
        let memory = bytes / matrixBandwidth
        return max(compute, memory) + efficiency.gemmFixedSeconds
    }

    private func matrixSeconds(tokens n: Double) -> Double {
        if let measured { return n > 0 ? measured.layerGEMMSeconds(tokens: n) : 0 }
        var total = 0.0
        for m in matrices { total += linearSeconds(m, tokens: n) }
        return total
    }

    private func elementwiseSeconds(tokens n: Double) -> Double {
        if n <= 0 { return 0 }
        return n * elementwiseBytesPerToken / elementwiseBandwidth + elementwiseKernels * efficiency.elementwiseFixedSeconds
    }

    /// Attention of one layer: writing the new tokens' K and V into the cache, prefill attention (compute-bound on
    /// the causal query–key pairs) and decode attention (memory-bound on the KV it reads).
    private func attentionSeconds(of batch: BatchShape) -> Double {
        let n = Double(batch.totalTokens)
        if n <= 0 { return 0 }
        // KV-cache write, an elementwise copy: read the new K and V from the QKV output, write them into their blocks.
        var total = 2 * n * kvBytesPerTokenPerLayer / elementwiseBandwidth + efficiency.elementwiseFixedSeconds
        if batch.prefillTokens > 0, let seconds = measuredPrefillAttention(batch) {
            total += seconds
        } else if batch.prefillTokens > 0 {
            total += rooflinePrefillAttentionSeconds(tokens: Double(batch.prefillTokens), pairs: batch.prefillAttentionPairs)
        }
        if batch.decodeSequences > 0, let seconds = measured?.decodeAttentionSeconds(
            sequences: Double(batch.decodeSequences),
            contextPerSequence: Double(batch.decodeContextTokens) / Double(batch.decodeSequences)) {
            total += seconds
        } else if batch.decodeSequences > 0 {
            total += rooflineDecodeAttentionSeconds(sequences: Double(batch.decodeSequences),
                                                    contextTokens: Double(batch.decodeContextTokens))
        }
        return total
    }

    // MARK: - The roofline alone, whatever tables the GPU has (for docs/calibration.md)

    /// One GEMM of `tokens` rows from `inputs` to `outputs` features by the roofline.
    func rooflineGEMMSeconds(inputs: Int, outputs: Int, tokens: Double) -> Double {
        linearSeconds(Matrix(inputs: Double(inputs), outputs: Double(outputs)), tokens: tokens)
    }

    /// Prefill attention of one layer by the roofline: compute-bound on the causal query–key `pairs`, or bound by
    /// the queries, outputs and KV of its `tokens` new tokens.
    func rooflinePrefillAttentionSeconds(tokens: Double, pairs: Double) -> Double {
        let flops = model.attentionFlopsPerLayer(contextTokens: pairs)
        let bytes = tokens * (queryBytesPerToken + kvBytesPerTokenPerLayer)
        return max(flops / attentionPeakFlops, bytes / attentionBandwidth) + efficiency.attentionFixedSeconds
    }

    /// Decode attention of one layer by the roofline: `sequences` queries over `contextTokens` tokens of KV in all,
    /// bound by the KV it reads.
    func rooflineDecodeAttentionSeconds(sequences: Double, contextTokens: Double) -> Double {
        let flops = model.attentionFlopsPerLayer(contextTokens: contextTokens)
        let bytes = contextTokens * kvBytesPerTokenPerLayer + sequences * queryBytesPerToken
        return max(flops / attentionPeakFlops, bytes / attentionBandwidth) + efficiency.attentionFixedSeconds
    }

    private var attentionPeakFlops: Double { gpu.peakFlopsPerSecond * efficiency.attentionComputeFraction }
    /// Query in and attention output out, bytes per token.
    private var queryBytesPerToken: Double { 2 * Double(model.queryWidth) * elementBytes }

    /// Prefill attention from the measured tables: the chunks as that many sequences of equal length, each as
    /// long as a causal prompt with the chunk's mean query–key pairs, s (s + 1) / 2 = pairs / chunks [E].
    private func measuredPrefillAttention(_ batch: BatchShape) -> Double? {
        guard let measured else { return nil }
        let chunks = Double(max(batch.prefillSequences, 1))
        let pairs = batch.prefillAttentionPairs / chunks
        let length = ((8 * pairs + 1).squareRoot() - 1) / 2
        return measured.prefillAttentionSeconds(sequences: chunks, tokensPerSequence: length,
                                                pairs: batch.prefillAttentionPairs)
    }
}

/// Seconds one decoder layer spends in each kind of kernel.
public struct LayerTimes: Sendable, Equatable {
    /// The four matrix multiplications (QKV, output projection, MLP up and down), in seconds.
    public var linearSeconds: Double
    /// Norms, RoPE, activation and residual adds, in seconds.
    public var elementwiseSeconds: Double
    /// KV-cache write, prefill attention and decode attention, in seconds.
    public var attentionSeconds: Double

    public init(linearSeconds: Double, elementwiseSeconds: Double, attentionSeconds: Double) {
        self.linearSeconds = linearSeconds
        self.elementwiseSeconds = elementwiseSeconds
        self.attentionSeconds = attentionSeconds
    }

    /// The whole layer, in seconds.
    public var totalSeconds: Double { linearSeconds + elementwiseSeconds + attentionSeconds }
}
