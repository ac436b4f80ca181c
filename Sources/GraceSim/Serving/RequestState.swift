/// Where a request is in its life.
public enum RequestPhase: UInt8, Sendable {
    /// Queued for its first prefill, or for a re-prefill after preemption.
    case waiting
    /// Holding KV blocks, its prompt (or re-prefill) partly computed: only with chunked prefill.
    case prefilling
    /// Holding KV blocks and generating one token per step.
    case decoding
    /// Preempted with its KV copied to CPU swap space, queued to be copied back.
    case swapped
    /// Every output token generated.
    case finished
    /// Refused at arrival; see ``RejectionReason``.
    case rejected
}

/// How a request's run ended, for per-request output.
public enum RequestOutcome: String, Sendable, CaseIterable, Codable {
    case finished
    case rejected
    /// Still queued, running or swapped out when the run stopped (only with a time limit).
    case unfinished
}

/// Why a request was refused at arrival.
public enum RejectionReason: String, Sendable, CaseIterable, Codable {
    /// Its prompt is at least the model's context (or `max_model_len`), or than one step's token budget without chunked prefill.
    case promptTooLong = "prompt-too-long"
    /// Its full sequence would need more KV blocks than the instance can ever hold.
    case exceedsKVPool = "exceeds-kv-pool"
    /// Its prompt and output together exceed the instance's `max_model_len` (only when the experiment gives one).
    case exceedsMaxModelLen = "exceeds-max-model-len"
}

/// The mutable state of one request, kept compact (at most 64 bytes) because a run may hold millions.
///
/// Token counts are Int32; times are nanoseconds (`-1` when the event has not happened yet).
public struct RequestState: Sendable {
    public var arrivalNs: Int64
    public var firstTokenNs: Int64 = -1
    public var lastTokenNs: Int64 = -1
    /// The longest gap between two consecutive tokens so far, in nanoseconds (0 before the second token).
    public var maxTokenGapNs: Int64 = 0
    /// Prompt length in tokens.
    public var promptTokens: Int32
    /// Output tokens to generate (after truncation to the model's context).
    public var outputTokens: Int32
    /// Output tokens generated so far.
    public var generatedTokens: Int32 = 0
    /// Tokens whose KV has been computed in the current residency (prefill progress); reset by recompute.
    public var computedTokens: Int32 = 0
    /// KV blocks held on the GPU.
    public var blocks: Int32 = 0
    public var preemptions: Int32 = 0
    public var instance: Int16
    public var phase: RequestPhase = .waiting
    /// Whether the request's KV lives in CPU memory and its decode attention runs on the CPU (offloading).
    public var kvOnHost = false

    public init(arrivalNs: Int64, instance: Int16, promptTokens: Int32, outputTokens: Int32) {
        self.arrivalNs = arrivalNs
        self.instance = instance
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }

    /// Prompt plus generated tokens. A (re-)prefill computes KV for exactly this many tokens and then
    /// samples the next token; a decode step writes the KV of the newest token, after which the
    /// sequence's KV occupies exactly this many slots.
    @inlinable public var sequenceTokens: Int32 { promptTokens + generatedTokens }

    /// When the last token was generated, in nanoseconds (`-1` until the request finishes). The finishing
    /// token is the last one, so this is ``lastTokenNs`` once finished, and needs no field of its own.
    @inlinable public var finishNs: Int64 { phase == .finished ? lastTokenNs : -1 }

    /// The longest gap between two consecutive tokens so far, in microseconds (rounded down, saturating at about
    /// 71 minutes), as per-request rows have always stored it.
    public var maxTokenGapUs: UInt32 { UInt32(clamping: maxTokenGapNs / 1_000) }

    /// Time per output token of a finished request, as vLLM's `benchmark_serving` computes it: (end-to-end latency −
    /// time to first token) / (output tokens − 1), in nanoseconds rounded down. Nil for a request that has not
    /// finished or generated a single token, for which it is undefined.
    public var timePerOutputTokenNs: Int64? {
        guard phase == .finished, generatedTokens > 1 else { return nil }
        return (lastTokenNs - firstTokenNs) / Int64(generatedTokens - 1)
    }

    /// How the request's run ended (or `unfinished` while it is still going).
    public var outcome: RequestOutcome {
        switch phase {
        case .finished: return .finished
        case .rejected: return .rejected
        case .waiting, .prefilling, .decoding, .swapped: return .unfinished
        }
    }
}
