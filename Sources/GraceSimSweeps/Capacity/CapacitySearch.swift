import GraceSim
import GraceSimStore
/// Finds the highest load at which every service-level objective holds: brackets it by doubling or halving
/// from a starting value, then bisects to a relative tolerance.
///
/// The load is one number (an arrival rate, a trace's rate scale, a number of clients); `evaluate` runs the
/// system at a value and says whether the objectives hold. The search assumes that more load never makes a
/// metric better, so that pass and fail are separated by one value. Bracketing takes at most
/// ``maxBracketSteps`` evaluations each way; bisection then about log₂(1 / tolerance) more, and never more than
/// ``maxBisectionSteps``.
public struct CapacitySearch: Sendable {
    /// One value the search tried.
    public struct Point: Sendable {
        /// The load, in the knob's unit.
        public var value: Double
        /// Whether every objective held.
        public var passed: Bool
        /// Each objective's metric and its value here, in objective order.
        public var metrics: [(name: String, value: Double)]
        /// The requests of the run the point was measured on (after any extension), when known.
        public var requests: Int?
        /// Whether that run reached a steady state, when the search checks it.
        public var steadyState: SteadyState?
        /// The standard error of each objective's metric (in objective order), from the spread of its value over
        /// the groups of the measurement window; empty when not measured.
        public var standardErrors: [Double] = []
        /// Whether the run was long enough to tell each objective's verdict (see ``ExperimentCapacity``); nil
        /// when not measured.
        public var certain: Bool?

        public init(value: Double, passed: Bool, metrics: [(name: String, value: Double)], requests: Int? = nil,
                    steadyState: SteadyState? = nil) {
            self.value = value
            self.passed = passed
            self.metrics = metrics
            self.requests = requests
            self.steadyState = steadyState
        }
    }

    /// Why a search found no capacity.
    public enum Failure: Error, Sendable {
        /// The objectives fail even at the lowest value tried.
        case failsAtLowest(tried: [Point])
        /// The objectives still hold at the highest value tried.
        case passesAtHighest(tried: [Point])
    }

    /// The value to start from (the experiment's own); greater than 0.
    public var start: Double
    /// Whether the load is a whole number (clients): values are then integers and bisection stops at a gap of 1.
    public var integer: Bool
    /// Stop bisecting when the gap between the highest pass and the lowest fail is at most this fraction of
    /// the highest pass; greater than 0.
    public var tolerance: Double
    /// Most bisection steps: 64 halve any gap between two doubles to nothing, so a tolerance too fine for them to
    /// reach (10⁻³⁰⁰) still ends; bisection also stops when the midpoint is no longer strictly between the two.
    public static let maxBisectionSteps = 64
    /// Most doublings (or halvings) while bracketing.
    public var maxBracketSteps: Int
    /// The lowest value worth trying (1 for clients); halving stops there.
    public var lowest: Double
    /// The highest value worth trying; doubling stops there.
    public var highest: Double

    public init(start: Double, integer: Bool = false, tolerance: Double = 0.02, maxBracketSteps: Int = 12,
                lowest: Double = 0, highest: Double = .infinity) {
        self.start = start
        self.integer = integer
        self.tolerance = tolerance
        self.maxBracketSteps = maxBracketSteps
        self.lowest = lowest
        self.highest = highest
    }

    /// Runs the search. Returns the highest passing point and every point tried, in the order tried.
    /// - Throws: ``Failure`` when the capacity cannot be bracketed; any error `evaluate` throws.
    public func run(_ evaluate: (Double) throws -> Point) throws -> (capacity: Point, tried: [Point]) {
        var tried: [Point] = []
        func probe(_ value: Double) throws -> Point {
            let point = try evaluate(value)
            tried.append(point)
            return point
        }
        let first = try probe(integer ? max(start.rounded(), 1) : start)
        var pass: Point, fail: Point
        if first.passed {
            pass = first
            var next = first
            var steps = 0
            while next.passed {
                let value = min(next.value * 2, highest)
                guard steps < maxBracketSteps, value > next.value else { throw Failure.passesAtHighest(tried: tried) }
                steps += 1
                next = try probe(value)
                if next.passed { pass = next }
            }
            fail = next
        } else {
            fail = first
            var next = first
            var steps = 0
            while !next.passed {
                let value = integer ? max((next.value / 2).rounded(.down), lowest) : max(next.value / 2, lowest)
                guard steps < maxBracketSteps, value < next.value, value > 0 else { throw Failure.failsAtLowest(tried: tried) }
                steps += 1
                next = try probe(value)
                if !next.passed { fail = next }
            }
            pass = next
        }
        var bisections = 0
        while fail.value - pass.value > tolerance * pass.value && (!integer || fail.value - pass.value > 1)
                && bisections < Self.maxBisectionSteps {
            let middle = integer ? ((pass.value + fail.value) / 2).rounded(.down) : (pass.value + fail.value) / 2
            guard middle > pass.value && middle < fail.value else { break }
            bisections += 1
            let point = try probe(middle)
            if point.passed { pass = point } else { fail = point }
        }
        return (pass, tried)
    }
}
