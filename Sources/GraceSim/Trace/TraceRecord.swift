/// One thing a ``TraceRecorder`` keeps: a value with its simulated time(s), ready to be written out in a
/// trace format (``ChromeTraceEncoder``).
///
/// About 64 bytes in memory; the recorder hands records to its sink as soon as they are complete, so a trace
/// of any length needs memory only for the transfers in flight.
public enum TraceRecord: Sendable, Equatable {
    /// An iteration of one instance, from taking the GPU to its end.
    case iteration(IterationRecord)
    /// A transfer on the link, from its request to its last byte.
    case transfer(TransferRecord)
    /// A request preempted on an instance.
    case preemption(instance: Int, request: Int32, mode: PreemptionMode, at: SimTime)
    /// A strategy's decision (a remap, a reversion).
    case strategy(StrategyEvent, at: SimTime)
    /// An instance's KV pool: blocks in use and its capacity, from `at` on.
    case kvBlocks(instance: Int, usedBlocks: Int, capacityBlocks: Int, at: SimTime)
    /// A strategy's counter track of an instance (remapped layers), from `at` on.
    case strategyCounter(StrategyEvent.Counter, instance: Int, at: SimTime)

    /// When the record begins.
    public var start: SimTime {
        switch self {
        case .iteration(let iteration): return iteration.start
        case .transfer(let transfer): return transfer.start
        case .preemption(_, _, _, let at), .strategy(_, let at), .kvBlocks(_, _, _, let at),
             .strategyCounter(_, _, let at):
            return at
        }
    }

    /// When the record ends (its start for instants and counter values).
    public var end: SimTime {
        switch self {
        case .iteration(let iteration): return iteration.end
        case .transfer(let transfer): return transfer.end
        default: return start
        }
    }
}

/// A finished transfer as a trace shows it.
public struct TransferRecord: Sendable, Equatable {
    public var direction: LinkDirection
    /// Which of the direction's lanes it is drawn on: transfers that overlap in time get different lanes; a lane
    /// is reused, lowest first, once its transfer has finished.
    public var lane: Int
    public var purpose: TransferPurpose
    /// The instance the bytes belong to.
    public var instance: Int
    public var bytes: Int64
    /// When it was requested.
    public var start: SimTime
    /// When bytes began to move (after the link's start-up latency).
    public var activeFrom: SimTime
    /// When its last byte arrived.
    public var end: SimTime

    public init(direction: LinkDirection, lane: Int, purpose: TransferPurpose, instance: Int, bytes: Int64,
                start: SimTime, activeFrom: SimTime, end: SimTime) {
        self.direction = direction
        self.lane = lane
        self.purpose = purpose
        self.instance = instance
        self.bytes = bytes
        self.start = start
        self.activeFrom = activeFrom
        self.end = end
    }
}
