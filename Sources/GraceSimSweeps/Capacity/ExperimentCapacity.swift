import Foundation
import GraceSim
import GraceSimStore

/// The capacity of one experiment: the highest load at which its service-level objectives hold, found by
/// ``CapacitySearch`` over full simulations.
///
/// The load is the experiment's `workload.arrivals.rate` (Poisson, Gamma), `workload.arrivals.rate_scale`
/// (trace replay), `workload.arrivals.clients` (closed loop) or a session workload's `session_rate` or `users`; the
/// search starts from the experiment's own value. Every point is a full run with the same seed, so a search is
/// reproducible. Objectives name metrics of ``MetricCatalog/values(_:)`` in one scope of the report (`overall` or an
/// instance's name).
///
/// A point of a rate or a closed loop is measured at steady state: its first ``warmupFraction`` of requests (the
/// system filling from empty) are left out of the request metrics, and the run must reach a ``SteadyState``
/// over the rest. The run must also be long enough to tell each objective's verdict: the window is split into
/// ``MeasurementWindow/groupCount`` consecutive groups of requests, and the spread of the metric over them gives
/// its standard error (batch means); a verdict is told when the window holds enough requests for the metric
/// (``requestsNeeded(for:value:)``: ten beyond a percentile near its bound) and the bound lies at least two standard errors from the
/// value, or the standard error is within the search's tolerance of the value (closer than that, the load is within
/// the tolerance of the capacity anyway). While the run is not steady or cannot tell, it is extended: its
/// request count (and `duration_s`, `simulation.max_time_s` where given) doubled, up to ``maxExtension`` times the
/// experiment's own. A run in which every group misses an objective fails at once, steady or not (before it is
/// steady, its warm-up makes it, if anything, too kind). A point still not steady at the longest run fails, as a load that cannot be shown to be
/// sustained; one still uncertain keeps the verdict of that run, and says so. A trace's arrivals are not
/// stationary: it is replayed whole.
public struct ExperimentCapacity {
    /// The key that sets the experiment's load, and its range.
    public struct Knob: Sendable, Equatable {
        /// The `--set` key path, e.g. `workload.arrivals.rate`.
        public var key: String
        /// The experiment's own value.
        public var start: Double
        /// Whether the value is a whole number (clients).
        public var integer: Bool
        public var lowest: Double
        public var highest: Double

        /// Whether points are measured at steady state (rates and closed loops; not a trace replay).
        public var seeksSteadyState: Bool { key != "workload.arrivals.rate_scale" }
    }

    /// What a search found.
    public struct Result {
        public var knob: Knob
        public var objectives: [MetricBound]
        public var scope: String
        public var tolerance: Double
        /// The longest run of a point, as a multiple of the experiment's own length.
        public var maxExtension: Int
        /// The highest passing point.
        public var capacity: CapacitySearch.Point
        /// The report of the run at the capacity.
        public var report: RunReport
        /// Every point, in the order tried.
        public var tried: [CapacitySearch.Point]

        /// Every metric of the capacity run in the searched scope, in catalog order.
        public var metrics: [(String, Double)] { ExperimentCapacity.scopeReport(report, scope).map(MetricCatalog.values) ?? [] }

        /// Finished requests per second at the capacity: every objective holds there, so this is the goodput.
        public var goodputRequestsPerSecond: Double { metrics.first { $0.0 == "requests_per_s" }?.1 ?? 0 }
    }

    public var path: String
    public var overrides: [ConfigOverride]
    public var objectives: [MetricBound]
    /// `overall` or an instance name.
    public var scope: String
    public var tolerance: Double
    public var maxBracketSteps: Int
    /// The longest run of a point, as a multiple of the experiment's own length (1: never extended).
    public var maxExtension: Int

    /// The share of each run's requests left out as warm-up.
    public static let warmupFraction = 0.25
    /// The default of ``maxExtension``.
    public static let defaultMaxExtension = 16

    public init(path: String, overrides: [ConfigOverride] = [], objectives: [MetricBound], scope: String = "overall",
                tolerance: Double = 0.02, maxBracketSteps: Int = 12, maxExtension: Int = defaultMaxExtension) {
        self.path = path
        self.overrides = overrides
        self.objectives = objectives
        self.scope = scope
        self.tolerance = tolerance
        self.maxBracketSteps = maxBracketSteps
        self.maxExtension = max(maxExtension, 1)
    }

