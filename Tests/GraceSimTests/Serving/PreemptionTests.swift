import GraceSimTestSupport
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

    /// More KV memory never hurts recompute: P99 TTFT, mean end-to-end latency and the time to drain
    /// a burst never grow with the pool. (The preemption count itself is not monotone: a bigger pool admits
    /// more requests at once, which can collide more often; here 96 blocks preempt 30 times and 192 blocks 34.)
    @Test func moreMemoryNeverHurtsRecompute() throws {
        var previous = (ttft: Double.infinity, e2e: Double.infinity, makespan: Double.infinity)
        var preemptions: [Int] = []
        for blocks in [48, 96, 192, 384, 4096] {
            let experiment = try TestExperiments.singleInstance(blocks: blocks)
            let report = try Simulator(experiment: experiment, requests: Self.burst(60, prompt: 300, output: 200)).run()
            #expect(report.overall.ttft.p99Ms <= previous.ttft, "blocks \(blocks)")
            #expect(report.overall.endToEnd.meanMs <= previous.e2e, "blocks \(blocks)")
            #expect(report.simulatedSeconds <= previous.makespan, "blocks \(blocks)")
            previous = (report.overall.ttft.p99Ms, report.overall.endToEnd.meanMs, report.simulatedSeconds)
            preemptions.append(report.overall.preemptions)
        }
        #expect(preemptions.first! > 0)
        #expect(preemptions.last! == 0)
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
