import Foundation

/// Replays a real run's requests (lengths and arrivals) on an experiment's hardware, model and engine, and sets the
/// simulated latencies beside the measured ones.
///
/// Per request: TTFT = first token − arrival; E2E = last token − arrival; TPOT = (E2E − TTFT) / (output − 1), for
/// requests of two or more output tokens. ITL (measured only in save-result files) is every gap between two output
/// tokens of a request, pooled. Output throughput is all output tokens over first arrival to last token.
/// Percentiles interpolate linearly between order statistics. Requests go to the instance the run records (a result
/// gracesim saved), else to instance 0.
public enum Replay {
    /// Simulated timings of one replayed request, in seconds.
    public struct SimulatedRequest: Sendable, Equatable {
        public var ttftSeconds: Double
        public var e2eSeconds: Double
        public var outputTokens: Int
    }

    /// The simulated side of a replay.
    public struct Simulated: Sendable {
        /// One entry per replayed request that finished, in arrival order.
        public var requests: [SimulatedRequest]
        /// Requests that did not finish (the experiment's time limit, or rejected).
        public var unfinished: Int
        /// Every gap between two tokens of a finished request, in seconds.
        public var tokenGaps: [Double]
        /// Output tokens per second over first arrival to last token.
        public var outputTokensPerSecond: Double
    }

    /// Runs `run`'s requests through a simulator built from `experiment` (each on the instance the run records
    /// when the experiment has it, else on instance 0).
    public static func simulate(_ run: RealRun, experiment: Experiment) throws -> Simulated {
        let arrivals = run.arrivalSeconds(seed: experiment.seed)
        let order = run.requests.indices.sorted { (arrivals[$0], $0) < (arrivals[$1], $1) }
        let specs = order.map { index in
            let instance = run.requests[index].instance.flatMap { $0 < experiment.instances.count ? $0 : nil } ?? 0
            return RequestSpec(arrival: SimTime.seconds(arrivals[index]), instance: instance,
                               promptTokens: Int32(run.requests[index].inputTokens),
                               outputTokens: Int32(run.requests[index].outputTokens))
        }
        let simulator = try Simulator(experiment: experiment, requests: specs)
        simulator.recordTokenGaps()
        _ = simulator.run()
        var finishedGaps: [Double] = []
        for instance in simulator.instances {
            for entry in instance.metrics.tokenGapLog ?? [] where simulator.requests.states[Int(entry.request)].outcome == .finished {
                finishedGaps.append(Double(entry.gapNs) / 1e9)
            }
        }
        var requests: [SimulatedRequest] = []
        var unfinished = 0
        var lastFinish = SimTime.zero
        var firstArrival = SimTime.infinity
        var tokens = 0
        for state in simulator.requests.states {
            guard state.finishNs >= 0, state.firstTokenNs >= 0 else { unfinished += 1; continue }
            requests.append(SimulatedRequest(ttftSeconds: Double(state.firstTokenNs - state.arrivalNs) / 1e9,
                                             e2eSeconds: Double(state.finishNs - state.arrivalNs) / 1e9,
                                             outputTokens: Int(state.generatedTokens)))
            lastFinish = max(lastFinish, SimTime(ns: state.finishNs))
            firstArrival = min(firstArrival, SimTime(ns: state.arrivalNs))
            tokens += Int(state.generatedTokens)
        }
        let span = (lastFinish - (firstArrival == .infinity ? .zero : firstArrival)).seconds
        return Simulated(requests: requests, unfinished: unfinished, tokenGaps: finishedGaps,
                         outputTokensPerSecond: span > 0 ? Double(tokens) / span : 0)
    }

    /// Compares `run` with its simulation: one row per metric and statistic.
    public static func compare(_ run: RealRun, _ simulated: Simulated, experimentName: String) -> ReplayComparison {
        var rows: [ReplayComparison.Row] = []
        func add(_ metric: String, unit: String, scale: Double, real: [Double], simulated: [Double]) {
            for (label, p) in [("median", 50.0), ("P90", 90.0), ("P99", 99.0)] {
                guard let r = percentile(real, p), let s = percentile(simulated, p) else { continue }
                rows.append(.init(metric: metric, statistic: label, unit: unit, real: r * scale, simulated: s * scale))
            }
        }
        add("TTFT", unit: "s", scale: 1, real: run.requests.map(\.ttftSeconds), simulated: simulated.requests.map(\.ttftSeconds))
        add("TPOT", unit: "ms", scale: 1e3, real: run.requests.compactMap { tpot(ttft: $0.ttftSeconds, e2e: $0.e2eSeconds, output: $0.outputTokens) },
            simulated: simulated.requests.compactMap { tpot(ttft: $0.ttftSeconds, e2e: $0.e2eSeconds, output: $0.outputTokens) })
        if run.hasITL {
            let real = run.requests.flatMap { $0.itlSeconds ?? [] }
            for (label, p) in [("median", 50.0), ("P90", 90.0), ("P99", 99.0)] {
                guard let r = percentile(real, p), let s = percentile(simulated.tokenGaps, p) else { continue }
                rows.append(.init(metric: "ITL", statistic: label, unit: "ms", real: r * 1e3, simulated: s * 1e3))
            }
        }
        add("E2E", unit: "s", scale: 1, real: run.requests.map(\.e2eSeconds), simulated: simulated.requests.map(\.e2eSeconds))
        rows.append(.init(metric: "output throughput", statistic: "", unit: "tok/s", real: run.outputTokensPerSecond,
                          simulated: simulated.outputTokensPerSecond))
        return ReplayComparison(run: run.name, experiment: experimentName, requests: run.requests.count,
                                unfinished: simulated.unfinished, arrivalsRecorded: run.hasArrivals, rows: rows)
    }

    /// (E2E − TTFT) / (output − 1), or nil for a single output token.
    public static func tpot(ttft: Double, e2e: Double, output: Int) -> Double? {
        output > 1 ? (e2e - ttft) / Double(output - 1) : nil
    }

    /// The `p`-th percentile (0–100) of `values`, interpolating linearly between order statistics; nil if empty.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = p / 100 * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (rank - Double(low)) * (sorted[high] - sorted[low])
    }
}
