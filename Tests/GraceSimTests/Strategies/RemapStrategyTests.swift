import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// Parameter remapping against the vLLM baseline, on the paper's C1 mix.
@Suite struct RemapStrategyTests {
    /// C1 under temporal sharing, with `overrides`: by default the first 120 s of the Azure code trace at half its
    /// rate (63 requests, a burst that makes recompute preempt).
    static func c1(_ overrides: [String], seconds: Int = 120, checkInvariants: Bool = false) throws -> RunReport {
        let window = ["workload.arrivals.end_s=\(seconds)", "workload.arrivals.rate_scale=0.5", "simulation.check_invariants=\(checkInvariants)"]
        let all = try (window + overrides)
            .map(ConfigOverride.init(parsing:))
        let experiment = try Experiment.load(path: TestExperiments.repositoryRoot + "/Configs/experiments/c1-temporal.yaml",
                                             overrides: all)
        let simulator = try Simulator(experiment: experiment)
        let report = simulator.run()
        #expect(simulator.invariantViolations.isEmpty, "\(simulator.invariantViolations.prefix(3))")
        return report
    }

    /// Reports as JSON without the parts that name the strategy.
    static func comparable(_ report: RunReport) throws -> String {
        var report = report
        report.strategy = ""
        for i in report.instances.indices { report.instances[i].strategy = nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// Under KV pressure remapping lends weight memory to KV: fewer preemptions and a lower P99 TTFT.
    @Test func beatsRecomputeUnderPressure() throws {
        let recompute = try Self.c1(["strategy=recompute"])
        let remap = try Self.c1(["strategy=remap"], checkInvariants: true)
        #expect(recompute.overall.preemptions > 0)
        #expect(remap.overall.preemptions < recompute.overall.preemptions)
        #expect(remap.overall.ttft.p99Ms < recompute.overall.ttft.p99Ms)
        #expect(remap.instances.contains { ($0.strategy?.counters["remapped_layers_max"] ?? 0) > 0 })
    }

    /// With the cap at 0 nothing may be remapped, and the run is exactly the baseline's.
    @Test func capZeroEqualsRecompute() throws {
        let recompute = try Self.c1(["strategy=recompute"], seconds: 120)
        let remap = try Self.c1(["strategy={kind: remap, cap: 0}"], seconds: 120)
        #expect(try Self.comparable(remap) == Self.comparable(recompute))
    }

    /// Remapping moves weights one way only: host to device, for streaming and for reversion.
    @Test func weightsMoveOneWay() throws {
        let report = try Self.c1(["strategy=remap"])
        #expect(report.link.bytesHostToDevice > 0)
        #expect(report.link.bytesDeviceToHost == 0)
        let purposes = Set(report.overall.transfers.bytesByPurpose.keys)
        #expect(purposes.isSubset(of: ["weight-stream", "weight-reload"]))
    }

    /// Over PCIe the link is ~8x slower than NVLink-C2C, so T_T × N ≤ T_compute allows far fewer layers per pass,
    /// and remapping gains less over recompute. (Llama-3-8B gets 25% so that the mix fits in 80 GB.)
    @Test func pcieRemapsFarLessThanNVLinkC2C() throws {
        func run(_ hardware: String, _ strategy: String) throws -> RunReport {
            try Self.c1(["hardware=\(hardware)", "instances.2.memory_fraction=0.25", "strategy=\(strategy)"])
        }
        func meanLayers(_ r: RunReport) -> Double {
            r.instances.reduce(0) { $0 + ($1.strategy?.counters["remapped_layers_mean"] ?? 0) }
        }
        let gh200 = try run("gh200-96gb", "remap"), gh200Base = try run("gh200-96gb", "recompute")
        let pcie = try run("x86-h100-sxm-pcie5", "remap"), pcieBase = try run("x86-h100-sxm-pcie5", "recompute")
        #expect(meanLayers(gh200) > 0.5)
        #expect(meanLayers(pcie) < meanLayers(gh200) / 4)
        let gain = { (base: RunReport, other: RunReport) in (base.overall.ttft.p99Ms - other.overall.ttft.p99Ms) / base.overall.ttft.p99Ms }
        #expect(gain(pcieBase, pcie) < gain(gh200Base, gh200))
    }

    /// With α fixed at 4, a pass streams α + 1 = 5 layers with one buffer and α + 2 = 6 with two, each one
    /// load of a layer's bytes on the link.
    @Test func doubleBufferingStreamsOneMoreLayer() throws {
        func layersStreamedPerPass(buffers: Int) throws -> Double {
            let experiment = try TestExperiments.experiment("""
            hardware: gh200-96gb
            strategy: {kind: remap, amount: {static: 4}, buffers: \(buffers), cap: 1, reversion: false, prefetch_idle: false}
            instances:
              - model: llama-3-8b
                memory_fraction: 0.9
            workload:
              max_requests: 1
              arrivals: {kind: poisson, rate: 1}
              lengths: {kind: fixed, prompt: 16, output: 16}
            """)
            let simulator = try Simulator(experiment: experiment, requests: [TestExperiments.request(at: 0, prompt: 100, output: 5)])
            let instance = simulator.instances[0]
            instance.apply(simulator.strategy.makeRoom(blocks: 1_000_000, instance: instance, now: .zero))
            let report = simulator.run()
            let counters = report.instances[0].strategy?.counters ?? [:]
            let layers = counters["layers_streamed"] ?? 0
            #expect(report.overall.transfers.bytesByPurpose["weight-stream"] == layers * Double(instance.spec.model.weightBytesPerLayer))
            return layers / (counters["remapped_passes"] ?? 1)
        }
        #expect(try layersStreamedPerPass(buffers: 1) == 5)
        #expect(try layersStreamedPerPass(buffers: 2) == 6)
    }

    /// MRU and LRU pick different victims, so the runs differ; both keep every invariant.
    @Test func victimOrderMatters() throws {
        let mru = try Self.c1(["strategy={kind: remap, victim: mru}"])
        let lru = try Self.c1(["strategy={kind: remap, victim: lru}"])
        #expect(try Self.comparable(mru) != Self.comparable(lru))
    }

    /// Bad options are reported against their key.
    @Test func badOptionsNameTheKey() throws {
        for (text, key) in [("{kind: remap, buffers: 3}", "strategy.buffers"), ("{kind: remap, cap: 2}", "strategy.cap"),
                            ("{kind: remap, victim: newest}", "strategy.victim"), ("{kind: remap, amount: lots}", "strategy.amount"),
                            ("{kind: remap, colour: red}", "strategy.colour")] {
            #expect(throws: ConfigError.self) { _ = try Self.c1(["strategy=\(text)"], seconds: 10) }
            do { _ = try Self.c1(["strategy=\(text)"], seconds: 10) } catch let error as ConfigError {
                #expect(error.key == key, "\(text): \(error)")
            }
        }
    }
}
