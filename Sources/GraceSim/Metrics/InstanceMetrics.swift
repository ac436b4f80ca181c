/// Everything one instance records while it serves: latencies, token counts, preemptions and KV use.
///
/// Per-request latencies (TTFT, end-to-end, TPOT, worst gap) are kept exactly, 8 bytes each; token gaps go to a
/// histogram.
public struct InstanceMetrics: Sendable {
    /// Time to first token of every request that has one, in ns.
    public var ttftNs: [Int64] = []
    /// End-to-end latency of every finished request, in ns.
    public var endToEndNs: [Int64] = []
    /// Time per output token of every finished request with at least two output tokens, in ns
    /// (see ``RequestState/timePerOutputTokenNs``).
    public var timePerOutputTokenNs: [Int64] = []
    /// The longest gap between consecutive tokens of every finished request with at least two output tokens, in ns.
    public var maxTokenGapNs: [Int64] = []
    /// Every gap between consecutive tokens of one request (vLLM's inter-token latency), pooled over requests.
    public var tokenGaps = TokenGapHistogram()
    /// Every token gap as (request, gap in ns), in the order the tokens came; nil unless the simulator was asked to
    /// keep them (``Simulator/recordTokenGaps()``), for per-request inter-token latencies.
    public var tokenGapLog: [(request: Int32, gapNs: Int64)]?
    /// Token gaps during which this instance ran prefill tokens of another request (see ``PrefillGapTracker``).
    public var tokenGapsWithPrefill = 0
    /// The latest iterations that ran prefill tokens, to classify token gaps.
    public var prefillGapTracker = PrefillGapTracker()
    /// Arrival time of the first request, rejected or not, in ns (nil before any arrival).
    public var firstArrivalNs: Int64?
    /// Time the latest request finished, in ns (nil before any finished).
    public var lastFinishNs: Int64?
    public var arrived = 0
    public var finished = 0
    public var rejected: [RejectionReason: Int] = [:]
    /// Requests whose output was cut to fit the model's context.
    public var truncated = 0
    public var preemptions = 0
    /// Preemptions that copied the victim's KV to CPU swap space, and resumptions that copied it back.
    public var swapsOut = 0
    public var swapsIn = 0
    /// Requests whose KV moved to CPU memory (offloading).
    public var movedToHost = 0
    /// Time iterations spent waiting for transfers, before starting (synchronous swaps) or while running
    /// (overlapped streams that did not keep up), in ns.
    public var transferStallNs: Int64 = 0
    /// Prompt tokens of the requests whose first prefill completed, each prompt counted once.
    public var promptTokens = 0
    public var outputTokens = 0
    /// Prompt and generated tokens computed again after recompute preemptions.
    public var recomputedTokens = 0
    public var iterations = 0
    public var busyNs: Int64 = 0
    public var kvUsage: KVUsageSeries

    public init(sampleIntervalNs: Int64) {
        kvUsage = KVUsageSeries(intervalNs: sampleIntervalNs)
    }
}

/// KV pool use over time: the time-weighted mean, the peak and one sample per interval.
public struct KVUsageSeries: Sendable {
    /// Width of one sample interval in nanoseconds.
    public let intervalNs: Int64
    /// One point per interval with activity: (interval start ns, used blocks at the last update, capacity blocks).
    public private(set) var points: [(timeNs: Int64, usedBlocks: Int, capacityBlocks: Int)] = []
    private var lastUpdateNs: Int64 = 0
    private var lastUsedFraction = 0.0
    private var weightedSum = 0.0
    public private(set) var peakFraction = 0.0

    public init(intervalNs: Int64) {
        self.intervalNs = max(intervalNs, 1)
    }

    /// Notes that from `nowNs` on, `used` of `capacity` blocks are in use.
    public mutating func update(nowNs: Int64, used: Int, capacity: Int) {
        weightedSum += lastUsedFraction * Double(nowNs - lastUpdateNs)
        lastUpdateNs = nowNs
        lastUsedFraction = capacity > 0 ? Double(used) / Double(capacity) : 0
        peakFraction = max(peakFraction, lastUsedFraction)
        let bucket = nowNs / intervalNs * intervalNs
        if let last = points.last, last.timeNs == bucket {
            points[points.count - 1] = (bucket, used, capacity)
        } else {
            points.append((bucket, used, capacity))
        }
    }

    /// Time-weighted mean fraction of the pool in use over [0, endNs].
    public func meanFraction(endNs: Int64) -> Double {
        guard endNs > 0 else { return 0 }
        return (weightedSum + lastUsedFraction * Double(max(endNs - lastUpdateNs, 0))) / Double(endNs)
    }
}
