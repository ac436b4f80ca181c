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
/// (``StrategyCapacity/makeRoom(blocks:instance:now:)``, then ``StrategyCapacity/preemptionMode(request:instance:)``
/// for each victim), when an iteration is about to start (``StrategyTiming/planIteration(instance:computeTime:now:)``),
/// when it ends and when one of its transfers completes. A strategy returns decisions (``MemoryDecision``, applied
/// by the instance) and starts transfers through its ``SimulationContext``; the simulator schedules events, times
/// passes and records metrics.
///
/// The requirements come in three groups, each its own protocol: capacity (finding KV memory), timing (what a pass
/// needs besides its compute) and accounting (memory held, invariants, report). Every requirement but ``kind`` has
/// a default that behaves like vLLM's recompute, so a strategy implements only what it changes. To be listed and
/// loaded from experiments a strategy also conforms to ``RegisteredStrategy``.
public protocol MemoryStrategy: StrategyCapacity, StrategyTiming, StrategyAccounting {
    /// Which registered strategy this is.
    var kind: StrategyKind { get }
}

/// How a strategy finds KV memory when an instance runs short.
public protocol StrategyCapacity: AnyObject {
    /// Called when `instance` needs `blocks` more KV blocks than it has free. The strategy returns what to change
    /// (blocks to lend to the pool, requests to move to the host); the instance applies it and preempts for
    /// whatever is still missing.
    func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> MemoryDecision

    /// Called when `instance` would admit the waiting request at the front of its queue but lacks `blocks` free
    /// blocks for it (above the watermark). The strategy returns what to change; the instance applies it.
    /// Nothing is preempted for an admission: without the blocks the request waits. By default as
    /// ``makeRoom(blocks:instance:now:)``.
    func makeRoomToAdmit(blocks: Int, instance: ServingInstance, now: SimTime) -> MemoryDecision

    /// How `request`, chosen as a preemption victim on `instance`, leaves the GPU.
    func preemptionMode(request: Int32, instance: ServingInstance) -> PreemptionMode

    /// The most KV blocks `instance` could ever have, for rejecting requests that can never fit.
    func potentialKVBlocks(instance: ServingInstance) -> Int

    /// A tier of the prefix cache in CPU memory that the strategy keeps (vLLM's KV offloading), or nil.
    var hostPrefixTier: (any HostPrefixTier)? { get }
}

/// What a strategy adds to a pass besides its compute; the simulator times it.
public protocol StrategyTiming: AnyObject {
    /// Called once, before the first event, with the simulation the strategy serves. A strategy that keeps the
    /// context keeps it `unowned`: the simulator owns the strategy and outlives its use, and a weak reference would
    /// give the simulator a side table that makes every retain and release of it in the event loop slow.
    func attach(to context: SimulationContext)

    /// What the iteration `instance` is about to run needs besides its compute (transfers to wait for, layers
    /// to stream, side flows, CPU work); `computeTime` is its engine overhead plus GPU compute alone. The
    /// simulator runs the plan and times the pass (``IterationPlan``).
    func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan

    /// Called after each iteration of `instance` ends (``SimulationContext/lastPassStall(instance:)`` tells how
    /// long it waited for transfers or CPU work).
    func iterationFinished(instance: ServingInstance, now: SimTime)

    /// Called when a transfer this strategy started has moved all its bytes.
    func transferFinished(_ transfer: Transfer, now: SimTime)
}

/// What a strategy holds in GPU memory, its own invariants and what it reports.
public protocol StrategyAccounting: AnyObject {
    /// What `instance` holds in GPU memory under this strategy: resident weights, KV pool and stream buffers.
    func gpuMemory(instance: ServingInstance) -> GPUMemoryUse

    /// GPU memory the strategy holds outside every instance's own use (remapped memory not yet lent, layers being
    /// reloaded), in bytes: all of it for `instance` nil, otherwise the part inside `instance`'s MIG slice (0
    /// outside MIG).
    func unassignedGPUBytes(instance: ServingInstance?) -> Int64

    /// This strategy's invariant violations (empty when all hold).
    func checkInvariants() -> [InvariantViolation]

    /// What the strategy did on `instance`, for reports.
    func report(instance: ServingInstance, end: SimTime) -> StrategyReport
}

extension StrategyCapacity {
    public func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> MemoryDecision { .none }
    public func makeRoomToAdmit(blocks: Int, instance: ServingInstance, now: SimTime) -> MemoryDecision {
        makeRoom(blocks: blocks, instance: instance, now: now)
    }
    public func preemptionMode(request: Int32, instance: ServingInstance) -> PreemptionMode { .recompute }
    public func potentialKVBlocks(instance: ServingInstance) -> Int { instance.pool.capacityBlocks }
    public var hostPrefixTier: (any HostPrefixTier)? { nil }
}

extension StrategyTiming {
    public func attach(to context: SimulationContext) {}
    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        IterationPlan()
    }
    public func iterationFinished(instance: ServingInstance, now: SimTime) {}
    public func transferFinished(_ transfer: Transfer, now: SimTime) {}
}

extension StrategyAccounting {
    public func gpuMemory(instance: ServingInstance) -> GPUMemoryUse {
        GPUMemoryUse(weightBytes: instance.spec.model.totalWeightBytes,
                     kvBytes: Int64(instance.pool.capacityBlocks) * instance.pool.blockBytes, bufferBytes: 0)
    }
    public func unassignedGPUBytes(instance: ServingInstance?) -> Int64 { 0 }
    public func checkInvariants() -> [InvariantViolation] { [] }
    public func report(instance: ServingInstance, end: SimTime) -> StrategyReport { StrategyReport() }
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