    /// Most clients a closed loop may have (as the workload loader allows).
    public static let maxClients = 1_000_000

    /// The key that sets the load of the experiment at `path` (after `overrides`), and its value there.
    /// - Throws: ``ConfigError`` when the experiment does not load or has no single top-level arrival process.
    public static func knob(path: String, overrides: [ConfigOverride] = []) throws -> Knob {
        _ = try Experiment.load(path: path, overrides: overrides)
        var root = try ConfigNode.load(path: path).resolvingBase()
        for override in overrides { root = try override.apply(to: root) }
        let workload = try root.object().required("workload")
        let w = try workload.object()
        guard !w.has("tenants") else {
            throw workload.error("a capacity search varies workload.arrivals; this workload has tenants, each with its own arrivals")
        }
        let arrivals = try w.required("arrivals").object()
        switch try arrivals.string("kind") {
        case "poisson", "gamma":
            return Knob(key: "workload.arrivals.rate", start: try arrivals.positiveDouble("rate"), integer: false,
                        lowest: 0, highest: .infinity)
        case "trace":
            return Knob(key: "workload.arrivals.rate_scale", start: try arrivals.positiveDouble("rate_scale", default: 1),
                        integer: false, lowest: 0, highest: .infinity)
        case "sessions":
            if arrivals.has("session_rate") {
                return Knob(key: "workload.arrivals.session_rate", start: try arrivals.positiveDouble("session_rate"),
                            integer: false, lowest: 0, highest: .infinity)
            }
            let usersKey = try arrivals.spelling("users", or: "num_clients")
            return Knob(key: "workload.arrivals.\(usersKey)", start: Double(try arrivals.positiveInt(usersKey)), integer: true,
                        lowest: 1, highest: Double(maxClients))
        default:  // closed: the loader accepts no other kind
            return Knob(key: "workload.arrivals.clients", start: Double(try arrivals.positiveInt("clients")), integer: true,
                        lowest: 1, highest: Double(maxClients))
        }
    }

    /// The smallest tolerance accepted: 0.01%, which bisection reaches from a bracket of 2× in 14 runs.
    public static let minimumTolerance = 0.0001

    /// Parses a tolerance: a percentage (`2%`) or a fraction (`0.02`), from ``minimumTolerance`` to below 1.
    public static func parseTolerance(_ text: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let isPercent = trimmed.hasSuffix("%")
        let number = Double(isPercent ? String(trimmed.dropLast()) : trimmed).map { isPercent ? $0 / 100 : $0 }
        guard let number, number >= minimumTolerance, number < 1 else {
            throw StoreError(file: "<command line>", "--tolerance: expected a fraction or percentage from 0.01% to below 100% (such as 2% or 0.02), found \"\(text)\"")
        }
        return number
    }

    /// Runs the search; `progress` sees each point as it is tried.
    /// - Throws: ``StoreError`` for an unknown metric or scope, or a capacity that cannot be bracketed (the
    ///   message lists every point tried); ``ConfigError`` when the experiment does not load.
    public func run(progress: ((CapacitySearch.Point) -> Void)? = nil) throws -> Result {
        let knob = try Self.knob(path: path, overrides: overrides)
        let search = CapacitySearch(start: knob.start, integer: knob.integer, tolerance: tolerance,
                                    maxBracketSteps: maxBracketSteps, lowest: knob.lowest, highest: knob.highest)
        var reports: [Double: RunReport] = [:]
        let found: (capacity: CapacitySearch.Point, tried: [CapacitySearch.Point])
        do {
            found = try search.run { value in
                let (point, report) = try evaluate(knob: knob, value: value)
                reports[value] = report
                progress?(point)
                return point
            }
        } catch let failure as CapacitySearch.Failure {
            throw StoreError(file: path, message(for: failure, knob: knob))
        }
        return Result(knob: knob, objectives: objectives, scope: scope, tolerance: tolerance, maxExtension: maxExtension,
                      capacity: found.capacity,
                      report: reports[found.capacity.value]!, tried: found.tried)
    }

