import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Small cases whose every number follows from the time model by hand.
@Suite struct HandWorkedServingTests {
    /// One request alone: TTFT is its prefill iteration; each later token costs one decode iteration
    /// at its context length; end-to-end is their sum.
    @Test func singleRequestLatencies() throws {
        let experiment = try TestExperiments.singleInstance()
        let simulator = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0.5, prompt: 100, output: 5)])
        let report = simulator.run()
        let model = simulator.instances[0].timeModel
        let prefill = model.duration(of: BatchShape(prefillTokens: 100, prefillAttentionPairs: 100 * 50.5, sampledSequences: 1))
        var decodes: [Int64] = []
        for context in 101...104 {
            decodes.append(model.duration(of: BatchShape(decodeSequences: 1, decodeContextTokens: context, sampledSequences: 1)).ns)
        }
        let r = report.overall
        #expect(r.requests.finished == 1)
        #expect(r.ttft.p50Ms == prefill.milliseconds)
        #expect(r.tbt.count == 4)
        #expect(abs(r.tbt.meanMs - Double(decodes.reduce(0, +)) / 4 / 1e6) < 1e-9)
        #expect(abs(r.tbt.p50Ms * 1e6 - Double(decodes[1])) <= Double(decodes[1]) * 0.001)
        #expect(r.endToEnd.maxMs == Double(prefill.ns + decodes.reduce(0, +)) / 1e6)
        #expect(report.simulatedSeconds == Double(SimTime.seconds(0.5).ns + prefill.ns + decodes.reduce(0, +)) / 1e9)
    }

    /// Two identical requests arriving together are prefilled in one iteration and decoded together,
    /// so they share every token time.
    @Test func identicalRequestsShareIterations() throws {
        let experiment = try TestExperiments.singleInstance()
        let requests = [TestExperiments.request(at: 0, prompt: 64, output: 3), TestExperiments.request(at: 0, prompt: 64, output: 3)]
        let simulator = try Simulator(experiment: experiment, requests: requests)
        let report = simulator.run()
        let model = simulator.instances[0].timeModel
        let prefill = model.duration(of: BatchShape(prefillTokens: 128, prefillSequences: 2, prefillAttentionPairs: 2 * 64 * 32.5, sampledSequences: 2))
        let decode1 = model.duration(of: BatchShape(decodeSequences: 2, decodeContextTokens: 2 * 65, sampledSequences: 2))
        let decode2 = model.duration(of: BatchShape(decodeSequences: 2, decodeContextTokens: 2 * 66, sampledSequences: 2))
        #expect(report.overall.iterations == 3)
        #expect(report.overall.ttft.p50Ms == prefill.milliseconds)
        #expect(report.overall.ttft.maxMs == prefill.milliseconds)
        #expect(report.overall.endToEnd.p50Ms == (prefill + decode1 + decode2).milliseconds)
        #expect(report.overall.endToEnd.maxMs == report.overall.endToEnd.p50Ms)
    }

    /// A 4-block pool (64 tokens) and two 30-token prompts: both are admitted (2 blocks each), and the
    /// third decode step needs a third block for A, so B (the latest arrival) is preempted, re-queued at
    /// the front and later re-prefilled with its prompt and 3 generated tokens (33 tokens).
    @Test func preemptionByRecomputeWorkedByHand() throws {
        let driver = try InstanceDriver(blocks: 4)
        let (instance, requests) = (driver.instance, driver.requests)
        let a = driver.add(prompt: 30, output: 10)
        let b = driver.add(prompt: 30, output: 10)
        #expect(instance.arrive(a) == nil)
        #expect(instance.arrive(b) == nil)
        let step = driver.step
        #expect(step())  // prefill A and B: 2 + 2 blocks
        #expect(instance.pool.usedBlocks == 4)
        #expect(step())  // decode: sequences of 31 tokens, still 2 blocks each
        #expect(step())  // decode: 32 tokens, 2 blocks each
        #expect(instance.metrics.preemptions == 0)
        #expect(step())  // A needs a 3rd block for 33 tokens: B is preempted
        #expect(instance.metrics.preemptions == 1)
        #expect(Array(instance.waiting) == [b])
        #expect(requests.states[Int(b)].generatedTokens == 3)
        #expect(requests.states[Int(b)].blocks == 0)
        #expect(requests.states[Int(a)].blocks == 3)
        #expect(instance.metrics.recomputedTokens == 32)
        while step() {}
        #expect(requests.states[Int(a)].phase == .finished)
        #expect(requests.states[Int(b)].phase == .finished)
        #expect(requests.states[Int(b)].generatedTokens == 10)
        #expect(instance.metrics.outputTokens == 20)
        #expect(instance.pool.usedBlocks == 0)
        #expect(instance.checkInvariants().isEmpty)
    }

    /// Requests that can never be served are refused at arrival, with a reason.
    @Test func rejectionsHaveReasons() throws {
        let driver = try InstanceDriver(blocks: 4)
        let instance = driver.instance
        let tooLong = driver.add(prompt: 9000, output: 1)
        let tooBig = driver.add(prompt: 60, output: 5)
        let fits = driver.add(prompt: 60, output: 4)
        #expect(instance.arrive(tooLong) == .promptTooLong)
        #expect(instance.arrive(tooBig) == .exceedsKVPool)
        #expect(instance.arrive(fits) == nil)
        #expect(instance.metrics.rejected == [.promptTooLong: 1, .exceedsKVPool: 1])
    }

    /// Outputs that would run past the model's context are cut to fit, and counted.
    @Test func outputsAreTruncatedToTheContext() throws {
        let experiment = try TestExperiments.singleInstance(model: "llama-2-7b")
        let simulator = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0, prompt: 4000, output: 500)])
        let report = simulator.run()
        #expect(report.overall.requests.truncated == 1)
        #expect(report.overall.requests.finished == 1)
        #expect(report.overall.tbt.count == 95)
    }
}
