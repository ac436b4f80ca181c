/// The results of one run: per-instance and overall metrics, ready to print or encode as JSON.
public struct RunReport: Codable, Sendable {
    public var experiment: String
    public var seed: UInt64
    public var strategy: String
    public var hardware: String
    public var sharing: String
    /// Simulated time from 0 to the last event handled, in seconds.
    public var simulatedSeconds: Double
    public var instances: [InstanceReport]
    public var overall: InstanceReport

    enum CodingKeys: String, CodingKey {
        case experiment, seed, strategy, hardware, sharing, instances, overall
        case simulatedSeconds = "simulated_s"
    }
}

/// The metrics of one instance, or of all instances together.
public struct InstanceReport: Codable, Sendable {
    public var name: String
    public var model: String
    public var requests: RequestCounts
    /// Time to first token: arrival to the end of the iteration that sampled the first token.
    public var ttft: LatencySummary
    /// Time between tokens: every gap between consecutive tokens of one request, pooled over requests.
    public var tbt: LatencySummary
    /// End-to-end latency: arrival to the last token.
    public var endToEnd: LatencySummary
    public var throughput: Throughput
    public var preemptions: Int
    /// Tokens whose KV was dropped by recompute preemption (and computed again on resumption).
    public var recomputedTokens: Int
    public var iterations: Int
    /// Fraction of the simulated time the GPU ran this instance's iterations.
    public var gpuBusyFraction: Double
    public var kv: KVReport

    enum CodingKeys: String, CodingKey {
        case name, model, requests, ttft, tbt, throughput, preemptions, iterations, kv
        case endToEnd = "e2e", recomputedTokens = "recomputed_tokens", gpuBusyFraction = "gpu_busy_fraction"
    }
}

/// What happened to the requests that arrived.
public struct RequestCounts: Codable, Sendable, Equatable {
    public var arrived: Int
    public var finished: Int
    public var rejected: Int
    /// Rejections by reason (see ``RejectionReason``).
    public var rejectedByReason: [String: Int]
    /// Arrived, not rejected, and not finished when the run ended (only with a time limit).
    public var unfinished: Int
    /// Requests whose output was shortened to fit the model's context.
    public var truncated: Int

    enum CodingKeys: String, CodingKey {
        case arrived, finished, rejected, unfinished, truncated
        case rejectedByReason = "rejected_by_reason"
    }
}

/// Work done per second of simulated time.
public struct Throughput: Codable, Sendable, Equatable {
    public var outputTokensPerSecond: Double
    /// Prompt and output tokens (first prefills only, not recomputation) per second.
    public var totalTokensPerSecond: Double
    public var requestsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case outputTokensPerSecond = "output_tokens_per_s"
        case totalTokensPerSecond = "total_tokens_per_s"
        case requestsPerSecond = "requests_per_s"
    }
}

/// KV pool size and use.
public struct KVReport: Codable, Sendable {
    public var capacityBlocks: Int
    public var capacityTokens: Int
    /// Time-weighted mean fraction of the pool in use.
    public var meanUtilization: Double
    public var peakUtilization: Double
    /// One sample per interval: [seconds, used fraction].
    public var series: [[Double]]

    enum CodingKeys: String, CodingKey {
        case series
        case capacityBlocks = "capacity_blocks", capacityTokens = "capacity_tokens"
        case meanUtilization = "mean_utilization", peakUtilization = "peak_utilization"
    }
}
