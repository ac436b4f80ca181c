import Foundation

/// The measured kernel times of one model's layer on one GPU, looked up from ``KernelTables`` and ready to query:
/// each GEMM of a layer and the LM head as a curve over tokens, prefill and decode attention as surfaces over
/// (sequences, tokens per sequence). Built once per instance; queries are O(log n) and allocate nothing.
///
/// **A GPU without tables of its own** (the GH200's, a MIG slice) uses the tables of a measured GPU and scales
/// each kernel by the ratio of its roofline times on the two GPUs: `max(F / P, B / W)` here over the same on the
/// measured GPU, for the kernel's FLOPs F and bytes B and each GPU's data-sheet peak FLOP/s P and bandwidth W. A
/// memory-bound kernel so scales with bandwidth, a compute-bound one with peak FLOP/s [E]. On the measured GPU
/// itself the ratio is exactly 1.
///
/// **Attention for heads the tables lack.** Decode attention parallelises over sequences × KV heads, so a model
/// with more KV heads than any table (an MHA model with 32 or 40) is looked up as r times the sequences of a table
/// with 1/r of its query and KV heads, r the smallest factor that reaches a measured pair [E]. Query heads between
/// two measured counts (28 with 4 KV heads) are interpolated linearly in heads between the neighbours [E]. A head
/// size with no table leaves that attention to the roofline (``attentionCovered``).
public struct MeasuredKernels: Sendable {
    /// The tables' name (`h100-sxm`), for reports.
    public let tablesName: String
    /// One curve per matrix of a layer (in `ModelSpec.linearShapesPerLayer` order), latency against tokens.
    let layerMatrices: [LogLogCurve]
    /// The LM head's GEMM against sampled sequences.
    let lmHead: LogLogCurve
    /// Prefill attention of one layer, rows scaled by ``prefill``'s factor; nil when no table covers the heads.
    let prefill: HeadMappedSurface?
    /// Decode attention of one layer; nil when no table covers the heads.
    let decode: HeadMappedSurface?
    /// The roofline ratio from the measured GPU to this one, or nil when they are the same GPU.
    let scale: RooflineScale?
    /// Shapes for the roofline ratio.
    private let matrixShapes: [(inputs: Double, outputs: Double)]
    private let lmHeadShape: (inputs: Double, outputs: Double)
    private let elementBytes: Double
    private let queryWidth: Double
    private let kvBytesPerTokenPerLayer: Double

    /// The model's kernels from `tables`, on a GPU with `gpu`'s peaks. `kvDtype` names the KV cache's dtype as the
    /// tables do (`bfloat16` for a 16-bit cache).
    public init(tables: KernelTables, model: ModelSpec, gpu: GPUSpec, kvDtype: String = "bfloat16") {
        tablesName = tables.name
        let gemm = tables.gemms["bfloat16"]!  // checked when the tables were read
        layerMatrices = model.linearShapesPerLayer.map { gemm.curve(inputs: $0.inputs, outputs: $0.outputs) }
        lmHead = gemm.curve(inputs: model.hiddenSize, outputs: model.vocabSize)
        let key = AttentionKey(headDim: model.headDim, heads: model.attentionHeads, kvHeads: model.kvHeads, kvDtype: kvDtype)
        prefill = HeadMappedSurface(key, in: tables.contextAttention)
        decode = HeadMappedSurface(key, in: tables.generationAttention)
        let same = gpu.peakFlopsPerSecond == tables.peakFlopsPerSecond && gpu.hbmBytesPerSecond == tables.hbmBytesPerSecond
        scale = same ? nil : RooflineScale(measuredFlops: tables.peakFlopsPerSecond, measuredBytes: tables.hbmBytesPerSecond,
                                           flops: gpu.peakFlopsPerSecond, bytes: gpu.hbmBytesPerSecond)
        matrixShapes = model.linearShapesPerLayer.map { (Double($0.inputs), Double($0.outputs)) }
        lmHeadShape = (Double(model.hiddenSize), Double(model.vocabSize))
        elementBytes = Double(model.bytesPerElement)
        queryWidth = Double(model.queryWidth)
        kvBytesPerTokenPerLayer = Double(model.kvBytesPerTokenPerLayer)
    }

    /// Whether the tables time prefill and decode attention (false: the roofline times them).
    public var attentionCovered: Bool { prefill != nil && decode != nil }

    /// Seconds of one layer's GEMMs over `tokens` rows. The matrices' curves share their sizes, so the size is
    /// located once for all of them.
    public func layerGEMMSeconds(tokens: Double) -> Double {
        guard tokens > 0, let sizes = layerMatrices.first?.logSizes else { return 0 }
        let position = LogLogCurve.position(sizes, log(tokens))
        var total = 0.0
        for (index, curve) in layerMatrices.enumerated() {
            total += scaled(exp(curve.logSeconds(at: position)), matrixShapes[index], tokens: tokens)
        }
        return total
    }

    /// Seconds of the LM head over `sequences` rows.
    public func lmHeadSeconds(sequences: Double) -> Double {
        gemm(lmHead, lmHeadShape, tokens: sequences)
    }

