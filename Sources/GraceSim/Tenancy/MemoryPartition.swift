import Foundation

/// Static memory partition, as vLLM does it per process: each instance owns `memory_fraction` of HBM (of its MIG
/// slice's memory when it has one), and its KV pool is whatever that share holds beyond its weights and
/// activation reserve.
public struct MemoryPartition: Sendable, Equatable {
    /// KV blocks each instance's pool starts with, in instance order.
    public var kvBlocks: [Int]

    /// Why a set of instances does not fit on the GPU.
    public struct Problem: Error, Sendable, Equatable {
        /// The instance at fault, or nil when the fractions together exceed the GPU.
        public var instance: Int?
        public var message: String
    }

    /// Plans the partition of `gpu` among `instances`.
    public static func plan(_ instances: [InstanceSpec], gpu: GPUSpec) throws(Problem) -> MemoryPartition {
        // Fractions of one MIG slice each are checked against that slice alone.
        let total = instances.reduce(0) { $0 + ($1.migProfile == nil ? $1.gpuMemoryUtilization : 0) }
        if total > 1 + 1e-9 {
            throw Problem(instance: nil, message: "memory fractions add up to \(total), more than the whole GPU (1.0); each instance takes 0.9 (vLLM's default) unless it gives gpu_memory_utilization")
        }
        var blocks: [Int] = []
        for (index, instance) in instances.enumerated() {
            let device = instance.migProfile.map { gpu.slice($0) } ?? gpu
            let shareBytes = Int64(instance.gpuMemoryUtilization * Double(device.hbmBytes))
            let weights = instance.model.totalWeightBytes
            let kvBytes = shareBytes - weights - instance.activationReserveBytes
            let blockBytes = Int64(instance.blockTokens) * instance.model.kvBytesPerToken
            let count = kvBytes > 0 ? Int(kvBytes / blockBytes) : 0
            if count < 1 {
                throw Problem(instance: index, message: String(
                    format: "%@ does not fit in its share: %.2f GB of %.2f GB needed for weights (%.2f GB) and activations (%.2f GB), with no room left for its KV cache",
                    instance.model.name, Double(shareBytes) / 1e9, Double(weights + instance.activationReserveBytes) / 1e9,
                    Double(weights) / 1e9, Double(instance.activationReserveBytes) / 1e9))
            }
            blocks.append(count)
        }
        return MemoryPartition(kvBlocks: blocks)
    }
}
