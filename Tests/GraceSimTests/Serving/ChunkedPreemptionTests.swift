import GraceSimTestSupport
import Testing
@testable import GraceSim

/// A chunked prefill preempted part-way, worked by hand.
@Suite struct ChunkedPreemptionTests {
    /// A 4-block pool (64 tokens), a 16-token budget, no watermark. A (31-token prompt) is prefilled in chunks
    /// of 16 and 15 and then decodes; B (24 tokens) is admitted with the one token of budget left, gets a
    /// second chunk of 15, and is preempted mid-prefill when A's 33rd token needs a third block. B is later
    /// re-prefilled from scratch. Each prompt counts once in the prompt tokens: 31 + 24 = 55 (a property
    /// test found 31 + 16 = 47 here: chunks after B's preemption were not counted).
    @Test func promptPreemptedMidPrefillCountsOnce() throws {
        let driver = try InstanceDriver(blocks: 4, maxNumSeqs: 2, maxNumBatchedTokens: 16, chunkedPrefill: true)
        let (instance, requests) = (driver.instance, driver.requests)
        let a = driver.add(prompt: 31, output: 5)
        let b = driver.add(prompt: 24, output: 2)
        #expect(instance.arrive(a) == nil)
        #expect(instance.arrive(b) == nil)
        func step() -> Bool {
            let ran = driver.step()
            #expect(instance.checkInvariants().isEmpty, "\(instance.checkInvariants())")
            return ran
        }
        #expect(step())  // A: chunk 16 of 31
        #expect(step())  // A: chunk 15, first token; B admitted (2 blocks), chunk 1 of 24
        #expect(requests.states[Int(b)].computedTokens == 1)
        #expect(step())  // A decodes (32 tokens, 2 blocks); B: chunk 15 (16 of 24)
        #expect(requests.states[Int(b)].computedTokens == 16)
        #expect(instance.metrics.preemptions == 0)
        #expect(step())  // A's 33rd token needs a third block: B is preempted mid-prefill
        #expect(instance.metrics.preemptions == 1)
        #expect(instance.metrics.recomputedTokens == 16)
        #expect(requests.states[Int(b)].phase == .waiting)
        #expect(requests.states[Int(b)].generatedTokens == 0)
        while step() {}
        #expect(requests.states[Int(a)].phase == .finished)
        #expect(requests.states[Int(b)].phase == .finished)
        #expect(instance.metrics.promptTokens == 55)
        #expect(instance.metrics.outputTokens == 7)
        #expect(instance.pool.usedBlocks == 0)
    }
}
