/// vLLM V0's default preemption: free the victim's KV blocks and prefill it again later.
///
/// It never adds memory and never changes an iteration's time: every method keeps the protocol's default.
/// Victim choice and re-queueing at the front of the waiting queue happen in the scheduler.
public final class RecomputeStrategy: MemoryStrategy {
    public init() {}

    public var kind: StrategyKind { .recompute }
}
