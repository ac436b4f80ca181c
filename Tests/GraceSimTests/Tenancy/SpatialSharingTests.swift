import GraceSimTestSupport
import Testing
@testable import GraceSim

/// MPS and MIG: the sharing rule worked by hand, the MIG slice arithmetic, config validation, and remapping that
/// stays inside an instance's own memory.
@Suite struct SpatialSharingTests {
    /// Two llama-3-8b instances with plenty of KV under `mode`.
    static func twoInstances(_ mode: String, strategy: String = "recompute", extra: String = "memory_fraction: 0.45") throws -> Experiment {
        let lines = extra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        return try TestExperiments.experiment("""
        name: two
        hardware: gh200-96gb
        strategy: \(strategy)
        sharing: {mode: \(mode)}
        instances:
          - model: llama-3-8b
        \(lines.replacingOccurrences(of: "@", with: "4g.48gb"))
          - model: llama-3-8b
        \(lines.replacingOccurrences(of: "@", with: "3g.48gb"))
        workload:
          max_requests: 1
          arrivals: {kind: poisson, rate: 1}
          lengths: {kind: fixed, prompt: 16, output: 16}
          shares: [1, 1]
        simulation:
          check_invariants: true
        """)
    }

    // MARK: MPS

    /// Two identical instances, one 100-token prompt each at t = 0. Alone, the prefill takes its host overhead
    /// plus its GPU work g; together both GPU parts run at 1/2 speed, so each first token comes g later, and so on
    /// for every step while both run.
    @Test func mpsHalvesEachIterationsGPUSpeedWhileTwoRun() throws {
        let experiment = try Self.twoInstances("mps")
        let one = [TestExperiments.request(at: 0, prompt: 100, output: 3, instance: 0)]
        let both = one + [TestExperiments.request(at: 0, prompt: 100, output: 3, instance: 1)]
        let solo = try Simulator(experiment: experiment, requests: one)
        _ = solo.run()
        let shared = try Simulator(experiment: experiment, requests: both)
        _ = shared.run()
        #expect(shared.invariantViolations.isEmpty, "\(shared.invariantViolations.prefix(3))")

        let model = solo.instances[0].timeModel
        func gpuNs(_ shape: BatchShape) -> Int64 { Int64((model.computeSeconds(of: shape) * 1e9).rounded()) }
        let prefill = BatchShape.prefill(tokens: 100)
        let soloTTFT = solo.instances[0].metrics.ttftNs[0]
        #expect(soloTTFT == model.duration(of: prefill).ns)
        for instance in shared.instances {
            #expect(instance.metrics.ttftNs == [soloTTFT + gpuNs(prefill)])
        }
        // Prefill, then two decodes over 101 and 102 tokens of context: every GPU part twice as long.
        let gpuTotal = gpuNs(prefill) + gpuNs(.decode(sequences: 1, contextTokens: 101)) + gpuNs(.decode(sequences: 1, contextTokens: 102))
        let soloE2E = solo.instances[0].metrics.endToEndNs[0]
        for instance in shared.instances {
            #expect(instance.metrics.endToEndNs == [soloE2E + gpuTotal])
        }
    }

    /// Under MPS each instance runs back to back: an instance alone on the GPU runs exactly as under temporal sharing.
    @Test func mpsWithOneBusyInstanceIsTemporal() throws {
        let requests = AllStrategiesTests.light(instances: 1)
        let temporal = try Simulator(experiment: try Self.twoInstances("temporal"), requests: requests).run()
        let mps = try Simulator(experiment: try Self.twoInstances("mps"), requests: requests).run()
        #expect(mps.overall.ttft == temporal.overall.ttft)
        #expect(mps.overall.endToEnd == temporal.overall.endToEnd)
    }

    // MARK: MIG

    @Test func migSliceArithmetic() throws {
        let gpu = TestExperiments.hardware("gh200-96gb").gpu
        #expect(MIGProfile.names(on: gpu) == ["1g.12gb", "1g.24gb", "2g.24gb", "3g.48gb", "4g.48gb", "7g.96gb"])
        #expect(MIGProfile.names(on: TestExperiments.hardware("x86-h100-sxm-pcie5").gpu)
                == ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"])
        #expect(MIGProfile.names(on: TestExperiments.hardware("gh200-144gb").gpu).last == "7g.144gb")
        let profile = try #require(MIGProfile.parse("3g.48gb", on: gpu))
        #expect(profile == MIGProfile(computeSlices: 3, memorySlices: 4))
        #expect(MIGProfile.parse("3g.40gb", on: gpu) == nil)
        let slice = gpu.slice(profile)
        #expect(abs(slice.peakFlopsPerSecond - gpu.peakFlopsPerSecond * 3 / 7) < 1)
        #expect(abs(slice.hbmBytesPerSecond - gpu.hbmBytesPerSecond / 2) < 1)
        #expect(slice.hbmBytes == gpu.hbmBytes / 2)
        #expect(slice.smCount == 132 * 3 / 7)
        #expect(gpu.slice(MIGProfile(computeSlices: 7, memorySlices: 8)) == gpu)

        // The instance computes on its slice and its memory is its slice's.
        let experiment = try Self.twoInstances("mig", extra: "mig_profile: @\nmemory_fraction: 0.8")
        let simulator = try Simulator(experiment: experiment, requests: [])
        let instance = simulator.instances[1]
        #expect(instance.timeModel.gpu == slice)
        let spec = instance.spec
        let kvBytes = Int64(0.8 * Double(slice.hbmBytes)) - spec.model.totalWeightBytes - spec.activationReserveBytes
        #expect(instance.pool.capacityBlocks == Int(kvBytes / instance.pool.blockBytes))
        // A compute-bound prefill takes about 7/3 as long on 3 of 7 compute slices.
        let big = BatchShape.prefill(tokens: 4096)
        let whole = IterationTimeModel(model: spec.model, gpu: gpu).computeSeconds(of: big)
        let ratio = instance.timeModel.computeSeconds(of: big) / whole
        #expect(ratio > 2.0 && ratio < 7.0 / 3.0 + 0.01, "ratio \(ratio)")
    }

