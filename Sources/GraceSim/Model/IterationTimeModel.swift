/// The time one iteration of one model instance takes on one GPU (on each of its GPUs under tensor parallelism,
/// with `model` one GPU's shard and the all-reduces between them): per layer, its GEMMs and attention from measured
/// kernel tables where the GPU has them (``MeasuredKernels``), else from a fitted roofline; its small elementwise
/// kernels from the roofline; plus the LM head and the serving engine's CPU overhead. A step the engine does not
/// capture as a CUDA graph takes at least the CPU's launch time per kernel. See `docs/time-model.md`.
///
/// Seconds inside, `SimTime` out. `duration(of:)` is O(1) in the batch (it loops over the four matrices of a
/// layer, never over sequences) and allocates nothing; everything that depends only on the model and the GPU is
/// computed once in `init`. Immutable, and a class so that the event loop's calls share one copy instead of
/// retaining every table the model holds on each call.
public final class IterationTimeModel: Sendable {
    public let model: ModelSpec
    public let gpu: GPUSpec
    public let efficiency: ComputeEfficiency
    public let engineOverhead: EngineOverhead
    /// The measured kernels that time GEMMs and attention, or nil where the GPU has no tables.
    public let measured: MeasuredKernels?
    /// The all-reduces among the GPUs of a model split by tensor parallelism (`model` is then one GPU's shard);
    /// nil on one GPU.
    public let allReduce: AllReduceTime?
    /// Under data parallelism (`model.dataParallel` ranks stepping together): the collectives of each MoE layer over
    /// every rank's GPUs, vLLM's default `allgather_reducescatter` exchange, costed as one all-reduce of every rank's
    /// tokens (an all-gather and a reduce-scatter move what an all-reduce moves); nil otherwise.
    public let expertExchange: AllReduceTime?
    /// The data-parallel ranks (1 without data parallelism). A batch is then every rank's batch together; a step
    /// lasts as long as its busiest rank's share (``BatchShape/rankShare(of:)``: decodes spread evenly, each prefill
    /// chunk whole on one rank), whose attention and dense layers that rank computes, and its experts for every
    /// rank's tokens padded to that share.
    private let ranks: Int

    /// The matrices of one dense decoder layer as stored and multiplied (for the roofline).
    private let matrices: [MatrixVariant]
    /// The matrices of one MoE layer other than its routed experts: attention, router, shared experts.
    private let moeMatrices: [MatrixVariant]
    /// The routed experts of an MoE layer, timed by the roofline; nil for a dense model.
    private let routedExperts: RoutedExperts?
    /// Bytes the elementwise kernels of one dense layer move per token (norms, RoPE, activation, residual adds).
    private let elementwiseBytesPerToken: Double
    /// The same for an MoE layer, whose activation runs on the chosen and shared experts' outputs.
    private let moeElementwiseBytesPerToken: Double
    /// Elementwise kernels launched per layer.
    private let elementwiseKernels: Double
    /// KV bytes of one token in one layer.
    private let kvBytesPerTokenPerLayer: Double
    /// Bytes per activation element (2: 16-bit).
    private let elementBytes: Double
    private let lmHead: MatrixVariant
    /// Bytes per token of the embedding lookup and of the final norm (read and write one hidden vector each).
    private let hiddenReadWriteBytesPerToken: Double
    /// Dense and MoE layers, as Doubles.
    private let denseLayerCount: Double
    private let moeLayerCount: Double

