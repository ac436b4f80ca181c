import Yams

/// Settings that an experiment may spell two ways: vLLM's engine-argument name, which the documentation and the
/// shipped experiments use, and gracesim's earlier name, which still works.
///
/// One mapping may give only one spelling of a setting (``ConfigObject/spelling(_:or:)``). A `--set` or a file
/// laid over a `base:` replaces the setting whichever spelling either side uses, and the config hash of a sweep
/// point is taken over the earlier spellings, so a renamed key changes neither a result nor its hash.
public enum SettingSpellings {
    /// (vLLM's name, gracesim's earlier name). `preemption_mode` is vLLM's name for the `strategy` choices
    /// `recompute` and `swap`; `num_prompts`, its benchmark's name for a workload's `max_requests`.
    public static let pairs: [(vllm: String, earlier: String)] = [
        ("gpu_memory_utilization", "memory_fraction"),
        ("enable_chunked_prefill", "chunked_prefill"),
        ("swap_space", "swap_space_gib"),
        ("preemption_mode", "strategy"),
        ("num_prompts", "max_requests"),
    ]

    /// The other spelling of `key`, if it has one.
    public static func otherSpelling(of key: String) -> String? {
        for pair in pairs {
            if pair.vllm == key { return pair.earlier }
            if pair.earlier == key { return pair.vllm }
        }
        return nil
    }

    /// `mapping` without the other spelling of `key`: what laying `key` over it must remove.
    static func removingOtherSpelling(of key: Node, from mapping: inout Node.Mapping) {
        guard let name = key.string, let other = otherSpelling(of: name) else { return }
        mapping[other] = nil
    }

    /// `node` with every vLLM spelling of a setting, in any mapping, replaced by gracesim's earlier one: the form
    /// a config hash is taken over.
    public static func earlierSpellings(_ node: Node) -> Node {
        switch node {
        case .mapping(let mapping):
            var pairsOut: [(Node, Node)] = []
            for (key, value) in mapping {
                let name = key.string.flatMap { name in pairs.first { $0.vllm == name }?.earlier }
                pairsOut.append((name.map { Node($0) } ?? key, earlierSpellings(value)))
            }
            return .mapping(Node.Mapping(pairsOut, mapping.tag, mapping.style))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(earlierSpellings), sequence.tag, sequence.style))
        default:
            return node
        }
    }
}
