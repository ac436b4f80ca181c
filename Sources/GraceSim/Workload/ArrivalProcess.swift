import Foundation

/// How requests arrive, as parsed from `arrivals:` (before a seed is chosen).
enum ArrivalSpec: Sendable {
    /// Exponential inter-arrival times with mean 1/rate; rate in requests per second.
    case poisson(ratePerSecond: Double)
    /// Gamma inter-arrival times with mean 1/rate and coefficient of variation `cv`
    /// (shape 1/cv², scale cv²/rate). cv = 1 is Poisson; larger is burstier.
    case gamma(ratePerSecond: Double, cv: Double)
    /// Replay of a trace, already windowed and rate-scaled.
    case trace(TraceTable)
    /// A closed loop: `clients` clients each send a request at time 0, then their next one `thinkTime`
    /// after the previous one finished or was rejected (as `benchmark_serving --max-concurrency` does).
    case closed(clients: Int, thinkTime: SimTime)
    /// Multi-turn sessions: each turn sent a think time after the session's previous turn ended; sessions start at a
    /// rate or, one after another, per user.
    case sessions(SessionSpec)

    /// Whether the arrivals are generated rather than replayed (and so need a bound to end).
    var isSynthetic: Bool {
        if case .trace = self { return false }
        return true
    }

    /// Whether every request arrives at time 0 (vLLM's `--request-rate inf`).
    var sendsAllAtOnce: Bool {
        switch self {
        case .poisson(let rate), .gamma(let rate, _): return rate == .infinity
        default: return false
        }
    }

    /// How an error about unbounded arrivals names them.
    var endlessName: String {
        if case .closed = self { return "closed-loop arrivals" }
        if case .sessions = self { return "session arrivals" }
        return "synthetic arrivals"
    }
}

/// The arrival times of one request stream: a state machine over an ``ArrivalSpec`` and a random stream.
///
/// Synthetic arrivals accumulate integer-ns gaps (each rounded to the nearest ns, so the rounding error is
/// at most 0.5 ns per request and never drifts in floating point). O(1) per arrival, no allocation. The mean
/// gaps are kept as Double ns (they are drawn from before rounding), a trace's arrivals as raw ns (compact
/// per-request storage).
struct ArrivalProcess: Sendable {
    private enum Kind {
        case poisson(meanGapNs: Double)
        case gamma(scaleNs: Double)
        case trace(arrivalNs: [Int64])
        /// ``next()`` gives the clients' first requests; ``next(afterEnd:)`` the rest.
        case closed(clients: Int, thinkTime: SimTime)
    }

    /// Largest mean gap and largest gap drawn, in ns (about 31 years): keeps absurd rates from producing
    /// infinities or overflowing Int64.
    private static let maxGapNs = 1e18

    private let kind: Kind
    private var random: RandomStream
    private var gamma: GammaSampler
    private var clock = SimTime.zero
    private var row = 0

    init(_ spec: ArrivalSpec, random: RandomStream) {
        self.random = random
        switch spec {
        case let .poisson(rate):
            kind = .poisson(meanGapNs: min(1e9 / rate, Self.maxGapNs))
            gamma = GammaSampler(shape: 1)
        case let .gamma(rate, cv):
            kind = .gamma(scaleNs: min(cv * cv / rate * 1e9, Self.maxGapNs))
            gamma = GammaSampler(shape: 1 / (cv * cv))
        case let .trace(table):
            kind = .trace(arrivalNs: table.arrivalNs)
            gamma = GammaSampler(shape: 1)
        case let .closed(clients, thinkTime):
            kind = .closed(clients: clients, thinkTime: thinkTime)
            gamma = GammaSampler(shape: 1)
        case let .sessions(spec):
            // The sessions' first turns: a Poisson process of sessions, or every user's at time 0.
            switch spec.start {
            case let .rate(rate): kind = .poisson(meanGapNs: min(1e9 / rate, Self.maxGapNs))
            case let .users(users): kind = .closed(clients: users, thinkTime: .zero)
            }
            gamma = GammaSampler(shape: 1)
        }
    }

    /// Whether arrivals depend on completions (a closed loop).
    var isClosedLoop: Bool {
        if case .closed = kind { return true }
        return false
    }

    /// Closed loop: when the client whose request ended (finished or was rejected) at `end` sends its next
    /// request; nil for open arrivals or when time would overflow.
    @inline(__always)
    func next(afterEnd end: SimTime) -> SimTime? {
        guard case let .closed(_, thinkTime) = kind else { return nil }
        let (timeNs, overflow) = end.ns.addingReportingOverflow(thinkTime.ns)
        return overflow ? nil : SimTime(ns: timeNs)
    }

    /// The next arrival time and, for a trace, its row (-1 for synthetic arrivals); nil when a trace
    /// is exhausted or time would overflow. A closed loop gives one first request per client, all at time 0.
    @inline(__always)
    mutating func next() -> (time: SimTime, row: Int)? {
        let gapNs: Double
        switch kind {
        case let .trace(arrivalNs):
            guard row < arrivalNs.count else { return nil }
            defer { row += 1 }
            return (SimTime(ns: arrivalNs[row]), row)
        case let .closed(clients, _):
            guard row < clients else { return nil }
            row += 1
            return (.zero, -1)
        case let .poisson(meanGapNs):
            gapNs = -log(random.nextOpenUnit()) * meanGapNs
        case let .gamma(scaleNs):
            gapNs = gamma.next(using: &random) * scaleNs
        }
        let (sum, overflow) = clock.ns.addingReportingOverflow(Int64(min(gapNs, Self.maxGapNs).rounded()))
        guard !overflow else { return nil }
        clock = SimTime(ns: sum)
        return (clock, -1)
    }
}
