import Foundation
import GraceSim
import GraceSimStore

/// The capacity of one experiment: the highest load at which its service-level objectives hold, found by
/// ``CapacitySearch`` over full simulations.
///
/// The load is the experiment's `workload.arrivals.rate` (Poisson, Gamma), `workload.arrivals.rate_scale`
/// (trace replay) or `workload.arrivals.clients` (closed loop); the search starts from the experiment's own
/// value. Every point is a full run with the same seed, so a search is reproducible. Objectives name metrics
/// of ``MetricCatalog/values(_:)`` in one scope of the report (`overall` or an instance's name).
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
    }

    /// What a search found.
    public struct Result {
        public var knob: Knob
        public var objectives: [MetricBound]
        public var scope: String
        public var tolerance: Double
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

    public init(path: String, overrides: [ConfigOverride] = [], objectives: [MetricBound], scope: String = "overall",
                tolerance: Double = 0.02, maxBracketSteps: Int = 12) {
        self.path = path
        self.overrides = overrides
        self.objectives = objectives
        self.scope = scope
        self.tolerance = tolerance
        self.maxBracketSteps = maxBracketSteps
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
                let report = try simulate(knob: knob, value: value)
                let metrics = try objectiveValues(report)
                reports[value] = report
                let point = CapacitySearch.Point(value: value, passed: zip(objectives, metrics).allSatisfy { $0.holds($1) },
                                                 metrics: zip(objectives, metrics).map { ($0.metric, $1) })
                progress?(point)
                return point
            }
        } catch let failure as CapacitySearch.Failure {
            throw StoreError(file: path, message(for: failure, knob: knob))
        }
        return Result(knob: knob, objectives: objectives, scope: scope, tolerance: tolerance, capacity: found.capacity,
                      report: reports[found.capacity.value]!, tried: found.tried)
    }

    private func simulate(knob: Knob, value: Double) throws -> RunReport {
        let set = try ConfigOverride(parsing: "\(knob.key)=\(CapacityFormat.number(value))")
        let experiment = try Experiment.load(path: path, overrides: overrides + [set])
        do {
            let simulator = try Simulator(experiment: experiment)
            let report = simulator.run()
            try simulator.checkHalt()
            return report
        } catch let problem as MemoryPartition.Problem {
            throw StoreError(file: path, problem.message)
        }
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
            return "the SLOs fail even at the lowest \(knob.key) tried, \(CapacityFormat.number(lowest)); tried \(Self.describe(tried))"
        case let .passesAtHighest(tried):
            let highest = tried.map(\.value).max() ?? knob.start
            return "the SLOs still hold at \(knob.key) = \(CapacityFormat.number(highest)) after \(maxBracketSteps) doublings, "
                + "so the capacity cannot be bracketed; tried \(Self.describe(tried))"
        }
    }

    /// `4 fail (ttft_p99_ms 812.3), 2 pass (ttft_p99_ms 410.2)`.
    public static func describe(_ points: [CapacitySearch.Point]) -> String {
        points.map { point in
            let metrics = point.metrics.map { "\($0.name) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")
            return "\(CapacityFormat.number(point.value)) \(point.passed ? "pass" : "fail") (\(metrics))"
        }.joined(separator: "; ")
    }
}
