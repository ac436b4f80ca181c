import Foundation

/// A multi-turn session workload, as parsed from `arrivals: {kind: sessions, ...}` (see `WorkloadSpec+Sessions.swift`).
struct SessionSpec: Sendable, Equatable {
    /// How sessions begin.
    enum Start: Sendable, Equatable {
        /// New sessions at Poisson times, this many per second.
        case rate(Double)
        /// This many users, each starting a session at time 0 and a new one a think time after its last ends.
        case users(Int)
    }

    var start: Start
    /// Most turns (requests) of a session, at least 1.
    var turns: Int
    /// Mean think time between a turn's end and the next turn, in ns.
    var thinkMeanNs: Double
    /// Coefficient of variation of the think time: 0 fixed, 1 exponential, other values Gamma.
    var thinkCV: Double
    /// Tokens of the system prompt every session starts with (0 for none).
    var systemPromptTokens: Int32
    /// Sessions that share one system prompt: sessions k·n ..< (k + 1)·n use system prompt k.
    var usersPerSystemPrompt: Int
    /// Longest turn (prompt and output) of a session on each instance, in tokens: a turn that would be longer is not
    /// sent and its session ends.
    var maxContextTokens: [Int]
}

/// The sessions of one request stream: each open session's history, and what the next turn sends.
///
/// Turn k + 1 of a session sends the system prompt, every earlier turn's user message and output, and a new
/// message: segments `[(system, Lₛ), (msg₁, L₁), (out₁, O₁), …, (msgₖ₊₁, Lₖ₊₁)]`, where outᵢ is turn i's
/// ``RequestContent/output``. A session stays on the instance of its first turn. Memory: one entry per open
/// session, holding its segments (O(turns)); a turn costs O(turns) to build.
struct SessionBook: Sendable {
    private struct Session: Sendable {
        var instance: Int
        var turnsSent: Int
        /// The history: every segment the next turn's prompt starts with.
        var segments: [PromptSegment]
        /// Tokens of the history.
        var tokens: Int
    }

    /// What follows a turn's end.
    enum FollowUp: Equatable {
        /// Nothing: the session ended and no user starts another (or the request was not a session's turn).
        case none
        /// The session's next turn.
        case turn(RequestSpec)
        /// The session ended; its user starts a new session at this time.
        case newSession(at: SimTime)
    }

    let spec: SessionSpec
    private let ids: ContentIDs
    private var thinkRandom: RandomStream
    private var gamma: GammaSampler
    /// Open sessions by the output id of their latest turn.
    private var open: [UInt64: Session] = [:]
    private var sessionsStarted: UInt64 = 0
    /// Ids given to messages and outputs so far.
    private var tokenRuns: UInt64 = 0

    init(_ spec: SessionSpec, prefix: String, seed: UInt64) {
        self.spec = spec
        ids = ContentIDs(prefix: prefix)
        thinkRandom = RandomStream(seed: seed, name: "\(prefix).think")
        gamma = GammaSampler(shape: spec.thinkCV > 0 ? 1 / (spec.thinkCV * spec.thinkCV) : 1)
    }

    /// Sessions open now (started, last turn not yet ended).
    var openSessions: Int { open.count }

    /// The first turn of a new session, sent at `time` to `instance`.
    mutating func firstTurn(at time: SimTime, instance: Int, lengths: inout LengthSampler) -> RequestSpec {
        let index = sessionsStarted
        sessionsStarted += 1
        var session = Session(instance: instance, turnsSent: 0, segments: [], tokens: 0)
        if spec.systemPromptTokens > 0 {
            let prompt = ids.id(.sharedPrefix, index / UInt64(spec.usersPerSystemPrompt))
            session.segments.append(PromptSegment(content: prompt, tokens: spec.systemPromptTokens))
            session.tokens = Int(spec.systemPromptTokens)
        }
        var (message, output) = lengths.next(row: -1)
        // The loader keeps the system prompt below the limit; a longer first message is cut to fit an Int32 prompt.
        message = Int32(min(Int(message), RequestSpec.maxTokens - session.tokens))
        return turn(of: &session, message: message, output: output, at: time)
    }

    /// What follows the end (finish or rejection) at `end` of the request with `content`.
    mutating func ended(_ content: RequestContent, at end: SimTime, lengths: inout LengthSampler) -> FollowUp {
        guard var session = open.removeValue(forKey: content.output) else { return .none }
        guard let time = thinkTime(after: end) else { return .none }
        if session.turnsSent < spec.turns {
            let (message, output) = lengths.next(row: -1)
            let prompt = session.tokens + Int(message)
            if prompt <= RequestSpec.maxTokens, prompt + Int(output) <= spec.maxContextTokens[session.instance] {
                return .turn(turn(of: &session, message: message, output: output, at: time))
            }
        }
        if case .users = spec.start { return .newSession(at: time) }
        return .none
    }

    /// Sends the next turn of `session` with a message and an output of these lengths, and records it as open.
    private mutating func turn(of session: inout Session, message: Int32, output: Int32, at time: SimTime) -> RequestSpec {
        let messageId = ids.id(.message, tokenRuns)
        let outputId = ids.id(.output, tokenRuns)
        tokenRuns += 1
        session.segments.append(PromptSegment(content: messageId, tokens: message))
        let content = RequestContent(segments: session.segments, output: outputId)
        let prompt = Int32(session.tokens + Int(message))
        session.segments.append(PromptSegment(content: outputId, tokens: output))
        session.tokens += Int(message) + Int(output)
        session.turnsSent += 1
        open[outputId] = session
        return RequestSpec(arrival: time, instance: session.instance, promptTokens: prompt, outputTokens: output, content: content)
    }

    /// `end` plus a think time drawn as the spec says; nil when time would overflow.
    private mutating func thinkTime(after end: SimTime) -> SimTime? {
        let gapNs: Double
        if spec.thinkCV == 0 {
            gapNs = spec.thinkMeanNs
        } else if spec.thinkCV == 1 {
            gapNs = -log(thinkRandom.nextOpenUnit()) * spec.thinkMeanNs
        } else {
            gapNs = gamma.next(using: &thinkRandom) * spec.thinkMeanNs * spec.thinkCV * spec.thinkCV
        }
        let (timeNs, overflow) = end.ns.addingReportingOverflow(Int64(min(gapNs, 1e18).rounded()))
        return overflow ? nil : SimTime(ns: timeNs)
    }
}
