/// How a preempted request leaves the GPU.
public enum PreemptionMode: Sendable {
    /// Drop its KV; it is prefilled again (prompt and generated tokens) when it resumes.
    case recompute
}

/// A policy for what to do when KV memory runs short, and what that costs each iteration.
///
/// The serving engine consults it at three points: when a running request needs a block and none is
/// free (``makeRoom(blocks:instance:now:)``, then ``preemptionMode(request:instance:)`` for each victim),
/// before each iteration (``adjustIteration(_:instance:now:)``) and after it
/// (``iterationFinished(instance:now:)``). A strategy returns decisions; the engine schedules events
/// and records metrics.
public protocol MemoryStrategy: AnyObject {
    /// Which registered strategy this is.
    var kind: StrategyKind { get }

    /// Called when `instance` needs `blocks` more KV blocks than it has free. The strategy may grow the
    /// instance's pool; it returns how many blocks it added. The engine preempts for whatever is still missing.
    func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> Int

    /// How `request`, chosen as a preemption victim on `instance`, leaves the GPU.
    func preemptionMode(request: Int32, instance: ServingInstance) -> PreemptionMode

    /// The duration of an iteration whose compute alone takes `computeTime`: a strategy that streams data
    /// may stretch it. Called once per iteration, just before it starts.
    func adjustIteration(_ computeTime: SimTime, instance: ServingInstance, now: SimTime) -> SimTime

    /// Called after each iteration of `instance` ends.
    func iterationFinished(instance: ServingInstance, now: SimTime)
}

extension StrategyKind {
    /// A fresh strategy object of this kind.
    public func makeStrategy() -> MemoryStrategy {
        switch self {
        case .recompute: return RecomputeStrategy()
        }
    }
}
