/// The requests a steady-state measurement counts, in ``groupCount`` consecutive groups: a request belongs to the
/// last group whose start it has reached, by request id (ids are given in arrival order) and by arrival time. The
/// requests before the first start are the warm-up, when the system fills from empty. The groups let a measurement
/// tell how far each metric would move in another run of the same length (batch means).
public struct MeasurementWindow: Sendable, Equatable {
    /// Where a group starts: its first request id and its first arrival time.
    public struct Start: Sendable, Equatable {
        public var request: Int32
        public var arrival: SimTime

        public init(request: Int32 = 0, arrival: SimTime = .zero) {
            self.request = request
            self.arrival = arrival
        }
    }

    /// The groups' starts, in order (ids and times nondecreasing).
    public var starts: [Start]

    /// Groups of a window: enough to estimate a spread, few enough that each holds many requests.
    public static let groupCount = 8

    public init(starts: [Start]) {
        self.starts = starts
    }

    /// The group of the request `id` that arrived at `arrivalNs`; nil in the warm-up.
    @inline(__always)
    public func group(id: Int32, arrivalNs: Int64) -> Int? {
        var found: Int?
        for index in starts.indices {
            guard id >= starts[index].request && arrivalNs >= starts[index].arrival.ns else { break }
            found = index
        }
        return found
    }

    /// The window of `experiment` after its first `warmupFraction` (0 to 1) of requests, split into
    /// ``groupCount`` groups: for open arrivals, of the requests the workload generates (counted before the run,
    /// from the same seed), split by count; for a closed loop, of its `max_requests` but at least its clients'
    /// first requests (which all arrive at once), split by count, or when only time bounds it (`duration_s`,
    /// `simulation.max_time_s`), of that time, split by time.
    public static func afterWarmup(of experiment: Experiment, warmupFraction: Double) -> MeasurementWindow {
        let fraction = min(max(warmupFraction, 0), 1)
        var generator = experiment.workload.makeGenerator(seed: experiment.seed)
        var requests: Int?
        var warmup = 0
        if !generator.isClosedLoop {
            var count = 0
            let end = experiment.maxTime ?? .infinity
            while let request = generator.next(), request.arrival < end { count += 1 }
            requests = count
            warmup = Int((Double(count) * fraction).rounded(.down))
        } else if let planned = experiment.workload.plan(maxTime: experiment.maxTime).requests {
            requests = planned
            warmup = min(max(Int((Double(planned) * fraction).rounded(.down)), experiment.workload.closedLoopClients), planned)
        }
        if let requests {
            return MeasurementWindow(starts: (0..<groupCount).map { group in
                Start(request: Int32(clamping: warmup + (requests - warmup) * group / groupCount))
            })
        }
        let endNs = Double(([experiment.workload.duration, experiment.maxTime].compactMap { $0 }.min() ?? .zero).ns)
        let warmupNs = endNs * fraction
        return MeasurementWindow(starts: (0..<groupCount).map { group in
            Start(arrival: SimTime(ns: Int64(warmupNs + (endNs - warmupNs) * Double(group) / Double(groupCount))))
        })
    }
}

/// Whether a run reached a steady state over its ``MeasurementWindow``, and the figures that tell.
///
/// A run is steady when the window holds at least ``minimumRequests`` requests, every one of them ended, the
/// warm-up lasted at least the P99 end-to-end latency of the window's finished requests and the window's arrivals
/// span at least ``minimumSpanInLatencies`` of them (the number in the system is the arrival rate times the time
/// each request has stayed so far, so it fills for as long as the longest requests take, and its level is only
/// seen over spans long beside them), and the number of requests in the system (arrived, neither finished nor
/// rejected), averaged over the arrivals of the window's second half, exceeds its average over the first half by
/// at most ``allowedGrowth`` (and one request): a queue that grows is load that cannot be sustained, however good
/// the latencies of a short run look.
public struct SteadyState: Sendable, Equatable {
    /// Requests that arrived in the window.
    public var requests: Int
    /// From the run's first arrival to the window's first, in seconds.
    public var warmupSeconds: Double
    /// From the window's first arrival to its last, in seconds.
    public var arrivalSpanSeconds: Double
    /// P99 end-to-end latency of the window's finished requests, in seconds (0 when none finished).
    public var p99E2ESeconds: Double
    /// Requests in the system, averaged over the arrivals of the first and of the second half of the window.
    public var meanInSystemFirstHalf: Double
    public var meanInSystemSecondHalf: Double
    /// Window requests that had not ended (finished or been rejected) when the run stopped.
    public var unfinished: Int

    public static let minimumRequests = 20
    public static let minimumSpanInLatencies = 3.0
    public static let allowedGrowth = 0.1

    public init(requests: Int, warmupSeconds: Double, arrivalSpanSeconds: Double, p99E2ESeconds: Double,
                meanInSystemFirstHalf: Double, meanInSystemSecondHalf: Double, unfinished: Int) {
        self.requests = requests
        self.warmupSeconds = warmupSeconds
        self.arrivalSpanSeconds = arrivalSpanSeconds
        self.p99E2ESeconds = p99E2ESeconds
        self.meanInSystemFirstHalf = meanInSystemFirstHalf
        self.meanInSystemSecondHalf = meanInSystemSecondHalf
        self.unfinished = unfinished
    }

    /// The growth of the number in the system from the first half of the window to the second, as a fraction of
    /// the first (0 when both are 0).
    public var growth: Double {
        meanInSystemFirstHalf > 0 ? meanInSystemSecondHalf / meanInSystemFirstHalf - 1 : (meanInSystemSecondHalf > 0 ? .infinity : 0)
    }

    /// Why the run is not steady; nil when it is.
    public var problem: String? {
        if requests < Self.minimumRequests {
            return "\(requests) requests after the warm-up, fewer than \(Self.minimumRequests)"
        }
        if unfinished > 0 { return "\(unfinished) requests of the window had not ended when the run stopped" }
        if warmupSeconds < p99E2ESeconds {
            return String(format: "the warm-up lasted %.3g s, less than the P99 end-to-end latency (%.3g s)",
                          warmupSeconds, p99E2ESeconds)
        }
        if arrivalSpanSeconds < Self.minimumSpanInLatencies * p99E2ESeconds {
            return String(format: "the window's arrivals span %.3g s, less than %g P99 end-to-end latencies (%.3g s each)",
                          arrivalSpanSeconds, Self.minimumSpanInLatencies, p99E2ESeconds)
        }
        if meanInSystemSecondHalf > meanInSystemFirstHalf * (1 + Self.allowedGrowth) + 1 {
            return String(format: "the requests in the system grew from %.1f to %.1f on average (+%.0f%%) over the window",
                          meanInSystemFirstHalf, meanInSystemSecondHalf, growth * 100)
        }
        return nil
    }

    /// Whether the run reached a steady state.
    public var isSteady: Bool { problem == nil }
}
