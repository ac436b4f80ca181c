import GraceSimTestSupport
import Testing
@testable import GraceSim

/// `engine_overhead` in an experiment: a profile name or explicit numbers, reaching the instance's time model.
@Suite struct EngineOverheadTests {
    func experiment(overhead: String?) throws -> Experiment {
        let line = overhead.map { "\n    engine_overhead: \($0)" } ?? ""
        return try TestExperiments.experiment("""
            name: overhead
            hardware: gh200-96gb
            instances:
              - model: llama-3-8b
                memory_fraction: 0.9\(line)
            workload:
              max_requests: 10
              arrivals: {kind: poisson, rate: 1}
              lengths: {kind: fixed, prompt: 100, output: 10}
            """)
    }

    @Test func defaultIsVLLM07() throws {
        #expect(try experiment(overhead: nil).instances[0].engineOverhead == .vllm07)
        #expect(EngineOverhead.vllmV0 == .vllm07)
    }

    @Test(arguments: EngineOverhead.Profile.allCases)
    func profileByName(profile: EngineOverhead.Profile) throws {
        #expect(try experiment(overhead: profile.rawValue).instances[0].engineOverhead == profile.overhead)
    }

    @Test func explicitNumbers() throws {
        let spec = try experiment(overhead: "{per_step_us: 250, per_sequence_us: 2.5}").instances[0]
        #expect(spec.engineOverhead == EngineOverhead(perIteration: SimTime(ns: 250_000), perSequence: SimTime(ns: 2_500)))
    }

    /// vllm-0.5's CPU time follows the GPU's: 62 / 38 of it, so a step takes GPU / 0.38 in all.
    @Test func vllm05ScalesWithTheGPUsWork() {
        let overhead = EngineOverhead.vllm05.duration(sampledSequences: 100, gpuSeconds: 0.038)
        #expect(overhead == SimTime(ns: 62_000_000))
        #expect(EngineOverhead.vllm07.duration(sampledSequences: 100, gpuSeconds: 0.038) == SimTime(ns: 2_000_000))
    }

    @Test func explicitCUDAGraphs() throws {
        let spec = try experiment(overhead: "{per_step_us: 1, cuda_graphs: v0}").instances[0]
        #expect(spec.engineOverhead.cudaGraphs == .vllmV0)
        let error = configError { _ = try experiment(overhead: "{cuda_graphs: v2}") }
        #expect(error?.description.contains("instances.0.engine_overhead.cuda_graphs: expected v1, v0 or none") == true,
                "\(String(describing: error))")
    }

    @Test func instanceUsesItsProfile() throws {
        let experiment = try experiment(overhead: "vllm-v1")
        let simulator = try Simulator(experiment: experiment, requests: [])
        #expect(simulator.instances[0].timeModel.engineOverhead == .vllmV1)
    }

    @Test(arguments: [("vllm-9", "vllm-0.5, vllm-0.7, vllm-v1"), ("{per_step_us: -1}", "per_step_us"),
                      ("{per_step_us: 1, per_token_us: 2}", "per_token_us"), ("[1, 2]", "a list")])
    func badInputNamesKeyAndExpectation(text: String, mention: String) throws {
        let error = configError { _ = try experiment(overhead: text) }
        #expect(error?.key.hasPrefix("instances.0.engine_overhead") == true, "\(String(describing: error))")
        #expect(error?.description.contains(mention) == true, "\(String(describing: error))")
    }
}
