import Foundation

extension Experiment {
    /// Reads an experiment file, applies `--set` overrides, resolves model and hardware names through
    /// `catalog`, and validates everything, so that a loaded experiment always runs.
    /// - Throws: ``ConfigError`` naming the file and key of the first problem.
    public static func load(path: String, overrides: [ConfigOverride] = [], catalog: PresetCatalog? = nil) throws -> Experiment {
        var root = try ConfigNode.load(path: path).resolvingBase()
        for override in overrides { root = try override.apply(to: root) }
        let baseDirectory = (path as NSString).deletingLastPathComponent
        return try load(root, baseDirectory: baseDirectory, catalog: try catalog ?? PresetCatalog.find(forFileAt: path))
    }

    /// Every problem of the experiment file at `path` (see ``ConfigProblems``), empty when it loads and `check`
    /// accepts it; `check` runs on each loaded experiment (the CLI builds its simulator there).
    public static func problems(path: String, catalog: PresetCatalog? = nil,
                                check: (Experiment) throws -> Void = { _ in }) throws -> [ConfigError] {
        let root: ConfigNode
        let found: PresetCatalog
        do {
            root = try ConfigNode.load(path: path).resolvingBase()
            found = try catalog ?? PresetCatalog.find(forFileAt: path)
        } catch let error as ConfigError {
            return [error]
        }
        let baseDirectory = (path as NSString).deletingLastPathComponent
        return try ConfigProblems.collect(root, standIns: standIns(catalog: found)) {
            try check(try load($0, baseDirectory: baseDirectory, catalog: found))
        }
    }

    /// Reads an already parsed experiment.
    public static func load(_ root: ConfigNode, baseDirectory: String, catalog: PresetCatalog) throws -> Experiment {
        let o = try root.object()
        let file = root.file
        let name = try o.string("name", default: ((file as NSString).lastPathComponent as NSString).deletingPathExtension)
        let description = try o.string("description", default: "")
        _ = o.optional("base")  // resolved by the caller (ConfigNode.resolvingBase)
        let seed = try o.optional("seed").map(loadSeed) ?? 1
        let hardwareNode = try o.required("hardware")
        let hardware = try catalog.hardware(named: try hardwareNode.string(), file: file, key: hardwareNode.path)
        let strategy = try loadStrategy(o)

        var gpuScheduler = GPUSchedulerKind.roundRobin
        var sharingMode = SharingMode.temporal
        if let sharing = try o.optional("sharing")?.object() {
            sharingMode = try sharing.choice("mode", default: .temporal)
            // Read under every mode but used under temporal sharing only (under MPS and MIG every instance runs
            // its own iterations back to back), so that a spatial experiment may take a temporal one as its base.
            gpuScheduler = try sharing.choice("scheduler", default: .roundRobin)
            try sharing.finish()
        }

        let instanceNodes = try o.required("instances").list()
        guard !instanceNodes.isEmpty else { throw o.missing("instances") }
        var instanceWarnings: [ConfigError] = []
        var instances = try instanceNodes.map {
            try loadInstance($0, catalog: catalog, sharing: sharingMode, hardware: hardware, warnings: &instanceWarnings)
        }
        try checkEngines(instances, strategy: strategy, in: o)
        try checkTensorParallel(instances, nodes: instanceNodes)
        makeNamesUnique(&instances)
        if let problem = strategy.options.problem(instances: instances) {
            throw ConfigError(file: file, key: "strategy.\(problem.key)", problem.message)
        }
        if sharingMode == .mig { try checkMIGFit(instances, nodes: instanceNodes, hardware: hardware) }
        do {
            _ = try MemoryPartition.plan(instances, gpu: hardware.gpu)
        } catch {
            let key = error.instance.map { index in
                "instances.\(index).\(sharingMode == .mig ? "mig_profile" : Self.fractionSpelling(instanceNodes[index]))"
            } ?? "instances"
            throw ConfigError(file: file, key: key, "\(error.message) on \(hardware.name)")
        }

        let workload = try WorkloadSpec.load(from: try o.required("workload"), instanceCount: instances.count,
                                             projectRoot: catalog.projectRoot, baseDirectory: baseDirectory,
                                             contextTokens: instances.map(\.contextTokens))

        var maxTime: SimTime?
        var checkInvariants = false
        if let simulation = try o.optional("simulation")?.object() {
            if simulation.has("max_time_s") { maxTime = try simulation.positiveSeconds("max_time_s") }
            checkInvariants = try simulation.bool("check_invariants", default: false)
            try simulation.finish()
        }
        var sampleInterval = SimTime.seconds(1)
        if let metrics = try o.optional("metrics")?.object() {
            sampleInterval = try metrics.positiveSeconds("sample_interval_s", default: 1)
            if sampleInterval < minSampleInterval {
                throw try metrics.required("sample_interval_s").error(
                    "expected a number of seconds from 0.001 to \(ConfigObject.maxSeconds), found \(sampleInterval.seconds)")
            }
            try metrics.finish()
        }
        let slo = try o.optional("slo").map(loadSLO)
        try o.finish()
        let plan = workload.plan(maxTime: maxTime)
        try checkSampleCount(plan, sampleInterval: sampleInterval, file: file)
        return Experiment(name: name, file: file, description: description, seed: seed, hardware: hardware,
                          instances: instances, sharing: sharingMode, gpuScheduler: gpuScheduler, strategy: strategy, workload: workload,
                          maxTime: maxTime, sampleInterval: sampleInterval, slo: slo, checkInvariants: checkInvariants,
                          warnings: instanceWarnings + workload.shortfallWarnings(plan, file: file)
                            + prefixIdentityWarnings(instances, nodes: instanceNodes, workload: workload, file: file))
    }

