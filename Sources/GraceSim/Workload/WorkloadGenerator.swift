/// Produces the requests of a workload in nondecreasing arrival order, over all instances.
///
/// Sources (tenants) are merged by arrival time; equal times go to the lower source index first, so the
/// order is fully determined by the seed. Each call is O(sources) with no allocation; a single source
/// runs at tens of millions of requests per second in a release build.
///
/// A closed-loop source gives only its clients' first requests through ``next()``; each later one comes from
/// ``next(afterRequestOn:endedAt:content:)``, called when a request ends, so the driver must report every end (with
/// the ended request's content when ``needsEndedContent``: sessions find their session by it).
public struct WorkloadGenerator: Sendable {
    private var streams: [RequestStream]
    /// The next request of each stream (nil once the stream is over); unused with one stream.
    private var heads: [RequestSpec?]
    private let maxRequests: Int
    private var emitted = 0

    init(streams: [RequestStream], maxRequests: Int) {
        self.streams = streams
        self.maxRequests = maxRequests
        heads = []
        if streams.count > 1 {
            for index in self.streams.indices { heads.append(self.streams[index].next()) }
        }
    }

    /// Whether some source is a closed loop, so requests ending must be reported to
    /// ``next(afterRequestOn:endedAt:content:)``.
    public var isClosedLoop: Bool { streams.contains { $0.isClosedLoop } }

    /// Whether a request's end must be reported with its content (some source has sessions); otherwise the content
    /// is not looked at.
    public var needsEndedContent: Bool { streams.contains { $0.needsEndedContent } }

    /// Closed loop: the next request of the client whose request on `instance`, with `content`, ended (finished or
    /// was rejected) at `time`; nil when that request's source is open or over. Its arrival is at or after `time`.
    public mutating func next(afterRequestOn instance: Int, endedAt time: SimTime, content: RequestContent? = nil) -> RequestSpec? {
        guard emitted < maxRequests else { return nil }
        // One source serves every instance, or source i is the tenant of instance i.
        let source = streams.count == 1 ? 0 : instance
        guard streams.indices.contains(source), let request = streams[source].next(afterEnd: time, content: content) else { return nil }
        emitted += 1
        return request
    }

    /// The next request, or nil when the workload is over.
    public mutating func next() -> RequestSpec? {
        guard emitted < maxRequests else { return nil }
        let request: RequestSpec?
        if streams.count == 1 {
            request = streams[0].next()
        } else {
            var best = -1
            var bestNs = Int64.max
            for index in heads.indices {
                if let head = heads[index], best < 0 || head.arrival.ns < bestNs {
                    best = index
                    bestNs = head.arrival.ns
                }
            }
            guard best >= 0 else { return nil }
            request = heads[best]
            heads[best] = streams[best].next()
        }
        if request != nil { emitted += 1 }
        return request
    }
}

extension WorkloadGenerator: Sequence, IteratorProtocol {}
