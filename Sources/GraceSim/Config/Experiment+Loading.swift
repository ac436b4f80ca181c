import Foundation

extension Experiment {
    /// Reads an experiment file, applies `--set` overrides, resolves model and hardware names through
    /// `catalog`, and validates everything, so that a loaded experiment always runs.
    /// - Throws: ``ConfigError`` naming the file and key of the first problem.
    public static func load(path: String, overrides: [ConfigOverride] = [], catalog: PresetCatalog? = nil) throws -> Experiment {
        var root = try ConfigNode.load(path: path).resolvingBase()
        for override in overrides { root = try override.apply(to: root) }
        let baseDirectory = (path as NSString).deletingLastPathComponent
        guard let catalog = catalog ?? PresetCatalog.locate(startingAt: [baseDirectory.isEmpty ? "." : baseDirectory,
                                                                        FileManager.default.currentDirectoryPath]) else {
            throw ConfigError(file: path, key: "", "cannot find the Configs folder with hardware/ and models/ (set GRACESIM_CONFIGS)")
        }
        return try load(root, baseDirectory: baseDirectory, catalog: catalog)
    }

    /// Reads an already parsed experiment.
    public static func load(_ root: ConfigNode, baseDirectory: String, catalog: PresetCatalog) throws -> Experiment {
        let o = try root.object()
        let file = root.file
        let name = try o.string("name", default: ((file as NSString).lastPathComponent as NSString).deletingPathExtension)
        let description = try o.string("description", default: "")
        _ = o.optional("base")  // resolved by the caller (ConfigNode.resolvingBase)
        let seedNode = o.optional("seed")
        let seed = try seedNode?.int() ?? 1
        guard seed >= 0 else { throw seedNode!.error("expected a non-negative integer, found \(seed)") }
        let hardwareNode = try o.required("hardware")
        let hardware = try catalog.hardware(named: try hardwareNode.string(), file: file, key: hardwareNode.path)
        let strategy = try o.optional("strategy").map(StrategySpec.load) ?? .recompute

        var gpuScheduler = GPUSchedulerKind.roundRobin
        if let sharing = try o.optional("sharing")?.object() {
            let modeNode = sharing.optional("mode")
            if let modeNode, try modeNode.string() != "temporal" {
                throw modeNode.error("expected temporal (spatial sharing is not available yet), found \"\(try modeNode.string())\"")
            }
            gpuScheduler = try sharing.choice("scheduler", default: .roundRobin)
            try sharing.finish()
        }

        let instanceNodes = try o.required("instances").list()
        guard !instanceNodes.isEmpty else { throw o.missing("instances") }
        var instances = try instanceNodes.map { try loadInstance($0, catalog: catalog) }
        makeNamesUnique(&instances)
        do {
            _ = try MemoryPartition.plan(instances, gpu: hardware.gpu)
        } catch {
            let key = error.instance.map { "instances.\($0).memory_fraction" } ?? "instances"
            throw ConfigError(file: file, key: key, "\(error.message) on \(hardware.name)")
        }

        let workload = try WorkloadSpec.load(from: try o.required("workload"), instanceCount: instances.count,
                                             projectRoot: catalog.projectRoot, baseDirectory: baseDirectory)

        var maxTimeNs: Int64?
        var checkInvariants = false
        if let simulation = try o.optional("simulation")?.object() {
            if simulation.has("max_time_s") { maxTimeNs = try simulation.positiveSeconds("max_time_s").ns }
            checkInvariants = try simulation.bool("check_invariants", default: false)
            try simulation.finish()
        }
        var sampleIntervalNs = SimTime.seconds(1).ns
        if let metrics = try o.optional("metrics")?.object() {
            sampleIntervalNs = try metrics.positiveSeconds("sample_interval_s", default: 1).ns
            try metrics.finish()
        }
        try o.finish()
        return Experiment(name: name, file: file, description: description, seed: UInt64(seed), hardware: hardware,
                          instances: instances, gpuScheduler: gpuScheduler, strategy: strategy, workload: workload,
                          maxTimeNs: maxTimeNs, sampleIntervalNs: sampleIntervalNs, checkInvariants: checkInvariants)
    }

    private static func loadInstance(_ node: ConfigNode, catalog: PresetCatalog) throws -> InstanceSpec {
        let o = try node.object()
        let modelNode = try o.required("model")
        let model = try catalog.model(named: try modelNode.string(), file: node.file, key: modelNode.path)
        let fraction = try o.double("memory_fraction", in: 0.000_001...1)
        let chunked = try o.bool("chunked_prefill", default: false)
        let maxNumSeqs = try o.positiveInt("max_num_seqs", default: 256, atMost: InstanceSpec.maxSequences)
        let budgetNode = o.optional("max_num_batched_tokens")
        let budget = try budgetNode.map { _ in try o.positiveInt("max_num_batched_tokens", atMost: InstanceSpec.maxBatchedTokens) }
        if let budget, budget < maxNumSeqs, let budgetNode {
            throw budgetNode.error("must be at least max_num_seqs (\(maxNumSeqs)), found \(budget)")
        }
        let blockTokens = try o.positiveInt("block_size", default: 16, atMost: InstanceSpec.maxBlockTokens)
        let watermark = try o.double("watermark", in: 0...0.5, default: 0.01)
        let reserve = try o.optional("activation_reserve_gb").map { node -> Int64 in
            let gb = try node.double()
            guard gb >= 0, gb < 1e9 else { throw node.error("expected a number of GB from 0 to 1e9, found \(gb)") }
            return Int64(gb * 1e9)
        }
        let name = try o.string("name", default: model.name)
        try o.finish()
        return InstanceSpec(name: name, model: model, memoryFraction: fraction, maxNumSeqs: maxNumSeqs,
                            maxNumBatchedTokens: budget, chunkedPrefill: chunked, blockTokens: blockTokens,
                            watermark: watermark, activationReserveBytes: reserve)
    }

    /// Appends "#2", "#3", ... to repeated instance names.
    private static func makeNamesUnique(_ instances: inout [InstanceSpec]) {
        var seen: [String: Int] = [:]
        for i in instances.indices {
            let count = seen[instances[i].name, default: 0] + 1
            seen[instances[i].name] = count
            if count > 1 { instances[i].name += "#\(count)" }
        }
    }
}