    public init(model: ModelSpec, gpu: GPUSpec, engineOverhead: EngineOverhead = .vllmV0,
                efficiency: ComputeEfficiency = .fitted, allReduce: AllReduceTime? = nil, expertExchange: AllReduceTime? = nil) {
        self.model = model
        self.gpu = gpu
        self.allReduce = allReduce
        self.expertExchange = model.dataParallel > 1 ? expertExchange : nil
        ranks = model.dataParallel
        self.efficiency = efficiency
        self.engineOverhead = engineOverhead
        measured = gpu.kernelTables.map { MeasuredKernels(tables: $0, model: model, gpu: gpu) }
        let precision = GEMMPrecision.resolve(model.quantization, on: gpu)
        let quantized = model.quantization.isQuantized && model.quantization.scope == .allLinear
        let attention = model.attentionShapes.map { MatrixVariant($0, model: model, precision: precision, quantized: quantized) }
        matrices = attention + model.mlpShapes(ffn: model.ffnSize).map { MatrixVariant($0, model: model, precision: precision, quantized: quantized) }
        let e = Double(model.bytesPerElement)
        let h = Double(model.hiddenSize)
        let norm = 2 * h * e  // read and write one hidden vector
        let residualAdd = 3 * h * e  // read two hidden vectors, write one
        func activation(_ width: Double) -> Double { model.mlp == .gated ? 3 * width * e : 2 * width * e }
        let common: Double
        switch model.family {
        case .llama:
            // Two RMSNorms, RoPE on Q and K (read and write), one residual add: vLLM fuses the other residual
            // add into the RMSNorm, and Vidur's table has one `add` per layer.
            common = 2 * norm + 2 * Double(model.queryWidth + model.kvWidth) * e + residualAdd
            elementwiseKernels = 5
        case .opt:
            // Two LayerNorms, the activation, two unfused residual adds; no RoPE (learned positions).
            common = 2 * norm + 2 * residualAdd
            elementwiseKernels = 5
        }
        elementwiseBytesPerToken = common + activation(Double(model.ffnSize))
        if let moe = model.moe {
            let router = MatrixVariant((model.hiddenSize, model.routerExperts), model: model, precision: precision, quantized: false)
            let shared = moe.sharedExperts > 0
                ? model.mlpShapes(ffn: moe.sharedExpertFFNSize).map { MatrixVariant($0, model: model, precision: precision, quantized: quantized) } : []
            moeMatrices = attention + [router] + shared
            routedExperts = RoutedExperts(model: model, moe: moe, precision: precision, tables: gpu.kernelTables)
            let chosen = Double(moe.expertsPerToken * moe.expertFFNSize + moe.sharedExperts * moe.sharedExpertFFNSize)
            moeElementwiseBytesPerToken = common + activation(chosen)
        } else {
            moeMatrices = []
            routedExperts = nil
            moeElementwiseBytesPerToken = 0
        }
        kvBytesPerTokenPerLayer = Double(model.kvBytesPerTokenPerLayer)
        elementBytes = e
        lmHead = MatrixVariant((model.hiddenSize, model.vocabSize), model: model, precision: precision, quantized: false)
        hiddenReadWriteBytesPerToken = 2 * h * e
        denseLayerCount = Double(model.denseLayers)
        moeLayerCount = Double(model.moe?.moeLayers ?? 0)
    }

    // MARK: - Public queries

    /// Wall time of one iteration: the GPU's work plus the engine's CPU overhead. Zero for an empty batch.
    public func duration(of whole: BatchShape) -> SimTime {
        if whole.totalTokens == 0 && whole.sampledSequences == 0 { return .zero }
        let batch = whole.rankShare(of: ranks)
        let gpu = computeSeconds(rank: batch)
        return SimTime.capped(seconds: gpu) + engineOverhead.duration(sampledSequences: batch.sampledSequences, gpuSeconds: gpu)
    }

    /// Seconds of GPU work of one forward pass over `batch`: all decoder layers, the embedding lookup, the final
    /// norm and the LM head; no engine overhead.
    public func computeSeconds(of batch: BatchShape) -> Double {
        computeSeconds(rank: batch.rankShare(of: ranks))
    }

