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

    /// `prefillSequences` defaults to one chunk when there are prefill tokens.
    public init(prefillTokens: Int = 0, prefillSequences: Int? = nil, prefillAttentionPairs: Double = 0,
                decodeSequences: Int = 0, decodeContextTokens: Int = 0, sampledSequences: Int = 0,
                hostDecodeSequences: Int = 0, hostDecodeContextTokens: Int = 0) {
        self.prefillTokens = prefillTokens
        self.prefillSequences = prefillSequences ?? (prefillTokens > 0 ? 1 : 0)
        self.prefillAttentionPairs = prefillAttentionPairs
        self.decodeSequences = decodeSequences
        self.decodeContextTokens = decodeContextTokens
        self.sampledSequences = sampledSequences
        self.hostDecodeSequences = hostDecodeSequences
        self.hostDecodeContextTokens = hostDecodeContextTokens
    }

    /// Tokens that run through the layers this iteration.
    public var totalTokens: Int { prefillTokens + decodeSequences + hostDecodeSequences }

    /// One of `ranks` data-parallel ranks' share of this batch, every rank taking an even share: counts divided and
    /// rounded up (the largest rank's, to which vLLM pads the others), sums divided. The batch itself for one rank.
    public func rankShare(of ranks: Int) -> BatchShape {
        guard ranks > 1 else { return self }
        func share(_ count: Int) -> Int { (count + ranks - 1) / ranks }
        let r = Double(ranks)
        return BatchShape(prefillTokens: share(prefillTokens), prefillSequences: share(prefillSequences),
                          prefillAttentionPairs: prefillAttentionPairs / r, decodeSequences: share(decodeSequences),
                          decodeContextTokens: share(decodeContextTokens), sampledSequences: share(sampledSequences),
                          hostDecodeSequences: share(hostDecodeSequences), hostDecodeContextTokens: share(hostDecodeContextTokens))
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