    /// The most metric sample intervals a run's arrivals may span (10⁷): the link's traffic series has one
    /// entry per interval, so more would fill memory and time with samples (a 10⁷ s replay at 1 ms).
    static let maxSampleIntervals = 1e7

    /// Refuses a run whose expected arrivals span more than ``maxSampleIntervals`` sample intervals.
    private static func checkSampleCount(_ plan: WorkloadPlan, sampleInterval: SimTime, file: String) throws {
        guard let seconds = plan.lastArrivalSeconds else { return }
        let interval = sampleInterval.seconds
        let samples = seconds / interval
        guard samples > maxSampleIntervals else { return }
        let needed = (seconds / maxSampleIntervals * 1000).rounded(.up) / 1000
        let remedy = needed <= ConfigObject.maxSeconds
            ? String(format: "a sample_interval_s of at least %.3g s, or a shorter run", needed)
            : "a shorter run (fewer requests, a higher rate, a duration_s or a simulation.max_time_s)"
        throw ConfigError(file: file, key: "metrics.sample_interval_s", String(
            format: "the arrivals span about %.3g s, %.3g samples of %g s; expected at most %.0e samples: %@",
            seconds, samples, interval, maxSampleIntervals, remedy))
    }

    /// `strategy:`, or vLLM's `preemption_mode: recompute | swap` in its place, with vLLM's `swap_space` (GiB of CPU
    /// swap space per instance) beside it for the swap strategy.
    private static func loadStrategy(_ o: ConfigObject) throws -> StrategySpec {
        let key = try o.spelling("strategy", or: "preemption_mode")
        let strategy = try o.optional(key).map(StrategySpec.load) ?? .recompute
        if key == "preemption_mode", let node = o.optional(key), strategy.kind != .recompute && strategy.kind != .swap {
            throw node.error("expected recompute or swap (vLLM's preemption modes; strategy: names gracesim's others), found \(node.scalarText.map { "\"\($0)\"" } ?? node.kindName)")
        }
        guard let swapNode = o.optional("swap_space") else { return strategy }
        guard strategy.kind == .swap else {
            throw swapNode.error("applies with preemption_mode: swap (strategy swap) only; this experiment's strategy is \(strategy.kind.rawValue)")
        }
        if let strategyNode = o.optional(key), case .mapping = strategyNode.node,
           let inner = try? strategyNode.object(), inner.has("swap_space") || inner.has("swap_space_gib") {
            throw swapNode.error("is also given at \(key).\(inner.has("swap_space") ? "swap_space" : "swap_space_gib"); give it once")
        }
        let gib = try o.double("swap_space", in: 0...1_000_000)
        return StrategySpec(SwapStrategy.self, options: SwapStrategy.Options(swapSpaceBytes: Int64(gib * Double(1 << 30))))
    }

    /// The spelling of an instance's memory share that its mapping uses (vLLM's unless it uses the earlier one).
    private static func fractionSpelling(_ node: ConfigNode) -> String {
        (try? node.object())?.has("memory_fraction") == true ? "memory_fraction" : "gpu_memory_utilization"
    }

    /// The shortest `metrics.sample_interval_s`, 1 ms: every interval of the run holds a sample, so a shorter
    /// one makes memory and time grow without telling the user anything more.
    static let minSampleInterval = SimTime.milliseconds(1)

    /// `seed`: an integer from 0 to 2⁶⁴−1.
    private static func loadSeed(_ node: ConfigNode) throws -> UInt64 {
        if let text = node.scalarText, let value = UInt64(text) { return value }
        if let value = try? node.int(), value >= 0 { return UInt64(value) }
        throw node.error("expected a seed from 0 to 18446744073709551615 (2⁶⁴−1), found \(node.kindName)")
    }

    /// The longest latency limit an `slo` key may give, in ms (10¹² ms, about 31 years, fits in nanoseconds).
    static let maxSLOMilliseconds = 1e12

    /// Reads `slo: {ttft_ms, tpot_ms, e2el_ms}`: each optional, at least one given, each from 0 to
    /// ``maxSLOMilliseconds``; or vLLM's `--goodput` form, `slo: "ttft:200 tpot:50"` or `slo: [ttft:200, tpot:50]`
    /// (names `ttft`, `tpot`, `e2el`, values in ms).
    private static func loadSLO(_ node: ConfigNode) throws -> ServiceLevelObjective {
        if case .mapping = node.node {} else { return try loadGoodputSLO(node) }
        let o = try node.object()
        for (vllm, ours) in [("ttft", "ttft_ms"), ("tpot", "tpot_ms"), ("e2el", "e2el_ms")] where o.has(vllm) {
            throw try o.required(vllm).error("unknown key: vLLM's --goodput \(vllm):VALUE is \(ours): VALUE here (or slo: \"\(vllm):VALUE\")")
        }
        func limit(_ key: String) throws -> SimTime? {
            guard let child = o.optional(key) else { return nil }
            let ms = try child.double()
            guard ms >= 0, ms <= maxSLOMilliseconds else {
                throw child.error("expected a number of milliseconds from 0 to \(maxSLOMilliseconds), found \(ms)")
            }
            return .milliseconds(ms)
        }
        let slo = ServiceLevelObjective(ttft: try limit("ttft_ms"), tpot: try limit("tpot_ms"), e2el: try limit("e2el_ms"))
        try o.finish()
        guard slo != ServiceLevelObjective() else { throw node.error("expected at least one of ttft_ms, tpot_ms, e2el_ms") }
        return slo
    }

    /// `slo` in vLLM's `--goodput` form: `NAME:MS` pairs separated by spaces or commas, in a string or a list.
    private static func loadGoodputSLO(_ node: ConfigNode) throws -> ServiceLevelObjective {
        let items: [String]
        if case .sequence = node.node {
            items = try node.list().map { try $0.string() }
        } else {
            items = [try node.string()]
        }
        let pairs = items.flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
        var limits: [String: SimTime] = [:]
        for pair in pairs {
            let parts = pair.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, ["ttft", "tpot", "e2el"].contains(parts[0]), let ms = Double(parts[1]), ms.isFinite else {
                throw node.error("expected {ttft_ms: MS, tpot_ms: MS, e2el_ms: MS} or vLLM's --goodput pairs such as \"ttft:200 tpot:50\" (names ttft, tpot, e2el; ms), found \"\(pair)\"")
            }
            guard ms >= 0, ms <= maxSLOMilliseconds else {
                throw node.error("expected \(parts[0]) in milliseconds from 0 to \(maxSLOMilliseconds), found \(ms)")
            }
            guard limits[parts[0]] == nil else { throw node.error("\(parts[0]) is given twice") }
            limits[parts[0]] = .milliseconds(ms)
        }
        guard !limits.isEmpty else { throw node.error("expected at least one of ttft, tpot, e2el") }
        return ServiceLevelObjective(ttft: limits["ttft"], tpot: limits["tpot"], e2el: limits["e2el"])
    }

    /// vLLM's default `gpu_memory_utilization`: the share of the GPU (under MIG, of its slice) an instance takes
    /// when the config gives none.
    static let defaultGPUMemoryUtilization = 0.9

    private static func loadInstance(_ node: ConfigNode, catalog: PresetCatalog, sharing: SharingMode,
                                     hardware: HardwareSpec, warnings: inout [ConfigError]) throws -> InstanceSpec {
        let gpu = hardware.gpu
        let o = try node.object()
        let modelNode = try o.required("model")
        var model = try catalog.model(named: try modelNode.string(), file: node.file, key: modelNode.path)
            .applyingInstanceStorage(o)
        try checkKVCacheDtype(model, gpu: gpu, in: o)
        model = try loadTensorParallel(o, model: model, hardware: hardware, sharing: sharing)
        let devices = try loadDevices(o, count: model.tensorParallel * model.dataParallel, hardware: hardware)
        if let note = GEMMPrecision.resolve(model.quantization, on: gpu).fallbackNote {
            warnings.append(ConfigError(file: node.file, key: o.optional("quantization")?.path ?? modelNode.path, note))
        }
        var profile: MIGProfile?
        if sharing == .mig {
            let profileNode = try o.required("mig_profile")
            let name = try profileNode.string()
            guard let parsed = MIGProfile.parse(name, on: gpu) else {
                throw profileNode.error("expected a MIG profile of this GPU (\(MIGProfile.names(on: gpu).joined(separator: ", "))), found \"\(name)\"")
            }
            profile = parsed
        } else if let profileNode = o.optional("mig_profile") {
            throw profileNode.error("applies under sharing mode mig only (this experiment shares the GPU by \(sharing.rawValue))")
        }
        let fractionKey = try o.spelling("gpu_memory_utilization", or: "memory_fraction")
        let fraction = try o.double(fractionKey, in: 0.000_001...1, default: defaultGPUMemoryUtilization)
        let engine: ServingEngine = try o.choice("engine", default: .vllmV0)
        let chunkedKey = try o.spelling("enable_chunked_prefill", or: "chunked_prefill")
        let chunked = try o.bool(chunkedKey, default: engine == .vllmV1)
        if engine == .vllmV1 && !chunked, let chunkedNode = o.optional(chunkedKey) {
            throw chunkedNode.error("expected true or no key: vLLM V1 always chunks prefills (engine: vllm-v1)")
        }
        let prefixCaching = try o.bool("enable_prefix_caching", default: engine == .vllmV1)
        if prefixCaching && engine == .vllmV0, let cachingNode = o.optional("enable_prefix_caching") {
            throw cachingNode.error("expected false under engine vllm-v0: prefix caching is modelled for vLLM V1 only; add engine: vllm-v1 to this instance")
        }
        let v1Defaults = ServingEngine.v1Defaults(on: hardware)
        let maxModelLen = try o.optional("max_model_len").map { node -> Int in
            let value = try node.int()
            guard value > 0, value <= model.maxContextTokens else {
                throw node.error("expected a positive integer up to \(model.name)'s context of \(model.maxContextTokens) tokens, found \(value)")
            }
            return value
        }
        let budgetNode = o.optional("max_num_batched_tokens")
        var budget = try budgetNode.map { _ in try o.positiveInt("max_num_batched_tokens", atMost: InstanceSpec.maxBatchedTokens) }
        // V1's defaults; its default max_num_seqs never exceeds the token budget (vLLM's `min` of the two).
        let defaultSeqs = engine == .vllmV1 ? min(v1Defaults.maxNumSeqs, budget ?? .max) : 256
        let maxNumSeqs = try o.positiveInt("max_num_seqs", default: defaultSeqs, atMost: InstanceSpec.maxSequences)
        if engine == .vllmV1 && budget == nil { budget = v1Defaults.maxNumBatchedTokens }
        if let budget, budget < maxNumSeqs, let budgetNode {
            throw budgetNode.error("must be at least max_num_seqs (\(maxNumSeqs)), found \(budget)")
        }
        let blockTokens = try o.optional("block_size").map { node -> Int in
            let value = try node.int()
            guard InstanceSpec.blockSizes.contains(value) else {
                throw node.error("expected one of vLLM's block sizes \(InstanceSpec.blockSizes.map(String.init).joined(separator: ", ")), found \(value)")
            }
            return value
        } ?? 16
        // V1 keeps no watermark when it admits a request.
        let watermark = try o.double("watermark", in: 0...0.5, default: engine == .vllmV1 ? 0 : 0.01)
        let reserve = try o.optional("activation_reserve_gb").map { node -> Int64 in
            let gb = try node.double()
            guard gb >= 0, gb < 1e9 else { throw node.error("expected a number of GB from 0 to 1e9, found \(gb)") }
            return Int64(gb * 1e9)
        }
        let overhead = try o.optional("engine_overhead").map(loadEngineOverhead) ?? (engine == .vllmV1 ? .vllmV1 : .vllmV0)
        let name = try o.string("name", default: model.name)
        try o.finish()
        var instance = InstanceSpec(name: name, model: model, gpuMemoryUtilization: fraction, maxNumSeqs: maxNumSeqs,
                                    maxNumBatchedTokens: budget, chunkedPrefill: chunked, maxModelLen: maxModelLen, blockTokens: blockTokens,
                                    watermark: watermark, activationReserveBytes: reserve, migProfile: profile,
                                    engineOverhead: overhead, engine: engine, prefixCaching: prefixCaching)
        instance.writtenModel = try modelNode.string()
        instance.devices = devices
        return instance
    }

    /// Warns when an instance caches prefixes by default (V1's) but the workload never says which tokens requests share;
    /// an instance that asks for it with `enable_prefix_caching: true` is taken to know.
    private static func prefixIdentityWarnings(_ instances: [InstanceSpec], nodes: [ConfigNode], workload: WorkloadSpec,
                                               file: String) -> [ConfigError] {
        guard !workload.carriesPrefixIdentity, let index = instances.indices.first(where: {
            instances[$0].prefixCaching && (try? nodes[$0].object().optional("enable_prefix_caching")) == nil
        }) else { return [] }
        return [ConfigError(file: file, key: "instances.\(index).enable_prefix_caching",
                            "prefix caching is on but the workload says nothing about shared prompt tokens (no sessions, prefix_len, num_dataset_entries or trace hash_ids): only a preempted request's own blocks can be found again (write enable_prefix_caching: true or false to say which you mean)")]
    }

    /// Refuses a strategy on an instance it cannot serve (swap preemption under vLLM V1, which has none).
    /// `tensor_parallel_size` (vLLM's name; default 1): the GPUs the instance's model is split over, at most the
    /// preset's, dividing its attention heads and MLP sizes, under temporal sharing; `data_parallel_size` (default 1;
    /// an MoE model only): engines stepping together, each with its own tensor-parallel GPUs and its share of the
    /// experts; and `enable_expert_parallel` (default false; an MoE model only): its routed experts spread whole over
    /// all those GPUs. Returns one GPU's shard.
    private static func loadTensorParallel(_ o: ConfigObject, model: ModelSpec, hardware: HardwareSpec,
                                           sharing: SharingMode) throws -> ModelSpec {
        let expertNode = o.optional("enable_expert_parallel")
        let expertParallel = try expertNode?.bool() ?? false
        if let expertNode, expertParallel, model.moe == nil {
            throw expertNode.error("expected false: \(model.name) is a dense model, with no experts to spread over GPUs")
        }
        let tensorNode = o.optional("tensor_parallel_size"), dataNode = o.optional("data_parallel_size")
        guard tensorNode != nil || dataNode != nil else { return model }
        let gpus = try tensorNode?.int() ?? 1
        if let tensorNode {
            guard gpus >= 1, gpus <= hardware.gpuCount else {
                throw tensorNode.error("expected 1 to \(hardware.gpuCount), the GPUs of \(hardware.name), found \(gpus)")
            }
            if let problem = model.tensorParallelProblem(gpus: gpus, expertParallel: expertParallel) {
                throw tensorNode.error("cannot split the model: \(problem)")
            }
        }
        let ranks = try dataNode?.int() ?? 1
        if let dataNode {
            guard ranks >= 1, ranks * gpus <= hardware.gpuCount else {
                throw dataNode.error("expected 1 to \(hardware.gpuCount / gpus): data_parallel_size × tensor_parallel_size (\(gpus)) GPUs, at most the \(hardware.gpuCount) of \(hardware.name), found \(ranks)")
            }
            if let problem = model.tensorParallelProblem(gpus: gpus, expertParallel: expertParallel, dataParallel: ranks) {
                throw dataNode.error("cannot split the model over \(ranks) data-parallel ranks: \(problem)")
            }
        }
        let node = tensorNode ?? dataNode!
        if gpus * ranks > 1 && sharing != .temporal {
            throw node.error("expected 1 under sharing mode \(sharing.rawValue): MPS and MIG share one GPU among instances, and instances split over several GPUs are modelled sharing them in time only")
        }
        return model.shard(tensorParallel: gpus, expertParallel: expertParallel, dataParallel: ranks)
    }

    /// `devices` (optional): the preset's GPUs the instance runs on, `count` distinct numbers from 0; by default the
    /// first `count`.
    private static func loadDevices(_ o: ConfigObject, count: Int, hardware: HardwareSpec) throws -> [Int] {
        guard let node = o.optional("devices") else { return Array(0..<count) }
        let items = try node.list()
        var devices: [Int] = []
        for item in items {
            let device = try item.int()
            guard device >= 0, device < hardware.gpuCount else {
                throw item.error("expected a GPU of \(hardware.name), 0 to \(hardware.gpuCount - 1), found \(device)")
            }
            guard !devices.contains(device) else { throw item.error("names GPU \(device) twice") }
            devices.append(device)
        }
        guard devices.count == count else {
            throw node.error("expected \(count) GPU\(count == 1 ? "" : "s"), one per shard (tensor_parallel_size × data_parallel_size), found \(devices.count)")
        }
        return devices
    }

    /// Every instance of an experiment runs on the same GPUs (one `tensor_parallel_size` and one set of `devices`):
    /// instances on different GPUs of one machine are not modelled yet.
    private static func checkTensorParallel(_ instances: [InstanceSpec], nodes: [ConfigNode]) throws {
        guard let first = instances.first else { return }
        for (index, instance) in instances.enumerated() {
            let o = try? nodes[index].object()
            if instance.model.tensorParallel != first.model.tensorParallel {
                let node = (o?.optional("tensor_parallel_size")) ?? nodes[index]
                throw node.error("expected \(first.model.tensorParallel), as instances.0: instances sharing a machine must be split over the same GPUs (one tensor_parallel_size for all)")
            }
            if instance.model.dataParallel != first.model.dataParallel {
                let node = (o?.optional("data_parallel_size")) ?? nodes[index]
                throw node.error("expected \(first.model.dataParallel), as instances.0: instances sharing a machine must be split over the same GPUs (one data_parallel_size for all)")
            }
            if Set(instance.devices) != Set(first.devices) {
                let node = (o?.optional("devices")) ?? nodes[index]
                throw node.error("expected the GPUs of instances.0 (\(first.devices.sorted().map(String.init).joined(separator: ", "))): instances on different GPUs of one machine are not modelled yet")
            }
        }
    }

    private static func checkEngines(_ instances: [InstanceSpec], strategy: StrategySpec, in o: ConfigObject) throws {
        for (index, instance) in instances.enumerated() {
            guard let reason = strategy.refusal(for: instance) else { continue }
            let node = o.optional("strategy") ?? o.optional("preemption_mode") ?? o.node
            throw node.error("\(strategy.kind) cannot serve instances.\(index): \(reason)")
        }
    }

    /// Refuses an fp8 KV cache on a GPU whose kernel tables measured attention for the model's head size at 16 bits
    /// only: they cannot time it.
    private static func checkKVCacheDtype(_ model: ModelSpec, gpu: GPUSpec, in o: ConfigObject) throws {
        guard model.kvCacheDtype != .auto, let tables = gpu.kernelTables else { return }
        let keys = tables.generationAttention.keys.filter { $0.headDim == model.headDim }
        guard !keys.contains(where: { $0.kvDtype == model.kvCacheDtype.tableName }) else { return }
        let node = o.optional("kv_cache_dtype") ?? o.node
        throw node.error("the \(tables.name) kernel tables measured no \(model.kvCacheDtype.rawValue) KV-cache attention for head size \(model.headDim); use auto on this GPU")
    }

    /// `engine_overhead`: a profile name (`vllm-0.5`, `vllm-0.7`, `vllm-v1`) or `{per_step_us, per_sequence_us,
    /// cuda_graphs}`, where `cuda_graphs` says which steps run as CUDA graphs: `v1` (up to 512 tokens, the
    /// default), `v0` (decode-only steps up to 256 sequences) or `none`.
    static func loadEngineOverhead(_ node: ConfigNode) throws -> EngineOverhead {
        if case .mapping = node.node {
            let o = try node.object()
            let step = try o.double("per_step_us", in: 0...1e9, default: 0)
            let sequence = try o.double("per_sequence_us", in: 0...1e9, default: 0)
            let graphs: CUDAGraphCapture
            switch try o.string("cuda_graphs", default: "v1") {
            case "v1": graphs = .vllmV1
            case "v0": graphs = .vllmV0
            case "none": graphs = .none
            default: throw try o.required("cuda_graphs").error("expected v1, v0 or none")
            }
            try o.finish()
            return EngineOverhead(perIteration: .microseconds(step), perSequence: .microseconds(sequence), cudaGraphs: graphs)
        }
        guard let text = try? node.string(), let profile = EngineOverhead.Profile(rawValue: text) else {
            let names = EngineOverhead.Profile.allCases.map(\.rawValue).joined(separator: ", ")
            throw node.error("expected one of \(names) or {per_step_us: X, per_sequence_us: Y}, found \(node.scalarText.map { "\"\($0)\"" } ?? node.kindName)")
        }
        return profile.overhead
    }

    /// Checks that the instances' MIG slices fit one GPU: at most 7 compute and 8 memory slices in all.
    private static func checkMIGFit(_ instances: [InstanceSpec], nodes: [ConfigNode], hardware: HardwareSpec) throws {
        var compute = 0, memory = 0
        for (index, instance) in instances.enumerated() {
            guard let profile = instance.migProfile else { continue }
            compute += profile.computeSlices
            memory += profile.memorySlices
            if compute > MIGProfile.totalComputeSlices || memory > MIGProfile.totalMemorySlices {
                let names = instances[...index].compactMap { $0.migProfile?.name(on: hardware.gpu) }.joined(separator: " + ")
                throw ConfigError(file: nodes[index].file, key: "instances.\(index).mig_profile", String(
                    format: "the MIG profiles %@ take %d of %d compute slices and %d of %d memory slices of %@",
                    names, compute, MIGProfile.totalComputeSlices, memory, MIGProfile.totalMemorySlices, hardware.name))
            }
        }
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
