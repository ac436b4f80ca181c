/// What a memory strategy can see of the simulation and do in it; the ``Simulator`` implements it.
public protocol SimulationContext: AnyObject {
    /// The current simulated time.
    var now: SimTime { get }
    /// The machine.
    var hardware: HardwareSpec { get }
    /// Every model instance, by index.
    var instances: [ServingInstance] { get }
    /// Every request of the run, by id.
    var requests: RequestTable { get }
    /// The CPU–GPU link as it is now (flows, rates, bytes moved).
    var link: SharedLink { get }
    /// How the instances share the GPU. Under MPS and MIG every instance is active at once; under MIG each owns
    /// a slice of HBM that no other instance may use.
    var sharingMode: SharingMode { get }

    /// Starts a transfer on the shared link now; the strategy hears of its end through `transferFinished`.
    func startTransfer(bytes: Int64, direction: LinkDirection, purpose: TransferPurpose, instance: Int) -> TransferID

    /// Starts the first `loads` loads of `stream` for `instance`'s next pass now, one after another, while the
    /// instance is idle (its buffer slots are free between passes). Its next pass counts them as its first loads.
    func prefetch(_ loads: Int, of stream: LayerStream, instance: Int)

    /// How long `instance`'s last finished pass waited for transfers or CPU work: before it computed, for a
    /// streamed layer's load, and for its side flows and CPU work at the end.
    func lastPassStall(instance: Int) -> SimTime

    /// Holds `bytesPerSecond` of host memory bandwidth for CPU work from now on (0 releases it).
    func reserveHostBandwidth(_ bytesPerSecond: Double)

    /// Applies `decision` to instance `instance` at a time other than a `makeRoom` call (memory given back after
    /// an iteration or a transfer, pools grown at the start); returns whether it was applied (a shrink below the
    /// blocks in use is refused).
    @discardableResult
    func apply(_ decision: MemoryDecision, to instance: Int) -> Bool

    /// Reports a decision worth showing in a trace (a remap, a reversion); costs nothing when no one watches.
    func note(_ event: StrategyEvent)
}

extension SimulationContext {
    public func note(_ event: StrategyEvent) {}

    @discardableResult
    public func apply(_ decision: MemoryDecision, to instance: Int) -> Bool { instances[instance].apply(decision) }
}

extension SimulationContext {
    public var sharingMode: SharingMode { .temporal }
}
