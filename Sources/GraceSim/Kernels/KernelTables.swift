import Foundation

/// Measured kernel latencies of one GPU under one serving engine's kernels: GEMMs by shape and dtype, prefill and
/// decode attention by batch, length, heads and KV-cache dtype, and fused-MoE layers by shape, sharding and routing.
///
/// Read from a `.kernels` file in `Configs/kernels/` (``load(text:file:)``), which
/// `Scripts/extract_kernel_tables.py` generates from NVIDIA's aiconfigurator-core tables (Apache-2.0). Latencies are
/// held as log-log surfaces in seconds. Immutable once read, so one copy serves every run of a process.
public final class KernelTables: Sendable {
    /// The tables' name, the file's basename: `h100-sxm`.
    public let name: String
    /// The measured GPU's data-sheet peak dense BF16 tensor throughput, FLOP per second.
    public let peakFlopsPerSecond: Double
    /// The measured GPU's data-sheet peak memory bandwidth, bytes per second.
    public let hbmBytesPerSecond: Double
    /// GEMM latency by dtype (`bfloat16`, `fp8`, …).
    public let gemms: [String: GEMMTable]
    /// Prefill attention: rows are sequences in the batch, columns tokens per sequence.
    public let contextAttention: [AttentionKey: LogLogSurface]
    /// Decode attention: rows are sequences decoding one token each, columns tokens of context per sequence.
    public let generationAttention: [AttentionKey: LogLogSurface]
    /// One fused-MoE layer's latency against the tokens entering it (before routing), per shape, sharding and
    /// routing distribution; empty for GPUs without MoE tables. See ``MoEKernelKey`` for what is and is not timed.
    public let moe: [MoEKernelKey: LogLogCurve]
    /// vLLM's tensor-parallel all-reduce among a number of this GPU, by message elements per GPU.
    public let allReduce: [AllReduceKey: LogLogCurve]

    public init(name: String, peakFlopsPerSecond: Double, hbmBytesPerSecond: Double, gemms: [String: GEMMTable],
                contextAttention: [AttentionKey: LogLogSurface], generationAttention: [AttentionKey: LogLogSurface],
                moe: [MoEKernelKey: LogLogCurve] = [:], allReduce: [AllReduceKey: LogLogCurve] = [:]) {
        self.name = name
        self.peakFlopsPerSecond = peakFlopsPerSecond
        self.hbmBytesPerSecond = hbmBytesPerSecond
        self.gemms = gemms
        self.contextAttention = contextAttention
        self.generationAttention = generationAttention
        self.moe = moe
        self.allReduce = allReduce
    }
}

extension KernelTables {
    /// The tensor-core types below 16 bits these tables measured GEMMs in (`fp8`, `fp8_block` → fp8; `nvfp4` → fp4).
    public var lowPrecisionTypes: Set<LowPrecisionType> {
        var types = Set<LowPrecisionType>()
        if gemms["fp8"] != nil || gemms["fp8_block"] != nil { types.insert(.fp8) }
        if gemms["nvfp4"] != nil { types.insert(.fp4) }
        return types
    }
}

/// Which attention kernel a table measured: head size, query heads, KV heads and the KV cache's dtype.
public struct AttentionKey: Sendable, Hashable, Comparable {
    public var headDim: Int
    public var heads: Int
    public var kvHeads: Int
    /// `bfloat16` or `fp8`.
    public var kvDtype: String

    public init(headDim: Int, heads: Int, kvHeads: Int, kvDtype: String) {
        self.headDim = headDim
        self.heads = heads
        self.kvHeads = kvHeads
        self.kvDtype = kvDtype
    }

    public static func < (a: AttentionKey, b: AttentionKey) -> Bool {
        (a.kvDtype, a.headDim, a.kvHeads, a.heads) < (b.kvDtype, b.headDim, b.kvHeads, b.heads)
    }
}

/// The latency of one GEMM of m rows (tokens), k inputs and n outputs, measured on an (m, n, k) grid.
public struct GEMMTable: Sendable, Equatable {
    /// Natural logs of the measured row counts, increasing.
    public let logRows: [Double]
    /// One surface per row count: latency over (n outputs, k inputs).
    public let planes: [LogLogSurface]

    public init(logRows: [Double], planes: [LogLogSurface]) {
        precondition(logRows.count == planes.count && !planes.isEmpty, "one plane per row count")
        self.logRows = logRows
        self.planes = planes
    }

    /// Latency against rows of a GEMM with `inputs` inputs and `outputs` outputs: each measured row count's plane
    /// interpolated at (outputs, inputs), log-log.
    /// The fastest latency measured at any shape, seconds: the launch-bound floor of a GEMM.
    public var fastestSeconds: Double {
        exp(planes.map { $0.logSeconds.min() ?? 0 }.min() ?? 0)
    }

    public func curve(inputs: Int, outputs: Int) -> LogLogCurve {
        let x = log(Double(outputs)), y = log(Double(inputs))
        return LogLogCurve(logSizes: logRows, logSeconds: planes.map { $0.logSeconds(logRow: x, logColumn: y) })
    }
}

extension KernelTables: Hashable {
    /// Tables are equal when they have the same name: a process reads each file once (``KernelTableCache``).
    public static func == (a: KernelTables, b: KernelTables) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// Which measured all-reduce: among how many GPUs, and whether replayed in a CUDA graph or launched eagerly.
public struct AllReduceKey: Sendable, Hashable, CustomStringConvertible {
    public var gpus: Int
    public var captured: Bool

    public init(gpus: Int, captured: Bool) {
        self.gpus = gpus
        self.captured = captured
    }

    public var description: String { "gpus=\(gpus) \(captured ? "graph" : "eager")" }
}
