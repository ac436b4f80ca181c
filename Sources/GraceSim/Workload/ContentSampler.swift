/// What the prompts of one request stream share, as parsed from `lengths:` (vLLM's `prefix_len`, aiperf's prompt
/// pool) or given by a trace (Mooncake's `hash_ids`).
struct ContentSpec: Sendable {
    /// How a prompt pool's prompts are taken: in turn (request i takes prompt i mod N) or uniformly at random.
    enum PoolSampling: String, CaseIterable, Sendable {
        /// Request i takes prompt i mod N.
        case sequential
        /// Each request takes a prompt uniformly at random, with replacement.
        case random
        /// Each prompt once, in an order shuffled with the seed, shuffled again when every prompt has been used.
        case shuffle
    }

    /// Tokens every prompt starts with (vLLM's random dataset `prefix_len`); 0 for none.
    var prefixTokens: Int32 = 0
    /// Distinct prompts the requests reuse (aiperf's `num_dataset_entries`); nil for a new prompt per request.
    var poolSize: Int?
    var poolSampling = PoolSampling.sequential
    /// Whether the prompts are a trace's blocks (trace lengths of a trace that has `hash_ids`).
    var traceBlocks = false

    /// Whether requests carry content at all.
    var isEmpty: Bool { prefixTokens == 0 && poolSize == nil && !traceBlocks }
}

/// Gives each request of a stream its ``RequestContent`` (and, from a prompt pool, its prompt length).
///
/// Nothing to do and no allocation when the spec is empty; otherwise one segment array per request. A prompt
/// pool's prompt lengths are drawn once, when the sampler is made, from the stream's lengths on a stream of
/// their own (`<prefix>.pool`); random and shuffled sampling pick prompts on another (`<prefix>.pool.pick`).
/// The stream's other draws are the same with or without a pool.
struct ContentSampler: Sendable {
    private let spec: ContentSpec
    private let ids: ContentIDs
    private let trace: TraceTable?
    /// Each pool prompt's length, in tokens.
    private let poolPrompts: [Int32]
    private var poolRandom: RandomStream
    /// Requests given content so far: the next request's index.
    private var requestIndex: UInt64 = 0
    /// Under `shuffle`, the pool's prompts in the current round's order, and how many of them have been used.
    private var shuffledOrder: [Int32] = []
    private var shuffledUsed = 0

    init(_ spec: ContentSpec, lengths: LengthSpec, clip: LengthClip, trace: TraceTable?, prefix: String, seed: UInt64) {
        self.spec = spec
        self.trace = spec.traceBlocks ? trace : nil
        ids = ContentIDs(prefix: prefix)
        poolRandom = RandomStream(seed: seed, name: "\(prefix).pool.pick")
        if let size = spec.poolSize {
            var sampler = LengthSampler(lengths, clip: clip, trace: nil, random: RandomStream(seed: seed, name: "\(prefix).pool"))
            poolPrompts = (0..<size).map { _ in sampler.next(row: -1).prompt }
        } else {
            poolPrompts = []
        }
    }

    /// The content of the next request, whose trace row is `row` (-1 for synthetic arrivals) and whose drawn prompt
    /// length is `prompt`; with a prompt pool, the prompt length becomes the pool prompt's. Nil for a trace row
    /// without blocks.
    @inline(__always)
    mutating func next(row: Int, prompt: inout Int32) -> RequestContent? {
        guard !spec.isEmpty else { return nil }
        defer { requestIndex += 1 }
        var segments: [PromptSegment] = []
        if let trace, row >= 0 {
            var left = prompt
            for block in trace.blocks(row: row) where left > 0 {
                let tokens = min(left, TraceTable.blockTokens)
                segments.append(PromptSegment(content: ids.id(.traceBlock, block), tokens: tokens))
                left -= tokens
            }
        }
        if spec.poolSize != nil {
            let entry = nextPoolEntry()
            prompt = poolPrompts[entry]
            let shared = min(spec.prefixTokens, prompt)
            if shared > 0 { segments.append(PromptSegment(content: ids.id(.sharedPrefix, 0), tokens: shared)) }
            if prompt > shared { segments.append(PromptSegment(content: ids.id(.poolPrompt, UInt64(entry)), tokens: prompt - shared)) }
        } else if spec.prefixTokens > 0 {
            segments.append(PromptSegment(content: ids.id(.sharedPrefix, 0), tokens: min(spec.prefixTokens, prompt)))
        }
        // A trace row without blocks shares nothing, as if its trace had none.
        if segments.isEmpty && spec.traceBlocks { return nil }
        return RequestContent(segments: segments, output: ids.id(.output, requestIndex))
    }

    /// The pool prompt of the next request, by the spec's sampling.
    private mutating func nextPoolEntry() -> Int {
        switch spec.poolSampling {
        case .sequential:
            return Int(requestIndex % UInt64(poolPrompts.count))
        case .random:
            return poolRandom.nextInt(below: poolPrompts.count)
        case .shuffle:
            if shuffledUsed == shuffledOrder.count {
                if shuffledOrder.isEmpty { shuffledOrder = (0..<Int32(poolPrompts.count)).map { $0 } }
                // Fisher–Yates, on the pool's pick stream.
                for i in stride(from: shuffledOrder.count - 1, to: 0, by: -1) {
                    shuffledOrder.swapAt(i, poolRandom.nextInt(below: i + 1))
                }
                shuffledUsed = 0
            }
            defer { shuffledUsed += 1 }
            return Int(shuffledOrder[shuffledUsed])
        }
    }
}
