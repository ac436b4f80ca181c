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
    /// The GEMMs of a dense layer (in `ModelSpec.linearShapesPerLayer` order), each against tokens.
    let layerMatrices: [TimedGEMM]
    /// The GEMMs of an MoE layer other than its routed experts: attention, the router and the shared experts.
    let moeLayerMatrices: [TimedGEMM]
    /// The LM head's GEMM against sampled sequences (16-bit).
    let lmHead: TimedGEMM
    /// Prefill attention of one layer, rows scaled by ``prefill``'s factor; nil when no table covers the heads.
    let prefill: HeadMappedSurface?
    /// Decode attention of one layer; nil when no table covers the heads.
    let decode: HeadMappedSurface?
    /// The roofline ratio from the measured GPU to this one, or nil when they are the same GPU.
    let scale: RooflineScale?
    /// The measured GPU's peak FLOP/s and bandwidth, for converting a 16-bit measurement to a quantized kernel.
    private let tablesFlops: Double
    private let tablesBytes: Double
    /// The fastest GEMM the 16-bit table measured: the launch-bound floor that a quantized kernel keeps (below).
    private let gemmFloorSeconds: Double
    private let elementBytes: Double
    private let queryWidth: Double
    private let kvBytesPerTokenPerLayer: Double

    /// The model's kernels from `tables`, on a GPU with `gpu`'s peaks and tensor-core types, for the model's
    /// quantization and KV-cache dtype.
    public init(tables: KernelTables, model: ModelSpec, gpu: GPUSpec) {
        tablesName = tables.name
        tablesFlops = tables.peakFlopsPerSecond
        tablesBytes = tables.hbmBytesPerSecond
        let sixteen = tables.gemms["bfloat16"]!  // checked when the tables were read
        gemmFloorSeconds = sixteen.fastestSeconds
        elementBytes = Double(model.bytesPerElement)
        let precision = GEMMPrecision.resolve(model.quantization, on: gpu)
        let quantizeAttention = model.quantization.scope == .allLinear
        func timed(_ shape: (inputs: Int, outputs: Int), quantized: Bool) -> TimedGEMM {
            let here = MatrixVariant(shape, model: model, precision: precision, quantized: quantized)
            if quantized, let dtype = precision.tableDtype, let table = tables.gemms[dtype] {
                return TimedGEMM(curve: table.curve(inputs: shape.inputs, outputs: shape.outputs), here: here, measuredAs: here)
            }
            return TimedGEMM(curve: sixteen.curve(inputs: shape.inputs, outputs: shape.outputs), here: here,
                             measuredAs: here.sixteenBit(elementBytes: Double(model.bytesPerElement)))
        }
        let attention = model.attentionShapes.map { timed($0, quantized: quantizeAttention && model.quantization.isQuantized) }
        layerMatrices = attention + model.mlpShapes(ffn: model.ffnSize).map { timed($0, quantized: model.quantization.scope == .allLinear && model.quantization.isQuantized) }
        if let moe = model.moe {
            let router = timed((model.hiddenSize, model.routerExperts), quantized: false)
            let shared = moe.sharedExperts > 0
                ? model.mlpShapes(ffn: moe.sharedExpertFFNSize).map { timed($0, quantized: quantizeAttention && model.quantization.isQuantized) } : []
            moeLayerMatrices = attention + [router] + shared
        } else {
            moeLayerMatrices = []
        }
        lmHead = timed((model.hiddenSize, model.vocabSize), quantized: false)
        let key = AttentionKey(headDim: model.headDim, heads: model.attentionHeads, kvHeads: model.kvHeads,
                               kvDtype: model.kvCacheDtype.tableName)
        prefill = HeadMappedSurface(key, in: tables.contextAttention)
        decode = HeadMappedSurface(key, in: tables.generationAttention)
        let same = gpu.peakFlopsPerSecond == tables.peakFlopsPerSecond && gpu.hbmBytesPerSecond == tables.hbmBytesPerSecond
        scale = same ? nil : RooflineScale(measuredFlops: tables.peakFlopsPerSecond, measuredBytes: tables.hbmBytesPerSecond,
                                           flops: gpu.peakFlopsPerSecond, bytes: gpu.hbmBytesPerSecond)
        queryWidth = Double(model.queryWidth)
        kvBytesPerTokenPerLayer = Double(model.kvBytesPerTokenPerLayer)
    }

    /// Whether the tables time prefill and decode attention (false: the roofline times them).
    public var attentionCovered: Bool { prefill != nil && decode != nil }

    /// Seconds of one dense layer's GEMMs over `tokens` rows.
    public func layerGEMMSeconds(tokens: Double) -> Double { sum(layerMatrices, tokens: tokens) }

    /// Seconds of one MoE layer's GEMMs over `tokens` rows, its routed experts aside: attention, router, shared experts.
    public func moeLayerGEMMSeconds(tokens: Double) -> Double { sum(moeLayerMatrices, tokens: tokens) }

    /// Seconds of the LM head over `sequences` rows.
    public func lmHeadSeconds(sequences: Double) -> Double {
        seconds(lmHead, tokens: sequences)
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

    /// The GEMMs' seconds at `tokens` rows; the size is located on the first curve's sizes and again only for a curve
    /// measured on other sizes (another dtype's table). Elements are read in place, not copied, so the loop retains
    /// nothing.
    private func sum(_ gemms: [TimedGEMM], tokens: Double) -> Double {
        guard tokens > 0, !gemms.isEmpty else { return 0 }
        let logTokens = log(tokens)
        return gemms.withUnsafeBufferPointer { buffer in
            var position = LogLogCurve.position(buffer[0].curve.logSizes, logTokens)
            var total = 0.0
            for i in 0..<buffer.count {
                if i > 0, buffer[i].curve.logSizes != buffer[i - 1].curve.logSizes {
                    position = LogLogCurve.position(buffer[i].curve.logSizes, logTokens)
                }
                total += adjusted(exp(buffer[i].curve.logSeconds(at: position)), buffer[i], tokens: tokens)
            }
            return total
        }
    }

    private func seconds(_ gemm: TimedGEMM, tokens: Double) -> Double {
        adjusted(gemm.curve.seconds(at: tokens), gemm, tokens: tokens)
    }

    /// A measured GEMM time as the kernel `gemm.here` on this GPU.
    ///
    /// A kernel the tables hold only at 16 bits (weight-only int4, int8, fp8 without fp8 tensor cores) keeps the
    /// measured launch-bound floor and scales the rest by its roofline time over the 16-bit kernel's on the measured
    /// GPU [E]. A GPU without tables of its own then scales by the roofline ratio of the two GPUs (type above).
    @inline(__always)
    private func adjusted(_ measured: Double, _ gemm: borrowing TimedGEMM, tokens: Double) -> Double {
        guard tokens > 0 else { return measured }
        var seconds = measured
        if gemm.here != gemm.measuredAs {
            let here = gemm.here.rooflineSeconds(tokens: tokens, activationBytes: elementBytes, peakFlops: tablesFlops, bandwidth: tablesBytes)
            let there = gemm.measuredAs.rooflineSeconds(tokens: tokens, activationBytes: elementBytes, peakFlops: tablesFlops, bandwidth: tablesBytes)
            let floor = min(gemmFloorSeconds, seconds)
            seconds = floor + (seconds - floor) * (there > 0 ? here / there : 1)
        }
        guard let scale else { return seconds }
        return seconds * scale.ratio(flops: gemm.here.flops(tokens: tokens) / gemm.here.computeRatio,
                                     bytes: gemm.here.bytes(tokens: tokens, activationBytes: elementBytes))
    }
}

/// One measured GEMM curve and the kernel it stands for: `here` runs on the simulated GPU, `measuredAs` is what the
/// table measured (the same kernel, or its 16-bit cousin).
struct TimedGEMM: Sendable {
    let curve: LogLogCurve
    let here: MatrixVariant
    let measuredAs: MatrixVariant
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
