import GraceSimTestSupport
import Testing
@testable import GraceSim

/// HBM-1: what the instances hold in GPU memory never exceeds the GPU.
@Suite struct MemoryInvariantTests {
    /// A strategy that claims stream buffers it does not have, to show that HBM-1 is checked.
    final class OverclaimingStrategy: MemoryStrategy {
        var kind: StrategyKind { .recompute }
        func gpuMemory(instance: ServingInstance) -> GPUMemoryUse {
            GPUMemoryUse(weightBytes: instance.spec.model.totalWeightBytes,
                         kvBytes: Int64(instance.pool.capacityBlocks) * instance.pool.blockBytes, bufferBytes: 10 << 30)
        }
    }

    @Test func overcommittedMemoryIsReported() throws {
        let experiment = try TestExperiments.singleInstance()
        let requests = [TestExperiments.request(at: 0, prompt: 100, output: 3)]
        let honest = try Simulator(experiment: experiment, requests: requests)
        _ = honest.run()
        #expect(honest.invariantViolations.isEmpty)
        let overclaiming = try Simulator(experiment: experiment, requests: requests, strategy: OverclaimingStrategy())
        _ = overclaiming.run()
        #expect(overclaiming.invariantViolations.contains { $0.id == "HBM-1" })
    }
}
