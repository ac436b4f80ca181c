import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// The NEO-style offload strategy: equal to recompute without pressure, fewer preemptions with it, a CPU attention
/// time worked by hand, the CPU-time budget, and the x86 presets.
@Suite struct OffloadStrategyTests {
    static func burst(_ count: Int, prompt: Int32, output: Int32) -> [RequestSpec] {
        (0..<count).map { TestExperiments.request(at: Double($0) * 0.001, prompt: prompt, output: output) }
    }

    static func offload(_ options: OffloadStrategy.Options = .init()) -> StrategySpec {
        StrategySpec(OffloadStrategy.self, options: options)
    }

    /// Runs `requests` on `experiment` under `strategy`; returns the report and the invariant violations.
    static func run(_ experiment: Experiment, _ strategy: StrategySpec, _ requests: [RequestSpec]) throws -> (RunReport, [InvariantViolation]) {
        var experiment = experiment
        experiment.strategy = strategy
        let simulator = try Simulator(experiment: experiment, requests: requests)
        let report = simulator.run()
        return (report, simulator.invariantViolations)
    }

    /// The report as a JSON tree without the strategy's name and sections.
    static func withoutStrategy(_ report: RunReport) throws -> NSDictionary {
        var tree = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as! [String: Any]
        tree["strategy"] = nil
        tree["instances"] = (tree["instances"] as! [[String: Any]]).map { instance in
            var instance = instance
            instance["strategy"] = nil
            return instance
        }
        return tree as NSDictionary
    }

    static func counter(_ report: RunReport, _ name: String) -> Double {
        report.instances[0].strategy?.counters[name] ?? .nan
    }

    /// Both spellings select the strategy, with its options.
    @Test func configSelectsOffload() throws {
        let short = try StrategySpec.load(from: try ConfigNode.parse("offload", file: "t.yaml"))
        #expect(short.kind == .offload)
        let long = try StrategySpec.load(from: try ConfigNode.parse("{kind: offload, host_kv_gib: 8, cpu_cores: 16}", file: "t.yaml"))
        guard let options = long.options(of: OffloadStrategy.self) else {
            Issue.record("expected offload options")
            return
        }
        #expect(options == OffloadStrategy.Options(hostKVBytes: 8 << 30, cpuCores: 16))
    }

    /// With memory to spare nothing moves, and the report is recompute's exactly.
    @Test func noPressureEqualsRecompute() throws {
        let experiment = try TestExperiments.singleInstance(blocks: 4096)
        let requests = Self.burst(30, prompt: 200, output: 100)
        let (recompute, _) = try Self.run(experiment, .recompute, requests)
        let (offload, violations) = try Self.run(experiment, Self.offload(), requests)
        #expect(violations.isEmpty, "\(violations.prefix(3))")
        #expect(offload.overall.transfers.movedToHost == 0)
        #expect(try Self.withoutStrategy(offload) == Self.withoutStrategy(recompute))
    }

    /// Under KV pressure requests move to the host, fewer are preempted than under recompute, and all finish
    /// (OF-1, OF-2 and the engine's invariants checked at every event).
    @Test func pressureMovesRequestsToHost() throws {
        let experiment = try TestExperiments.singleInstance(blocks: 64)
        let requests = Self.burst(40, prompt: 200, output: 300)
        let (recompute, _) = try Self.run(experiment, .recompute, requests)
        let (offload, violations) = try Self.run(experiment, Self.offload(), requests)
        #expect(violations.isEmpty, "\(violations.prefix(3))")
        #expect(offload.overall.transfers.movedToHost > 0)
        #expect(Self.counter(offload, "host_resident_max") > 0)
        #expect(offload.overall.preemptions < recompute.overall.preemptions)
        #expect(offload.overall.requests.finished == 40)
        #expect(offload.overall.requests.unfinished == 0)
        #expect(offload.overall.transfers.bytesByPurpose["offload-kv", default: 0] > 0)
        #expect(offload.overall.transfers.bytesByPurpose["kv-writeback", default: 0] > 0)
        #expect(offload.overall.transfers.bytesByPurpose["activations", default: 0] > 0)
        #expect(Self.counter(offload, "cpu_attention_s") > 0)
    }

