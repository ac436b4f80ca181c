/// Where an instance runs on a machine of several GPUs.
///
/// An instance split over `n` GPUs by tensor parallelism runs on the machine's first `n` GPUs, every GPU doing the
/// same work on its shard at the same time. gracesim simulates one of them: its HBM, its own CPU–GPU link, and its
/// share of the CPU it has in common with the instance's other GPUs (cores, memory and memory bandwidth divided
/// among them). By symmetry the other GPUs see the same, so one GPU's pass is the instance's pass.
extension HardwareSpec {
    /// The machine as one of the `gpus` GPUs of an instance sees it; the machine itself for one GPU alone on its CPU.
    public func gpuView(tensorParallel gpus: Int) -> HardwareSpec {
        let sharing = min(max(gpus, 1), gpusPerCPU)
        guard sharing > 1 else { return self }
        var view = self
        view.cpu.cores = max(1, cpu.cores / sharing)
        view.cpu.memoryBytes = cpu.memoryBytes / Int64(sharing)
        view.cpu.memoryBytesPerSecond = cpu.memoryBytesPerSecond / Double(sharing)
        return view
    }
}
