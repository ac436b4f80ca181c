import GraceSimTestSupport
import Testing
@testable import GraceSim

/// vLLM V1's scheduler, worked by hand: one token budget per step, running requests first, chunked prefills,
/// blocks allocated step by step, preemption of the latest-admitted request by recompute.
@Suite struct VLLMV1SchedulerTests {
    /// A 16-token budget. A (20-token prompt) is prefilled as 16 + 4 and decodes; B (40 tokens) arrives after A's first
    /// token and is prefilled 15 tokens a step beside A's decode: 15, 15, 10. No step exceeds the budget.
    @Test func longPromptIsChunkedWhileDecodesGoOn() throws {
        let driver = try InstanceDriver(blocks: 64, maxNumBatchedTokens: 16, engine: .vllmV1)
        let a = driver.arrive(prompt: 20, output: 10)
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 16)
        #expect(driver.step())
        #expect(driver.lastBatch.shape.prefillTokens == 4)
        #expect(driver.requests.states[Int(a)].generatedTokens == 1)
        let b = driver.arrive(prompt: 40, output: 2)
        var chunks: [Int] = []
        for _ in 0..<3 {
            #expect(driver.step())
            #expect(driver.lastBatch.shape.decodeSequences == 1)
            chunks.append(driver.lastBatch.shape.prefillTokens)
            #expect(driver.lastBatch.shape.prefillTokens + driver.lastBatch.shape.decodeSequences <= 16)
            #expect(driver.instance.checkInvariants().isEmpty)
        }
        #expect(chunks == [15, 15, 10])
        #expect(driver.requests.states[Int(b)].generatedTokens == 1)
        // Blocks come step by step: B holds 3 blocks (40 tokens, then 41 with its first token) after its last chunk.
        #expect(driver.requests.states[Int(b)].blocks == 3)
    }

    /// Random requests on a small pool and budget: every step stays within the budget and `max_num_seqs`, and the
    /// invariants hold throughout; everything finishes.
    @Test func budgetIsNeverExceeded() throws {
        let driver = try InstanceDriver(blocks: 24, maxNumSeqs: 5, maxNumBatchedTokens: 48, engine: .vllmV1)
        var random = RandomStream(seed: 7, name: "v1-budget")
        var ids: [Int32] = []
        for step in 0..<400 {
            if step % 3 == 0 && ids.count < 60 {
                ids.append(driver.arrive(prompt: Int32(1 + random.nextInt(below: 120)), output: Int32(1 + random.nextInt(below: 40))))
            }
            driver.step()
            let shape = driver.lastBatch.shape
            #expect(shape.prefillTokens + shape.decodeSequences <= 48)
            #expect(driver.lastBatch.count <= 5)
            #expect(driver.instance.checkInvariants().isEmpty, "\(driver.instance.checkInvariants())")
        }
        while driver.step() {}
        #expect(ids.allSatisfy { driver.requests.states[Int($0)].phase == .finished || driver.requests.states[Int($0)].phase == .rejected })
        #expect(driver.instance.pool.usedBlocks == 0)
    }

    /// A 4-block pool, a 64-token budget. A and B (30-token prompts, 2 blocks each) are prefilled together. At A's 33rd
    /// token (step 4) A needs a third block: B, the latest admitted, is preempted by recompute and goes back to
    /// waiting with nothing computed (32 tokens to recompute); nothing is admitted in that step. B needs 3 blocks for
    /// its 33 tokens (30 prompt, 3 generated) and 1 is free, so it waits until A finishes, then prefills all 33.
    @Test func preemptedRequestResumesByRecomputing() throws {
        let driver = try InstanceDriver(blocks: 4, maxNumBatchedTokens: 64, engine: .vllmV1)
        let a = driver.arrive(prompt: 30, output: 5)
        let b = driver.arrive(prompt: 30, output: 5)
        #expect(driver.step())  // both prefilled: 31 tokens each after their first token
        #expect(driver.lastBatch.shape.prefillTokens == 60)
        #expect(driver.step())  // decode: 32 tokens each
        #expect(driver.step())  // decode: A computes its 32nd token, still 2 blocks
        #expect(driver.instance.metrics.preemptions == 0)
        #expect(driver.step())  // A's 33rd token needs a third block: B preempted
        #expect(driver.instance.metrics.preemptions == 1)
        #expect(driver.instance.metrics.recomputedTokens == 32)
        #expect(driver.requests.states[Int(b)].phase == .waiting)
        #expect(driver.requests.states[Int(b)].computedTokens == 0)
        #expect(driver.lastBatch.count == 1)
        #expect(driver.step())  // A's last token; B cannot get 3 blocks
        #expect(driver.requests.states[Int(a)].phase == .finished)
        #expect(driver.requests.states[Int(b)].phase == .waiting)
        #expect(driver.step())  // B re-prefills its 33 tokens (30 prompt, 3 generated) and samples its 4th
        #expect(driver.lastBatch.shape.prefillTokens == 33)
        while driver.step() {}
        #expect(driver.requests.states[Int(b)].phase == .finished)
        #expect(driver.requests.states[Int(b)].generatedTokens == 5)
        #expect(driver.instance.pool.usedBlocks == 0)
    }
}
