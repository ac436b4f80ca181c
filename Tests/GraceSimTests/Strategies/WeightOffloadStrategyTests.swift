import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// vLLM's `--cpu-offload-gb`, worked by hand: the pool grows by the offloaded bytes, every pass reads them over the
/// link one layer at a time, and the options are checked against the instances' weights.
@Suite struct WeightOffloadStrategyTests {
    /// Records how long each pass takes, from taking the GPU to its end, ns.
    final class PassLog: SimulationObserver {
        var durations: [Int64] = []
        func iterationStarted(_ iteration: IterationRecord) { durations.append((iteration.end - iteration.start).ns) }
        func transferStarted(_ transfer: Transfer) {}
        func transferFinished(_ transfer: Transfer, end: SimTime) {}
        func preempted(request: Int32, instance: Int, mode: PreemptionMode, at: SimTime) {}
        func strategyEvent(_ event: StrategyEvent, at: SimTime) {}
        func kvBlocks(instance: Int, usedBlocks: Int, capacityBlocks: Int, at: SimTime) {}
    }

    /// `cpu_offload_gb` for exactly `layers` of `model`'s mean decoder layers, written with every digit.
    static func gib(layers: Int, of model: String) -> String {
        String(format: "%.17g", Double(Int64(layers) * TestExperiments.model(model).weightBytesPerLayer) / Double(1 << 30))
    }

    /// The pass times of one request (prompt 100, output 8) alone on `hardware` with `layers` layers offloaded.
    static func passes(layers: Int, hardware: String = "gh200-96gb", model: String = "llama-3-8b") throws -> [Int64] {
        let experiment = try TestExperiments.singleInstance(
            model: model, hardware: hardware, blocks: 100,
            strategy: "{kind: weight-offload, cpu_offload_gb: \(gib(layers: layers, of: model))}")
        let simulator = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0, prompt: 100, output: 8)])
        let log = PassLog()
        simulator.observer = log
        let report = simulator.run()
        #expect(report.overall.requests.finished == 1 && simulator.invariantViolations.isEmpty)
        return log.durations
    }

    /// Llama-3-8B's KV blocks are 16 × 131,072 B = 2 MiB, so 2 GiB offloaded add 1,024 blocks to a pool of 1,000,
    /// and the weights on the GPU shrink by what was offloaded (HBM-1 holds). The 2 GiB spread over the first
    /// k = ⌈2 GiB / layer bytes⌉ layers, ⌈2 GiB / k⌉ bytes each: at most k − 1 bytes over the budget, as vLLM
    /// overshoots it by less than one parameter.
    @Test func thePoolGrowsByTheOffloadedBytes() throws {
        let simulator = try Simulator(experiment: try TestExperiments.singleInstance(
            blocks: 1000, strategy: "{kind: weight-offload, cpu_offload_gb: 2}"), requests: [])
        let instance = simulator.instances[0]
        #expect(instance.pool.blockBytes == 2 << 20)
        #expect(instance.pool.capacityBlocks == 2024)
        let strategy = try #require(simulator.strategy as? WeightOffloadStrategy)
        let model = instance.spec.model
        let layers = ((2 << 30) + model.weightBytesPerLayer - 1) / model.weightBytesPerLayer
        let offloaded = layers * (((2 << 30) + layers - 1) / layers)
        #expect(offloaded >= 2 << 30 && offloaded < (2 << 30) + layers)
        #expect(strategy.offloadedBytes(instance: 0) == offloaded)
        #expect(strategy.gpuMemory(instance: instance).weightBytes == model.totalWeightBytes - offloaded)
        #expect(strategy.report(instance: instance, end: .zero).counters["offloaded_layers"] == Double(layers))
        #expect(strategy.checkInvariants().isEmpty && simulator.unassignedGPUBytesCheck)
    }

    /// Each offloaded layer is read before it computes and after the layer before it computed (one slot), so once
    /// the first read is covered, every further layer adds exactly one lone load to every pass: the link's latency
    /// plus the layer's bytes at 427 GB/s (gh200-96gb). Four layers' passes are two loads longer than two layers'.
    @Test func passTimeGrowsByOneLoadPerOffloadedLayer() throws {
        let model = TestExperiments.model("llama-3-8b")
        let hardware = TestExperiments.hardware("gh200-96gb")
        let load = SharedLink.loneTransferTime(bytes: model.weightBytesPerLayer, direction: .hostToDevice, spec: hardware.link,
                                               hostMemoryBytesPerSecond: hardware.cpu.memoryBytesPerSecond).ns
        #expect(load == 2_000 + Int64((Double(model.weightBytesPerLayer) / 427e9 * 1e9).rounded(.up)))
        let none = try Self.passes(layers: 0), two = try Self.passes(layers: 2), four = try Self.passes(layers: 4)
        #expect(none.count == two.count && two.count == four.count && none.count == 8)
        for (a, b) in zip(two, four) { #expect(b - a == 2 * load) }
        for (a, b) in zip(none, two) { #expect(b - a >= load && b - a <= 2 * load) }
    }

    /// The same offload costs a PCIe 5 host (53 GB/s, 5 µs) about 427 / 53 ≈ 8.06 times what it costs a GH200
    /// (gh200-144gb: 427 GB/s, 2 µs) per offloaded layer: the ratio of their bandwidths, within 1%.
    @Test func theCoherentLinkBeatsPCIeByTheirBandwidthRatio() throws {
        let gh200 = zip(try Self.passes(layers: 2, hardware: "gh200-144gb"), try Self.passes(layers: 4, hardware: "gh200-144gb"))
            .map { $1 - $0 }
        let pcie = zip(try Self.passes(layers: 2, hardware: "x86-h100-sxm-pcie5"), try Self.passes(layers: 4, hardware: "x86-h100-sxm-pcie5"))
            .map { $1 - $0 }
        let ratio = Double(pcie.reduce(0, +)) / Double(gh200.reduce(0, +))
        #expect(abs(ratio / (427.0 / 53.0) - 1) < 0.01, "\(ratio)")
    }

    /// A negative size and a size beyond the decoder layers' weights are refused in one line naming the key.
    @Test func badSizesAreRefused() throws {
        do {
            _ = try TestExperiments.singleInstance(strategy: "{kind: weight-offload, cpu_offload_gb: 40}")
            Issue.record("40 GiB of an 8B model's weights was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "strategy.cpu_offload_gb")
            #expect(error.message.contains("decoder-layer weights of llama-3-8b") && !error.description.contains("\n"))
        }
        do {
            _ = try TestExperiments.singleInstance(strategy: "{kind: weight-offload, cpu_offload_gb: -1}")
            Issue.record("a negative size was accepted")
        } catch let error as ConfigError {
            #expect(error.key == "strategy.cpu_offload_gb")
        }
    }
}

extension Simulator {
    /// Whether the GPU memory every instance holds plus what the strategy leaves unassigned fits in HBM.
    var unassignedGPUBytesCheck: Bool {
        let held = instances.reduce(Int64(0)) {
            let use = strategy.gpuMemory(instance: $1)
            return $0 + use.weightBytes + use.kvBytes + use.bufferBytes + $1.spec.activationReserveBytes
        }
        return held + strategy.unassignedGPUBytes(instance: nil) <= experiment.hardware.gpu.hbmBytes
    }
}
