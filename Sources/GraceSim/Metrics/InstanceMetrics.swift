/// Everything one instance records while it serves: latencies, token counts, preemptions and KV use.
///
/// Per-request latencies (TTFT, end-to-end, TPOT, worst gap) are kept exactly, 8 bytes each; token gaps go to a
/// histogram. The per-request arrays and the token gap log are kept as raw ns: compact per-request storage.
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
    /// Arrival time of the first request, rejected or not (nil before any arrival).
    public var firstArrival: SimTime?
    /// Time the latest request finished (nil before any finished).
    public var lastFinish: SimTime?
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
    /// (overlapped streams that did not keep up).
    public var transferStall = SimTime.zero
    /// Prompt tokens of the requests whose first prefill completed, each prompt counted once.
    public var promptTokens = 0
    public var outputTokens = 0
    /// Prompt and generated tokens computed again after recompute preemptions.
    public var recomputedTokens = 0
    public var iterations = 0
    /// Time the GPU spent running this instance's iterations.
    public var busyTime = SimTime.zero
    public var kvUsage: KVUsageSeries
    /// The requests whose token gaps and rejections are also recorded apart, group by group, for a steady-state
    /// measurement (see ``Simulator/measure(from:)``); nil, the default, records nothing apart.
    public var window: MeasurementWindow?
    /// The token gaps of the requests of each group of ``window``.
    public var windowTokenGaps: [TokenGapHistogram] = []
    /// Of those, the gaps during which this instance ran prefill tokens of another request.
    public var windowTokenGapsWithPrefill: [Int] = []
    /// The rejections of the requests of each group of ``window``, by reason.
    public var windowRejected: [[RejectionReason: Int]] = []

    public init(sampleInterval: SimTime) {
        kvUsage = KVUsageSeries(interval: sampleInterval)
    }
}

/// KV pool use over time: the time-weighted mean, the peak and one sample per interval.
public struct KVUsageSeries: Sendable {
    /// Width of one sample interval.
    public let interval: SimTime
    /// One point per interval with activity: (interval start, used blocks at the last update, capacity blocks).
    public private(set) var points: [(time: SimTime, usedBlocks: Int, capacityBlocks: Int)] = []
    private var lastUpdate = SimTime.zero
    private var lastUsedFraction = 0.0
    private var weightedSum = 0.0
    public private(set) var peakFraction = 0.0

    public init(interval: SimTime) {
        self.interval = max(interval, .nanoseconds(1))
    }

    /// Notes that from `now` on, `used` of `capacity` blocks are in use.
    public mutating func update(now: SimTime, used: Int, capacity: Int) {
        weightedSum += lastUsedFraction * Double(now.ns - lastUpdate.ns)
        lastUpdate = now
        lastUsedFraction = capacity > 0 ? Double(used) / Double(capacity) : 0
        peakFraction = max(peakFraction, lastUsedFraction)
        let bucket = now.intervalStart(every: interval)
        if let last = points.last, last.time == bucket {
            points[points.count - 1] = (bucket, used, capacity)
        } else {
            points.append((bucket, used, capacity))
        }
    }

    /// Time-weighted mean fraction of the pool in use over [0, end].
    public func meanFraction(end: SimTime) -> Double {
        guard end.ns > 0 else { return 0 }
        return (weightedSum + lastUsedFraction * Double(max(end.ns - lastUpdate.ns, 0))) / Double(end.ns)
    }
}
