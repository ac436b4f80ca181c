/// One thing a ``TraceRecorder`` keeps: a value with its simulated time(s) in ns, ready to be written out in a
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
    case preemption(instance: Int, request: Int32, mode: PreemptionMode, atNs: Int64)
    /// A strategy's decision (remap, reversion).
    case strategy(StrategyEvent, atNs: Int64)
    /// An instance's KV pool: blocks in use and its capacity, from `atNs` on.
    case kvBlocks(instance: Int, usedBlocks: Int, capacityBlocks: Int, atNs: Int64)
    /// An instance's remapped weight layers (α), from `atNs` on.
    case remappedLayers(instance: Int, layers: Int, atNs: Int64)

    /// When the record begins, ns.
    public var startNs: Int64 {
        switch self {
        case .iteration(let iteration): return iteration.startNs
        case .transfer(let transfer): return transfer.startNs
        case .preemption(_, _, _, let atNs), .strategy(_, let atNs), .kvBlocks(_, _, _, let atNs),
             .remappedLayers(_, _, let atNs):
            return atNs
        }
    }

    /// When the record ends, ns (its start for instants and counter values).
    public var endNs: Int64 {
        switch self {
        case .iteration(let iteration): return iteration.endNs
        case .transfer(let transfer): return transfer.endNs
        default: return startNs
        }
    }
}

/// A finished transfer as a trace shows it. Times in ns.
public struct TransferRecord: Sendable, Equatable {
    public var direction: LinkDirection
    /// Which of the direction's lanes it is drawn on: transfers that overlap in time get different lanes; a lane
    /// is reused, lowest first, once its transfer has finished.
    public var lane: Int
    public var purpose: TransferPurpose
    /// The instance the bytes belong to.
    public var instance: Int
    public var bytes: Int64
    /// When it was requested, ns.
    public var startNs: Int64
    /// When bytes began to move (after the link's start-up latency), ns.
    public var activeFromNs: Int64
    /// When its last byte arrived, ns.
    public var endNs: Int64

    public init(direction: LinkDirection, lane: Int, purpose: TransferPurpose, instance: Int, bytes: Int64,
                startNs: Int64, activeFromNs: Int64, endNs: Int64) {
        self.direction = direction
        self.lane = lane
        self.purpose = purpose
        self.instance = instance
        self.bytes = bytes
        self.startNs = startNs
        self.activeFromNs = activeFromNs
        self.endNs = endNs
    }
}
