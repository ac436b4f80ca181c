extension Simulator {
    /// The metrics of the run so far.
    public func report() -> RunReport {
        report(metrics: instances.map(\.metrics),
               requestsMeetingSLO: experiment.slo?.requestsMeeting(in: requests.states, instanceCount: instances.count))
    }

    /// The report of the run so far with each instance's request metrics taken from `metrics` (in instance order)
    /// instead of its own; `requestsMeetingSLO` counts, per instance, the requests that met the SLO.
    func report(metrics: [InstanceMetrics], requestsMeetingSLO meetingSLO: [Int]?) -> RunReport {
        let end = now
        let summaries = instances.map { BenchmarkMetrics([metrics[$0.index]], requestsMeetingSLO: meetingSLO?[$0.index]) }
        // One instance is the whole run: its summary is the overall one, and its latencies are sorted once.
        let overallSummary = metrics.count == 1 ? summaries[0]
            : BenchmarkMetrics(metrics, requestsMeetingSLO: meetingSLO?.reduce(0, +))
        let perInstance = instances.map { instanceReport($0, metrics: metrics[$0.index], summary: summaries[$0.index], end: end) }
        let runNs = Double(max(end.ns, 1))
        let linkReport = LinkReport(
            hostToDeviceBusyFraction: Double(link.busy[0].ns) / runNs, deviceToHostBusyFraction: Double(link.busy[1].ns) / runNs,
            bothBusyFraction: Double(link.bothBusy.ns) / runNs, bytesHostToDevice: link.bytesMoved[0], bytesDeviceToHost: link.bytesMoved[1],
            series: link.trafficSeries(end: end))
        return RunReport(
            experiment: experiment.name, seed: experiment.seed, strategy: experiment.strategy.kind.rawValue,
            hardware: experiment.hardware.name, sharing: experiment.sharing == .temporal ? "temporal/\(experiment.gpuScheduler.rawValue)" : experiment.sharing.rawValue,
            simulatedSeconds: end.seconds, instances: perInstance, overall: overallReport(metrics: metrics, summary: overallSummary, end: end), link: linkReport)
    }

    /// Link traffic and its cost for the instances at `indices`.
    private func transferReport(_ indices: [Int]) -> TransferReport {
        var h2d = 0.0, d2h = 0.0
        var byPurpose: [String: Double] = [:]
        var stall = SimTime.zero, swapsOut = 0, swapsIn = 0, moved = 0
        for index in indices {
            // In a fixed order (directions, then purposes by their order), so the sums are the same in every process.
            let purposes = link.purposesUsed
            for direction in LinkDirection.allCases {
                for purpose in purposes {
                    let bytes = link.bytesMoved(instance: index, direction: direction, purpose: purpose)
                    guard bytes > 0 else { continue }
                    if direction == .hostToDevice { h2d += bytes } else { d2h += bytes }
                    byPurpose[purpose.name, default: 0] += bytes
                }
            }
            let m = instances[index].metrics
            stall += m.transferStall
            swapsOut += m.swapsOut
            swapsIn += m.swapsIn
            moved += m.movedToHost
        }
        return TransferReport(bytesHostToDevice: h2d, bytesDeviceToHost: d2h, bytesByPurpose: byPurpose,
                              stallMs: stall.milliseconds, swapsOut: swapsOut, swapsIn: swapsIn, movedToHost: moved)
    }

    private func instanceReport(_ instance: ServingInstance, metrics m: InstanceMetrics, summary: BenchmarkMetrics,
                                end: SimTime) -> InstanceReport {
        let pool = instance.pool
        let kv = KVReport(
            capacityBlocks: pool.capacityBlocks, capacityTokens: pool.capacityBlocks * Int(pool.blockTokens),
            meanUtilization: m.kvUsage.meanFraction(end: end), peakUtilization: m.kvUsage.peakFraction,
            series: m.kvUsage.points.map {
                [$0.time.seconds, $0.capacityBlocks > 0 ? Double($0.usedBlocks) / Double($0.capacityBlocks) : 0,
                 Double($0.capacityBlocks * Int(pool.blockTokens))]
            })
        var report = makeReport(name: instance.spec.name, model: instance.spec.model.name, metrics: [m], summary: summary,
                                kv: kv, transfers: transferReport([instance.index]), end: end)
        report.strategy = strategy.report(instance: instance, end: end)
        report.prefixCache = instance.prefixCache.map(\.report)
        return report
    }

    private func overallReport(metrics: [InstanceMetrics], summary: BenchmarkMetrics, end: SimTime) -> InstanceReport {
        let capacity = instances.reduce(0) { $0 + $1.pool.capacityBlocks }
        let tokens = instances.reduce(0) { $0 + $1.pool.capacityBlocks * Int($1.pool.blockTokens) }
        let weights = instances.map { Double($0.pool.capacityBlocks) / Double(max(capacity, 1)) }
        let mean = zip(metrics, weights).reduce(0) { $0 + $1.0.kvUsage.meanFraction(end: end) * $1.1 }
        let peak = metrics.map(\.kvUsage.peakFraction).max() ?? 0
        let kv = KVReport(capacityBlocks: capacity, capacityTokens: tokens, meanUtilization: mean, peakUtilization: peak, series: [])
        let models = instances.map(\.spec.model.name).joined(separator: "+")
        var report = makeReport(name: "overall", model: models, metrics: metrics, summary: summary, kv: kv,
                                transfers: transferReport(Array(instances.indices)), end: end)
        let caches = instances.compactMap { $0.prefixCache?.report }
        report.prefixCache = caches.dropFirst().reduce(caches.first) { total, next in total.map { $0 + next } }
        return report
    }

    /// The report of the instances whose request metrics are `metrics`, summarized as `summary`.
    private func makeReport(name: String, model: String, metrics: [InstanceMetrics], summary: BenchmarkMetrics, kv: KVReport,
                            transfers: TransferReport, end: SimTime) -> InstanceReport {
        var rejectedByReason: [String: Int] = [:]
        var arrived = 0, finished = 0, truncated = 0, preemptions = 0, recomputed = 0, iterations = 0
        var busy = SimTime.zero
        for m in metrics {
            for (reason, count) in m.rejected { rejectedByReason[reason.rawValue, default: 0] += count }
            arrived += m.arrived
            finished += m.finished
            truncated += m.truncated
            preemptions += m.preemptions
            recomputed += m.recomputedTokens
            iterations += m.iterations
            busy += m.busyTime
        }
        let rejected = rejectedByReason.values.reduce(0, +)
        return InstanceReport(
            name: name, model: model,
            requests: RequestCounts(arrived: arrived, finished: finished, rejected: rejected, rejectedByReason: rejectedByReason,
                                    unfinished: arrived - finished - rejected, truncated: truncated),
            ttft: summary.ttft, tpot: summary.tpot, itl: summary.itl, tbt: summary.itl, e2el: summary.e2el,
            endToEnd: summary.e2el, maxITL: summary.maxITL, itlPrefillGapFraction: summary.itlPrefillGapFraction,
            durationSeconds: summary.duration.seconds, throughput: summary.throughput,
            goodputRequestsPerSecond: summary.goodputRequestsPerSecond,
            preemptions: preemptions, recomputedTokens: recomputed, iterations: iterations,
            gpuBusyFraction: end > .zero ? Double(busy.ns) / Double(end.ns) : 0, kv: kv, transfers: transfers, strategy: nil)
    }
}
