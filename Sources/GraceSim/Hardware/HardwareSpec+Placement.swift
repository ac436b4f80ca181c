/// Where an instance runs on a machine of several GPUs.
///
/// An instance split over `n` GPUs by tensor parallelism runs on `n` of the machine's GPUs (its `devices`, by default
/// the first `n`), every GPU doing the same work on its shard at the same time. gracesim simulates one of them: its
/// HBM, its own CPU–GPU link, and its share of the CPU it has in common with the instance's other GPUs (cores,
/// memory and memory bandwidth divided among the instance's GPUs on that CPU; GPU `d` is on CPU `d / gpusPerCPU`).
/// By symmetry the other GPUs see the same, so one GPU's pass is the instance's pass; where the placement puts
/// unequal numbers of GPUs on the CPUs, the GPU simulated is one of the most crowded CPU's, the slowest shard.
extension HardwareSpec {
    /// The machine as one GPU of an instance placed on `devices` sees it; the machine itself for one GPU alone on
    /// its CPU. `devices` are distinct GPU numbers below `gpuCount`.
    public func gpuView(devices: [Int]) -> HardwareSpec {
        var perCPU: [Int: Int] = [:]
        for device in devices { perCPU[device / gpusPerCPU, default: 0] += 1 }
        let sharing = perCPU.values.max() ?? 1
        guard sharing > 1 else { return self }
        var view = self
        view.cpu.cores = max(1, cpu.cores / sharing)
        view.cpu.memoryBytes = cpu.memoryBytes / Int64(sharing)
        view.cpu.memoryBytesPerSecond = cpu.memoryBytesPerSecond / Double(sharing)
        return view
    }
}
