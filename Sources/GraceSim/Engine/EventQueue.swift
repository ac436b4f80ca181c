import HeapModule

/// Why an event at a given time runs before another at the same time.
///
/// The heap breaks ties by (time, rank, sequence); `rank` makes the order of simultaneous events
/// a deliberate choice rather than an accident of insertion.
public enum EventRank: UInt8, Sendable, Comparable {
    /// Transfers finish first: a layer or block that lands at time t is usable by work starting at t.
    case transferDone = 0
    /// Iterations finish before arrivals, so a request arriving at t sees the state after t's step.
    case iterationDone = 1
    /// New requests join the waiting queues.
    case arrival = 2

    public static func < (a: EventRank, b: EventRank) -> Bool { a.rawValue < b.rawValue }
}

/// A min-heap of events ordered by (time, rank, insertion sequence).
///
/// Equal-time events therefore pop in a fixed order, which makes a seed reproduce a run bit for bit.
/// Push and pop are O(log n).
public struct EventQueue<Payload> {
    struct Entry: Comparable {
        var time: SimTime
        var rank: EventRank
        var sequence: UInt64
        var payload: Payload

        static func < (a: Entry, b: Entry) -> Bool {
            if a.time != b.time { return a.time < b.time }
            if a.rank != b.rank { return a.rank < b.rank }
            return a.sequence < b.sequence
        }

        static func == (a: Entry, b: Entry) -> Bool {
            a.time == b.time && a.rank == b.rank && a.sequence == b.sequence
        }
    }

    var heap = Heap<Entry>()
    var nextSequence: UInt64 = 0

    public init() {}

    /// Number of pending events.
    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }

    /// The time of the earliest pending event, if any.
    public var nextTime: SimTime? { heap.min?.time }

    /// Schedules `payload` at `time` with tie-break `rank`.
    public mutating func push(_ payload: Payload, at time: SimTime, rank: EventRank) {
        heap.insert(Entry(time: time, rank: rank, sequence: nextSequence, payload: payload))
        nextSequence &+= 1
    }

    /// Removes the earliest events while `isStale` says they are stale, so that ``nextTime`` is the time of the
    /// earliest event that still counts.
    public mutating func dropStale(_ isStale: (Payload) -> Bool) {
        while let entry = heap.min, isStale(entry.payload) { _ = heap.popMin() }
    }

    /// Removes and returns the earliest event.
    public mutating func pop() -> (time: SimTime, payload: Payload)? {
        guard let entry = heap.popMin() else { return nil }
        return (entry.time, entry.payload)
    }
}
