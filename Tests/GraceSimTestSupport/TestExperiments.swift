import Foundation
import GraceSim

/// Builders for experiments and instances used across the tests.
public enum TestExperiments {
    /// The repository root.
    public static var repositoryRoot: String { Repository.root.path }

    public static var catalog: PresetCatalog { Repository.catalog }

    public static func model(_ name: String) -> ModelSpec {
        try! catalog.model(named: name, file: "test", key: "model")
    }

    public static func hardware(_ name: String) -> HardwareSpec {
        try! catalog.hardware(named: name, file: "test", key: "hardware")
    }

    /// Parses an experiment written inline.
    public static func experiment(_ yaml: String, file: String = "test.yaml") throws -> Experiment {
        try Experiment.load(try ConfigNode.parse(yaml, file: file), baseDirectory: repositoryRoot, catalog: catalog)
    }

    /// The memory fraction that gives `model` a KV pool of exactly `blocks` blocks on `hardware`.
    /// The activation reserve depends on the scheduler limits and chunked prefill, so pass the values the instance uses.
    public static func gpuMemoryUtilization(forBlocks blocks: Int, model: ModelSpec, hardware: HardwareSpec, chunkedPrefill: Bool = false,
                               maxNumSeqs: Int = 256, maxNumBatchedTokens: Int? = nil) -> Double {
        let spec = InstanceSpec(name: model.name, model: model, gpuMemoryUtilization: 1, maxNumSeqs: maxNumSeqs,
                                maxNumBatchedTokens: maxNumBatchedTokens, chunkedPrefill: chunkedPrefill)
        let blockBytes = Int64(spec.blockTokens) * model.kvBytesPerToken
        let bytes = model.totalWeightBytes + spec.activationReserveBytes + Int64(blocks) * blockBytes + blockBytes / 2
        return Double(bytes) / Double(hardware.gpu.hbmBytes)
    }

    /// A one-instance experiment of `model` on `hardware` whose KV pool holds `blocks` blocks
    /// (and whose workload is replaced by fixed requests in the tests). `strategy` is the experiment's
    /// `strategy:` value as YAML (`swap`, `{kind: swap, swap_space_gib: 0}`).
    public static func singleInstance(model: String = "llama-3-8b", hardware: String = "gh200-96gb", blocks: Int? = nil,
                               extra: String = "", strategy: String = "recompute", checkInvariants: Bool = true) throws -> Experiment {
        let fraction = blocks.map { gpuMemoryUtilization(forBlocks: $0, model: self.model(model), hardware: self.hardware(hardware)) } ?? 0.9
        return try experiment("""
        name: test
        hardware: \(hardware)
        instances:
          - model: \(model)
            memory_fraction: \(fraction)
        \(extra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        strategy: \(strategy)
        workload:
          max_requests: 1
          arrivals: {kind: poisson, rate: 1}
          lengths: {kind: fixed, prompt: 16, output: 16}
        simulation:
          check_invariants: \(checkInvariants)
        """)
    }

    public static func request(at seconds: Double, prompt: Int32, output: Int32, instance: Int = 0) -> RequestSpec {
        RequestSpec(arrival: .seconds(seconds), instance: instance, promptTokens: prompt, outputTokens: output)
    }
}
