/// A run of prompt tokens with one identity, for prefix caching: equal `content` means equal tokens.
public struct PromptSegment: Sendable, Hashable {
    /// Identity of the tokens (a hash of them, a trace's `hash_ids` entry, or a generator's id).
    public var content: UInt64
    /// Tokens in the run (at least 1).
    public var tokens: Int32

    public init(content: UInt64, tokens: Int32) {
        self.content = content
        self.tokens = tokens
    }
}

/// What a request's tokens are, as far as prefix caching can tell: its prompt as segments, and the identity of the
/// tokens it will generate (so that a later turn of a conversation, whose prompt repeats them, shares their KV).
///
/// Two requests share the KV of a block when every token up to the block's end is equal, so the segments must
/// start at the prompt's first token. Prompt tokens past the last segment are the request's own.
public struct RequestContent: Sendable, Equatable {
    /// The prompt's leading runs, in order; their tokens add up to at most the prompt's length.
    public var segments: [PromptSegment]
    /// Identity of the request's generated tokens; a later prompt that repeats them uses a segment with this id.
    public var output: UInt64

    public init(segments: [PromptSegment], output: UInt64) {
        self.segments = segments
        self.output = output
    }
}
