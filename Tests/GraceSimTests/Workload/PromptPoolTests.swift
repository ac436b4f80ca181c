import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Prompts that repeat as benchmarks make them: vLLM's random dataset's common prefix, aiperf's prompt pool.
@Suite struct PromptPoolTests {
    static func workload(_ lengths: String, requests: Int = 12) throws -> WorkloadSpec {
        try WorkloadFixtures.spec("workload: {max_requests: \(requests), arrivals: {kind: poisson, rate: 10}, lengths: \(lengths)}")
    }

    /// Every prompt starts with the same 100 tokens, the rest its own; the lengths are those without a prefix
    /// plus 100, drawn exactly as before.
    @Test func prefixLenIsOneSharedSegment() throws {
        let requests = WorkloadFixtures.requests(try Self.workload("{kind: random, input_len: 50, output_len: 8, range_ratio: 0.5, random_prefix_len: 100}"))
        let plain = WorkloadFixtures.requests(try Self.workload("{kind: random, input_len: 50, output_len: 8, range_ratio: 0.5}"))
        #expect(requests.map(\.promptTokens) == plain.map { $0.promptTokens + 100 })
        #expect(plain.allSatisfy { $0.content == nil })
        let prefixes = Set(requests.map { $0.content!.segments })
        #expect(prefixes.count == 1 && prefixes.first!.map(\.tokens) == [100])
        #expect(Set(requests.map { $0.content!.output }).count == requests.count)
    }

    @Test func aPromptClippedShorterThanThePrefixIsAllPrefix() throws {
        let requests = WorkloadFixtures.requests(try Self.workload("{kind: random, input_len: 50, prefix_len: 100, max_prompt: 80}"))
        #expect(requests.allSatisfy { $0.promptTokens == 80 && $0.content!.segments.map(\.tokens) == [80] })
    }

    /// Sequential: request i takes prompt i mod 5, with that prompt's length every time; outputs are drawn per request.
    @Test func aPoolReusesItsPromptsInTurn() throws {
        let requests = WorkloadFixtures.requests(try Self.workload("{kind: uniform, prompt: [10, 1000], output: [1, 500], num_dataset_entries: 5}"))
        #expect(requests.count == 12)
        for (index, request) in requests.enumerated() {
            let content = try #require(request.content)
            #expect(content.segments.count == 1 && Int(content.segments[0].tokens) == Int(request.promptTokens))
            let twin = requests[index % 5]
            #expect(content.segments == twin.content!.segments && request.promptTokens == twin.promptTokens)
        }
        #expect(Set(requests.prefix(5).map { $0.content!.segments[0].content }).count == 5)
        #expect(Set(requests.map(\.outputTokens)).count > 5, "outputs are each request's own")
    }

    @Test func aRandomPoolDrawsFromItsPromptsAndIsDeterministic() throws {
        let yaml = "{kind: fixed, prompt: 300, output: 4, num_dataset_entries: 3, dataset_sampling_strategy: random}"
        let requests = WorkloadFixtures.requests(try Self.workload(yaml, requests: 200))
        let ids = requests.map { $0.content!.segments[0].content }
        #expect(Set(ids).count == 3)
        #expect(ids.prefix(3) != ids.prefix(6).suffix(3) || Set(ids.prefix(3)).count < 3, "not simply in turn")
        #expect(requests == WorkloadFixtures.requests(try Self.workload(yaml, requests: 200)))
        #expect(requests.map(\.arrival) == WorkloadFixtures.requests(try Self.workload("{kind: fixed, prompt: 300, output: 4}", requests: 200)).map(\.arrival))
    }

    /// Shuffle (aiperf's default for synthetic prompts): every round of N requests uses each of the N prompts once, in
    /// an order of its own; the same seed gives the same order.
    @Test func aShuffledPoolUsesEachPromptOncePerRound() throws {
        let yaml = "{kind: fixed, prompt: 300, output: 4, num_dataset_entries: 5, dataset_sampling_strategy: shuffle}"
        let requests = WorkloadFixtures.requests(try Self.workload(yaml, requests: 23))
        let ids = requests.map { $0.content!.segments[0].content }
        for round in stride(from: 0, to: 20, by: 5) {
            #expect(Set(ids[round..<round + 5]).count == 5, "round at \(round) uses each prompt once")
        }
        #expect(Set(ids[20...]).count == 3, "the last, partial round repeats nothing")
        let rounds = (0..<4).map { Array(ids[$0 * 5..<$0 * 5 + 5]) }
        #expect(Set(rounds).count > 1, "each round is shuffled again")
        #expect(requests == WorkloadFixtures.requests(try Self.workload(yaml, requests: 23)))
    }

    @Test func aPoolWithAPrefixHasTwoSegments() throws {
        let requests = WorkloadFixtures.requests(try Self.workload("{kind: random, input_len: 200, prefix_len: 64, range_ratio: 0.5, num_dataset_entries: 2}"))
        #expect(requests.allSatisfy { $0.content!.segments.map(\.tokens) == [64, $0.promptTokens - 64] })
        #expect(Set(requests.map { $0.content!.segments[0].content }).count == 1)
        #expect(Set(requests.map { $0.content!.segments[1].content }).count == 2)
    }
}