    /// Runs the experiment at `value` and judges the point: whole for a trace replay; else after the warm-up,
    /// extending the run while the objectives hold but it is not steady yet (see the type's documentation).
    private func evaluate(knob: Knob, value: Double) throws -> (CapacitySearch.Point, RunReport) {
        let set = try ConfigOverride(parsing: "\(knob.key)=\(CapacityFormat.number(value))")
        var scale = 1
        while true {
            let experiment = try Experiment.load(path: path, overrides: overrides + [set] + (try lengthened(scale)))
            let simulator: Simulator
            do {
                simulator = try Simulator(experiment: experiment)
            } catch let problem as MemoryPartition.Problem {
                throw StoreError(file: path, problem.message)
            }
            guard knob.seeksSteadyState else {
                let report = simulator.run()
                try simulator.checkHalt()
                let metrics = try objectiveValues(report)
                return (CapacitySearch.Point(value: value, passed: zip(objectives, metrics).allSatisfy { $0.holds($1) },
                                             metrics: zip(objectives, metrics).map { ($0.metric, $1) },
                                             requests: simulator.requests.count), report)
            }
            let window = MeasurementWindow.afterWarmup(of: experiment, warmupFraction: Self.warmupFraction)
            simulator.measure(from: window)
            while simulator.step() {}
            try simulator.checkHalt()
            let report = simulator.report(over: window)
            let steady = simulator.steadyState(over: window)
            let metrics = try objectiveValues(report)
            let holds = zip(objectives, metrics).allSatisfy { $0.holds($1) }
            let groups = try window.starts.indices.map { try objectiveValues(simulator.report(over: window, groups: $0..<($0 + 1))) }
            let errors = objectives.indices.map { index in Self.standardError(groups.map { $0[index] }) }
            let certain = zip(objectives, zip(metrics, errors)).allSatisfy { objective, measured in
                Self.canTell(objective, value: measured.0, standardError: measured.1, tolerance: tolerance)
                    && steady.requests >= Self.requestsNeeded(for: objective, value: measured.0)
            }
            // A miss that every group shows is no transient of part of the window: more requests will not mend it.
            let missedThroughout = objectives.indices.contains { index in
                !objectives[index].holds(metrics[index]) && groups.allSatisfy { !objectives[index].holds($0[index]) }
            }
            if (certain && steady.isSteady) || missedThroughout || scale * 2 > maxExtension {
                var point = CapacitySearch.Point(value: value, passed: holds && steady.isSteady,
                                                 metrics: zip(objectives, metrics).map { ($0.metric, $1) },
                                                 requests: simulator.requests.count, steadyState: steady)
                point.standardErrors = errors
                point.certain = certain
                return (point, report)
            }
            scale = min(scale * Self.growthFactor(steady, objectives: objectives, metrics: metrics, errors: errors,
                                                  tolerance: tolerance), maxExtension)
        }
    }

    /// How many times longer the next run of a point should be: a power of two from 2 to 8, enough by the figures of
    /// this run for the warm-up to reach the P99 end-to-end latency, for the window to span three of them, and for
    /// each uncertain objective's standard error (which falls as one over the square root of the length) to come
    /// within what tells its verdict.
    static func growthFactor(_ steady: SteadyState, objectives: [MetricBound], metrics: [Double], errors: [Double],
                             tolerance: Double) -> Int {
        var needed = 2.0
        if steady.warmupSeconds > 0 { needed = max(needed, steady.p99E2ESeconds / steady.warmupSeconds) }
        if steady.arrivalSpanSeconds > 0 {
            needed = max(needed, SteadyState.minimumSpanInLatencies * steady.p99E2ESeconds / steady.arrivalSpanSeconds)
        }
        for (objective, value) in zip(objectives, metrics) where steady.requests > 0 {
            needed = max(needed, Double(requestsNeeded(for: objective, value: value)) / Double(steady.requests))
        }
        for (objective, (value, error)) in zip(objectives, zip(metrics, errors))
        where !canTell(objective, value: value, standardError: error, tolerance: tolerance) {
            let allowed = max(abs(value - objective.bound) / 2, tolerance * abs(value))
            if allowed > 0, error.isFinite { needed = max(needed, (error / allowed) * (error / allowed)) }
        }
        var factor = 2
        while Double(factor) < needed && factor < 8 { factor *= 2 }
        return factor
    }

