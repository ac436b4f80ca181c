/// vLLM's CPU weight offloading (`--cpu-offload-gb`): a fixed number of GiB of each instance's weights stays in
/// CPU memory for the whole run and is read over the link by every forward pass; the GPU memory it would have
/// taken holds KV instead.
///
/// What vLLM does, as of vLLM 0.10 (`maybe_offload_to_cpu` in `vllm/model_executor/models/utils.py`, applied by
/// `make_layers` to each decoder layer in module order; the budget is `cpu_offload_gb × 2³⁰` bytes):
/// - *Which weights.* Parameters of decoder layers, layer 0 first, one parameter at a time until the bytes
///   offloaded reach the budget (so the last layer may be offloaded in part, and the total overshoots by less than
///   one parameter). Embeddings and the LM head are never offloaded.
/// - *How they are read.* With the V1 engine on a platform with unified virtual addressing (a GH200's coherent
///   NVLink-C2C, or pinned memory over PCIe) each offloaded tensor is a device view of pinned CPU memory: kernels
///   read it in place, on demand, at the layer that uses it. Without UVA (the V0 engine) the module's state is
///   copied to the GPU at the start of the layer's forward. Either way the bytes cross the link on every pass,
///   synchronously with that layer's compute, and nothing is prefetched.
/// - *Memory.* The KV cache is profiled after loading, so the GPU memory the offloaded weights free becomes KV
///   blocks.
///
/// The model here:
/// - At the start each instance's pool grows by the offloaded bytes (whole blocks; the remainder stays unassigned),
///   applied through ``SimulationContext/apply(_:to:)``.
/// - The budget is spread over the first `k = ⌈budget / layer bytes⌉` decoder layers, `⌈budget / k⌉` bytes each.
///   Every pass streams them host to device through one buffer slot (``LayerStream``, purpose `weight-offload`):
///   a layer's read starts once the layer before it has been computed, and the layer computes once its read has
///   arrived. That is the synchronous, on-demand read, serialised with compute. The reads are flows on the shared
///   link, so they share its bandwidth and host memory bandwidth with every other flow.
/// - Assumptions [E]: the compute of an offloaded layer still reads its weights at HBM speed (an overcount of
///   `bytes / HBM bandwidth` per layer, about a ninth of its link time on GH200); the first layer's read may start
///   with the pass and so overlap the engine's CPU step, which an in-place read cannot (at most one layer's read
///   per pass); on an MoE model an offloaded layer is read whole, every expert included (vLLM's in-place read
///   would touch only the routed experts).
/// - When KV still runs short the engine preempts, as recompute does. Under MPS and MIG each instance offloads its
///   own weights (under MIG the freed memory stays in its slice) and the instances' reads share the one link.
public final class WeightOffloadStrategy: RegisteredStrategy {
    public static let kind = StrategyKind.weightOffload
    public static let summary = "vLLM's --cpu-offload-gb: part of the weights stays in CPU memory, read over the link every pass; its GPU memory holds KV"

    /// `strategy: {kind: weight-offload, cpu_offload_gb: 20}`.
    public struct Options: StrategyOptions {
        /// Bytes of each instance's weights kept in CPU memory: vLLM's `cpu_offload_gb` (GiB, 2³⁰ bytes), default 0
        /// as in vLLM.
        public var offloadBytes: Int64

        public init(offloadBytes: Int64 = 0) {
            self.offloadBytes = offloadBytes
        }

        public static func load(from o: ConfigObject) throws -> Options {
            let gib = try o.double("cpu_offload_gb", in: 0...1_000_000, default: 0)
            return Options(offloadBytes: Int64((gib * Double(1 << 30)).rounded(.down)))
        }

        /// vLLM offloads decoder layers only: a budget beyond an instance's decoder-layer weights is refused.
        public func problem(instances: [InstanceSpec]) -> StrategyOptionProblem? {
            for instance in instances where offloadBytes > instance.model.layerWeightBytes {
                let gib = Double(1 << 30)
                return StrategyOptionProblem(key: "cpu_offload_gb", message: String(
                    format: "expected at most %.2f GiB, the decoder-layer weights of %@ (instance %@), found %.2f",
                    Double(instance.model.layerWeightBytes) / gib, instance.model.name, instance.name, Double(offloadBytes) / gib))
            }
            return nil
        }
    }

    /// What one instance offloads.
    struct Offload {
        /// The decoder layers read over the link each pass (the first ones).
        var layers: [Int] = []
        /// Bytes read for each of them.
        var bytesPerLayer: Int64 = 0
        /// Blocks the freed memory added to the pool.
        var lentBlocks = 0
        /// Freed memory not lent (less than a block).
        var spareBytes: Int64 = 0
        /// The pool's capacity before the offload.
        var initialBlocks = 0
        var passes = 0