    @Test func migProfilesThatDoNotFitAreConfigErrors() throws {
        func load(_ profiles: [String], model: String = "llama-3-8b", sharing: String = "mig") throws {
            let instances = profiles.map { "  - model: \(model)\n    mig_profile: \($0)" }.joined(separator: "\n")
            _ = try TestExperiments.experiment("""
            name: bad
            hardware: gh200-96gb
            sharing: {mode: \(sharing)}
            instances:
            \(instances)
            workload:
              max_requests: 1
              arrivals: {kind: poisson, rate: 1}
              lengths: {kind: fixed, prompt: 16, output: 16}
              shares: [\(profiles.map { _ in "1" }.joined(separator: ", "))]
            """, file: "exp.yaml")
        }
        let compute = #expect(throws: ConfigError.self) { try load(["4g.48gb", "2g.24gb", "2g.24gb"]) }
        #expect(compute?.key == "instances.2.mig_profile")
        #expect(compute?.message.contains("8 of 7 compute slices") == true)
        let memory = #expect(throws: ConfigError.self) { try load(["3g.48gb", "3g.48gb", "1g.12gb"]) }
        #expect(memory?.key == "instances.2.mig_profile")
        #expect(memory?.message.contains("9 of 8 memory slices") == true)
        let unknown = #expect(throws: ConfigError.self) { try load(["3g.40gb"]) }
        #expect(unknown?.key == "instances.0.mig_profile")
        #expect(unknown?.message.contains("3g.48gb") == true)
        // A 13B model's 26 GB of weights do not fit a 24 GB slice.
        let small = #expect(throws: ConfigError.self) { try load(["2g.24gb"], model: "llama-2-13b") }
        #expect(small?.key == "instances.0.mig_profile")
        let temporal = #expect(throws: ConfigError.self) { try load(["3g.48gb"], sharing: "temporal") }
        #expect(temporal?.key == "instances.0.mig_profile")
        try load(["3g.48gb", "2g.24gb", "2g.24gb"])
    }

    // MARK: Remapping under spatial sharing

    /// Instance 0 gets a burst that overflows its small pool; instance 1 idles. Under temporal sharing remapping
    /// takes the idle instance's layers first; under MPS and MIG instance 0 remaps its own, and under MIG its pool
    /// never grows beyond what its own layers freed.
    @Test(arguments: ["temporal", "mps", "mig"])
    func remapTakesOnlyOwnLayersUnderSpatialSharing(mode: String) throws {
        let model = TestExperiments.model("llama-3-8b")
        let fraction = TestExperiments.gpuMemoryUtilization(forBlocks: 60, model: model, hardware: TestExperiments.hardware("gh200-96gb"))
        let extra = mode == "mig" ? "mig_profile: @\nmemory_fraction: \(fraction * 2)" : "memory_fraction: \(fraction)"
        let experiment = try Self.twoInstances(mode, strategy: "remap", extra: extra)
        let requests = (0..<40).map { TestExperiments.request(at: Double($0) * 0.01, prompt: 200, output: 200, instance: 0) }
        let simulator = try Simulator(experiment: experiment, requests: requests)
        let initial = simulator.instances.map(\.pool.capacityBlocks)
        var ownGrowth = 0
        while simulator.step() {
            let pool = simulator.instances[0].pool
            if mode == "mig" {
                let remapped = Int64((simulator.strategy as! RemapStrategy).states[0].remapped) * model.weightBytesPerLayer
                #expect(Int64(pool.capacityBlocks - initial[0]) * pool.blockBytes <= remapped, "lent beyond own layers")
            }
            ownGrowth = max(ownGrowth, pool.capacityBlocks - initial[0])
        }
        let report = simulator.report()
        #expect(simulator.invariantViolations.isEmpty, "\(simulator.invariantViolations.prefix(3))")
        #expect(report.overall.requests.finished == requests.count)
        #expect(ownGrowth > 0, "instance 0 must have borrowed memory")
        let idleRemaps = report.instances[1].strategy?.counters["remaps"] ?? 0
        let busyRemaps = report.instances[0].strategy?.counters["remaps"] ?? 0
        if mode == "temporal" {
            #expect(idleRemaps > 0, "temporal: the idle instance is the first victim")
        } else {
            #expect(idleRemaps == 0 && busyRemaps > 0, "\(mode): only the busy instance's own layers")
        }
    }
}
