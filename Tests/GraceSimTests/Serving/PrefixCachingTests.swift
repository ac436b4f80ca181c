import GraceSimTestSupport
import Testing
@testable import GraceSim

/// vLLM V1's prefix caching with block identity, worked by hand (16-token blocks).
@Suite struct PrefixCachingTests {
    /// A 100-token prompt that is one shared segment.
    static let shared = RequestContent(segments: [PromptSegment(content: 7, tokens: 100)], output: 1)

    private func driver(blocks: Int = 32, budget: Int = 256) throws -> InstanceDriver {
        try InstanceDriver(blocks: blocks, maxNumBatchedTokens: budget, engine: .vllmV1, prefixCaching: true)
    }

    /// A runs to the end; B, with the same prompt, finds A's 6 full blocks (96 tokens) cached and prefills only its
    /// last 4 tokens. The hit rate counts 96 of 200 looked-up tokens.
    @Test func secondIdenticalPromptPrefillsOnlyItsTail() throws {
        let driver = try driver()
        _ = driver.arrive(prompt: 100, output: 2, content: Self.shared)
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 100)
        while driver.step() {}
        let cache = try #require(driver.instance.prefixCache)
        #expect(cache.cachedBlocks == 6)
        #expect(cache.evictableBlocks == 6)
        #expect(driver.instance.pool.usedBlocks == 0)
        let b = driver.arrive(prompt: 100, output: 2, content: RequestContent(segments: Self.shared.segments, output: 2))
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 4)
        #expect(driver.requests.states[Int(b)].blocks == 7)
        #expect(driver.instance.pool.usedBlocks == 7)
        #expect(cache.hitTokens == 96)
        #expect(cache.queriedTokens == 200)
        #expect(driver.instance.checkInvariants().isEmpty, "\(driver.instance.checkInvariants())")
    }

    /// A prompt whose every block is cached still computes its last token (for its logits): 96 + 16 tokens cached
    /// of a 112-token prompt, 111 at most may hit, so 6 blocks hit and the 7th block's 16 tokens are computed.
    @Test func fullHitStillComputesTheLastToken() throws {
        let driver = try driver()
        let content = RequestContent(segments: [PromptSegment(content: 9, tokens: 112)], output: 1)
        _ = driver.arrive(prompt: 112, output: 1, content: content)
        while driver.step() {}
        _ = driver.arrive(prompt: 112, output: 1, content: content)
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 16)
    }

    /// B shares A's prefix while A still runs: the 6 shared blocks count once against the pool. A holds 7 blocks
    /// (100 prompt tokens and its first token), B 7 (6 shared, 1 its own): 8 used, not 14.
    @Test func sharedBlockIsCountedOnce() throws {
        let driver = try driver()
        let a = driver.arrive(prompt: 100, output: 10, content: Self.shared)
        #expect(driver.step())
        let b = driver.arrive(prompt: 100, output: 10, content: RequestContent(segments: Self.shared.segments, output: 2))
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 4)
        #expect(driver.lastBatch.shape.decodeSequences == 1)
        #expect(driver.requests.states[Int(a)].blocks == 7)
        #expect(driver.requests.states[Int(b)].blocks == 7)
        #expect(driver.instance.pool.usedBlocks == 8)
        #expect(driver.instance.prefixCache?.sharedReferences == 6)
        #expect(driver.instance.checkInvariants().isEmpty, "\(driver.instance.checkInvariants())")
        while driver.step() {
            #expect(driver.instance.checkInvariants().isEmpty, "\(driver.instance.checkInvariants())")
        }
        #expect(driver.instance.pool.usedBlocks == 0)
        #expect(driver.instance.prefixCache?.sharedReferences == 0)
    }

    /// An evicted prefix is computed again: on an 8-block pool A leaves 6 cached blocks; C, with other tokens, needs
    /// all 8 blocks and evicts them; B, with A's prompt, then finds nothing cached and prefills all 100 tokens.
    @Test func evictedPrefixIsRecomputed() throws {
        let driver = try driver(blocks: 8)
        _ = driver.arrive(prompt: 100, output: 1, content: Self.shared)
        while driver.step() {}
        #expect(driver.instance.prefixCache?.evictableBlocks == 6)
        _ = driver.arrive(prompt: 127, output: 1)
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 127)
        #expect(driver.instance.prefixCache?.evictions == 6)
        while driver.step() {}
        _ = driver.arrive(prompt: 100, output: 1, content: RequestContent(segments: Self.shared.segments, output: 3))
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 100)
    }

    /// Prompts that share a system prompt but not what follows share only the blocks wholly inside it: a 40-token
    /// system prompt fills 2 blocks (32 tokens); the third block mixes it with each user's own tokens.
    @Test func sharedSystemPromptSharesItsFullBlocksOnly() throws {
        let driver = try driver()
        let system = PromptSegment(content: 11, tokens: 40)
        _ = driver.arrive(prompt: 60, output: 1, content: RequestContent(segments: [system, PromptSegment(content: 21, tokens: 20)], output: 1))
        while driver.step() {}
        _ = driver.arrive(prompt: 60, output: 1, content: RequestContent(segments: [system, PromptSegment(content: 22, tokens: 20)], output: 2))
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 28)
    }

    /// A later turn repeats the earlier turn's prompt and output: it hits the blocks its output filled too. Turn 1:
    /// 40 prompt tokens, 40 output tokens; its KV holds 79 tokens when it ends (the last token is never computed),
    /// so 4 full blocks (64 tokens) are cached. Turn 2's prompt is those 80 tokens and 20 more: 64 tokens hit.
    @Test func nextTurnHitsThePreviousOutput() throws {
        let driver = try driver()
        let message = PromptSegment(content: 31, tokens: 40)
        _ = driver.arrive(prompt: 40, output: 40, content: RequestContent(segments: [message], output: 41))
        while driver.step() {}
        let turn2 = RequestContent(segments: [message, PromptSegment(content: 41, tokens: 40), PromptSegment(content: 32, tokens: 20)], output: 42)
        _ = driver.arrive(prompt: 100, output: 1, content: turn2)
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 36)
    }

    /// A strategy shrinking the pool evicts cached free blocks first: 6 cached blocks on a 32-block pool with nothing
    /// used; shrinking to 4 blocks leaves 4 of them cached.
    @Test func shrinkingThePoolEvictsCachedBlocksFirst() throws {
        let driver = try driver()
        _ = driver.arrive(prompt: 100, output: 1, content: Self.shared)
        while driver.step() {}
        #expect(driver.instance.apply(MemoryDecision(poolBlocks: -28)))
        #expect(driver.instance.prefixCache?.evictableBlocks == 4)
        #expect(driver.instance.checkInvariants().isEmpty, "\(driver.instance.checkInvariants())")
    }
}
