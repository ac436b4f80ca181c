/// How the GPUs of one system reach one another (NVLink point to point, NVLink through NVSwitch, PCIe): what a
/// tensor-parallel all-reduce among them costs.
///
/// Where `measuredAllReduce` is set, the GPU's kernel tables were measured on this fabric and time every
/// all-reduce they have a table for (by GPUs and message size); otherwise, and for a GPU count they lack, an
/// all-reduce of `b` bytes per GPU among `n` GPUs takes `latency + 2 (n − 1) / n × b / bandwidth`, a ring's
/// traffic at the fabric's full bandwidth: a lower bound.
public struct FabricSpec: Sendable, Hashable {
    /// What joins the GPUs, for reports (`nvswitch`, `nvlink`, `pcie5`).
    public var kind: String
    /// One GPU's bandwidth to the others, one way, in bytes per second.
    public var bytesPerSecond: Double
    /// The fixed cost of one collective, in seconds.
    public var latencySeconds: Double
    /// Whether the GPU's kernel tables measured vLLM's all-reduce on this fabric.
    public var measuredAllReduce: Bool

    public init(kind: String, bytesPerSecond: Double, latencySeconds: Double, measuredAllReduce: Bool) {
        self.kind = kind
        self.bytesPerSecond = bytesPerSecond
        self.latencySeconds = latencySeconds
        self.measuredAllReduce = measuredAllReduce
    }

    /// Seconds of one all-reduce of `bytes` per GPU among `gpus` GPUs by the fabric's ring bound.
    public func ringAllReduceSeconds(bytes: Double, gpus: Int) -> Double {
        guard gpus > 1, bytes > 0 else { return 0 }
        let n = Double(gpus)
        return latencySeconds + 2 * (n - 1) / n * bytes / bytesPerSecond
    }
}
