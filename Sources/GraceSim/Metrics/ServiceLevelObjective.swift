/// Latency targets a request must meet to count towards goodput, as in vLLM's `benchmark_serving` (`--goodput`).
///
/// Read from the experiment's optional `slo:` key (`ttft_ms`, `tpot_ms`, `e2el_ms`, each optional). A request
/// meets the objective when it finished and each given limit holds: TTFT ≤ `ttft_ms`, TPOT ≤ `tpot_ms` (a request
/// with one output token has TPOT 0, as in the benchmark), end-to-end latency ≤ `e2el_ms`.
public struct ServiceLevelObjective: Sendable, Equatable {
    /// The longest time to first token.
    public var ttft: SimTime?
    /// The longest mean time per output token after the first.
    public var tpot: SimTime?
    /// The longest end-to-end latency.
    public var e2el: SimTime?

    public init(ttft: SimTime? = nil, tpot: SimTime? = nil, e2el: SimTime? = nil) {
        self.ttft = ttft
        self.tpot = tpot
        self.e2el = e2el
    }

    /// Whether `request` finished within every limit.
    public func isMet(by request: RequestState) -> Bool {
        guard request.phase == .finished else { return false }
        if let ttft, request.firstTokenNs - request.arrivalNs > ttft.ns { return false }
        if let tpot, request.timePerOutputTokenNs ?? 0 > tpot.ns { return false }
        if let e2el, request.lastTokenNs - request.arrivalNs > e2el.ns { return false }
        return true
    }

    /// The number of requests of each of `instanceCount` instances that meet the objective, in one pass in id order.
    public func requestsMeeting(in states: ContiguousArray<RequestState>, instanceCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: instanceCount)
        for state in states where isMet(by: state) { counts[Int(state.instance)] += 1 }
        return counts
    }
}