        var offloadedBytes: Int64 { Int64(layers.count) * bytesPerLayer }
    }

    public let options: Options
    /// The simulation served (unowned, as ``StrategyTiming/attach(to:)`` asks).
    private unowned var context: SimulationContext?
    private var offloads: [Offload] = []
    private var perInstanceMemory = false

    public init(options: Options) {
        self.options = options
    }

    public func attach(to context: SimulationContext) {
        self.context = context
        perInstanceMemory = context.sharingMode == .mig
        offloads = context.instances.map { instance in
            var offload = Offload(initialBlocks: instance.pool.capacityBlocks)
            let model = instance.spec.model
            let budget = min(options.offloadBytes, model.layerWeightBytes)
            guard budget > 0 else { return offload }
            let layers = min(model.layers, Int((budget + model.weightBytesPerLayer - 1) / model.weightBytesPerLayer))
            offload.layers = Array(0..<layers)
            offload.bytesPerLayer = (budget + Int64(layers) - 1) / Int64(layers)
            offload.lentBlocks = Int(offload.offloadedBytes / instance.pool.blockBytes)
            offload.spareBytes = offload.offloadedBytes - Int64(offload.lentBlocks) * instance.pool.blockBytes
            return offload
        }
        for (index, offload) in offloads.enumerated() where offload.lentBlocks > 0 {
            context.apply(MemoryDecision(poolBlocks: offload.lentBlocks), to: index)
        }
    }

    /// Bytes of `instance`'s weights in CPU memory.
    public func offloadedBytes(instance: Int) -> Int64 { offloads[instance].offloadedBytes }

    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        let i = instance.index
        guard i < offloads.count, !offloads[i].layers.isEmpty, instance.batch.shape.totalTokens > 0 else { return IterationPlan() }
        offloads[i].passes += 1
        return IterationPlan(stream: LayerStream(layers: offloads[i].layers, buffers: 1,
                                                 bytesPerLoad: offloads[i].bytesPerLayer, purpose: .weightOffload))
    }

    public func gpuMemory(instance: ServingInstance) -> GPUMemoryUse {
        let offloaded = instance.index < offloads.count ? offloads[instance.index].offloadedBytes : 0
        return GPUMemoryUse(weightBytes: instance.spec.model.totalWeightBytes - offloaded,
                            kvBytes: Int64(instance.pool.capacityBlocks) * instance.pool.blockBytes, bufferBytes: 0)
    }

    public func unassignedGPUBytes(instance: ServingInstance?) -> Int64 {
        guard let instance else { return offloads.reduce(0) { $0 + $1.spareBytes } }
        return perInstanceMemory && instance.index < offloads.count ? offloads[instance.index].spareBytes : 0
    }

    /// WO-1: each pool holds its partition's blocks plus the blocks lent from offloaded weights. WO-2: no instance
    /// offloads more than its decoder layers hold, nor lends more than it offloaded.
    public func checkInvariants() -> [InvariantViolation] {
        guard let context else { return [] }
        var problems: [InvariantViolation] = []
        for (instance, offload) in zip(context.instances, offloads) {
            if instance.pool.capacityBlocks != offload.initialBlocks + offload.lentBlocks {
                problems.append(InvariantViolation("WO-1", "\(instance.spec.name) pool holds \(instance.pool.capacityBlocks) blocks, not \(offload.initialBlocks) + \(offload.lentBlocks) lent"))
            }
            if offload.offloadedBytes > instance.spec.model.layerWeightBytes + Int64(offload.layers.count)
                || Int64(offload.lentBlocks) * instance.pool.blockBytes > offload.offloadedBytes {
                problems.append(InvariantViolation("WO-2", "\(instance.spec.name) offloads \(offload.offloadedBytes) bytes and lends \(offload.lentBlocks) blocks"))
            }
        }
        return problems
    }

    public func report(instance: ServingInstance, end: SimTime) -> StrategyReport {
        let offload = offloads[instance.index]
        return StrategyReport(counters: [
            "offloaded_gib": Double(offload.offloadedBytes) / Double(1 << 30),
            "offloaded_layers": Double(offload.layers.count),
            "lent_blocks": Double(offload.lentBlocks),
            "offloaded_passes": Double(offload.passes),
        ])
    }
}

extension StrategyKind {
    /// vLLM's `--cpu-offload-gb`: part of the weights in CPU memory, read over the link on every pass.
    public static let weightOffload = StrategyKind(name: "weight-offload")
}

extension TransferPurpose {
    /// Offloaded weights read over the link by a forward pass (vLLM's `--cpu-offload-gb`).
    public static let weightOffload = TransferPurpose(name: "weight-offload", order: 8)
}
