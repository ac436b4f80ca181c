/// Where prompt and output lengths come from, as parsed from `lengths:`.
enum LengthSpec: Sendable {
    /// Every request has the same lengths, in tokens.
    case fixed(prompt: Int32, output: Int32)
    /// Each length uniform over an inclusive range of tokens, drawn independently.
    case uniform(prompt: ClosedRange<Int32>, output: ClosedRange<Int32>)
    /// A row of a length file drawn uniformly at random (prompt and output stay paired).
    case table(LengthTable)
    /// Each request keeps the lengths its trace gives it (arrivals must be a trace).
    case trace
}

/// Bounds applied to every drawn length: values outside are clipped to the nearest bound. Tokens.
struct LengthClip: Sendable, Equatable {
    var minPrompt: Int32 = 1
    var maxPrompt: Int32 = .max
    var minOutput: Int32 = 1
    var maxOutput: Int32 = .max

    @inline(__always)
    func clip(prompt: Int32, output: Int32) -> (Int32, Int32) {
        (min(max(prompt, minPrompt), maxPrompt), min(max(output, minOutput), maxOutput))
    }
}

/// Draws the lengths of one request stream. O(1) per request, no allocation.
struct LengthSampler: Sendable {
    private enum Kind {
        case fixed(prompt: Int32, output: Int32)
        case uniform(promptLow: Int32, promptWidth: Int, outputLow: Int32, outputWidth: Int)
        case rows(prompt: [Int32], output: [Int32])
        case traceRows(prompt: [Int32], output: [Int32])
    }

    private let kind: Kind
    private let clip: LengthClip
    private var random: RandomStream

    /// A sampler for `spec`; `trace` is the stream's trace when its arrivals replay one.
    init(_ spec: LengthSpec, clip: LengthClip, trace: TraceTable?, random: RandomStream) {
        self.clip = clip
        self.random = random
        switch spec {
        case let .fixed(prompt, output):
            kind = .fixed(prompt: prompt, output: output)
        case let .uniform(prompt, output):
            kind = .uniform(promptLow: prompt.lowerBound, promptWidth: Int(prompt.upperBound - prompt.lowerBound) + 1,
                            outputLow: output.lowerBound, outputWidth: Int(output.upperBound - output.lowerBound) + 1)
        case let .table(table):
            kind = .rows(prompt: table.promptTokens, output: table.outputTokens)
        case .trace:
            // The loader guarantees a trace; an empty one yields no arrivals, so no row is ever read.
            kind = .traceRows(prompt: trace?.promptTokens ?? [], output: trace?.outputTokens ?? [])
        }
    }

    /// Prompt and output tokens of the next request; `row` is its trace row (ignored unless lengths come
    /// from the trace).
    @inline(__always)
    mutating func next(row: Int) -> (prompt: Int32, output: Int32) {
        switch kind {
        case let .fixed(prompt, output):
            return clip.clip(prompt: prompt, output: output)
        case let .uniform(promptLow, promptWidth, outputLow, outputWidth):
            let prompt = promptLow + Int32(truncatingIfNeeded: random.nextInt(below: promptWidth))
            let output = outputLow + Int32(truncatingIfNeeded: random.nextInt(below: outputWidth))
            return clip.clip(prompt: prompt, output: output)
        case let .rows(prompts, outputs):
            let index = random.nextInt(below: prompts.count)
            return clip.clip(prompt: prompts[index], output: outputs[index])
        case let .traceRows(prompts, outputs):
            return clip.clip(prompt: prompts[row], output: outputs[row])
        }
    }
}
