/// Reading `lengths:`.
///
/// ```yaml
/// lengths: {kind: fixed, prompt: 512, output: 128}
/// lengths: {kind: uniform, prompt: [64, 1024], output: [16, 256]}     # inclusive ranges
/// lengths: {kind: file, path: Workloads/lengths/sharegpt-multiturn.csv}   # random rows of num_prefill_tokens,num_decode_tokens
/// lengths: {kind: file, path: ..., sampling: shuffled}   # each row once, in an order shuffled with the seed (vLLM's benchmark)
/// lengths: {kind: trace}                                              # the trace's own lengths (trace arrivals only)
/// lengths: {kind: random, input_len: 1024, output_len: 128, range_ratio: 0.1}   # vLLM's random dataset
/// ```
/// `random` is vLLM's `--dataset-name random`: prompts of `prefix_len` (default 0) plus a length drawn uniformly
/// from ⌊input_len·(1 − range_ratio)⌋ to ⌈input_len·(1 + range_ratio)⌉, outputs from ⌊output_len·(1 − range_ratio)⌋
/// (at least 1) to ⌈output_len·(1 + range_ratio)⌉; `input_len` 1024, `output_len` 128 and `range_ratio` 0 (from 0
/// to below 1) by default, as in vLLM; each key may also be written with vLLM's `random_` prefix. (vLLM takes the
/// tokenizer's special tokens off `input_len` first; there is no tokenizer here.)
/// Each kind also takes `min_prompt`, `max_prompt`, `min_output`, `max_output` (tokens; minimums default
/// to 1): every drawn length is clipped into its bounds.
///
/// What prompts share, for prefix caching: under `random`, every prompt starts with the same `prefix_len` tokens
/// (all of a prompt clipped shorter). Every kind but `trace` also takes aiperf's prompt pool:
/// `num_dataset_entries: 100` (1 to 10⁷) distinct prompts, whose lengths are drawn once from the kind, reused by the
/// requests in turn (`dataset_sampling_strategy: sequential`, the default: request i takes prompt i mod N),
/// uniformly at random with replacement (`random`), or each once in a shuffled order, shuffled again when all have been
/// used (`shuffle`, aiperf's default for its synthetic prompts); each request still draws its own output length. A trace with Mooncake's
/// `hash_ids`, under `{kind: trace}`, shares its 512-token blocks as the ids say.
extension WorkloadSpec {
    /// Most prompts of a prompt pool (their lengths are kept, 4 bytes each).
    static let maxPoolSize = 10_000_000

    enum LengthKind: String, CaseIterable { case fixed, uniform, file, trace, random }

    /// How rows of a length file are drawn: `random` with replacement (the default), `shuffled` without, in an
    /// order shuffled with the seed, starting over when every row has been used.
    enum FileSampling: String, CaseIterable { case random, shuffled }

    static func loadLengths(_ node: ConfigNode, hasTrace: Bool, files: inout DataFiles) throws -> (LengthSpec, LengthClip, ContentSpec) {
        let o = try node.object()
        let kindNode = try o.required("kind")
        let spec: LengthSpec
        var content = ContentSpec()
        let kind = try kindNode.choice(LengthKind.self)
        switch kind {
        case .fixed:
            spec = .fixed(prompt: try tokens(o.required("prompt")), output: try tokens(o.required("output")))
        case .uniform:
            spec = .uniform(prompt: try tokenRange(o.required("prompt")), output: try tokenRange(o.required("output")))
        case .file:
            let table = try files.lengthTable(try o.required("path"))
            spec = try o.choice("sampling", default: FileSampling.random) == .shuffled ? .shuffledTable(table) : .table(table)
        case .trace:
            guard hasTrace else {
                throw kindNode.error("lengths kind trace needs arrivals of kind trace (use fixed, uniform or file)")
            }
            spec = .trace
        case .random:
            (spec, content.prefixTokens) = try randomLengths(o)
        }
        if let poolNode = o.optional("num_dataset_entries") {
            guard kind != .trace else { throw poolNode.error("a prompt pool does not apply to a trace's own lengths (lengths kind trace)") }
            content.poolSize = try o.positiveInt("num_dataset_entries", atMost: maxPoolSize)
            content.poolSampling = try o.choice("dataset_sampling_strategy", default: ContentSpec.PoolSampling.sequential)
        } else if let samplingNode = o.optional("dataset_sampling_strategy") {
            throw samplingNode.error("applies to a prompt pool: set num_dataset_entries too")
        }
        var clip = LengthClip()
        clip.minPrompt = try bound(o.optional("min_prompt")) ?? 1
        clip.maxPrompt = try bound(o.optional("max_prompt")) ?? .max
        clip.minOutput = try bound(o.optional("min_output")) ?? 1
        clip.maxOutput = try bound(o.optional("max_output")) ?? .max
        if clip.maxPrompt < clip.minPrompt, let node = o.optional("max_prompt") ?? o.optional("min_prompt") {
            throw node.error("expected max_prompt (\(clip.maxPrompt)) to be at least min_prompt (\(clip.minPrompt))")
        }
        if clip.maxOutput < clip.minOutput, let node = o.optional("max_output") ?? o.optional("min_output") {
            throw node.error("expected max_output (\(clip.maxOutput)) to be at least min_output (\(clip.minOutput))")
        }
        try o.finish()
        return (spec, clip, content)
    }