    /// ``computeSeconds(of:)`` of one data-parallel rank's share of a batch (the batch itself without data
    /// parallelism).
    private func computeSeconds(rank batch: BatchShape) -> Double {
        let n = Double(batch.totalTokens)
        var layer = layerBreakdown(rank: batch).totalSeconds
        if !engineOverhead.cudaGraphs.captures(batch) {
            layer = max(layer, kernelsPerLayer(batch) * EngineOverhead.eagerLaunchSeconds)
        }
        let layers = Double(model.layers) * layer
        var outside = 0.0
        if n > 0 {
            // Embedding lookup and final norm: memory-bound, one hidden vector read and written per token.
            outside += 2 * (n * hiddenReadWriteBytesPerToken / elementwiseBandwidth + efficiency.elementwiseFixedSeconds)
            // The vocabulary-parallel embedding's all-reduce.
            outside += allReduceSeconds(batch)
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
            + (allReduce == nil ? 0 : 2) + (expertExchange == nil ? 0 : 2)
    }

    /// One all-reduce of the batch's hidden states among the instance's GPUs; zero on one GPU.
    private func allReduceSeconds(_ batch: BatchShape) -> Double {
        guard let allReduce else { return 0 }
        return allReduce.seconds(elements: Double(batch.totalTokens) * Double(model.hiddenSize),
                                 captured: engineOverhead.cudaGraphs.captures(batch))
    }

    /// Seconds of GPU work of one decoder layer over `batch`: linear, elementwise and attention kernels.
    /// A memory strategy compares this with the time to load one layer over the CPU–GPU link.
    public func layerComputeSeconds(of batch: BatchShape) -> Double {
        layerBreakdown(of: batch).totalSeconds
    }

    /// Seconds of one decoder layer over `batch`, split by kind of kernel; for an MoE model, the mean over its dense
    /// and MoE layers.
    public func layerBreakdown(of batch: BatchShape) -> LayerTimes {
        layerBreakdown(rank: batch.rankShare(of: ranks))
    }

    /// ``layerBreakdown(of:)`` of one data-parallel rank's share of a batch (the batch itself without data
    /// parallelism).
    private func layerBreakdown(rank batch: BatchShape) -> LayerTimes {
        let n = Double(batch.totalTokens)
        // Every rank's tokens enter each GPU's experts, padded as vLLM pads each rank's to the largest.
        let expertTokens = n * Double(ranks)
        let attention = attentionSeconds(of: batch)
        var communication = 2 * allReduceSeconds(batch)
        guard moeLayerCount > 0 else {
            return LayerTimes(linearSeconds: matrixSeconds(tokens: n), elementwiseSeconds: elementwiseSeconds(tokens: n),
                              attentionSeconds: attention, communicationSeconds: communication)
        }
        let layers = denseLayerCount + moeLayerCount
        if let expertExchange {
            let exchange = expertExchange.seconds(elements: expertTokens * Double(model.hiddenSize),
                                                  captured: engineOverhead.cudaGraphs.captures(batch))
            communication += moeLayerCount * exchange / layers
        }
        var linear = moeLayerCount * moeMatrixSeconds(tokens: n, expertTokens: expertTokens)
        var elementwise = moeLayerCount * elementwiseSeconds(tokens: n, bytesPerToken: moeElementwiseBytesPerToken)
        if denseLayerCount > 0 {
            linear += denseLayerCount * matrixSeconds(tokens: n)
            elementwise += denseLayerCount * elementwiseSeconds(tokens: n)
        }
        return LayerTimes(linearSeconds: linear / layers, elementwiseSeconds: elementwise / layers, attentionSeconds: attention,
                          communicationSeconds: communication)
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

    /// One GEMM of `tokens` rows: the slower of the FLOPs of its computed rows n' (whole tiles) at η_c(n') of the peak
    /// of its tensor-core type and its bytes (weights once as stored, activations in and out) at η_m of peak
    /// bandwidth, plus a GEMM's fixed cost.
    private func linearSeconds(_ m: MatrixVariant, tokens n: Double) -> Double {
        if n <= 0 { return 0 }
        let computed = efficiency.computedTokens(n)
        let compute = m.flops(tokens: computed) / (gpu.peakFlopsPerSecond * m.computeRatio * efficiency.computeFraction(tokens: computed))
        let memory = m.bytes(tokens: n, activationBytes: elementBytes) / matrixBandwidth
        return max(compute, memory) + efficiency.gemmFixedSeconds
    }

    /// One dense layer's GEMMs.
    private func matrixSeconds(tokens n: Double) -> Double {
        if let measured { return n > 0 ? measured.layerGEMMSeconds(tokens: n) : 0 }
        var total = 0.0
        for m in matrices { total += linearSeconds(m, tokens: n) }
        return total
    }

    /// One MoE layer's GEMMs: attention, router and shared experts (measured where the GPU has tables) for `n`
    /// tokens, and the routed experts the `expertTokens` tokens entering them chose (`n` without data parallelism).
    private func moeMatrixSeconds(tokens n: Double, expertTokens: Double) -> Double {
        guard n > 0, let routedExperts else { return 0 }
        var total = 0.0
        if let measured {
            total = measured.moeLayerGEMMSeconds(tokens: n)
        } else {
            for m in moeMatrices { total += linearSeconds(m, tokens: n) }
        }
        return total + routedExperts.seconds(tokens: expertTokens, gpu: gpu, efficiency: efficiency, activationBytes: elementBytes)
    }

    private func elementwiseSeconds(tokens n: Double) -> Double {
        elementwiseSeconds(tokens: n, bytesPerToken: elementwiseBytesPerToken)
    }

    private func elementwiseSeconds(tokens n: Double, bytesPerToken: Double) -> Double {
        if n <= 0 { return 0 }
        return n * bytesPerToken / elementwiseBandwidth + elementwiseKernels * efficiency.elementwiseFixedSeconds
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
        let e = Double(model.bytesPerElement)
        return linearSeconds(MatrixVariant(inputs: Double(inputs), outputs: Double(outputs),
                                           weightBytes: Double(inputs) * Double(outputs) * e, computeRatio: 1), tokens: tokens)
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
    /// The layer's two tensor-parallel all-reduces, in seconds; zero on one GPU.
    public var communicationSeconds: Double

    public init(linearSeconds: Double, elementwiseSeconds: Double, attentionSeconds: Double, communicationSeconds: Double = 0) {
        self.linearSeconds = linearSeconds
        self.elementwiseSeconds = elementwiseSeconds
        self.attentionSeconds = attentionSeconds
        self.communicationSeconds = communicationSeconds
    }

    /// The whole layer, in seconds.
    public var totalSeconds: Double { linearSeconds + elementwiseSeconds + attentionSeconds + communicationSeconds }
}
