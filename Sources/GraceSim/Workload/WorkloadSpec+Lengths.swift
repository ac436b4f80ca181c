/// Reading `lengths:`.
///
/// ```yaml
/// lengths: {kind: fixed, prompt: 512, output: 128}
/// lengths: {kind: uniform, prompt: [64, 1024], output: [16, 256]}     # inclusive ranges
/// lengths: {kind: file, path: Workloads/lengths/sharegpt-multiturn.csv}   # random rows of num_prefill_tokens,num_decode_tokens
/// lengths: {kind: file, path: ..., sampling: shuffled}   # each row once, in an order shuffled with the seed (vLLM's benchmark)
/// lengths: {kind: trace}                                              # the trace's own lengths (trace arrivals only)
/// ```
/// Each kind also takes `min_prompt`, `max_prompt`, `min_output`, `max_output` (tokens; minimums default
/// to 1): every drawn length is clipped into its bounds.
extension WorkloadSpec {
    enum LengthKind: String, CaseIterable { case fixed, uniform, file, trace }

    /// How rows of a length file are drawn: `random` with replacement (the default), `shuffled` without, in an
    /// order shuffled with the seed, starting over when every row has been used.
    enum FileSampling: String, CaseIterable { case random, shuffled }

    static func loadLengths(_ node: ConfigNode, hasTrace: Bool, files: inout DataFiles) throws -> (LengthSpec, LengthClip) {
        let o = try node.object()
        let kindNode = try o.required("kind")
        let spec: LengthSpec
        switch try kindNode.choice(LengthKind.self) {
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
        return (spec, clip)
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
