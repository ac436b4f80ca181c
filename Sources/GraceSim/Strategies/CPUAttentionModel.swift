/// The time the host CPU takes for one decode step's attention over sequences whose KV is in CPU memory (NEO-style
/// offloading), in seconds.
///
/// Per step, every layer's attention reads the sequence's whole KV from host memory and does
/// `4 × query width` FLOPs per context token (``ModelSpec/attentionFlopsPerLayer(contextTokens:)``). Reads stream at
///
///     readBytesPerSecond = min(host memory bandwidth × sustained fraction, cores × per-core read bandwidth)
///
/// and FLOPs run at `cores × per-core FLOP/s`; the two are added (no overlap assumed, the conservative choice).
/// NEO finds CPU attention limited by memory bandwidth more than by cores: with Grace's figures
/// (`Configs/hardware/gh200-96gb.yaml`: 72 cores × 10.9 GB/s against 512 GB/s × 0.68, both from STREAM Triad
/// [D]) the socket's 348 GB/s bounds, and with MHA models (1 FLOP per KV byte) the FLOP term adds about a sixth.
///
/// O(1) per query; no state.
public struct CPUAttentionModel: Sendable {
    public let model: ModelSpec
    /// Cores running attention.
    public let cores: Int
    /// Bytes per second at which the attention reads KV from host memory.
    public let readBytesPerSecond: Double
    /// FLOP per second of all the attention's cores together.
    public let flopsPerSecond: Double

    /// - Parameter cores: cores given to attention; nil uses all of `cpu`'s.
    public init(model: ModelSpec, cpu: CPUSpec, cores: Int? = nil) {
        self.model = model
        let n = max(1, min(cores ?? cpu.cores, cpu.cores))
        self.cores = n
        readBytesPerSecond = min(cpu.memoryBytesPerSecond * cpu.sustainedMemoryFraction,
                                 Double(n) * cpu.coreReadBytesPerSecond)
        flopsPerSecond = Double(n) * cpu.coreFlopsPerSecond
    }

    /// KV bytes one decode step reads for sequences whose contexts add up to `contextTokens`, over all layers.
    public func kvBytesRead(contextTokens: Int) -> Double {
        Double(contextTokens) * Double(model.kvBytesPerToken)
    }

    /// FLOPs of one decode step's attention over `contextTokens` context tokens, over all layers.
    public func flops(contextTokens: Int) -> Double {
        Double(model.layers) * model.attentionFlopsPerLayer(contextTokens: Double(contextTokens))
    }

    /// Seconds of CPU attention for one decode step of sequences whose contexts add up to `contextTokens`.
    public func seconds(contextTokens: Int) -> Double {
        seconds(contextTokens: contextTokens, readBytesPerSecond: readBytesPerSecond)
    }

    /// The same when the attention reads KV at most at `readBytesPerSecond` (its share of a socket other instances'
    /// attention also reads from).
    public func seconds(contextTokens: Int, readBytesPerSecond limit: Double) -> Double {
        guard contextTokens > 0 else { return 0 }
        let read = min(readBytesPerSecond, limit)
        return kvBytesRead(contextTokens: contextTokens) / read + flops(contextTokens: contextTokens) / flopsPerSecond
    }
}
