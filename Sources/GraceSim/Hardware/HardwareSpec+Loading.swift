import Foundation

/// Reading a ``HardwareSpec`` from a preset in `Configs/hardware/`.
///
/// The file states quantities in the units of data sheets (GB/s with GB = 10⁹ bytes, TFLOP/s, µs,
/// HBM capacity in GiB, MiB or bytes); this reader converts them to bytes, bytes per second, FLOP per
/// second and nanoseconds.
extension HardwareSpec {
    /// Reads a hardware preset; numbers out of range (bandwidths 0.001 to 10⁶ GB/s, `peak_tflops` 0.001 to 10⁶,
    /// `core_gflops` 0.001 to 10⁹, counts 1 to 10⁶), unknown keys and a mixed link total above the sum of the
    /// two directions are errors naming the file and the key. `gpu.kernels` names measured kernel tables, looked
    /// up in the `kernels/` folder beside the preset's own folder, then in `kernelDirectories`. `device_names`
    /// (optional) lists the names the GPU reports. `gpus` (default 1) GPUs alike, `gpus_per_cpu` of them sharing one
    /// `cpu` (default 1, dividing `gpus`), and with more than one GPU a `fabric` joining them.
    public static func load(from node: ConfigNode, kernelDirectories: [String] = []) throws -> HardwareSpec {
        let o = try node.object()
        let nameNode = try o.required("name")
        let name = try nameNode.string()
        guard !name.isEmpty else { throw nameNode.error("expected a non-empty name") }
        let summary = try o.string("summary", default: name)
        let besidePreset = URL(fileURLWithPath: node.file).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("kernels").path
        let gpu = try GPUSpec.load(from: try o.required("gpu"), kernelDirectories: [besidePreset] + kernelDirectories)
        let cpu = try CPUSpec.load(from: try o.required("cpu"))
        let link = try LinkSpec.load(from: try o.required("link"))
        let deviceNames = try o.optional("device_names")?.list().map { try $0.string() } ?? []
        let gpuCount = try o.positiveInt("gpus", default: 1, atMost: maxGPUs)
        let gpusPerCPU = try o.positiveInt("gpus_per_cpu", default: 1, atMost: maxGPUs)
        if gpuCount % gpusPerCPU != 0 {
            throw try o.required("gpus_per_cpu").error("must divide gpus (\(gpuCount)), found \(gpusPerCPU)")
        }
        let fabric = try o.optional("fabric").map(FabricSpec.load)
        if gpuCount > 1 && fabric == nil { throw o.missing("fabric") }
        if gpuCount == 1, let node = o.optional("fabric") { throw node.error("needs gpus above 1 beside it") }
        try o.finish()
        var spec = HardwareSpec(name: name, summary: summary, gpu: gpu, cpu: cpu, link: link)
        spec.deviceNames = deviceNames
        spec.gpuCount = gpuCount
        spec.gpusPerCPU = gpusPerCPU
        spec.fabric = fabric
        return spec
    }
}

/// The most GPUs a preset may have (an NVL72 rack has 72).
private let maxGPUs = 1024

/// Bytes in one decimal gigabyte, the unit of every GB and GB/s in a hardware file.
private let bytesPerGB = 1e9

/// The bandwidths a hardware file may give, in GB/s: 1 MB/s to 1 PB/s. Rates, FLOP/s included, are bounded
/// below so that one step's time stays far from overflowing, and above so that none is infinite.
private let bandwidthsGBPerSecond = 0.001...1e6

extension GPUSpec {
    /// Reads `gpu:` (`hbm_bytes`, `hbm_mib` or `hbm_gib`; `hbm_gb_per_s`, `peak_tflops`, `sm_count`; optionally
    /// `kernels`, the name of measured kernel tables in one of `kernelDirectories`, and `low_precision`, the
    /// tensor-core types below 16 bits, which default to those the tables measured GEMMs in).
    static func load(from node: ConfigNode, kernelDirectories: [String]) throws -> GPUSpec {
        let o = try node.object()
        let hbmBytes = try hbmCapacityBytes(o)
        let tables = try o.optional("kernels").map { kernels in
            try KernelTableCache.shared.tables(named: try kernels.string(), in: kernelDirectories,
                                               file: kernels.file, key: kernels.path)
        }
        let spec = GPUSpec(
            hbmBytes: hbmBytes,
            hbmBytesPerSecond: try o.double("hbm_gb_per_s", in: bandwidthsGBPerSecond) * bytesPerGB,
            peakFlopsPerSecond: try o.double("peak_tflops", in: 0.001...1e6) * 1e12,
            smCount: try o.positiveInt("sm_count", atMost: 1_000_000),
            kernelTables: tables,
            lowPrecision: try o.optional("low_precision").map(lowPrecisionTypes))
        try o.finish()
        return spec
    }

    /// `low_precision`: a list of `fp8` and `fp4` (possibly empty), for a GPU whose kernel tables do not say.
    private static func lowPrecisionTypes(_ node: ConfigNode) throws -> Set<LowPrecisionType> {
        Set(try node.list().map { try $0.choice(LowPrecisionType.self) })
    }