    /// vLLM's random dataset as uniform ranges, and its common prefix in tokens (see the type's documentation).
    private static func randomLengths(_ o: ConfigObject) throws -> (LengthSpec, prefixTokens: Int32) {
        func count(_ key: String, default value: Int) throws -> (Int, ConfigNode?) {
            let name = try o.spelling(key, or: "random_\(key)")
            guard let node = o.optional(name) else { return (value, nil) }
            let count = try node.int()
            guard count >= 0, count <= RequestSpec.maxTokens else {
                throw node.error("expected a token count from 0 to \(RequestSpec.maxTokens), found \(count)")
            }
            return (count, node)
        }
        let (input, inputNode) = try count("input_len", default: 1024)
        let (output, outputNode) = try count("output_len", default: 128)
        let (prefix, _) = try count("prefix_len", default: 0)
        let ratioKey = try o.spelling("range_ratio", or: "random_range_ratio")
        let ratio = try o.optional(ratioKey).map { node -> Double in
            let value = try node.double()
            guard value >= 0, value < 1 else { throw node.error("expected a range ratio from 0 to below 1, found \(value)") }
            return value
        } ?? 0
        let promptLow = prefix + Int((Double(input) * (1 - ratio)).rounded(.down))
        let promptHigh = prefix + Int((Double(input) * (1 + ratio)).rounded(.up))
        let outputLow = max(Int((Double(output) * (1 - ratio)).rounded(.down)), 1)
        let outputHigh = max(Int((Double(output) * (1 + ratio)).rounded(.up)), 1)
        guard promptLow >= 1 else {
            throw (inputNode ?? o.node).error("the shortest prompt would have \(promptLow) tokens; expected input_len and prefix_len to give at least 1")
        }
        for (high, node) in [(promptHigh, inputNode), (outputHigh, outputNode)] where high > RequestSpec.maxTokens {
            throw (node ?? o.node).error("the longest would have \(high) tokens, more than \(RequestSpec.maxTokens)")
        }
        return (.uniform(prompt: Int32(promptLow)...Int32(promptHigh), output: Int32(outputLow)...Int32(outputHigh)), Int32(prefix))
    }

    /// A token count from 1 to ``RequestSpec/maxTokens``.
    private static func tokens(_ node: ConfigNode) throws -> Int32 {
        let value = try node.int()
        guard value >= 1, value <= RequestSpec.maxTokens else {
            throw node.error("expected a token count from 1 to \(RequestSpec.maxTokens), found \(value)")
        }
        return Int32(value)
    }

    private static func bound(_ node: ConfigNode?) throws -> Int32? {
        try node.map(tokens)
    }

    /// `[min, max]`, inclusive, 1 ≤ min ≤ max.
    private static func tokenRange(_ node: ConfigNode) throws -> ClosedRange<Int32> {
        let items = try node.list()
        guard items.count == 2 else { throw node.error("expected [min, max], found a list of \(items.count)") }
        let low = try tokens(items[0]), high = try tokens(items[1])
        guard low <= high else { throw node.error("expected [min, max] with min ≤ max, found [\(low), \(high)]") }
        return low...high
    }
}
