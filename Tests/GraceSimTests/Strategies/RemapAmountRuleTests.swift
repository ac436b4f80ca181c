import GraceSimTestSupport
import Testing
@testable import GraceSim

/// The amount rule and the buffering agree: the paper's rule is the default, the pipeline rule keeps the stream's
/// stall within `max_stall_fraction` of the decode passes' compute, and a fixed α stalls exactly as
/// ``RemapPipeline`` says.
@Suite struct RemapAmountRuleTests {
    /// The decode passes that streamed, over every instance: stall and compute, ms (the strategy's counters).
    static func decodeStream(_ report: RunReport) -> (stallMs: Double, computeMs: Double) {
        report.instances.reduce((0, 0)) { total, instance in
            let counters = instance.strategy?.counters ?? [:]
            return (total.0 + (counters["decode_stream_stall_ms"] ?? 0), total.1 + (counters["decode_stream_compute_ms"] ?? 0))
        }
    }

    /// C1 and C2 as the paper's sweeps run them (`paper-c1.yaml`, `paper-c2.yaml`) under the pipeline rule at every
    /// rate of the paper's rate sweep (`Configs/sweeps/paper/c1-rate.yaml`: 0.1 to 4 times the Azure code trace's
    /// rate, its first 600 s), and at the rates of the older multi-turn C1 and C2 experiments: decode passes stall
    /// at most 2% of their compute in total. Every rate runs with `GRACESIM_WIDE_TESTS=1` (as in CI); otherwise the
    /// paper sweep's 0.25 and 4 and the older experiments' 0.1 (``TestScale``).
    @Test(arguments: ["paper-c1", "paper-c2"], TestScale.points([0.1, 0.25, 0.5, 1, 2, 4], quick: [0.25, 4]))
    func pipelineRuleStallsAtMostTwoPercentOnThePaperSweep(experiment name: String, rateScale: Double) throws {
        try pipelineRuleStallsAtMostTwoPercent(experiment: name, rateScale: rateScale)
    }

    @Test(arguments: ["c1-temporal", "c2-temporal"], TestScale.points([0.05, 0.1, 0.2, 0.3, 0.4], quick: [0.1]))
    func pipelineRuleStallsAtMostTwoPercent(experiment name: String, rateScale: Double) throws {
        let overrides = try ["strategy={kind: remap, amount_rule: pipeline}", "workload.arrivals.end_s=600",
                             "workload.arrivals.rate_scale=\(rateScale)"]
            .map(ConfigOverride.init(parsing:))
        let experiment = try Experiment.load(path: TestExperiments.repositoryRoot + "/Configs/experiments/\(name).yaml",
                                             overrides: overrides)
        let report = try Simulator(experiment: experiment).run()
        let stream = Self.decodeStream(report)
        #expect(stream.stallMs <= 0.02 * stream.computeMs, "\(name) at \(rateScale): \(stream.stallMs) ms of \(stream.computeMs) ms")
    }

    /// Records every pass of one instance: its shape when it begins and the stall it measured.
    final class PassLog: SimulationObserver {
        var stalls: [Int64] = []
        var remapAtNs: Int64?
        func iterationStarted(_ iteration: IterationRecord) { stalls.append(iteration.stall.ns) }
        func transferStarted(_ transfer: Transfer) {}
        func transferFinished(_ transfer: Transfer, end: SimTime) {}
        func preempted(request: Int32, instance: Int, mode: PreemptionMode, at: SimTime) {}
        func strategyEvent(_ event: StrategyEvent, at: SimTime) { if remapAtNs == nil { remapAtNs = at.ns } }
        func kvBlocks(instance: Int, usedBlocks: Int, capacityBlocks: Int, at: SimTime) {}
    }

