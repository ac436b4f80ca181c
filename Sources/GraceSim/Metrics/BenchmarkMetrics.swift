/// The request metrics of one scope (an instance, or all instances together) as vLLM's `benchmark_serving`
/// computes them: latency distributions, throughput over the benchmark's duration, and goodput.
///
/// Summarising costs O(n log n) in the scope's requests (the exact distributions are sorted once).
public struct BenchmarkMetrics: Sendable, Equatable {
    /// Time to first token of every request that has one.
    public var ttft: LatencySummary
    /// Time per output token, one value per finished request with two or more output tokens.
    public var tpot: LatencySummary
    /// Inter-token latency: every gap between consecutive tokens of one request, pooled over requests.
    public var itl: LatencySummary
    /// End-to-end latency of every finished request.
    public var e2el: LatencySummary
    /// Each finished request's longest gap between tokens (requests with two or more output tokens).
    public var maxITL: LatencySummary
    /// Fraction (0–1) of the token gaps that contain prefill work of another request (0 without gaps).
    public var itlPrefillGapFraction: Double
    /// From the first arrival to the last completion of the scope (zero before any request finished).
    public var duration: SimTime
    /// Requests, output tokens and all tokens per second of ``duration``.
    public var throughput: Throughput
    /// Requests per second of ``duration`` that met the experiment's SLO (nil without one).
    public var goodputRequestsPerSecond: Double?

    /// Summarises the metrics of the instances of one scope; `requestsMeetingSLO` counts the scope's requests that
    /// met the SLO (nil without one).
    public init(_ metrics: [InstanceMetrics], requestsMeetingSLO: Int? = nil) {
        var gaps = TokenGapHistogram()
        var gapsWithPrefill = 0, finished = 0, outputTokens = 0, promptTokens = 0
        for m in metrics {
            gaps.merge(m.tokenGaps)
            gapsWithPrefill += m.tokenGapsWithPrefill
            finished += m.finished
            outputTokens += m.outputTokens
            promptTokens += m.promptTokens
        }
        // One metric at a time, so that a run of millions of requests holds one pooled or sorted copy at most.
        ttft = LatencySummary(exactNs: Self.pooled(metrics, \.ttftNs))
        tpot = LatencySummary(exactNs: Self.pooled(metrics, \.timePerOutputTokenNs))
        itl = LatencySummary(histogram: gaps)
        e2el = LatencySummary(exactNs: Self.pooled(metrics, \.endToEndNs))
        maxITL = LatencySummary(exactNs: Self.pooled(metrics, \.maxTokenGapNs))
        itlPrefillGapFraction = gaps.count > 0 ? Double(gapsWithPrefill) / Double(gaps.count) : 0
        duration = Self.duration(of: metrics)
        let seconds = duration.seconds
        let perSecond = { (x: Int) in seconds > 0 ? Double(x) / seconds : 0 }
        throughput = Throughput(outputTokensPerSecond: perSecond(outputTokens),
                                totalTokensPerSecond: perSecond(outputTokens + promptTokens), requestsPerSecond: perSecond(finished))
        goodputRequestsPerSecond = requestsMeetingSLO.map(perSecond)
    }

    /// One per-request metric of every instance of the scope, in instance order: the instance's own array when
    /// there is one instance (shared with it, so the summary sorts a copy), else a new array the summary sorts in
    /// place.
    private static func pooled(_ metrics: [InstanceMetrics], _ values: KeyPath<InstanceMetrics, [Int64]>) -> [Int64] {
        if metrics.count == 1 { return metrics[0][keyPath: values] }
        var pooled: [Int64] = []
        pooled.reserveCapacity(metrics.reduce(0) { $0 + $1[keyPath: values].count })
        for m in metrics { pooled += m[keyPath: values] }
        return pooled
    }

    /// The benchmark's duration for the instances of one scope: from their first arrival (rejected requests
    /// included) to their last completion; zero before any request finished.
    public static func duration(of metrics: [InstanceMetrics]) -> SimTime {
        var firstArrival: SimTime?, lastFinish: SimTime?
        for m in metrics {
            if let arrival = m.firstArrival { firstArrival = min(firstArrival ?? arrival, arrival) }
            if let finish = m.lastFinish { lastFinish = max(lastFinish ?? finish, finish) }
        }
        guard let firstArrival, let lastFinish else { return .zero }
        return max(lastFinish - firstArrival, .zero)
    }
}
