/// Where prompt and output lengths come from, as parsed from `lengths:`.
enum LengthSpec: Sendable {
    /// Every request has the same lengths, in tokens.
    case fixed(prompt: Int32, output: Int32)
    /// Each length uniform over an inclusive range of tokens, drawn independently.
    case uniform(prompt: ClosedRange<Int32>, output: ClosedRange<Int32>)
    /// A row of a length file drawn uniformly at random (prompt and output stay paired).
    case table(LengthTable)
    /// The rows of a length file in an order shuffled with the seed, each once, then again in the same order
    /// (vLLM's benchmark: shuffle the dataset, take requests in order).
    case shuffledTable(LengthTable)
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

/// Draws the lengths of one request stream. O(1) per request, no allocation (shuffled rows: one permutation of
/// the rows, 4 bytes each, made when the sampler is).
struct LengthSampler: Sendable {
    private enum Kind {
        case fixed(prompt: Int32, output: Int32)
        case uniform(promptLow: Int32, promptWidth: Int, outputLow: Int32, outputWidth: Int)
        case rows(prompt: [Int32], output: [Int32])
        /// Rows in the order `order`, a permutation of the row indices.
        case shuffledRows(prompt: [Int32], output: [Int32], order: [Int32])
        case traceRows(prompt: [Int32], output: [Int32])
    }

    private let kind: Kind
    private let clip: LengthClip
    private var random: RandomStream
    /// Shuffled rows: the position in `order` of the next request.
    private var cursor = 0

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
        case let .shuffledTable(table):
            // Fisher–Yates over the row indices with this stream's generator.
            var stream = random
            var order = (0..<Int32(table.count)).map { $0 }
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, stream.nextInt(below: index + 1))
            }
            self.random = stream
            kind = .shuffledRows(prompt: table.promptTokens, output: table.outputTokens, order: order)
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
        case let .shuffledRows(prompts, outputs, order):
            let index = Int(order[cursor])
            cursor = cursor + 1 == order.count ? 0 : cursor + 1
            return clip.clip(prompt: prompts[index], output: outputs[index])
        case let .traceRows(prompts, outputs):
            return clip.clip(prompt: prompts[row], output: outputs[row])
        }
    }
}