    /// With `amount: {static: 1}` and one slot, once the one request's decode runs out of blocks one layer is
    /// remapped, and every pass after it streams α + 1 = 2 layers: on the otherwise idle link (no prefetch, no
    /// reversion) each stalls exactly as the pipeline of its own shape says.
    @Test(arguments: [1, 2])
    func staticAmountStallsAsThePipeline(buffers: Int) throws {
        let experiment = try TestExperiments.singleInstance(
            model: "llama-2-13b", blocks: 40,
            strategy: "{kind: remap, amount: {static: 1}, buffers: \(buffers), reversion: false, prefetch_idle: false}")
        let simulator = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0, prompt: 600, output: 80)])
        let log = PassLog()
        simulator.observer = log
        var shapes: [BatchShape] = []
        var lastSerial = 0
        while simulator.step() {
            if let pass = simulator.runtime[0].pass, pass.serial != lastSerial {
                lastSerial = pass.serial
                shapes.append(simulator.instances[0].batch.shape)
            }
        }
        let remap = simulator.strategy as! RemapStrategy
        #expect(remap.states[0].remapped == 1 && remap.states[0].buffers == buffers)
        #expect(simulator.invariantViolations.isEmpty, "\(simulator.invariantViolations.prefix(3))")
        // Passes that stream are the last `shapes.count` passes.
        let streamed = Array(log.stalls.suffix(shapes.count))
        #expect(shapes.count > 10 && shapes.count < log.stalls.count)
        let model = simulator.instances[0].spec.model
        let hardware = simulator.experiment.hardware
        for (shape, stall) in zip(shapes, streamed) {
            let pipeline = RemapPipeline(
                layers: model.layers, loads: 1 + buffers, buffers: buffers,
                layerCompute: SimTime.seconds(simulator.instances[0].timeModel.layerComputeSeconds(of: shape)),
                layerLoad: SharedLink.loneTransferTime(bytes: model.weightBytesPerLayer, direction: .hostToDevice, spec: hardware.link,
                                                         hostMemoryBytesPerSecond: hardware.cpu.memoryBytesPerSecond))
            #expect(stall == pipeline.stall.ns, "\(shape)")
        }
    }

    /// The pipeline rule picks α from the pipeline with the slots it will use; the paper's rule from
    /// T_T × N ≤ T_compute. For Llama-2-13b decoding 16 sequences of 1,000 tokens on gh200-96gb the pipeline rule
    /// remaps fewer layers with one slot than the paper's rule allows (one slot stalls about one layer per load
    /// at the paper's bound), and `buffers: auto` takes a second slot when it lets more layers be remapped.
    @Test func pipelineRuleIsStricterThanThePapersAtOneSlot() throws {
        let paper = try Self.maxAlpha("{kind: remap, amount_rule: paper, buffers: 1, cap: 1}")
        let pipelineOne = try Self.maxAlpha("{kind: remap, amount_rule: pipeline, buffers: 1, cap: 1}")
        let pipelineAuto = try Self.maxAlpha("{kind: remap, amount_rule: pipeline, buffers: auto, cap: 1}")
        #expect(paper.alpha > 0)
        #expect(pipelineOne.alpha < paper.alpha)
        #expect(pipelineAuto.alpha >= pipelineOne.alpha)
        if pipelineAuto.alpha > pipelineOne.alpha { #expect(pipelineAuto.buffers == 2) }
    }

    /// Without `amount_rule` remapping bounds α by the paper's T_T × N ≤ T_compute: the same α as `amount_rule:
    /// paper`, more than the pipeline rule allows at one slot, and `buffers: auto` follows the paper's example
    /// (two slots from α = 9/40 of the layers) rather than the pipeline's choice.
    @Test func thePapersRuleIsTheDefault() throws {
        let experiment = try TestExperiments.singleInstance(strategy: "{kind: remap}")
        #expect(experiment.strategy.options(of: RemapStrategy.self)?.amountRule == .paper)
        #expect(RemapOptions().amountRule == .paper)
        for buffers in ["1", "auto"] {
            let byDefault = try Self.maxAlpha("{kind: remap, buffers: \(buffers), cap: 1}")
            let paper = try Self.maxAlpha("{kind: remap, amount_rule: paper, buffers: \(buffers), cap: 1}")
            let pipeline = try Self.maxAlpha("{kind: remap, amount_rule: pipeline, buffers: \(buffers), cap: 1}")
            #expect(byDefault == paper, "buffers \(buffers)")
            #expect(byDefault != pipeline, "buffers \(buffers): the default must not be the pipeline rule")
        }
    }

    /// The most layers remapping takes, and the slots it uses, for Llama-2-13b decoding 16 sequences of 1,000
    /// tokens on gh200-96gb with `strategy` as its `strategy:` value.
    static func maxAlpha(_ strategy: String) throws -> (alpha: Int, buffers: Int) {
        let experiment = try TestExperiments.singleInstance(model: "llama-2-13b", blocks: 2000, strategy: strategy)
        let simulator = try Simulator(experiment: experiment, requests: [])
        let remap = simulator.strategy as! RemapStrategy
        let instance = simulator.instances[0]
        instance.batch.shape = .decode(sequences: 16, contextTokens: 1000)
        _ = remap.planIteration(instance: instance, computeTime: .zero, now: .zero)
        while let slots = remap.slotsForOneMore(instance) {
            remap.states[0].remapped += 1
            remap.states[0].buffers = slots
        }
        return (remap.states[0].remapped, remap.states[0].buffers)
    }

    /// Bad options get one line naming the key and what was expected.
    @Test(arguments: [
        ("{kind: remap, amount_rule: greedy}", "amount_rule"),
        ("{kind: remap, compute_estimate: median}", "compute_estimate"),
        ("{kind: remap, max_stall_fraction: 0}", "max_stall_fraction"),
        ("{kind: remap, max_stall_fraction: 1.5}", "max_stall_fraction"),
    ])
    func badOptionsNameTheKey(strategy: String, key: String) throws {
        do {
            _ = try TestExperiments.singleInstance(strategy: strategy)
            Issue.record("accepted \(strategy)")
        } catch let error as ConfigError {
            #expect(error.description.contains(key), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }
}
