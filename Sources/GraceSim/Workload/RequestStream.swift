/// How a request stream picks the model instance of each request.
enum InstanceChoice: Sendable {
    /// Every request goes to this instance (one tenant per instance).
    case fixed(Int)
    /// Each request's instance drawn with these weights (not normalised; at least one positive).
    case weighted([Double])
}

/// One source of requests (the whole workload, or one tenant): arrivals, lengths and instance choice,
/// each from its own random stream, bounded by a request count and an end time.
struct RequestStream: Sendable {
    private var arrivals: ArrivalProcess
    private var lengths: LengthSampler
    private let fixedInstance: Int
    /// Running sums of the instance weights; empty when the instance is fixed.
    private let cumulativeWeights: [Double]
    private var mixRandom: RandomStream
    private let maxRequests: Int
    /// Arrivals at or after this time end the stream.
    private let end: SimTime
    private var emitted = 0

    init(arrivals: ArrivalProcess, lengths: LengthSampler, instance: InstanceChoice, mixRandom: RandomStream,
         maxRequests: Int, end: SimTime) {
        self.arrivals = arrivals
        self.lengths = lengths
        self.mixRandom = mixRandom
        self.maxRequests = maxRequests
        self.end = end
        switch instance {
        case let .fixed(index):
            fixedInstance = index
            cumulativeWeights = []
        case let .weighted(weights):
            var sum = 0.0
            cumulativeWeights = weights.map { sum += $0; return sum }
            fixedInstance = weights.lastIndex { $0 > 0 } ?? 0
        }
    }

    /// The next request of this stream, or nil when it is over. O(1) for a fixed instance, O(instances)
    /// with weights; no allocation.
    @inline(__always)
    mutating func next() -> RequestSpec? {
        guard emitted < maxRequests, let (time, row) = arrivals.next(), time < end else { return nil }
        emitted += 1
        let (prompt, output) = lengths.next(row: row)
        return RequestSpec(arrival: time, instance: nextInstance(), promptTokens: prompt, outputTokens: output)
    }

    /// Whether this stream's arrivals depend on completions (a closed loop).
    var isClosedLoop: Bool { arrivals.isClosedLoop }

    /// Closed loop: the next request of the client whose request ended (finished or was rejected) at `end`;
    /// nil for open arrivals or when the stream is over (request count or end time reached).
    mutating func next(afterEnd end: SimTime) -> RequestSpec? {
        guard emitted < maxRequests, let time = arrivals.next(afterEnd: end), time < self.end else { return nil }
        emitted += 1
        let (prompt, output) = lengths.next(row: -1)
        return RequestSpec(arrival: time, instance: nextInstance(), promptTokens: prompt, outputTokens: output)
    }

    @inline(__always)
    private mutating func nextInstance() -> Int {
        guard let total = cumulativeWeights.last else { return fixedInstance }
        let point = mixRandom.nextUnit() * total
        for (index, bound) in cumulativeWeights.enumerated() where point < bound { return index }
        return fixedInstance  // rounding put the point at the very top: the last instance with weight
    }
}
