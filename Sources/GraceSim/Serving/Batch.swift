/// The requests of one iteration and what each does in it.
///
/// Kept as parallel arrays that are cleared and refilled each step, so scheduling allocates nothing
/// once the arrays have grown to the largest batch.
public struct Batch: Sendable {
    /// Request ids in the batch.
    public private(set) var ids: [Int32] = []
    /// For each request: prompt tokens computed this step (a prefill chunk), or 0 for a decode step.
    public private(set) var prefillChunks: [Int32] = []
    /// The batch's work summarised for the time model.
    public var shape = BatchShape()
    /// KV blocks swapped out to CPU memory by preemptions while this step was scheduled.
    public internal(set) var swapOutBlocks = 0
    /// KV blocks swapped back in for requests that resume in this step.
    public internal(set) var swapInBlocks = 0
    /// KV blocks moved to CPU memory for requests whose attention moves to the CPU in this step.
    public internal(set) var movedToHostBlocks = 0

    public init() {}

    public var isEmpty: Bool { ids.isEmpty }
    public var count: Int { ids.count }

    mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        prefillChunks.removeAll(keepingCapacity: true)
        shape = BatchShape()
        swapOutBlocks = 0
        swapInBlocks = 0
        movedToHostBlocks = 0
    }

    /// Whether the step has any work: requests to run, or swaps to perform.
    public var hasWork: Bool { !ids.isEmpty || swapOutBlocks > 0 || swapInBlocks > 0 || movedToHostBlocks > 0 }

    /// Adds a decode step of a sequence whose KV, after the step, holds `contextTokens` tokens.
    mutating func addDecode(_ id: Int32, contextTokens: Int32) {
        ids.append(id)
        prefillChunks.append(0)
        shape.decodeSequences += 1
        shape.decodeContextTokens += Int(contextTokens)
        shape.sampledSequences += 1
    }

    /// Adds a decode step of a sequence whose KV is in CPU memory and whose attention runs on the CPU.
    mutating func addHostDecode(_ id: Int32, contextTokens: Int32) {
        ids.append(id)
        prefillChunks.append(0)
        shape.hostDecodeSequences += 1
        shape.hostDecodeContextTokens += Int(contextTokens)
        shape.sampledSequences += 1
    }

    /// Adds a prefill chunk of `chunk` tokens after `priorTokens` already computed; `samples` when the
    /// chunk completes the sequence's prefill.
    mutating func addPrefill(_ id: Int32, chunk: Int32, priorTokens: Int32, samples: Bool) {
        ids.append(id)
        prefillChunks.append(chunk)
        shape.prefillTokens += Int(chunk)
        shape.prefillSequences += 1
        let pairs = Double(chunk) * (Double(priorTokens) + Double(chunk + 1) / 2)
        shape.prefillAttentionPairs += pairs
        if Int(chunk) > shape.largestPrefillChunk {
            shape.largestPrefillChunk = Int(chunk)
            shape.largestPrefillChunkPairs = pairs
        }
        if samples { shape.sampledSequences += 1 }
    }
}
