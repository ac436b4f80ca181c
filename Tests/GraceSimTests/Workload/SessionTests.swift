import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Multi-turn sessions that share system prompts: each turn's prompt repeats the session's history.
@Suite struct SessionTests {
    /// A one-instance workload of sessions with fixed lengths (message 100, output 20) and these arrival keys.
    static func sessions(_ keys: String, requests: Int = 100) throws -> WorkloadSpec {
        try WorkloadFixtures.spec("""
            workload:
              max_requests: \(requests)
              arrivals: {kind: sessions, \(keys)}
              lengths: {kind: fixed, prompt: 100, output: 20}
            """)
    }

    /// Worked by hand: system prompt 1000, messages 100, outputs 20, a fixed think time of 0.5 s. Turn 2 is
    /// 1000 + 100 + 20 + 100 = 1220 tokens, turn 3 1340; each is sent 0.5 s after the previous turn ends.
    @Test func eachTurnRepeatsTheHistoryAfterAThinkTime() throws {
        var generator = try Self.sessions("users: 1, turns: 3, think_time_s: 0.5, think_time_cv: 0, system_prompt_len: 1000")
            .makeGenerator(seed: 1)
        #expect(generator.isClosedLoop && generator.needsEndedContent)
        let firstSpec = generator.next()
        let first = try #require(firstSpec)
        #expect(generator.next() == nil, "one user: one first turn")
        #expect(first.arrival == .zero && first.promptTokens == 1100 && first.outputTokens == 20)
        let c1 = try #require(first.content)
        #expect(c1.segments.map(\.tokens) == [1000, 100])

        let secondSpec = generator.next(afterRequestOn: 0, endedAt: .seconds(2), content: c1)
        let second = try #require(secondSpec)
        #expect(second.arrival == .seconds(2.5) && second.promptTokens == 1220)
        let c2 = try #require(second.content)
        #expect(c2.segments.map(\.tokens) == [1000, 100, 20, 100])
        #expect(Array(c2.segments.prefix(2)) == c1.segments)
        #expect(c2.segments[2].content == c1.output)

        let thirdSpec = generator.next(afterRequestOn: 0, endedAt: .seconds(4), content: c2)
        let third = try #require(thirdSpec)
        #expect(third.arrival == .seconds(4.5) && third.promptTokens == 1340)
        let c3 = try #require(third.content)
        #expect(Array(c3.segments.prefix(4)) == c2.segments && c3.segments[4].content == c2.output)
        #expect(c3.segments.map(\.tokens) == [1000, 100, 20, 100, 20, 100])
        #expect(Set([c1.output, c2.output, c3.output] + c3.segments.map(\.content)).count == 7)

        // The user's next session: a new system prompt (one user per system prompt), history from scratch.
        let nextSpec = generator.next(afterRequestOn: 0, endedAt: .seconds(6), content: c3)
        let next = try #require(nextSpec)
        #expect(next.arrival == .seconds(6.5) && next.promptTokens == 1100)
        #expect(next.content!.segments.map(\.tokens) == [1000, 100])
        #expect(next.content!.segments[0].content != c1.segments[0].content)
        // An end the book does not know (ended twice, or not a session's) brings nothing.
        #expect(generator.next(afterRequestOn: 0, endedAt: .seconds(7), content: c3) == nil)
        #expect(generator.next(afterRequestOn: 0, endedAt: .seconds(7)) == nil)
    }

    @Test func sessionsShareASystemPromptInGroups() throws {
        var generator = try Self.sessions("users: 5, turns: 2, system_prompt_len: 64, users_per_system_prompt: 2").makeGenerator(seed: 1)
        let systems = (0..<5).map { _ in generator.next()!.content!.segments[0].content }
        #expect(systems[0] == systems[1] && systems[2] == systems[3])
        #expect(Set(systems).count == 3)
    }

    /// max_context 1300: turn 1 (1100 + 20) and turn 2 (1220 + 20) fit, turn 3 (1340 + 20) does not, so the
    /// session ends; its user starts a new one, but sessions at a rate just end.
    @Test func aSessionStopsBeforeATurnBeyondMaxContext() throws {
        for (start, expectsNewSession) in [("users: 1", true), ("session_rate: 1", false)] {
            var generator = try Self.sessions("\(start), turns: 5, think_time_s: 1, think_time_cv: 0, system_prompt_len: 1000, max_context: 1300")
                .makeGenerator(seed: 1)
            let firstSpec = generator.next()
            let first = try #require(firstSpec)
            let secondSpec = generator.next(afterRequestOn: 0, endedAt: first.arrival + .seconds(1), content: first.content)
            let second = try #require(secondSpec)
            #expect(second.promptTokens == 1220)
            let after = generator.next(afterRequestOn: 0, endedAt: second.arrival + .seconds(1), content: second.content)
            #expect((after?.promptTokens == 1100) == expectsNewSession, "\(start)")
            #expect((after == nil) == !expectsNewSession, "\(start)")
        }
    }

