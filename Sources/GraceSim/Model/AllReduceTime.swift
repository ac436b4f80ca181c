/// The time of one tensor-parallel all-reduce of a pass's hidden states among an instance's GPUs.
///
/// vLLM all-reduces every token's hidden vector (16-bit) after each layer's attention output projection and after
/// its MLP (or MoE) down projection, and once after the vocabulary-parallel embedding lookup: `2 × layers + 1`
/// all-reduces of `tokens × hidden` elements per pass. Each is looked up in the GPU's measured tables (by GPUs and
/// elements, replayed in a CUDA graph or launched eagerly as the pass is) where the fabric is the one they were
/// measured on, and otherwise bounded by the fabric (``FabricSpec/ringAllReduceSeconds(bytes:gpus:)``).
public struct AllReduceTime: Sendable {
    /// GPUs the instance is split over (at least 2).
    public let gpus: Int
    public let fabric: FabricSpec
    /// The measured curves over elements per GPU, or nil where the tables do not apply.
    private let graph: LogLogCurve?
    private let eager: LogLogCurve?
    /// Bytes per element of the reduced activations.
    private let elementBytes: Double

    /// The all-reduce among `gpus` GPUs of `gpu` joined by `fabric`; nil for one GPU.
    public init?(gpus: Int, gpu: GPUSpec, fabric: FabricSpec?, elementBytes: Int) {
        guard gpus > 1, let fabric else { return nil }
        self.gpus = gpus
        self.fabric = fabric
        let tables = fabric.measuredAllReduce ? gpu.kernelTables?.allReduce : nil
        graph = tables?[AllReduceKey(gpus: gpus, captured: true)]
        eager = tables?[AllReduceKey(gpus: gpus, captured: false)]
        self.elementBytes = Double(elementBytes)
    }

    /// Whether measured tables time these all-reduces (else the fabric's bound does).
    public var isMeasured: Bool { graph != nil && eager != nil }

    /// Seconds of one all-reduce of `elements` elements per GPU, in a captured CUDA graph or eagerly.
    public func seconds(elements: Double, captured: Bool) -> Double {
        guard elements > 0 else { return 0 }
        if let curve = captured ? graph : eager { return curve.seconds(at: elements) }
        return fabric.ringAllReduceSeconds(bytes: elements * elementBytes, gpus: gpus)
    }
}
