/// The registry of memory strategies: one case per strategy, each implemented in its own file.
public enum StrategyKind: String, Sendable, CaseIterable, Codable {
    /// vLLM V0's default: a preempted request frees its KV and is prefilled again later.
    case recompute

    /// A one-line description for `gracesim list strategies`.
    public var summary: String {
        switch self {
        case .recompute: return "vLLM default: preempt the latest-arrived request, drop its KV, prefill it again later"
        }
    }
}
