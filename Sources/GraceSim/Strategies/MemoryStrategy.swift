/// How a preempted request leaves the GPU.
public enum PreemptionMode: Sendable {
    /// Drop its KV; it is prefilled again (prompt and generated tokens) when it resumes.
    case recompute
    /// Copy its KV blocks to CPU swap space; they are copied back before it resumes.
    case swap
}

/// A policy for what to do when KV memory runs short, and what that costs each iteration.
///
/// The serving engine consults it when a request needs KV blocks and none are free
/// (``makeRoom(blocks:instance:now:)``, then ``preemptionMode(request:instance:)`` for each victim), when an
/// iteration is about to start (``planIteration(instance:computeTime:now:)``), when it ends
/// (``iterationFinished(instance:now:)``) and when one of its transfers completes
/// (``transferFinished(_:now:)``). A strategy returns decisions and starts transfers through its
/// ``SimulationContext``; the simulator schedules events and records metrics.
///
/// Every method but ``kind`` has a default that behaves like vLLM's recompute, so a strategy implements only
/// what it changes.
public protocol MemoryStrategy: AnyObject {
    /// Which registered strategy this is.
    var kind: StrategyKind { get }

    /// Called once, before the first event, with the simulation the strategy serves.
    func attach(to context: SimulationContext)

    /// Called when `instance` needs `blocks` more KV blocks than it has free. The strategy may grow the
    /// instance's pool; it returns how many blocks it added. The engine preempts for whatever is still missing.
    func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> Int

    /// Called when `instance` would admit the waiting request at the front of its queue but lacks `blocks` free
    /// blocks for it (above the watermark). The strategy may grow the pool; it returns how many blocks it added.
    /// Nothing is preempted for an admission: without the blocks the request waits. By default as
    /// ``makeRoom(blocks:instance:now:)``.
    func makeRoomToAdmit(blocks: Int, instance: ServingInstance, now: SimTime) -> Int

    /// How `request`, chosen as a preemption victim on `instance`, leaves the GPU.
    func preemptionMode(request: Int32, instance: ServingInstance) -> PreemptionMode

    /// Where `request`'s KV should live for its next decode steps on `instance`, asked before each decode step of a
    /// request whose KV is on the GPU: true moves it to CPU memory (offloading). Most strategies never move KV.
    func moveToHost(request: Int32, instance: ServingInstance, now: SimTime) -> Bool

    /// What the iteration `instance` is about to run needs besides its compute (transfers to wait for, layers
    /// to stream, side flows, CPU work); `computeTime` is its engine overhead plus GPU compute alone. The
    /// simulator runs the plan and times the pass (``IterationPlan``).
    func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan

    /// Called after each iteration of `instance` ends (``SimulationContext/lastPassStall(instance:)`` tells how
    /// long it waited for transfers or CPU work).
    func iterationFinished(instance: ServingInstance, now: SimTime)

    /// Called when a transfer this strategy started has moved all its bytes.
    func transferFinished(_ transfer: Transfer, now: SimTime)

    /// The most KV blocks `instance` could ever have, for rejecting requests that can never fit.
    func potentialKVBlocks(instance: ServingInstance) -> Int

    /// What `instance` holds in GPU memory under this strategy: resident weights, KV pool and stream buffers.
    func gpuMemory(instance: ServingInstance) -> GPUMemoryUse

    /// GPU memory the strategy holds outside every instance's own use (remapped memory not yet lent, layers
    /// being reloaded), bytes.
    var unassignedGPUBytes: Int64 { get }

    /// The part of ``unassignedGPUBytes`` that belongs to `instance`'s MIG slice, bytes (0 outside MIG).
    func unassignedGPUBytes(instance: ServingInstance) -> Int64

    /// This strategy's invariant violations (empty when all hold).
    func checkInvariants() -> [InvariantViolation]

    /// What the strategy did on `instance`, for reports.
    func report(instance: ServingInstance, endNs: Int64) -> StrategyReport
}

extension MemoryStrategy {
    public func attach(to context: SimulationContext) {}
    public func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> Int { 0 }
    public func makeRoomToAdmit(blocks: Int, instance: ServingInstance, now: SimTime) -> Int {
        makeRoom(blocks: blocks, instance: instance, now: now)
    }
    public func preemptionMode(request: Int32, instance: ServingInstance) -> PreemptionMode { .recompute }
    public func moveToHost(request: Int32, instance: ServingInstance, now: SimTime) -> Bool { false }
    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        IterationPlan()
    }
    public func iterationFinished(instance: ServingInstance, now: SimTime) {}
    public func transferFinished(_ transfer: Transfer, now: SimTime) {}
    public func potentialKVBlocks(instance: ServingInstance) -> Int { instance.pool.capacityBlocks }
    public func checkInvariants() -> [InvariantViolation] { [] }
    public func gpuMemory(instance: ServingInstance) -> GPUMemoryUse {
        GPUMemoryUse(weightBytes: instance.spec.model.totalWeightBytes,
                     kvBytes: Int64(instance.pool.capacityBlocks) * instance.pool.blockBytes, bufferBytes: 0)
    }
    public var unassignedGPUBytes: Int64 { 0 }
    public func unassignedGPUBytes(instance: ServingInstance) -> Int64 { 0 }
    public func report(instance: ServingInstance, endNs: Int64) -> StrategyReport { StrategyReport() }
}

/// GPU memory one instance holds, bytes.
public struct GPUMemoryUse: Sendable, Equatable {
    /// Weights resident on the GPU.
    public var weightBytes: Int64
    /// The KV pool's blocks that live in GPU memory.
    public var kvBytes: Int64
    /// Slots that streamed weight layers pass through.
    public var bufferBytes: Int64

    public init(weightBytes: Int64, kvBytes: Int64, bufferBytes: Int64) {
        self.weightBytes = weightBytes
        self.kvBytes = kvBytes
        self.bufferBytes = bufferBytes
    }
}