    /// The requests a window needs before a percentile within a factor of two of its bound can be told: ten beyond
    /// it (1,000 for a P99, 100 for a P90, 10,000 for a P99.9); none for a mean, a median or another metric, or a
    /// value further from its bound. The spread over the groups says little about a tail that rare requests make
    /// (long prompts, bursts), which a short window may not hold at all.
    static func requestsNeeded(for objective: MetricBound, value: Double) -> Int {
        let low = min(abs(value), abs(objective.bound)), high = max(abs(value), abs(objective.bound))
        guard value.isFinite, low > 0, high < 2 * low else { return 0 }
        if objective.metric.contains("_p99_9_") { return 10_000 }
        if objective.metric.contains("_p99_") { return 1_000 }
        if objective.metric.contains("_p90_") { return 100 }
        return 0
    }

    /// The standard error of the mean of `values` (one per group): their sample standard deviation over the square
    /// root of their count; 0 for fewer than two values, infinity when one is not finite.
    static func standardError(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        guard values.allSatisfy(\.isFinite) else { return .infinity }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (variance / Double(values.count)).squareRoot()
    }

    /// Whether a run tells `objective`'s verdict: its bound lies at least two standard errors from `value`, or the
    /// standard error is within `tolerance` of the value. A value that is not finite is told as it is.
    static func canTell(_ objective: MetricBound, value: Double, standardError: Double, tolerance: Double) -> Bool {
        guard value.isFinite else { return true }
        return abs(value - objective.bound) >= 2 * standardError || standardError <= tolerance * abs(value)
    }

    /// The overrides that make a run `scale` times as long as the experiment's own: its `max_requests`, and its
    /// `duration_s` and `simulation.max_time_s` where it gives them, multiplied by `scale`.
    /// Each is kept within what the loader accepts (10⁹ requests, 10⁹ s).
    private func lengthened(_ scale: Int) throws -> [ConfigOverride] {
        guard scale > 1 else { return [] }
        let experiment = try Experiment.load(path: path, overrides: overrides)
        let limit = 1e9
        var sets: [String] = []
        if let requests = experiment.workload.maxRequests {
            sets.append("workload.max_requests=\(Int(min(Double(requests) * Double(scale), limit)))")
        }
        if let duration = experiment.workload.duration {
            sets.append("workload.duration_s=\(CapacityFormat.number(min(duration.seconds * Double(scale), limit)))")
        }
        if let maxTime = experiment.maxTime {
            sets.append("simulation.max_time_s=\(CapacityFormat.number(min(maxTime.seconds * Double(scale), limit)))")
        }
        return try sets.map(ConfigOverride.init(parsing:))
    }

    /// The objectives' metrics in `report`, in objective order.
    private func objectiveValues(_ report: RunReport) throws -> [Double] {
        guard let scoped = Self.scopeReport(report, scope) else {
            let scopes = ["overall"] + report.instances.map(\.name)
            throw StoreError(file: "<command line>", "--scope: no scope \(scope) in this experiment (known: \(scopes.joined(separator: ", ")))")
        }
        let values = MetricCatalog.values(scoped)
        return try objectives.map { objective in
            guard let value = values.first(where: { $0.0 == objective.metric })?.1 else {
                throw StoreError(file: "<command line>", "--slo: unknown metric \(objective.metric) (known: \(values.map(\.0).joined(separator: ", ")))")
            }
            return value
        }
    }

    static func scopeReport(_ report: RunReport, _ scope: String) -> InstanceReport? {
        scope == "overall" ? report.overall : report.instances.first { $0.name == scope }
    }

    private func message(for failure: CapacitySearch.Failure, knob: Knob) -> String {
        switch failure {
        case let .failsAtLowest(tried):
            let lowest = tried.map(\.value).min() ?? knob.start
            return "the SLOs fail even at the lowest \(knob.key) tried, \(CapacityFormat.number(lowest)); tried \(Self.describe(tried, objectives: objectives))"
        case let .passesAtHighest(tried):
            let highest = tried.map(\.value).max() ?? knob.start
            return "the SLOs still hold at \(knob.key) = \(CapacityFormat.number(highest)) after \(maxBracketSteps) doublings, "
                + "so the capacity cannot be bracketed; tried \(Self.describe(tried, objectives: objectives))"
        }
    }

    /// `4 fail (ttft_p99_ms 812.3), 2 pass (ttft_p99_ms 410.2)`.
    public static func describe(_ points: [CapacitySearch.Point], objectives: [MetricBound] = []) -> String {
        points.map { point in
            let metrics = point.metrics.map { "\($0.name) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")
            return "\(CapacityFormat.number(point.value)) \(CapacityReport.verdict(point, objectives)) (\(metrics))"
        }.joined(separator: "; ")
    }
}
