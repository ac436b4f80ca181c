/// vLLM V0's default preemption: free the victim's KV blocks and prefill it again later.
///
/// It never adds memory and never changes an iteration's time: every method keeps the protocol's default.
/// Victim choice and re-queueing at the front of the waiting queue happen in the scheduler.
public final class RecomputeStrategy: RegisteredStrategy {
    public static let kind = StrategyKind.recompute
    public static let summary = "vLLM default: preempt the latest-arrived request, drop its KV, prefill it again later"

    /// Recompute has no options.
    public struct Options: StrategyOptions {
        public init() {}
        public static func load(from o: ConfigObject) throws -> Options { Options() }
    }

    public init(options: Options = Options()) {}
}

extension StrategyKind {
    /// vLLM V0's default: a preempted request frees its KV and is prefilled again later.
    public static let recompute = StrategyKind(name: "recompute")
}
