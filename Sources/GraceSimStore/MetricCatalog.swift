import GraceSim

/// The summary metrics stored per run and scope, their names, and which way is worse.
///
/// Names carry their unit: `_ms` latencies (higher is worse), `_per_s` throughputs (lower is worse); the rest
/// (counts, fractions) are reported by `diff` but never fail it.
public enum MetricCatalog {
    /// Which direction of change is a regression.
    public enum Direction: String, Sendable {
        case lowerIsBetter, higherIsBetter, neutral
    }

    public static func direction(of metric: String) -> Direction {
        if metric.hasSuffix("_ms") { return .lowerIsBetter }
        if metric.hasSuffix("_per_s") { return .higherIsBetter }
        return .neutral
    }

    /// Whether `runs` name latencies as vLLM does (`itl_p99_ms`); a database written before that rename stores the
    /// same figures under their earlier names (`tbt_p99_ms`).
    public static func haveVLLMNames(_ runs: [StoredRun]) -> Bool {
        runs.contains { $0.metrics.values.contains { $0["itl_p99_ms"] != nil } }
    }

    /// The rows of one report: every instance under its name, and the whole run as `overall`.
    public static func rows(_ report: RunReport) -> [(scope: String, metric: String, value: Double)] {
        var rows: [(String, String, Double)] = []
        let scoped = report.instances.map { ($0.name, $0) } + [("overall", report.overall)]
        for (scope, instance) in scoped {
            for (metric, value) in values(instance) { rows.append((scope, metric, value)) }
        }
        let link = report.link
        rows += [("overall", "link_h2d_busy_fraction", link.hostToDeviceBusyFraction),
                 ("overall", "link_d2h_busy_fraction", link.deviceToHostBusyFraction),
                 ("overall", "link_both_busy_fraction", link.bothBusyFraction)]
        return rows
    }

    /// The metrics of one instance (or of all), in a fixed order.
    ///
    /// Latencies carry vLLM `benchmark_serving` names (`ttft`, `tpot`, `itl`, `e2el`, and each request's worst gap
    /// `max_itl`); `tbt_*` and `e2e_*` repeat `itl_*` and `e2el_*` under their earlier names, so that databases
    /// written before the rename still compare. `goodput_requests_per_s` is present only when the run has an SLO, `prefix_cache_*` only with prefix caching.
    public static func values(_ r: InstanceReport) -> [(String, Double)] {
        var out: [(String, Double)] = []
        let latencies = [("ttft", r.ttft), ("tpot", r.tpot), ("itl", r.itl), ("e2el", r.e2el), ("max_itl", r.maxITL),
                         ("tbt", r.tbt), ("e2e", r.endToEnd)]
        for (prefix, s) in latencies {
            out += [("\(prefix)_mean_ms", s.meanMs), ("\(prefix)_p50_ms", s.p50Ms), ("\(prefix)_p90_ms", s.p90Ms),
                    ("\(prefix)_p99_ms", s.p99Ms), ("\(prefix)_p99_9_ms", s.p999Ms), ("\(prefix)_max_ms", s.maxMs)]
        }
        out += [("itl_prefill_gap_fraction", r.itlPrefillGapFraction), ("duration_s", r.durationSeconds),
                ("output_tokens_per_s", r.throughput.outputTokensPerSecond),
                ("total_tokens_per_s", r.throughput.totalTokensPerSecond),
                ("requests_per_s", r.throughput.requestsPerSecond)]
        if let goodput = r.goodputRequestsPerSecond { out.append(("goodput_requests_per_s", goodput)) }
        out += [("requests_arrived", Double(r.requests.arrived)), ("requests_finished", Double(r.requests.finished)),
                ("requests_rejected", Double(r.requests.rejected)), ("requests_unfinished", Double(r.requests.unfinished)),
                ("preemptions", Double(r.preemptions)), ("recomputed_tokens", Double(r.recomputedTokens)),
                ("iterations", Double(r.iterations)), ("gpu_busy_fraction", r.gpuBusyFraction),
                ("kv_mean_utilization", r.kv.meanUtilization), ("kv_peak_utilization", r.kv.peakUtilization),
                ("kv_capacity_tokens", Double(r.kv.capacityTokens)),
                ("bytes_h2d", r.transfers.bytesHostToDevice), ("bytes_d2h", r.transfers.bytesDeviceToHost),
                ("transfer_stall_ms", r.transfers.stallMs), ("swaps_out", Double(r.transfers.swapsOut)),
                ("swaps_in", Double(r.transfers.swapsIn)), ("moved_to_host", Double(r.transfers.movedToHost))]
        // Present only when prefix caching is on (vLLM V1).
        if let cache = r.prefixCache {
            out += [("prefix_cache_hit_rate", cache.hitRate), ("prefix_cache_hit_tokens", Double(cache.hitTokens)),
                    ("prefix_cache_evicted_blocks", Double(cache.evictedBlocks))]
        }
        // Each strategy's own counters (remapped layers, host share, ...), in name order.
        for (name, value) in (r.strategy?.counters ?? [:]).sorted(by: { $0.key < $1.key }) {
            out.append(("strategy_\(name)", value))
        }
        return out
    }
}