    @Test func theModelsContextIsTheDefaultLimit() throws {
        let experiment = try ClosedLoopTests.experiment("""
            max_requests: 10
            arrivals: {kind: sessions, users: 1, turns: 9, system_prompt_len: 7000}
            lengths: {kind: fixed, prompt: 500, output: 100}
            """)
        let context = experiment.instances[0].contextTokens
        guard case let .sessions(spec) = experiment.workload.sources[0].arrivals else { Issue.record("not sessions"); return }
        #expect(spec.maxContextTokens == [context])
    }

    /// In a run, every later turn arrives exactly the think time after the turn whose output it repeats ended.
    @Test func inARunEachTurnFollowsTheEndOfThePrevious() throws {
        let simulator = try Simulator(experiment: ClosedLoopTests.experiment("""
            max_requests: 40
            arrivals: {kind: sessions, users: 3, turns: 4, think_time_s: 0.25, think_time_cv: 0, system_prompt_len: 512}
            lengths: {kind: uniform, prompt: [50, 150], output: [10, 40]}
            """))
        let report = simulator.run()
        #expect(report.overall.requests.finished == 40)
        let states = simulator.requests.states
        let contents = simulator.requests.contents
        #expect(contents.count == 40)
        var byOutput: [UInt64: Int] = [:]
        for (id, content) in contents { byOutput[content.output] = Int(id) }
        var laterTurns = 0
        for (id, content) in contents where content.segments.count > 2 {
            let previous = try #require(byOutput[content.segments[content.segments.count - 2].content])
            #expect(states[Int(id)].arrivalNs == states[previous].finishNs + 250_000_000, "request \(id)")
            #expect(Int(states[Int(id)].promptTokens) == content.segmentTokens)
            laterTurns += 1
        }
        #expect(laterTurns >= 20)
        #expect(simulator.invariantViolations.isEmpty)
    }

    @Test func sameSeedSameRun() throws {
        let workload = """
            max_requests: 60
            arrivals: {kind: sessions, session_rate: 4, turns: 3, think_time_s: 0.5, system_prompt_len: 300, users_per_system_prompt: 4}
            lengths: {kind: uniform, prompt: [20, 200], output: [5, 60]}
            """
        func run(_ seed: Int) throws -> [RequestState] {
            let simulator = try Simulator(experiment: ClosedLoopTests.experiment(workload, seed: seed))
            _ = simulator.run()
            return Array(simulator.requests.states)
        }
        let first = try run(3)
        #expect(first.count == 60)
        #expect(first.map(\.arrivalNs) == (try run(3)).map(\.arrivalNs))
        #expect(first.map(\.promptTokens) == (try run(3)).map(\.promptTokens))
        #expect(first.map(\.arrivalNs) != (try run(4)).map(\.arrivalNs))
    }

    /// A rejected turn ends like a finished one: the next turn follows it (here every turn is rejected for its
    /// length, each sent the think time after the one before).
    @Test func aRejectedTurnIsFollowedToo() throws {
        let simulator = try Simulator(experiment: ClosedLoopTests.experiment("""
            max_requests: 4
            arrivals: {kind: sessions, users: 1, turns: 4, think_time_s: 1, think_time_cv: 0, max_context: 100000000}
            lengths: {kind: fixed, prompt: 200000, output: 10}
            """))
        _ = simulator.run()
        #expect(simulator.requests.states.map(\.arrivalNs) == [0, 1_000_000_000, 2_000_000_000, 3_000_000_000])
        #expect(simulator.requests.states.allSatisfy { $0.phase == .rejected })
    }

    @Test func exponentialThinkTimesHaveTheirMean() throws {
        // One turn per session: each end starts the user's next session a think time later.
        var book = SessionBook(SessionSpec(start: .users(1), turns: 1, thinkMeanNs: 2e9, thinkCV: 1, systemPromptTokens: 0,
                                           usersPerSystemPrompt: 1, maxContextTokens: [RequestSpec.maxTokens]),
                               prefix: "t", seed: 9)
        var lengths = LengthSampler(.fixed(prompt: 1, output: 1), clip: LengthClip(), trace: nil, random: RandomStream(seed: 1, name: "l"))
        var turn = book.firstTurn(at: .zero, instance: 0, lengths: &lengths)
        var gaps: [Double] = []
        for _ in 0..<20_000 {
            guard case let .newSession(time) = book.ended(turn.content!, at: turn.arrival, lengths: &lengths) else {
                Issue.record("expected a new session")
                return
            }
            gaps.append(Double((time - turn.arrival).ns))
            turn = book.firstTurn(at: time, instance: 0, lengths: &lengths)
        }
        let (mean, cv) = ArrivalProcessTests.meanAndCV(gaps)
        #expect(abs(mean / 2e9 - 1) < 0.03, "mean \(mean)")
        #expect(abs(cv - 1) < 0.03, "cv \(cv)")
        #expect(book.openSessions == 1)
    }
}
