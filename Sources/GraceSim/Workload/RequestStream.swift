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
    /// What the prompts share (nothing, for most workloads).
    private var content: ContentSampler?
    /// Multi-turn sessions, when the arrivals are sessions (their arrivals then start sessions).
    private var sessions: SessionBook?
    private let fixedInstance: Int
    /// Running sums of the instance weights; empty when the instance is fixed.
    private let cumulativeWeights: [Double]
    private var mixRandom: RandomStream
    private let maxRequests: Int
    /// Arrivals at or after this time end the stream.
    private let end: SimTime
    private var emitted = 0
    /// Most requests in flight (vLLM's `--max-concurrency` beside a rate); nil for no limit.
    private let maxInFlight: Int?
    /// Requests sent and not yet ended, under a limit.
    private var inFlight = 0
    /// Whether the next request waits for one in flight to end.
    private var waiting = false
    /// When the latest request was sent: a request that waited is sent no earlier.
    private var lastSent = SimTime.zero

    init(arrivals: ArrivalProcess, lengths: LengthSampler, instance: InstanceChoice, mixRandom: RandomStream,
         maxInFlight: Int? = nil, maxRequests: Int, end: SimTime, content: ContentSampler? = nil, sessions: SessionBook? = nil) {
        self.arrivals = arrivals
        self.lengths = lengths
        self.content = content
        self.sessions = sessions
        self.mixRandom = mixRandom
        self.maxInFlight = maxInFlight
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

    /// The next request of this stream, or nil when it is over (or, under a limit on requests in flight, until one
    /// ends). O(1) for a fixed instance, O(instances) with weights; no allocation.
    @inline(__always)
    mutating func next() -> RequestSpec? {
        if let maxInFlight, inFlight >= maxInFlight {
            waiting = true
            return nil
        }
        return nextOpen(notBefore: lastSent)
    }

    /// The next open arrival, sent no earlier than `earliest`.
    @inline(__always)
    private mutating func nextOpen(notBefore earliest: SimTime) -> RequestSpec? {
        guard emitted < maxRequests, let (time, row) = arrivals.next(), time < end else { return nil }
        emitted += 1
        let sent = max(time, earliest)
        if maxInFlight != nil {
            inFlight += 1
            lastSent = sent
        }
        if sessions != nil {
            let instance = nextInstance()
            return sessions!.firstTurn(at: sent, instance: instance, lengths: &lengths)
        }
        var (prompt, output) = lengths.next(row: row)
        let content = content == nil ? nil : self.content!.next(row: row, prompt: &prompt)
        return RequestSpec(arrival: sent, instance: nextInstance(), promptTokens: prompt, outputTokens: output, content: content)
    }

    /// Whether this stream's arrivals depend on completions (a closed loop, a limit on requests in flight, or
    /// sessions).
    var isClosedLoop: Bool { arrivals.isClosedLoop || maxInFlight != nil || sessions != nil }

    /// Whether the stream needs the content of the request that ended (sessions find their session by it).
    var needsEndedContent: Bool { sessions != nil }

    /// Closed loop: the next request of the client whose request ended (finished or was rejected) at `end`. Under a
    /// limit on requests in flight: the request that waited for one to end, sent at `end` (or at its own time, if
    /// later). Sessions: the next turn of the session of the request with `content`, a think time after `end` (or,
    /// for users, the first turn of the user's next session). Nil for open arrivals, when nothing waits, or when
    /// the stream is over (request count or end time reached).
    mutating func next(afterEnd end: SimTime, content: RequestContent? = nil) -> RequestSpec? {
        if sessions != nil {
            guard emitted < maxRequests, let content else { return nil }
            let request: RequestSpec
            switch sessions!.ended(content, at: end, lengths: &lengths) {
            case .none: return nil
            case let .turn(turn): request = turn
            case let .newSession(time):
                guard time < self.end else { return nil }
                request = sessions!.firstTurn(at: time, instance: nextInstance(), lengths: &lengths)
            }
            guard request.arrival < self.end else { return nil }
            emitted += 1
            return request
        }
        if maxInFlight != nil {
            inFlight -= 1
            guard waiting else { return nil }
            waiting = false
            return nextOpen(notBefore: max(end, lastSent))
        }
        guard emitted < maxRequests, let time = arrivals.next(afterEnd: end), time < self.end else { return nil }
        emitted += 1
        var (prompt, output) = lengths.next(row: -1)
        // (`content` here is the ended request's; the stream's sampler is `self.content`.)
        let drawn = self.content == nil ? nil : self.content!.next(row: -1, prompt: &prompt)
        return RequestSpec(arrival: time, instance: nextInstance(), promptTokens: prompt, outputTokens: output, content: drawn)
    }

    @inline(__always)
    private mutating func nextInstance() -> Int {
        guard let total = cumulativeWeights.last else { return fixedInstance }
        let point = mixRandom.nextUnit() * total
        for (index, bound) in cumulativeWeights.enumerated() where point < bound { return index }
        return fixedInstance  // rounding put the point at the very top: the last instance with weight
    }
}
