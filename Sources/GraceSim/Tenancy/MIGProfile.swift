import Foundation

/// A MIG GPU-instance profile of an H100-class GPU, such as `3g.48gb`: compute slices (sevenths of the SMs)
/// and memory slices (eighths of HBM capacity, with the L2 and memory controllers behind them).
///
/// Sources. The profiles, their fractions of SMs (1/7 ... 7/7) and of memory (1/8 ... 8/8) are NVIDIA's MIG user
/// guide, "Supported MIG Profiles", H100 tables [D]: 1g.10gb (1/7 SMs, 1/8 memory), 1g.20gb (1/7, 2/8),
/// 2g.20gb (2/7, 2/8), 3g.40gb (3/7, 4/8), 4g.40gb (4/7, 4/8), 7g.80gb (7/7, full) on the 80 GB part; the 96 GB
/// part (GH200 and H100 NVL class) names the same slices 1g.12gb, 1g.24gb, 2g.24gb, 3g.48gb, 4g.48gb, 7g.96gb, and the
/// 144 GB GH200 1g.18gb ... 7g.144gb. Three estimates [E]: a slice's HBM bandwidth is its fraction of memory
/// slices times the GPU's (each memory slice owns 1/8 of the memory controllers and L2, per the guide); its peak
/// FLOP/s is its fraction of SMs times the GPU's (real slices round to whole GPCs, e.g. 16 SMs for a 1g slice of a
/// 132-SM H100 against 132/7 ≈ 18.9, and a 7g slice keeps all 132); its memory is exactly its fraction of the
/// HBM the driver reports (the driver keeps a little of each slice for itself). Placement rules (which slices
/// may sit next to which) are approximated by the totals: at most 7 compute and 8 memory slices.
public struct MIGProfile: Sendable, Hashable, CustomStringConvertible {
    /// Compute slices, sevenths of the GPU's SMs: 1, 2, 3, 4 or 7.
    public var computeSlices: Int
    /// Memory slices, eighths of the GPU's HBM: 1, 2, 4 or 8.
    public var memorySlices: Int

    /// Compute slices of a whole GPU.
    public static let totalComputeSlices = 7
    /// Memory slices of a whole GPU.
    public static let totalMemorySlices = 8
    /// The (compute, memory) slice pairs H100-class GPUs offer [D: MIG user guide].
    public static let supported: [(compute: Int, memory: Int)] = [(1, 1), (1, 2), (2, 2), (3, 4), (4, 4), (7, 8)]

    public init(computeSlices: Int, memorySlices: Int) {
        self.computeSlices = computeSlices
        self.memorySlices = memorySlices
    }

    /// The fraction of the GPU's SMs (and peak FLOP/s) the slice owns.
    public var computeFraction: Double { Double(computeSlices) / Double(Self.totalComputeSlices) }
    /// The fraction of the GPU's HBM capacity and bandwidth the slice owns.
    public var memoryFraction: Double { Double(memorySlices) / Double(Self.totalMemorySlices) }

    public var description: String { "\(computeSlices)g.\(memorySlices)/8" }

    /// The GB in the profile names of `gpu`: one memory slice, rounded to whole GiB as NVIDIA names them
    /// (12 on a 96 GB part, 10 on an 80 GB one, 18 on a 144 GB one).
    public static func sliceGB(of gpu: GPUSpec) -> Int {
        Int((Double(gpu.hbmBytes) / Double(1 << 30) / Double(totalMemorySlices)).rounded())
    }

    /// The profile's name on `gpu`, such as `3g.48gb`.
    public func name(on gpu: GPUSpec) -> String {
        "\(computeSlices)g.\(memorySlices * Self.sliceGB(of: gpu))gb"
    }

    /// Every profile name `gpu` offers, smallest first.
    public static func names(on gpu: GPUSpec) -> [String] {
        supported.map { MIGProfile(computeSlices: $0.compute, memorySlices: $0.memory).name(on: gpu) }
    }

    /// Reads a profile name such as `3g.48gb` as `gpu` names its profiles; nil when `gpu` has no such profile.
    public static func parse(_ name: String, on gpu: GPUSpec) -> MIGProfile? {
        let lower = name.lowercased()
        for pair in supported {
            let profile = MIGProfile(computeSlices: pair.compute, memorySlices: pair.memory)
            if profile.name(on: gpu) == lower { return profile }
        }
        return nil
    }
}

extension GPUSpec {
    /// The GPU a MIG instance with `profile` sees: its share of HBM capacity, HBM bandwidth, SMs and peak FLOP/s.
    public func slice(_ profile: MIGProfile) -> GPUSpec {
        GPUSpec(hbmBytes: Int64(profile.memoryFraction * Double(hbmBytes)),
                hbmBytesPerSecond: hbmBytesPerSecond * profile.memoryFraction,
                peakFlopsPerSecond: peakFlopsPerSecond * profile.computeFraction,
                smCount: smCount * profile.computeSlices / MIGProfile.totalComputeSlices,
                kernelTables: kernelTables)
    }
}
