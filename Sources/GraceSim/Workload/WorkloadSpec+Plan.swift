/// What a workload is expected to bring before the run ends, from its bounds and its mean rates: how many
/// requests, and when the last of them arrives.
///
/// A run's arrivals end at the first of: `max_requests` (of the workload or a tenant), `duration_s` (arrivals at
/// or after it are dropped), `simulation.max_time_s` (the run stops there), and the last row of a trace's window.
/// Poisson and Gamma sources are counted at their mean rate; a closed loop's count is its `max_requests` and its
/// span its think times alone (its service times are not known before the run).
public struct WorkloadPlan: Sendable {
    /// One source's expected arrivals.
    public struct Source: Sendable {
        /// The key path of the source in the experiment: `workload` or `workload.tenants.N`.
        public var keyPath: String
        /// The requests the source is asked for (its `max_requests`, or the workload's when it is the only source).
        public var asked: Int?
        /// The requests expected before the run ends; nil when not known (a closed loop bounded by time only).
        public var expected: Double?
        /// The expected time of the source's last arrival, in seconds; nil when not known.
        public var lastArrivalSeconds: Double?
        /// The key whose time ends the source's arrivals first (`duration_s` or `simulation.max_time_s`), and
        /// that time in seconds; nil when only counts end it.
        public var end: (key: String, seconds: Double)?
        /// Where the key of the source's `max_requests` is (its own, else the workload's).
        public var askedKey: String
    }

    public var sources: [Source]
    /// The requests expected over the whole run (nil when some source's count is not known).
    public var requests: Int?
    /// The expected time of the run's last arrival, in seconds (nil when not known).
    public var lastArrivalSeconds: Double?
}

extension WorkloadSpec {
    /// The expected arrivals of this workload in a run that `maxTime` (when given) stops.
    public func plan(maxTime: SimTime?) -> WorkloadPlan {
        var planned: [WorkloadPlan.Source] = []
        for source in sources {
            let keyPath = source.streamPrefix.replacingOccurrences(of: "workload.tenant.", with: "workload.tenants.")
            // The earliest time bound, ties to the first listed.
            var end: (key: String, time: SimTime)?
            for (key, time) in [("\(keyPath).duration_s", source.duration), ("workload.duration_s", duration),
                                ("simulation.max_time_s", maxTime)] {
                if let time, time < end?.time ?? .infinity { end = (key, time) }
            }
            let endSeconds = end?.time.seconds
            let limit = source.maxRequests ?? (sources.count == 1 ? maxRequests : nil)
            let cap = [source.maxRequests, maxRequests].compactMap { $0 }.min()
            var expected: Double?
            var last: Double?
            switch source.arrivals {
            case .poisson(let rate), .gamma(let rate, _):
                let byEnd = endSeconds.map { $0 * rate }
                expected = [byEnd, cap.map(Double.init)].compactMap { $0 }.min()
                last = [endSeconds, cap.map { Double($0) / rate }].compactMap { $0 }.min()
            case .trace(let table):
                var count = end.map { end in table.arrivalNs.partitioningIndex { $0 >= end.time.ns } } ?? table.count
                if let cap { count = min(count, cap) }
                expected = Double(count)
                last = count > 0 ? Double(table.arrivalNs[count - 1]) / 1e9 : 0
            case .closed(let clients, let thinkTime):
                expected = cap.map(Double.init)
                let thinking = cap.map { Double($0) / Double(clients) * Double(thinkTime.ns) / 1e9 }
                last = [endSeconds, thinking].compactMap { $0 }.min()
            case .sessions(let spec):
                // Like a closed loop: the count is max_requests, the span the think times (or the sessions' starts).
                expected = cap.map(Double.init)
                let span: Double?
                switch spec.start {
                case .rate(let rate): span = cap.map { Double($0) / rate + spec.thinkMeanNs / 1e9 * Double(spec.turns) }
                case .users(let users): span = cap.map { Double($0) / Double(users) * spec.thinkMeanNs / 1e9 }
                }
                last = [endSeconds, span].compactMap { $0 }.min()
            }
            planned.append(WorkloadPlan.Source(keyPath: keyPath, asked: limit, expected: expected, lastArrivalSeconds: last,
                                               end: end.map { ($0.key, $0.time.seconds) },
                                               askedKey: source.maxRequests != nil ? "\(keyPath).max_requests" : "workload.max_requests"))
        }
        var total: Double? = 0
        for source in planned { total = total.flatMap { sum in source.expected.map { sum + $0 } } }
        if let maxRequests, let sum = total { total = min(sum, Double(maxRequests)) }
        var last: Double? = 0
        for source in planned { last = last.flatMap { latest in source.lastArrivalSeconds.map { max(latest, $0) } } }
        if let maxTime { last = min(last ?? .infinity, maxTime.seconds) }
        return WorkloadPlan(sources: planned, requests: total.map { Int($0.rounded(.up)) }, lastArrivalSeconds: last)
    }
}

extension WorkloadSpec {
    /// Below this share of the requests asked for, a run that ends first is warned about.
    static let shortfallShare = 0.1

    /// One warning per source whose expected arrivals before the run ends are under a tenth of the requests
    /// asked for (`max_requests`): a rate so low, a window so short or a trace so small that the run is
    /// mostly not what the file asks for. A warning rather than an error: such a run is well defined and
    /// ends soon, and a sweep or a capacity search visits low loads on a fixed window on purpose.
    func shortfallWarnings(_ plan: WorkloadPlan, file: String) -> [ConfigError] {
        zip(sources, plan.sources).compactMap { source, planned in
            guard let asked = planned.asked, let expected = planned.expected,
                  expected < Double(asked) * Self.shortfallShare else { return nil }
            let ending = planned.end.map { "before \($0.key) (\(number($0.seconds)) s) ends the run" } ?? "in all"
            switch source.arrivals {
            case .poisson(let rate), .gamma(let rate, _):
                let needed = planned.end.map { ", or a later \($0.key)" } ?? ""
                let least = planned.end.map { " a rate of at least \(number(Double(asked) * Self.shortfallShare / $0.seconds))" } ?? " a higher rate"
                return ConfigError(file: file, key: "\(planned.keyPath).arrivals.rate",
                                   "at \(number(rate)) requests/s about \(number(expected)) of the \(asked) requests of \(planned.askedKey) arrive \(ending); expected\(least) to bring a tenth of them\(needed)")
            case .trace:
                return ConfigError(file: file, key: planned.askedKey,
                                   "the trace brings \(Int(expected)) of the \(asked) requests asked for \(ending); expected a longer window, a higher rate_scale or fewer requests")
            case .closed, .sessions:
                return nil
            }
        }
    }

    private func number(_ value: Double) -> String { String(format: "%.3g", value) }
}
