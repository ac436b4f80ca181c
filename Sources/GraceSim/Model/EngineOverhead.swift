/// The serving engine's CPU work per iteration that the GPU waits for: scheduling, input preparation,
/// sampling and output processing. In nanoseconds.
public struct EngineOverhead: Sendable, Hashable {
    /// Fixed cost of one iteration, in nanoseconds.
    public var perIterationNs: Int64
    /// Added cost for each sequence that samples a token this iteration, in nanoseconds.
    public var perSequenceNs: Int64

    public init(perIterationNs: Int64, perSequenceNs: Int64) {
        self.perIterationNs = perIterationNs
        self.perSequenceNs = perSequenceNs
    }

    /// No engine overhead: the GPU's work only.
    public static let none = EngineOverhead(perIterationNs: 0, perSequenceNs: 0)

    /// vLLM 0.7 V0 engine (async output processing on, no multi-step): 1 ms per iteration plus 10 µs per sampled
    /// sequence [E]. Basis: vLLM's v0.6.0 performance post (2024-09-05) profiled Llama-3-8B on one H100 under v0.5.3
    /// with the GPU busy only 38% of the time, the rest in the API server and the scheduler; v0.6 overlapped output
    /// processing with the GPU step, removing much of it. We keep a conservative remainder: a fixed millisecond for
    /// scheduling and input preparation and a per-sequence term for sampling and bookkeeping (256 sequences add
    /// 2.6 ms). Both are estimates, to be replaced by a measurement.
    public static let vllmV0 = EngineOverhead(perIterationNs: 1_000_000, perSequenceNs: 10_000)

    /// The overhead of one iteration in which `sampledSequences` sequences produce a token, in nanoseconds.
    @inlinable public func ns(sampledSequences: Int) -> Int64 {
        perIterationNs + perSequenceNs * Int64(sampledSequences)
    }
}
