import Foundation

extension RunSetup {
    /// Every way `experiment` differs from the run in model, GPU and engine arguments, one phrase each, in a fixed
    /// order (`model llama-3-8b (the run: meta-llama/Llama-3.1-8B)`), against the experiment's first instance. The
    /// model is compared after resolving the run's through `catalog`; the GPU by hardware preset, or by the names the
    /// presets list for their GPU (`device_names`); an engine argument only when the run records it.
    public func differences(from experiment: Experiment, catalog: PresetCatalog) -> [String] {
        guard let instance = experiment.instances.first else { return [] }
        var found: [String] = []
        if let model {
            let resolved = try? catalog.model(named: model, file: file, key: "model")
            if resolved?.name != instance.model.name && model != instance.modelReference {
                found.append("model \(instance.modelReference) (the run: \(model))")
            }
        }
        if let hardware, hardware != experiment.hardware.name {
            found.append("GPU \(experiment.hardware.name) (the run: \(hardware))")
        } else if hardware == nil, let gpu, !experiment.hardware.deviceNames.contains(gpu) {
            let preset = try? hardwarePreset(catalog: catalog)
            if preset != nil || !experiment.hardware.deviceNames.isEmpty {
                found.append("GPU \(experiment.hardware.name) (the run: \(gpu)\(preset.map { ", preset \($0.name)" } ?? ""))")
            }
        }
        for argument in arguments {
            guard let ours = Self.value(of: argument.name, in: instance), !Self.same(ours, argument.value) else { continue }
            if argument.name == "max_num_batched_tokens" && argument.value == "null" { continue }  // vLLM chose it
            found.append("\(argument.name) \(ours) (the run: \(argument.value))")
        }
        return found
    }

    /// `instance`'s value of engine argument `name`, as vLLM writes it; nil for a name gracesim does not know.
    static func value(of name: String, in instance: InstanceSpec) -> String? {
        switch name {
        case "max_num_seqs": return "\(instance.maxNumSeqs)"
        case "max_num_batched_tokens": return "\(instance.maxNumBatchedTokens)"
        case "max_model_len": return instance.maxModelLen.map(String.init) ?? "null"
        case "block_size": return "\(instance.blockTokens)"
        case "gpu_memory_utilization": return "\(instance.gpuMemoryUtilization)"
        case "enable_chunked_prefill": return instance.chunkedPrefill ? "true" : "false"
        case "enable_prefix_caching": return instance.prefixCaching ? "true" : "false"
        case "tensor_parallel_size": return "\(instance.tensorParallelSize)"
        case "data_parallel_size": return "\(instance.dataParallelSize)"
        case "enable_expert_parallel": return instance.model.expertParallel > 1 ? "true" : "false"
        default: return nil
        }
    }

    /// Whether two values as vLLM writes them are the same: equal numbers, or equal text.
    static func same(_ a: String, _ b: String) -> Bool {
        if let x = Double(a), let y = Double(b) { return x == y }
        return a == b
    }

    /// The hardware preset of the run's GPU: the preset it names (gracesim's own results), else, of the presets that
    /// list the GPU's name under `device_names` and have at least the run's GPUs (tensor × data parallel), the one with the
    /// fewest GPUs (the first in name order among equals).
    /// - Throws: ``ConfigError`` naming the run's file when the run names neither, or no preset lists its GPU.
    public func hardwarePreset(catalog: PresetCatalog) throws -> HardwareSpec {
        if let hardware { return try catalog.hardware(named: hardware, file: file, key: "gracesim.hardware") }
        guard let gpu else {
            throw ConfigError(file: file, key: "hardware.device_name", "the run does not say which GPU served it; give --experiment E.yaml")
        }
        let gpus = (argument("tensor_parallel_size").flatMap { Int($0) } ?? 1) * (argument("data_parallel_size").flatMap { Int($0) } ?? 1)
        var best: HardwareSpec?
        for name in try catalog.hardwareNames() {
            if let spec = try? catalog.hardware(named: name, file: file, key: "hardware.device_name"), spec.deviceNames.contains(gpu),
               spec.gpuCount >= gpus, spec.gpuCount < best?.gpuCount ?? .max {
                best = spec
            }
        }
        if let best { return best }
        throw ConfigError(file: file, key: "hardware.device_name",
                          "no hardware preset lists \"\(gpu)\" under device_names\(gpus > 1 ? " with \(gpus) GPUs or more" : ""); give --experiment E.yaml, or add the name to its preset")
    }

    /// The experiment that mirrors the run: its model, the preset of its GPU, its engine arguments (vLLM's defaults
    /// where it records none; the V1 engine, with its scheduler, prefix caching and engine overhead, under a V1-only
    /// vLLM). Its workload is a
    /// placeholder: a replay sends the run's own requests.
    /// - Throws: ``ConfigError`` naming the run's file when the model or GPU is not known, or the experiment cannot
    ///   be loaded (a parallelism the model cannot be split by, say).
    public func mirrorExperiment(name: String, catalog: PresetCatalog) throws -> Experiment {
        guard let model else { throw ConfigError(file: file, key: "model", "the run does not say which model it served; give --experiment E.yaml") }
        let hardware = try hardwarePreset(catalog: catalog)
        var lines = ["name: \(JSONText.quoted("mirror of " + name))", "hardware: \(JSONText.quoted(hardware.name))", "instances:",
                     "  - model: \(JSONText.quoted(model))"]
        for (argument, _) in Self.modelledArguments {
            guard let value = self.argument(argument), value != "null" else { continue }
            switch argument {
            case "max_num_seqs", "max_num_batched_tokens", "max_model_len", "block_size", "gpu_memory_utilization", "enable_chunked_prefill",
                 "tensor_parallel_size", "data_parallel_size", "enable_expert_parallel":
                lines.append("    \(argument): \(value)")
            case "enable_prefix_caching" where isV1Only:
                lines.append("    \(argument): \(value)")
            default: break
            }
        }
        if isV1Only { lines.append("    engine: vllm-v1") }
        lines += ["workload: {max_requests: 1, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 1, output: 1}}"]
        let node = try ConfigNode.parse(lines.joined(separator: "\n"), file: file)
        return try Experiment.load(node, baseDirectory: (file as NSString).deletingLastPathComponent, catalog: catalog)
    }
}