    /// Seconds of one layer's prefill attention over `sequences` chunks of `tokensPerSequence` tokens on average
    /// (the causal length with the same query–key pairs); nil without a table.
    public func prefillAttentionSeconds(sequences: Double, tokensPerSequence: Double, pairs: Double) -> Double? {
        guard let prefill else { return nil }
        let measured = prefill.seconds(sequences: sequences, tokens: tokensPerSequence)
        guard let scale else { return measured }
        let flops = 4 * queryWidth * pairs
        let bytes = sequences * tokensPerSequence * (2 * queryWidth * elementBytes + kvBytesPerTokenPerLayer)
        return measured * scale.ratio(flops: flops, bytes: bytes)
    }

    /// Seconds of one layer's decode attention of `sequences` sequences with `contextPerSequence` tokens of
    /// context on average; nil without a table.
    public func decodeAttentionSeconds(sequences: Double, contextPerSequence: Double) -> Double? {
        guard let decode else { return nil }
        let measured = decode.seconds(sequences: sequences, tokens: contextPerSequence)
        guard let scale else { return measured }
        let context = sequences * contextPerSequence
        let flops = 4 * queryWidth * context
        let bytes = context * kvBytesPerTokenPerLayer + sequences * 2 * queryWidth * elementBytes
        return measured * scale.ratio(flops: flops, bytes: bytes)
    }

    private func gemm(_ curve: LogLogCurve, _ shape: (inputs: Double, outputs: Double), tokens: Double) -> Double {
        scaled(curve.seconds(at: tokens), shape, tokens: tokens)
    }

    /// `measured` GEMM seconds scaled to this GPU by the roofline ratio.
    @inline(__always)
    private func scaled(_ measured: Double, _ shape: (inputs: Double, outputs: Double), tokens: Double) -> Double {
        guard let scale, tokens > 0 else { return measured }
        let flops = 2 * tokens * shape.inputs * shape.outputs
        let bytes = elementBytes * (shape.inputs * shape.outputs + tokens * (shape.inputs + shape.outputs))
        return measured * scale.ratio(flops: flops, bytes: bytes)
    }
}

/// The ratio of a kernel's roofline time on one GPU to its roofline time on the GPU its latency was measured on.
struct RooflineScale: Sendable, Equatable {
    var measuredFlops: Double
    var measuredBytes: Double
    var flops: Double
    var bytes: Double

    /// `max(F / P, B / W)` here over the same on the measured GPU, for `flops` F and `bytes` B.
    @inlinable func ratio(flops f: Double, bytes b: Double) -> Double {
        let there = max(f / measuredFlops, b / measuredBytes)
        guard there > 0 else { return 1 }
        return max(f / flops, b / bytes) / there
    }
}

/// An attention surface for a model's heads: a measured table's surface whose sequence axis is read at
/// `sequenceFactor` times the model's sequences (see ``MeasuredKernels``).
struct HeadMappedSurface: Sendable {
    let surface: LogLogSurface
    let sequenceFactor: Double

    func seconds(sequences: Double, tokens: Double) -> Double {
        surface.seconds(row: sequences * sequenceFactor, column: max(tokens, 1))
    }

    /// The surface for `key` in `tables`, or nil when none has its head size and KV dtype.
    init?(_ key: AttentionKey, in tables: [AttentionKey: LogLogSurface]) {
        let candidates = tables.keys.filter { $0.headDim == key.headDim && $0.kvDtype == key.kvDtype }
        guard !candidates.isEmpty else { return nil }
        // The smallest factor r that divides both head counts and reaches measured KV heads.
        let measuredKV = Set(candidates.map(\.kvHeads))
        var factor = 1
        while factor <= key.kvHeads {
            if key.kvHeads % factor == 0, key.heads % factor == 0, measuredKV.contains(key.kvHeads / factor) { break }
            factor += 1
        }
        guard factor <= key.kvHeads else { return nil }
        let kv = key.kvHeads / factor, heads = key.heads / factor
        let sameKV = candidates.filter { $0.kvHeads == kv }.map(\.heads).sorted()
        sequenceFactor = Double(factor)
        var exact = key
        exact.heads = heads
        exact.kvHeads = kv
        if let found = tables[exact] {
            surface = found
            return
        }
        // Query heads between two measured counts: linear in heads between the neighbours on the same grid.
        let below = sameKV.last { $0 < heads }, above = sameKV.first { $0 > heads }
        var low = exact, high = exact
        low.heads = below ?? above!
        high.heads = above ?? below!
        let a = tables[low]!, b = tables[high]!
        guard low.heads != high.heads, a.logRows == b.logRows, a.logColumns == b.logColumns else {
            surface = a
            return
        }
        let t = Double(heads - low.heads) / Double(high.heads - low.heads)
        let mixed = zip(a.logSeconds, b.logSeconds).map { log(exp($0) + t * (exp($1) - exp($0))) }
        surface = LogLogSurface(logRows: a.logRows, logColumns: a.logColumns, logSeconds: mixed, columnGrowth: a.columnGrowth)
    }
}
