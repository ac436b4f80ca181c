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
    public var link: LinkReport

    enum CodingKeys: String, CodingKey {
        case experiment, seed, strategy, hardware, sharing, instances, overall, link
        case simulatedSeconds = "simulated_s"
    }
}

/// The metrics of one instance, or of all instances together.
///
/// The latency blocks follow vLLM's `benchmark_serving` names (`ttft`, `tpot`, `itl`, `e2el`); `tbt` and `e2e`
/// are the same values as `itl` and `e2el` under the names of earlier reports.
public struct InstanceReport: Codable, Sendable {
    public var name: String
    public var model: String
    public var requests: RequestCounts
    /// Time to first token: arrival to the end of the iteration that sampled the first token.
    public var ttft: LatencySummary
    /// Time per output token, per finished request: (end-to-end − TTFT) / (output tokens − 1); requests with one
    /// output token are left out.
    public var tpot: LatencySummary
    /// Inter-token latency: every gap between consecutive tokens of one request, pooled over requests.
    public var itl: LatencySummary
    /// The same as ``itl`` (its earlier name, time between tokens).
    public var tbt: LatencySummary
    /// End-to-end latency: arrival to the last token.
    public var e2el: LatencySummary
    /// The same as ``e2el`` (its earlier name).
    public var endToEnd: LatencySummary
    /// Each finished request's longest gap between two tokens (requests with two or more output tokens).
    public var maxITL: LatencySummary
    /// Fraction (0–1) of the token gaps during which the instance ran prefill tokens of another request.
    public var itlPrefillGapFraction: Double
    /// From the scope's first arrival to its last completion, in seconds: the duration throughput is taken over.
    public var durationSeconds: Double
    public var throughput: Throughput
    /// Finished requests per second of ``durationSeconds`` that met the experiment's SLO (nil without one).
    public var goodputRequestsPerSecond: Double?
    public var preemptions: Int
    /// Tokens whose KV was dropped by recompute preemption (and computed again on resumption).
    public var recomputedTokens: Int
    public var iterations: Int
    /// Fraction of the simulated time the GPU ran this instance's iterations.
    public var gpuBusyFraction: Double
    public var kv: KVReport
    public var transfers: TransferReport
    /// What the memory strategy did (per instance only).
    public var strategy: StrategyReport?
    /// What the prefix cache found (nil when no instance in scope caches prefixes).
    public var prefixCache: PrefixCacheReport?

    enum CodingKeys: String, CodingKey {
        case name, model, requests, ttft, tpot, itl, tbt, e2el, throughput, preemptions, iterations, kv, transfers, strategy
        case prefixCache = "prefix_cache"
        case endToEnd = "e2e", maxITL = "max_itl", itlPrefillGapFraction = "itl_prefill_gap_fraction"
        case durationSeconds = "duration_s", goodputRequestsPerSecond = "goodput_requests_per_s", recomputedTokens = "recomputed_tokens", gpuBusyFraction = "gpu_busy_fraction"
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

/// Work done per second of the benchmark duration: from the scope's first arrival to its last completion, as
/// vLLM's `benchmark_serving` times it.
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
    /// One sample per interval: [seconds, used fraction, capacity in tokens].
    public var series: [[Double]]

    enum CodingKeys: String, CodingKey {
        case series
        case capacityBlocks = "capacity_blocks", capacityTokens = "capacity_tokens"
        case meanUtilization = "mean_utilization", peakUtilization = "peak_utilization"
    }
}

/// Traffic on the CPU–GPU link caused by one instance (or all), and what it cost the iterations.
public struct TransferReport: Codable, Sendable, Equatable {
    /// Bytes moved host to device and device to host.
    public var bytesHostToDevice: Double
    public var bytesDeviceToHost: Double
    /// Bytes moved by purpose ("swap-out", "weight-stream", ...), both directions.
    public var bytesByPurpose: [String: Double]
    /// Time iterations waited for transfers (synchronous swaps) or were stretched by streams that did not keep
    /// up with compute, in ms.
    public var stallMs: Double
    public var swapsOut: Int
    public var swapsIn: Int
    /// Requests whose KV and attention moved to the CPU.
    public var movedToHost: Int

    enum CodingKeys: String, CodingKey {
        case bytesHostToDevice = "bytes_h2d", bytesDeviceToHost = "bytes_d2h", bytesByPurpose = "bytes_by_purpose"
        case stallMs = "stall_ms", swapsOut = "swaps_out", swapsIn = "swaps_in", movedToHost = "moved_to_host"
    }
}

/// How busy the CPU–GPU link was over the run.
public struct LinkReport: Codable, Sendable, Equatable {
    /// Fraction of the simulated time each direction carried traffic, and both at once.
    public var hostToDeviceBusyFraction: Double
    public var deviceToHostBusyFraction: Double
    public var bothBusyFraction: Double
    public var bytesHostToDevice: Double
    public var bytesDeviceToHost: Double
    /// One sample per interval (`metrics.sample_interval_s`): [start s, host-to-device bytes/s, device-to-host bytes/s].
    public var series: [[Double]]

    enum CodingKeys: String, CodingKey {
        case hostToDeviceBusyFraction = "h2d_busy_fraction", deviceToHostBusyFraction = "d2h_busy_fraction"
        case bothBusyFraction = "both_busy_fraction", bytesHostToDevice = "bytes_h2d", bytesDeviceToHost = "bytes_d2h"
        case series
    }
}

/// What vLLM V1's prefix cache found: tokens of the admitted requests looked up, those found cached (prefill work
/// saved), and cached blocks evicted for room.
public struct PrefixCacheReport: Codable, Sendable, Equatable {
    public var queriedTokens: Int
    public var hitTokens: Int
    public var evictedBlocks: Int

    public init(queriedTokens: Int, hitTokens: Int, evictedBlocks: Int) {
        self.queriedTokens = queriedTokens
        self.hitTokens = hitTokens
        self.evictedBlocks = evictedBlocks
    }

    /// Hit tokens over queried tokens, as vLLM's `prefix_cache_hit_rate` (0 before any query).
    public var hitRate: Double { queriedTokens > 0 ? Double(hitTokens) / Double(queriedTokens) : 0 }

    /// The sum of several instances' reports.
    static func + (a: PrefixCacheReport, b: PrefixCacheReport) -> PrefixCacheReport {
        PrefixCacheReport(queriedTokens: a.queriedTokens + b.queriedTokens, hitTokens: a.hitTokens + b.hitTokens,
                          evictedBlocks: a.evictedBlocks + b.evictedBlocks)
    }

    enum CodingKeys: String, CodingKey {
        case queriedTokens = "queried_tokens", hitTokens = "hit_tokens", evictedBlocks = "evicted_blocks"
    }
}
