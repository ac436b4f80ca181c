/// One machine: its GPUs' memory and compute, the CPU's memory, the link between each GPU and its CPU, and, with
/// several GPUs, the fabric between them.
///
/// Loaded from a preset in `Configs/hardware/` where every number carries its source. Bytes are
/// bytes (not GB), bandwidths bytes per second, compute FLOP per second.
public struct HardwareSpec: Sendable, Hashable {
    public var name: String
    /// One line a person can read: "GH200 Grace Hopper, 96 GB HBM3".
    public var summary: String
    public var gpu: GPUSpec
    public var cpu: CPUSpec
    public var link: LinkSpec
    /// The names the GPU reports (`torch.cuda.get_device_name`, `nvidia-smi`), as a real run's `meta.json` records
    /// them: `gracesim replay` finds a run's preset by them.
    public var deviceNames: [String] = []
    /// GPUs in the system, all alike (`gpu`); each has its own CPU–GPU link (`link`).
    public var gpuCount = 1
    /// GPUs that share one CPU and its memory (`cpu`): 1 on GH200 and GH200 NVL2, 2 on a GB200 superchip, every
    /// GPU of an x86 host.
    public var gpusPerCPU = 1
    /// What joins the GPUs; nil for a system of one GPU.
    public var fabric: FabricSpec?

    public init(name: String, summary: String, gpu: GPUSpec, cpu: CPUSpec, link: LinkSpec) {
        self.name = name
        self.summary = summary
        self.gpu = gpu
        self.cpu = cpu
        self.link = link
    }
}

/// The GPU of a machine.
public struct GPUSpec: Sendable, Hashable {
    /// HBM capacity in bytes as the driver reports it (what vLLM's `gpu_memory_utilization` is a fraction of).
    public var hbmBytes: Int64
    /// Peak HBM bandwidth in bytes per second.
    public var hbmBytesPerSecond: Double
    /// Peak dense FP16/BF16 tensor-core throughput in FLOP per second.
    public var peakFlopsPerSecond: Double
    /// Streaming multiprocessors (for MIG and MPS slicing).
    public var smCount: Int
    /// Measured kernel latencies that time this GPU's passes (its own, or a measured GPU's scaled by the roofline
    /// ratio; see ``MeasuredKernels``); nil times every kernel by the fitted roofline.
    public var kernelTables: KernelTables?
    /// The sub-16-bit floating-point types its tensor cores compute in (fp8 from Ada and Hopper on, fp4 on
    /// Blackwell); each runs at 2× (fp8) or 4× (fp4) the 16-bit peak.
    public var lowPrecision: Set<LowPrecisionType>

    public init(hbmBytes: Int64, hbmBytesPerSecond: Double, peakFlopsPerSecond: Double, smCount: Int,
                kernelTables: KernelTables? = nil, lowPrecision: Set<LowPrecisionType>? = nil) {
        self.hbmBytes = hbmBytes
        self.hbmBytesPerSecond = hbmBytesPerSecond
        self.peakFlopsPerSecond = peakFlopsPerSecond
        self.smCount = smCount
        self.kernelTables = kernelTables
        self.lowPrecision = lowPrecision ?? kernelTables?.lowPrecisionTypes ?? []
    }
}

/// A floating-point type narrower than 16 bits that a GPU's tensor cores compute in.
public enum LowPrecisionType: String, Sendable, Hashable, CaseIterable, Comparable {
    case fp8
    case fp4

    /// Tensor-core throughput relative to the 16-bit peak (data sheets of Hopper, Ada and Blackwell).
    public var peakRatio: Double { self == .fp8 ? 2 : 4 }

    public static func < (a: LowPrecisionType, b: LowPrecisionType) -> Bool { a.peakRatio < b.peakRatio }
}

/// The host CPU and its memory.
///
/// The per-core figures and the sustained fraction describe how fast the CPU can run decode attention over KV in
/// its memory (CPU offloading); the defaults are Grace's (Neoverse V2), see `Configs/hardware/gh200-96gb.yaml`.
public struct CPUSpec: Sendable, Hashable {
    public var cores: Int
    /// Host memory (LPDDR5X on Grace, DDR5 on x86) capacity in bytes.
    public var memoryBytes: Int64
    /// Host memory bandwidth in bytes per second.
    public var memoryBytesPerSecond: Double
    /// Streaming read bandwidth one core sustains on its own, bytes per second.
    public var coreReadBytesPerSecond: Double
    /// FP32 FLOP per second one core sustains in attention kernels (dot products, softmax, weighted sums).
    public var coreFlopsPerSecond: Double
    /// The fraction of `memoryBytesPerSecond` all cores together sustain when streaming (STREAM-like reads).
    public var sustainedMemoryFraction: Double

    public init(cores: Int, memoryBytes: Int64, memoryBytesPerSecond: Double, coreReadBytesPerSecond: Double = 18e9,
                coreFlopsPerSecond: Double = 30e9, sustainedMemoryFraction: Double = 0.9) {
        self.cores = cores
        self.memoryBytes = memoryBytes
        self.memoryBytesPerSecond = memoryBytesPerSecond
        self.coreReadBytesPerSecond = coreReadBytesPerSecond
        self.coreFlopsPerSecond = coreFlopsPerSecond
        self.sustainedMemoryFraction = sustainedMemoryFraction
    }
}

/// The CPU–GPU link (NVLink-C2C or PCIe): two directional channels that share a total when both are busy.
public struct LinkSpec: Sendable, Hashable {
    /// "nvlink-c2c", "pcie5-x16", ...
    public var kind: String
    /// Sustained host-to-device bandwidth with no traffic the other way, bytes per second.
    public var hostToDeviceBytesPerSecond: Double
    /// Sustained device-to-host bandwidth with no traffic the other way, bytes per second.
    public var deviceToHostBytesPerSecond: Double
    /// Sustained total of both directions when both carry traffic, bytes per second.
    public var mixedTotalBytesPerSecond: Double
    /// Fixed start-up latency of one transfer.
    public var latency: SimTime

    public init(kind: String, hostToDeviceBytesPerSecond: Double, deviceToHostBytesPerSecond: Double,
                mixedTotalBytesPerSecond: Double, latency: SimTime) {
        self.kind = kind
        self.hostToDeviceBytesPerSecond = hostToDeviceBytesPerSecond
        self.deviceToHostBytesPerSecond = deviceToHostBytesPerSecond
        self.mixedTotalBytesPerSecond = mixedTotalBytesPerSecond
        self.latency = latency
    }
}
