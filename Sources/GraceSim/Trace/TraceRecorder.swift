/// A ``SimulationObserver`` that turns what it hears into ``TraceRecord``s within a time window, and hands each
/// to a sink as soon as it is complete (or keeps them in ``records``).
///
/// - Iterations are complete when they start computing; transfers when they finish (each gets the lowest free
///   lane of its direction, so on one lane transfers never overlap); preemptions, strategy events and counter
///   values at once.
/// - Records overlapping the window `[from, to]` are kept: spans with `start ≤ to` and `end ≥ from`, instants and
///   counter values with `from ≤ t ≤ to`. A counter's last value before `from` is repeated at `from`, so counter
///   tracks start with the window.
/// - KV counter values are kept only when they change.
///
/// Order of the records handed out: the order they complete. Per track (an instance's iterations, one lane of a
/// direction, one counter) start times never decrease.
/// Memory: the transfers in flight and one value per counter; O(1) per record otherwise.
public final class TraceRecorder: SimulationObserver {
    /// The window (inclusive at both ends).
    public let window: ClosedRange<SimTime>
    /// Records handed to the sink or kept so far.
    public private(set) var recordCount = 0
    /// Records kept, when the recorder was made without a sink.
    public private(set) var records: [TraceRecord] = []
    private let sink: ((TraceRecord) -> Void)?

    /// Per direction, the transfer on each lane (nil: free).
    private var lanes: [[TransferID?]] = [[], []]
    private var open: [TransferID: (lane: Int, transfer: Transfer)] = [:]
    /// Last KV value sent per instance.
    private var lastKV: [(used: Int, capacity: Int)?] = []
    /// Counter values from before the window, by (kind, instance), repeated at the window's start.
    private var carried: [CounterKey: TraceRecord] = [:]
    private var windowStarted = false

    /// Kind 0 is the KV pool, kind 1 a strategy's counter (by name).
    private struct CounterKey: Hashable, Comparable {
        var kind: Int
        var name = ""
        var instance: Int
        static func < (a: CounterKey, b: CounterKey) -> Bool { (a.kind, a.name, a.instance) < (b.kind, b.name, b.instance) }
    }

    /// - Parameters:
    ///   - window: keep only records overlapping this range of simulated time (default: all).
    ///   - sink: receives each record when it is complete; when nil, records are kept in ``records``.
    public init(window: ClosedRange<SimTime> = .zero...SimTime.infinity, sink: ((TraceRecord) -> Void)? = nil) {
        self.window = window
        self.sink = sink
    }

    /// Lanes each direction has used so far (index: `LinkDirection.rawValue`).
    public var lanesUsed: [Int] { lanes.map(\.count) }

    /// Whether a transfer requested within the window is still on the link (a caller that stops the simulation at
    /// the window's end steps on until this is false, so those transfers get their end).
    public var hasOpenTransfersInWindow: Bool {
        open.values.contains { $0.transfer.requested <= window.upperBound }
    }

    // MARK: SimulationObserver

    public func iterationStarted(_ iteration: IterationRecord) {
        emitSpan(.iteration(iteration))
    }

    public func transferStarted(_ transfer: Transfer) {
        let direction = transfer.direction.rawValue
        let lane = lanes[direction].firstIndex { $0 == nil } ?? lanes[direction].count
        if lane == lanes[direction].count { lanes[direction].append(nil) }
        lanes[direction][lane] = transfer.id
        open[transfer.id] = (lane, transfer)
    }

    public func transferFinished(_ transfer: Transfer, end: SimTime) {
        guard let (lane, started) = open.removeValue(forKey: transfer.id) else { return }
        lanes[transfer.direction.rawValue][lane] = nil
        emitSpan(.transfer(TransferRecord(
            direction: started.direction, lane: lane, purpose: started.purpose, instance: started.instance,
            bytes: started.bytes, start: started.requested, activeFrom: started.activeFrom, end: end)))
    }

    public func preempted(request: Int32, instance: Int, mode: PreemptionMode, at: SimTime) {
        if window.contains(at) { emit(.preemption(instance: instance, request: request, mode: mode, at: at)) }
    }

    public func strategyEvent(_ event: StrategyEvent, at: SimTime) {
        if window.contains(at) { emit(.strategy(event, at: at)) }
        if let value = event.counter {
            counter(.strategyCounter(value, instance: event.instance, at: at),
                    key: CounterKey(kind: 1, name: value.name, instance: event.instance))
        }
    }

    public func kvBlocks(instance: Int, usedBlocks: Int, capacityBlocks: Int, at: SimTime) {
        while lastKV.count <= instance { lastKV.append(nil) }
        if let last = lastKV[instance], last.used == usedBlocks, last.capacity == capacityBlocks { return }
        lastKV[instance] = (usedBlocks, capacityBlocks)
        counter(.kvBlocks(instance: instance, usedBlocks: usedBlocks, capacityBlocks: capacityBlocks, at: at),
                key: CounterKey(kind: 0, instance: instance))
    }

    // MARK: Window

    private func emitSpan(_ record: TraceRecord) {
        if record.start <= window.upperBound && record.end >= window.lowerBound { emit(record) }
    }

    private func counter(_ record: TraceRecord, key: CounterKey) {
        let t = record.start
        if t < window.lowerBound {
            carried[key] = record
            return
        }
        guard t <= window.upperBound else { return }
        if !windowStarted {
            windowStarted = true
            let from = window.lowerBound
            for (_, value) in carried.sorted(by: { $0.key < $1.key }) {
                switch value {
                case .kvBlocks(let instance, let used, let capacity, _):
                    emit(.kvBlocks(instance: instance, usedBlocks: used, capacityBlocks: capacity, at: from))
                case .strategyCounter(let value, let instance, _):
                    emit(.strategyCounter(value, instance: instance, at: from))
                default:
                    break
                }
            }
            carried.removeAll()
        }
        emit(record)
    }

    private func emit(_ record: TraceRecord) {
        recordCount += 1
        if let sink { sink(record) } else { records.append(record) }
    }
}
