/// Produces the requests of a workload in nondecreasing arrival order, over all instances.
///
/// Sources (tenants) are merged by arrival time; equal times go to the lower source index first, so the
/// order is fully determined by the seed. Each call is O(sources) with no allocation; a single source
/// runs at tens of millions of requests per second in a release build.
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
