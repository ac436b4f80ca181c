/// Latency targets a request must meet to count towards goodput, as in vLLM's `benchmark_serving` (`--goodput`).
///
/// Read from the experiment's optional `slo:` key (`ttft_ms`, `tpot_ms`, `e2el_ms`, each optional); limits are
/// kept in nanoseconds. A request meets the objective when it finished and each given limit holds: TTFT ≤
/// `ttft_ms`, TPOT ≤ `tpot_ms` (a request with one output token has TPOT 0, as in the benchmark), end-to-end
/// latency ≤ `e2el_ms`.
public struct ServiceLevelObjective: Sendable, Equatable {
    public var ttftNs: Int64?
    public var tpotNs: Int64?
    public var e2elNs: Int64?

    public init(ttftNs: Int64? = nil, tpotNs: Int64? = nil, e2elNs: Int64? = nil) {
        self.ttftNs = ttftNs
        self.tpotNs = tpotNs
        self.e2elNs = e2elNs
    }

    /// Whether `request` finished within every limit.
    public func isMet(by request: RequestState) -> Bool {
        guard request.phase == .finished else { return false }
        if let ttftNs, request.firstTokenNs - request.arrivalNs > ttftNs { return false }
        if let tpotNs, request.timePerOutputTokenNs ?? 0 > tpotNs { return false }
        if let e2elNs, request.lastTokenNs - request.arrivalNs > e2elNs { return false }
        return true
    }

    /// The number of requests of each of `instanceCount` instances that meet the objective, in one pass in id order.
    public func requestsMeeting(in states: ContiguousArray<RequestState>, instanceCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: instanceCount)
        for state in states where isMet(by: state) { counts[Int(state.instance)] += 1 }
        return counts
    }
}
