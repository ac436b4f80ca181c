/// vLLM V0's default preemption: free the victim's KV blocks and prefill it again later.
///
/// It never adds memory and never changes an iteration's time; everything it does happens in the
/// scheduler (victim choice, re-queueing at the front of the waiting queue).
public final class RecomputeStrategy: MemoryStrategy {
    public init() {}

    public var kind: StrategyKind { .recompute }

    public func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> Int { 0 }

    public func preemptionMode(request: Int32, instance: ServingInstance) -> PreemptionMode { .recompute }

    public func adjustIteration(_ computeTime: SimTime, instance: ServingInstance, now: SimTime) -> SimTime {
        computeTime
    }

    public func iterationFinished(instance: ServingInstance, now: SimTime) {}
}
