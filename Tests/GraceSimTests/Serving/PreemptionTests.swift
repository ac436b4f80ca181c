import Testing
@testable import GraceSim

/// The pool-pressure behaviour of the vLLM baseline over whole simulations.
@Suite struct PreemptionTests {
    static func burst(_ count: Int, prompt: Int32, output: Int32) -> [RequestSpec] {
        (0..<count).map { TestExperiments.request(at: Double($0) * 0.001, prompt: prompt, output: output) }
    }

    /// A pool too small for the load forces preemptions, and still every request finishes.
    @Test func smallPoolPreemptsButFinishesEverything() throws {
        let experiment = try TestExperiments.singleInstance(blocks: 64)
        let simulator = try Simulator(experiment: experiment, requests: Self.burst(40, prompt: 200, output: 300))
        let report = simulator.run()
        #expect(report.overall.preemptions > 0)
        #expect(report.overall.requests.finished == 40)
        #expect(report.overall.requests.unfinished == 0)
        #expect(simulator.invariantViolations.isEmpty, "\(simulator.invariantViolations.prefix(3))")
    }

    /// More KV memory never hurts recompute: fewer or equal preemptions and no worse P99 TTFT.
    @Test func moreMemoryNeverHurtsRecompute() throws {
        var previousPreemptions = Int.max
        var previousTTFT = Double.infinity
        for blocks in [48, 96, 192, 384, 4096] {
            let experiment = try TestExperiments.singleInstance(blocks: blocks)
            let report = try Simulator(experiment: experiment, requests: Self.burst(60, prompt: 300, output: 200)).run()
            #expect(report.overall.preemptions <= previousPreemptions, "blocks \(blocks)")
            #expect(report.overall.ttft.p99Ms <= previousTTFT * 1.000001, "blocks \(blocks)")
            previousPreemptions = report.overall.preemptions
            previousTTFT = report.overall.ttft.p99Ms
        }
        #expect(previousPreemptions == 0)
    }

    /// With chunked prefill, prompts longer than the token budget are split and still finish.
    @Test func chunkedPrefillSplitsLongPrompts() throws {
        let experiment = try TestExperiments.singleInstance(extra: "chunked_prefill: true\nmax_num_batched_tokens: 512")
        let simulator = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0, prompt: 2000, output: 4)])
        let report = simulator.run()
        #expect(report.overall.requests.finished == 1)
        // 2000 tokens in chunks of 512: 4 prefill iterations, then 3 decodes.
        #expect(report.overall.iterations == 7)
    }
}
