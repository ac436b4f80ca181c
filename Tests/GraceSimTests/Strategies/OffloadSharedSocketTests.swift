import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Under MPS and MIG the instances' offloaded CPU attention runs side by side on one socket: each reads at most an
/// equal share of what the socket's cores read, so together their holds on host memory bandwidth stay within it and
/// the link's own flows always keep host bandwidth. Before, each instance held as if alone, and three instances held
/// more than the host has.
@Suite struct OffloadSharedSocketTests {
    @Test(arguments: [SharingMode.mps, .mig])
    func holdsTogetherStayWithinTheSocket(sharing: SharingMode) throws {
        var experiment = try RunEndTests.workload(strategy: .offload, sharing: sharing).experiment()
        experiment.checkInvariants = false
        let simulator = try Simulator(experiment: experiment, requests: RunEndTests.workload(strategy: .offload, sharing: sharing).requests)
        let cpu = experiment.hardware.cpu
        let socket = cpu.memoryBytesPerSecond * cpu.sustainedMemoryFraction
        let bound = socket
        var peak = 0.0
        while simulator.step() { peak = max(peak, simulator.link.hostReservedBytesPerSecond) }
        #expect(peak > 0, "the workload offloads")
        #expect(peak <= bound * (1 + 1e-12), "peak hold \(peak / 1e9) GB/s over \(bound / 1e9)")
        #expect(peak < cpu.memoryBytesPerSecond, "the link keeps host bandwidth")
    }

    /// One instance alone is not limited by the sharing: its attention reads at the socket's full rate.
    @Test func aLoneInstanceReadsAtTheSocketsRate() {
        let cpu = TestExperiments.hardware("gh200-96gb").cpu
        let model = CPUAttentionModel(model: TestExperiments.model("opt-13b"), cpu: cpu)
        #expect(model.seconds(contextTokens: 1_000, readBytesPerSecond: .infinity) == model.seconds(contextTokens: 1_000))
        #expect(model.seconds(contextTokens: 1_000, readBytesPerSecond: model.readBytesPerSecond / 2)
                > 1.5 * model.seconds(contextTokens: 1_000) - model.flops(contextTokens: 1_000) / model.flopsPerSecond)
    }
}
