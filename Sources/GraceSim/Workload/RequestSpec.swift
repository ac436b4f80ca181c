/// One request as the workload generates it: when it arrives, which model instance it goes to, and its lengths.
///
/// Times are simulated nanoseconds from the start of the run; token counts are already clipped to the
/// workload's `min_*`/`max_*` bounds, so both are at least 1.
public struct RequestSpec: Sendable, Equatable {
    /// When the request reaches the serving system.
    public var arrival: SimTime
    /// Index of the model instance that serves it (`0..<instanceCount`).
    public var instance: Int
    /// Prompt (prefill) length in tokens.
    public var promptTokens: Int32
    /// Number of tokens to generate (decode steps), in tokens.
    public var outputTokens: Int32
    /// What the tokens are, for prefix caching; nil when the workload does not say (every token unique).
    public var content: RequestContent?

    /// The longest prompt or output a workload may give, in tokens: 10⁸, far beyond any model's context, so
    /// that a prompt plus an output still fits in Int32.
    public static let maxTokens = 100_000_000

    @inlinable
    public init(arrival: SimTime, instance: Int, promptTokens: Int32, outputTokens: Int32, content: RequestContent? = nil) {
        self.arrival = arrival
        self.content = content
        self.instance = instance
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }
}
