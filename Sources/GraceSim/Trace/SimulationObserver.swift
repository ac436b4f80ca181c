/// Something that watches a simulation as it runs: iterations, transfers, preemptions, strategy decisions and
/// KV pool use, each reported once, at the simulated time it happens.
///
/// Attach one with ``Simulator/observer``. With none attached the simulator pays one nil check per hook and
/// allocates nothing. Calls arrive in nondecreasing simulated time, except that an iteration is reported
/// whole (with its end) when it starts computing.
public protocol SimulationObserver: AnyObject {
    /// An iteration starts computing; `iteration` gives its start (when it took the GPU), its end and its batch.
    func iterationStarted(_ iteration: IterationRecord)
    /// A transfer was put on the link (its `requestedNs` is now).
    func transferStarted(_ transfer: Transfer)
    /// A transfer moved its last byte at `end` (reported at the first link event at or after it).
    func transferFinished(_ transfer: Transfer, end: SimTime)
    /// `request` of instance `instance` was preempted at `at` and left the GPU as `mode` says.
    func preempted(request: Int32, instance: Int, mode: PreemptionMode, at: SimTime)
    /// The memory strategy did something worth showing (see ``StrategyEvent``) at `at`.
    func strategyEvent(_ event: StrategyEvent, at: SimTime)
    /// Instance `instance`'s KV pool holds `usedBlocks` of `capacityBlocks` blocks at `at`.
    func kvBlocks(instance: Int, usedBlocks: Int, capacityBlocks: Int, at: SimTime)
}

/// One iteration of one instance, as a ``SimulationObserver`` hears of it.
public struct IterationRecord: Sendable, Equatable {
    /// The instance's index in the experiment.
    public var instance: Int
    /// When the iteration took the GPU (before any wait for synchronous transfers).
    public var start: SimTime
    /// When it ends.
    public var end: SimTime
    /// Requests in the batch (prefills and decodes).
    public var batchSize: Int
    /// Prompt tokens computed in the step.
    public var prefillTokens: Int
    /// Sequences decoding one token (on the GPU or, offloaded, on the CPU).
    public var decodeSequences: Int
    /// Time spent waiting for transfers: before computing plus overlapped waits inside the step.
    public var stall: SimTime

    public init(instance: Int, start: SimTime, end: SimTime, batchSize: Int, prefillTokens: Int,
                decodeSequences: Int, stall: SimTime) {
        self.instance = instance
        self.start = start
        self.end = end
        self.batchSize = batchSize
        self.prefillTokens = prefillTokens
        self.decodeSequences = decodeSequences
        self.stall = stall
    }
}
