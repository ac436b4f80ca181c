import GraceSimTestSupport
import Testing
@testable import GraceSim

/// A step that preempts an instance's last running request for recompute leaves nothing to run, but the request is
/// back in the queue and the next step may admit it. These runs once ended with requests stuck in the queue: the
/// instance went idle and no later event woke it.
@Suite struct PreemptedToIdleTests {
    /// Found by the randomized invariant test (remap under MPS) and shrunk to 12 requests. Instance 0 (opt-6.7b,
    /// 24 blocks of its own) decodes its last request on a pool grown with blocks lent from remapped weights. The
    /// request needs one block more than the pool has and is preempted; its re-prefill fits only with one more
    /// layer remapped, which the amount rule allows only with nothing running, so only the next step can admit it.
    /// The case was found under the pipeline amount rule (then the default); under the paper's rule the pool grows
    /// enough that nothing is preempted, so the rule is pinned.
    @Test func remapUnderMPSFinishesEveryRequest() throws {
        let workload = RandomWorkload(
            instances: [
                .init(model: "opt-6.7b", blocks: 24, maxNumSeqs: 27, chunkedPrefill: false, maxNumBatchedTokens: nil, watermark: 0),
                .init(model: "llama-3-8b", blocks: 37, maxNumSeqs: 47, chunkedPrefill: true, maxNumBatchedTokens: 318, watermark: 0),
                .init(model: "opt-6.7b", blocks: 102, maxNumSeqs: 63, chunkedPrefill: true, maxNumBatchedTokens: 939, watermark: 0.01),
            ],
            scheduler: .roundRobin, maxTimeS: nil,
            requests: [(0, 1, 395, 285), (0, 1, 144, 12), (0, 2, 230, 101), (0, 1, 399, 213), (0, 1, 535, 6),
                       (0, 1, 375, 288), (0, 2, 361, 212), (0, 2, 106, 231), (0, 2, 501, 233), (0, 0, 271, 284),
                       (300, 2, 474, 6), (1800, 0, 599, 165)].map { ms, instance, prompt, output in
                RequestSpec(arrival: .milliseconds(Double(ms)), instance: instance, promptTokens: prompt, outputTokens: output)
            },
            strategy: .remap, strategyOptions: "amount_rule: pipeline", sharing: .mps)
        let run = try RandomRun(workload)
        #expect(run.simulator.invariantViolations.isEmpty, "\(run.simulator.invariantViolations.prefix(3))")
        #expect(run.report.overall.requests.finished == 12)
        for instance in run.simulator.instances {
            #expect(instance.waiting.isEmpty && instance.running.isEmpty && instance.swapped.isEmpty,
                    "\(instance.spec.name): \(instance.waiting.count) waiting, \(instance.running.count) running")
        }
        #expect(run.report.instances[0].preemptions > 0, "the case no longer preempts: it tests nothing")
    }
}