    /// OPT-13b on Grace, 1,000 context tokens: 819,200 KV bytes per token over all layers and 4 × 5,120 FLOPs per
    /// token per layer. Reads at min(512 GB/s × 0.68, 72 × 10.9 GB/s) = 348.16 GB/s (Grace's measured STREAM),
    /// FLOPs at 72 × 30 GFLOP/s.
    @Test func cpuAttentionTimeByHand() throws {
        let model = TestExperiments.model("opt-13b")
        let cpu = TestExperiments.hardware("gh200-96gb").cpu
        let attention = CPUAttentionModel(model: model, cpu: cpu)
        let bytes = 1_000.0 * 819_200
        let flops = 40.0 * 4 * 5_120 * 1_000
        let expected = bytes / 348.16e9 + flops / (72 * 30e9)
        #expect(abs(attention.seconds(contextTokens: 1_000) - expected) < 1e-12)
        #expect(abs(expected - 2.7322e-3) < 1e-6)
        // With 8 cores the cores, not LPDDR, bound the reads: 8 × 10.9 GB/s.
        let eight = CPUAttentionModel(model: model, cpu: cpu, cores: 8)
        #expect(abs(eight.seconds(contextTokens: 1_000) - (bytes / 87.2e9 + flops / (8 * 30e9))) < 1e-12)
        #expect(attention.seconds(contextTokens: 0) == 0)
    }

    /// The CPU-time budget: with one core a single host-resident request's attention (about 24.8 µs per context
    /// token on Llama-3-8B, so over 12 ms at 500 tokens) already exceeds a small batch's GPU step, so nothing moves
    /// and offload is recompute; with a few cores some move and the rest are preempted; with all cores most move.
    @Test func cpuBudgetStopsMovingAndFallsBackToPreemption() throws {
        let experiment = try TestExperiments.singleInstance(blocks: 64)
        let requests = Self.burst(40, prompt: 500, output: 200)
        let (recompute, _) = try Self.run(experiment, .recompute, requests)
        let (one, oneViolations) = try Self.run(experiment, Self.offload(.init(cpuCores: 1)), requests)
        let (few, fewViolations) = try Self.run(experiment, Self.offload(.init(cpuCores: 4)), requests)
        let (all, allViolations) = try Self.run(experiment, Self.offload(), requests)
        #expect(oneViolations.isEmpty && fewViolations.isEmpty && allViolations.isEmpty)
        let gpuStep = IterationTimeModel(model: TestExperiments.model("llama-3-8b"), gpu: experiment.hardware.gpu)
            .computeSeconds(of: BatchShape(sampledSequences: 1, hostDecodeSequences: 1, hostDecodeContextTokens: 500))
        let oneCore = CPUAttentionModel(model: TestExperiments.model("llama-3-8b"), cpu: experiment.hardware.cpu, cores: 1)
        #expect(oneCore.seconds(contextTokens: 500) > gpuStep)
        #expect(one.overall.transfers.movedToHost == 0)
        #expect(Self.counter(one, "cpu_budget_stops") > 0)
        #expect(try Self.withoutStrategy(one) == Self.withoutStrategy(recompute))
        #expect(few.overall.transfers.movedToHost > 0)
        #expect(Self.counter(few, "cpu_budget_stops") > 0)
        #expect(few.overall.preemptions > 0)
        #expect(few.overall.transfers.movedToHost < all.overall.transfers.movedToHost)
        #expect(all.overall.preemptions <= few.overall.preemptions)
        #expect(few.overall.preemptions <= recompute.overall.preemptions)
        #expect(all.overall.requests.finished == 40 && few.overall.requests.finished == 40)
    }

    /// On the x86 presets offload runs over PCIe, keeps its invariants, moves requests and finishes everything;
    /// fewer cores (less CPU bandwidth) move fewer requests. The x86 hosts' DDR reads at 70% of peak, so the A100
    /// host reads slower than Grace's LPDDR5X.
    @Test(arguments: ["x86-h100-sxm-pcie5", "x86-a100-pcie4"])
    func x86PresetsBehave(hardware: String) throws {
        let experiment = try TestExperiments.singleInstance(hardware: hardware, blocks: 64)
        let requests = Self.burst(40, prompt: 200, output: 300)
        let (recompute, _) = try Self.run(experiment, .recompute, requests)
        let (all, violations) = try Self.run(experiment, Self.offload(), requests)
        let (few, fewViolations) = try Self.run(experiment, Self.offload(.init(cpuCores: 2)), requests)
        #expect(violations.isEmpty && fewViolations.isEmpty, "\(violations.prefix(3))")
        #expect(all.overall.requests.finished == 40 && few.overall.requests.finished == 40)
        #expect(all.overall.transfers.movedToHost > 0)
        #expect(all.overall.preemptions < recompute.overall.preemptions)
        #expect(few.overall.transfers.movedToHost < all.overall.transfers.movedToHost)
        #expect(Self.counter(few, "cpu_read_gb_per_s") < Self.counter(all, "cpu_read_gb_per_s"))
        let grace = CPUAttentionModel(model: TestExperiments.model("llama-3-8b"), cpu: TestExperiments.hardware("gh200-96gb").cpu)
        let host = CPUAttentionModel(model: TestExperiments.model("llama-3-8b"), cpu: experiment.hardware.cpu)
        if hardware == "x86-a100-pcie4" { #expect(host.readBytesPerSecond < grace.readBytesPerSecond) }
    }
}