    /// HBM capacity from exactly one of `hbm_bytes`, `hbm_mib` (as nvidia-smi prints it) or `hbm_gib`.
    private static func hbmCapacityBytes(_ o: ConfigObject) throws -> Int64 {
        let units: [(key: String, bytes: Double)] = [("hbm_bytes", 1), ("hbm_mib", 1_048_576), ("hbm_gib", 1_073_741_824)]
        let present = units.filter { o.has($0.key) }
        guard present.count == 1, let unit = present.first else {
            let keys = units.map(\.key).joined(separator: ", ")
            if present.isEmpty { throw o.missing("hbm_mib") }
            throw o.node.error("give the HBM capacity once, as one of \(keys); found \(present.map(\.key).joined(separator: " and "))")
        }
        let bytes = try o.positiveDouble(unit.key) * unit.bytes
        guard bytes < 1e18 else { throw try o.required(unit.key).error("is implausibly large") }
        return Int64(bytes.rounded())
    }
}

extension CPUSpec {
    /// Reads `cpu:` (`cores`, `memory_gb`, `memory_gb_per_s`, and optionally `core_gb_per_s`, `core_gflops`,
    /// `sustained_memory_fraction`, which default to Grace's figures).
    static func load(from node: ConfigNode) throws -> CPUSpec {
        let o = try node.object()
        let cores = try o.positiveInt("cores", atMost: 1_000_000)
        let memoryGB = try o.positiveDouble("memory_gb")
        guard memoryGB < 1e9 else { throw try o.required("memory_gb").error("is implausibly large") }
        let defaults = CPUSpec(cores: 1, memoryBytes: 0, memoryBytesPerSecond: 0)
        let spec = CPUSpec(cores: cores, memoryBytes: Int64((memoryGB * bytesPerGB).rounded()),
                           memoryBytesPerSecond: try o.double("memory_gb_per_s", in: bandwidthsGBPerSecond) * bytesPerGB,
                           coreReadBytesPerSecond: try o.double("core_gb_per_s", in: bandwidthsGBPerSecond,
                                                                default: defaults.coreReadBytesPerSecond / bytesPerGB) * bytesPerGB,
                           coreFlopsPerSecond: try o.double("core_gflops", in: 0.001...1e9, default: defaults.coreFlopsPerSecond / 1e9) * 1e9,
                           sustainedMemoryFraction: try o.double("sustained_memory_fraction", in: 0.01...1,
                                                                 default: defaults.sustainedMemoryFraction))
        try o.finish()
        return spec
    }
}

extension LinkSpec {
    /// Reads `link:` (`kind`, `h2d_gb_per_s`, `d2h_gb_per_s`, `mixed_total_gb_per_s`, `latency_us`).
    static func load(from node: ConfigNode) throws -> LinkSpec {
        let o = try node.object()
        let kind = try connectionKind(o, examples: "a link kind such as nvlink-c2c or pcie5-x16")
        let h2d = try o.double("h2d_gb_per_s", in: bandwidthsGBPerSecond)
        let d2h = try o.double("d2h_gb_per_s", in: bandwidthsGBPerSecond)
        let mixed = try o.double("mixed_total_gb_per_s", in: bandwidthsGBPerSecond)
        guard mixed <= h2d + d2h else {
            throw try o.required("mixed_total_gb_per_s")
                .error("must not exceed h2d_gb_per_s + d2h_gb_per_s (\(h2d + d2h)), found \(mixed)")
        }
        let latencyUs = try latencyMicroseconds(o)
        let spec = LinkSpec(kind: kind, hostToDeviceBytesPerSecond: h2d * bytesPerGB,
                            deviceToHostBytesPerSecond: d2h * bytesPerGB,
                            mixedTotalBytesPerSecond: mixed * bytesPerGB,
                            latency: .microseconds(latencyUs))
        try o.finish()
        return spec
    }
}

extension FabricSpec {
    /// Reads `fabric:` (`kind`, `gb_per_s` one GPU's bandwidth to the others one way, `latency_us` per collective,
    /// and optionally `measured_allreduce`, whether the GPU's kernel tables measured all-reduces on this fabric).
    static func load(from node: ConfigNode) throws -> FabricSpec {
        let o = try node.object()
        let kind = try connectionKind(o, examples: "a fabric kind such as nvswitch, nvlink or pcie5")
        let latencyUs = try latencyMicroseconds(o)
        let spec = FabricSpec(kind: kind, bytesPerSecond: try o.double("gb_per_s", in: bandwidthsGBPerSecond) * bytesPerGB,
                              latencySeconds: latencyUs / 1e6,
                              measuredAllReduce: try o.optional("measured_allreduce")?.bool() ?? false)
        try o.finish()
        return spec
    }
}

/// `kind` of a link or fabric: a non-empty name; the error says `examples`.
private func connectionKind(_ o: ConfigObject, examples: String) throws -> String {
    let node = try o.required("kind")
    let kind = try node.string()
    guard !kind.isEmpty else { throw node.error("expected \(examples)") }
    return kind
}

/// `latency_us` of a link or fabric: 0 to 10⁶ µs.
private func latencyMicroseconds(_ o: ConfigObject) throws -> Double {
    let node = try o.required("latency_us")
    let latencyUs = try node.double()
    guard latencyUs >= 0, latencyUs < 1e6 else {
        throw node.error("expected a latency from 0 to 1000000 µs, found \(latencyUs)")
    }
    return latencyUs
}
