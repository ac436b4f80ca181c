/// The work of one iteration of one model instance, summarised so its time is O(1) to compute.
///
/// Counts are tokens or sequences; `prefillAttentionPairs` is a count of query–key pairs.
public struct BatchShape: Sendable, Equatable {
    /// New prompt tokens processed this iteration, over all prefill chunks.
    public var prefillTokens: Int
    /// Prefill chunks this iteration (one per sequence that prefills).
    public var prefillSequences: Int
    /// Σ over prefill chunks of chunk × (priorContext + (chunk + 1) / 2): the query–key pairs under causal masking.
    public var prefillAttentionPairs: Double
    /// Sequences decoding one token.
    public var decodeSequences: Int
    /// Σ of the decode sequences' context lengths: the tokens whose KV is read.
    public var decodeContextTokens: Int
    /// Sequences that produce a token: decodes plus prefills that finish their prompt.
    public var sampledSequences: Int
    /// Decoding sequences whose KV is in CPU memory and whose attention runs on the CPU (offloading):
    /// their tokens run through the GPU's linear layers, their attention is not in the GPU's time.
    public var hostDecodeSequences: Int
    /// Σ of the host-attention sequences' context lengths.
    public var hostDecodeContextTokens: Int
    /// The largest prefill chunk's tokens and its query–key pairs: under data parallelism a chunk runs whole on its
    /// request's rank, so the busiest rank has at least this chunk.
    public var largestPrefillChunk: Int
    public var largestPrefillChunkPairs: Double

    /// `prefillSequences` defaults to one chunk when there are prefill tokens; the largest chunk defaults to that one
    /// chunk (all the prefill tokens and pairs) when there is one, else to none.
    public init(prefillTokens: Int = 0, prefillSequences: Int? = nil, prefillAttentionPairs: Double = 0,
                decodeSequences: Int = 0, decodeContextTokens: Int = 0, sampledSequences: Int = 0,
                hostDecodeSequences: Int = 0, hostDecodeContextTokens: Int = 0,
                largestPrefillChunk: Int? = nil, largestPrefillChunkPairs: Double? = nil) {
        self.prefillTokens = prefillTokens
        self.prefillSequences = prefillSequences ?? (prefillTokens > 0 ? 1 : 0)
        self.prefillAttentionPairs = prefillAttentionPairs
        self.decodeSequences = decodeSequences
        self.decodeContextTokens = decodeContextTokens
        self.sampledSequences = sampledSequences
        self.hostDecodeSequences = hostDecodeSequences
        self.hostDecodeContextTokens = hostDecodeContextTokens
        let oneChunk = self.prefillSequences == 1
        self.largestPrefillChunk = largestPrefillChunk ?? (oneChunk ? prefillTokens : 0)
        self.largestPrefillChunkPairs = largestPrefillChunkPairs ?? (oneChunk ? prefillAttentionPairs : 0)
    }

    /// Tokens that run through the layers this iteration.
    public var totalTokens: Int { prefillTokens + decodeSequences + hostDecodeSequences }

    /// The busiest of `ranks` data-parallel ranks' share of this batch. Decodes are spread evenly (counts divided and
    /// rounded up: the largest rank's, to which vLLM pads the others; sums divided). A prefill chunk runs whole on
    /// its request's rank, so the busiest rank prefills at least the largest chunk and at least an even share:
    /// max(largest chunk, ⌈prefill tokens / ranks⌉) tokens, and likewise for the attention pairs (exact for one chunk
    /// and for chunks that split evenly; otherwise the busiest rank's prefill is bounded below, not known, since which
    /// chunks share a rank is not simulated). The batch itself for one rank.
    public func rankShare(of ranks: Int) -> BatchShape {
        guard ranks > 1 else { return self }
        func share(_ count: Int) -> Int { (count + ranks - 1) / ranks }
        let r = Double(ranks)
        let prefill = max(largestPrefillChunk, share(prefillTokens))
        let pairs = max(largestPrefillChunkPairs, prefillAttentionPairs / r)
        return BatchShape(prefillTokens: prefill, prefillSequences: share(prefillSequences),
                          prefillAttentionPairs: pairs, decodeSequences: share(decodeSequences),
                          decodeContextTokens: share(decodeContextTokens), sampledSequences: share(sampledSequences),
                          hostDecodeSequences: share(hostDecodeSequences), hostDecodeContextTokens: share(hostDecodeContextTokens),
                          largestPrefillChunk: largestPrefillChunk, largestPrefillChunkPairs: largestPrefillChunkPairs)
    }

    /// Query–key pairs of one prefill chunk of `chunkTokens` new tokens after `priorContextTokens` already cached,
    /// under causal masking: chunk × (prior + (chunk + 1) / 2).
    @inlinable public static func attentionPairs(chunkTokens: Int, priorContextTokens: Int) -> Double {
        Double(chunkTokens) * (Double(priorContextTokens) + Double(chunkTokens + 1) / 2)
    }

    /// A batch of decodes only: `sequences` each reading `contextTokens` tokens of KV, each sampling one token.
    public static func decode(sequences: Int, contextTokens: Int) -> BatchShape {
        BatchShape(decodeSequences: sequences, decodeContextTokens: sequences * contextTokens,
                   sampledSequences: sequences)
    }

    /// One whole prompt of `tokens` tokens prefilled from empty, sampling its first token.
    public static func prefill(tokens: Int) -> BatchShape {
        BatchShape(prefillTokens: tokens,
                   prefillAttentionPairs: attentionPairs(chunkTokens: tokens, priorContextTokens: 0),
                   sampledSequences: tokens > 0 ? 1 : 0)
    }
}
