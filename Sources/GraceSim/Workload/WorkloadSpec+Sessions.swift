/// Reading `arrivals: {kind: sessions, ...}`: multi-turn conversations that share system prompts.
///
/// ```yaml
/// arrivals:
///   kind: sessions
///   session_rate: 0.5            # new sessions per second, Poisson; or
///   users: 16                    # concurrent users (also num_clients), each running one session after another
///   turns: 4                     # turns (requests) per session, 1 to 10,000
///   think_time_s: 5              # mean seconds from a turn's end to the next turn; default 0
///   think_time_cv: 1             # 1 exponential (default), 0 fixed, 0.01 to 100 Gamma
///   system_prompt_len: 1024      # tokens of the system prompt every session starts with; default 0
///   users_per_system_prompt: 8   # sessions that share one system prompt; default 1
///   max_context: 8192            # longest turn, prompt plus output, in tokens; default each instance's context
/// lengths: {kind: uniform, prompt: [64, 256], output: [64, 512]}   # each turn's new user message and its output
/// ```
/// Turn k + 1's prompt is the system prompt, every earlier turn's message and output, and a new message drawn from
/// `lengths` (whose `prompt` is thus the message, not the whole prompt); its output is drawn from `lengths` too.
/// The next turn is sent a think time after the previous one ends (finishes, or is rejected), as vLLM's multi-turn
/// benchmark does; a session stays on the instance of its first turn. A session ends after `turns` turns, or
/// earlier when its next turn's prompt plus output would exceed `max_context` (that turn is not sent); a first turn
/// is always sent. With `users`, a user starts its next session a think time after its last one ended; with
/// `session_rate`, sessions start at Poisson times whatever else runs. Sessions k·n to (k + 1)·n − 1 (in the order
/// they start) share system prompt k, n being `users_per_system_prompt`. Like every synthetic workload, sessions
/// need `max_requests` or `duration_s` to end.
extension WorkloadSpec {
    /// Most turns of a session: a turn's prompt holds every earlier turn, so the history is O(turns²) segments.
    static let maxTurns = 10_000

    /// Think-time coefficients of variation other than 0 (fixed) and 1 (exponential): those of a Gamma process.
    static let thinkCVs = gammaCVs

    /// The sessions of `o` (the `arrivals:` object, kind already read); `contextTokens` is each instance's
    /// longest sequence.
    static func loadSessions(_ o: ConfigObject, contextTokens: [Int]) throws -> SessionSpec {
        let rateNode = o.optional("session_rate")
        let usersKey = try o.spelling("users", or: "num_clients")
        let start: SessionSpec.Start
        switch (rateNode, o.optional(usersKey)) {
        case (nil, nil):
            throw o.node.error("expected session_rate (new sessions per second) or users (concurrent users)")
        case (.some, .some):
            throw try o.required(usersKey).error("session_rate and users are two ways to start sessions; give only one of them")
        case (.some, nil):
            start = .rate(try o.positiveDouble("session_rate"))
        case (nil, .some):
            start = .users(try o.positiveInt(usersKey, atMost: maxClients))
        }
        let turns = try o.positiveInt("turns", atMost: maxTurns)
        let thinkMean = try o.double("think_time_s", in: 0...ConfigObject.maxSeconds, default: 0)
        let thinkCV = try o.optional("think_time_cv").map { node -> Double in
            let cv = try node.double()
            guard cv == 0 || thinkCVs.contains(cv) else {
                throw node.error("expected 0 (a fixed think time), 1 (exponential) or a Gamma cv from \(thinkCVs.lowerBound) to \(thinkCVs.upperBound), found \(cv)")
            }
            return cv
        } ?? 1
        let systemNode = o.optional("system_prompt_len")
        let system = try systemNode.map { node -> Int in
            let tokens = try node.int()
            guard tokens >= 0, tokens <= RequestSpec.maxTokens else {
                throw node.error("expected a token count from 0 to \(RequestSpec.maxTokens), found \(tokens)")
            }
            return tokens
        } ?? 0
        let perPrompt = try o.positiveInt("users_per_system_prompt", default: 1, atMost: maxRequestsLimit)
        var limits = contextTokens.map { min($0, RequestSpec.maxTokens) }
        if let node = o.optional("max_context") {
            let tokens = try node.int()
            guard tokens >= 2, tokens <= RequestSpec.maxTokens else {
                throw node.error("expected a context of 2 to \(RequestSpec.maxTokens) tokens (a turn's prompt plus output), found \(tokens)")
            }
            limits = limits.map { _ in tokens }
        }
        // A first turn holds the system prompt, a message and an output of at least a token each.
        if let shortest = limits.min(), system + 2 > shortest {
            let key = o.optional("max_context") ?? systemNode ?? o.node
            throw key.error("a system_prompt_len of \(system) tokens leaves no room for a message and an output in a context of \(shortest) tokens; expected a system prompt of at most \(shortest - 2) tokens or a longer max_context")
        }
        return SessionSpec(start: start, turns: turns, thinkMeanNs: thinkMean * 1e9, thinkCV: thinkCV,
                           systemPromptTokens: Int32(system), usersPerSystemPrompt: perPrompt, maxContextTokens: limits)
    }
}
