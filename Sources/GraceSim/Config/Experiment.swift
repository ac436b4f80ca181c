/// One fully resolved experiment: the machine, the model instances on it, how they share it, the memory
/// strategy and the workload. Built by ``Experiment/load(path:overrides:catalog:)`` from a YAML file.
public struct Experiment: Sendable {
    public var name: String
    /// The file the experiment was read from.
    public var file: String
    public var description: String
    /// Seed of every random stream in the run.
    public var seed: UInt64
    public var hardware: HardwareSpec
    public var instances: [InstanceSpec]
    /// The machine as one GPU of the instances sees it: every instance runs on the same GPUs (its `devices`), and
    /// the simulator times one of them.
    public var gpuView: HardwareSpec { hardware.gpuView(devices: instances.first?.devices ?? [0]) }
    /// How the instances share the GPU: in time (the default), with MPS or with MIG slices.
    public var sharing: SharingMode = .temporal
    /// Which instance runs next when the GPU is shared in time.
    public var gpuScheduler: GPUSchedulerKind
    public var strategy: StrategySpec
    public var workload: WorkloadSpec
    /// Simulated time after which the run stops (nil: run until every request is done).
    public var maxTime: SimTime?
    /// Interval of the KV-utilisation time series.
    public var sampleInterval: SimTime
    /// Latency targets for goodput (nil: no goodput is reported).
    public var slo: ServiceLevelObjective? = nil
    /// Check the invariants after every event (slow; for tests and debugging).
    public var checkInvariants: Bool
    /// Inputs that load but are probably not meant (a rate too low to bring a tenth of `max_requests` before the
    /// run ends), each as the line a command prints before it runs; they change nothing in the run.
    public var warnings: [ConfigError] = []
}
