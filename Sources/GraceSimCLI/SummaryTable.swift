import Foundation
import GraceSim

/// The human-readable summary `gracesim run` prints: one row per instance and one for all of them.
enum SummaryTable {
    static func render(_ report: RunReport) -> String {
        var out = "\(report.experiment): \(report.overall.model) on \(report.hardware), strategy \(report.strategy), "
        out += "\(report.sharing) sharing, seed \(report.seed), \(format(report.simulatedSeconds, 1)) s simulated\n\n"
        let rows = report.instances.count > 1 ? report.instances + [report.overall] : report.instances
        let goodput = report.overall.goodputRequestsPerSecond != nil
        out += table(
            header: ["instance", "arrived", "done", "rejected", "unfinished", "preempt", "duration s", "out tok/s", "req/s"]
                + (goodput ? ["goodput req/s"] : []) + ["KV mean", "KV peak", "KV tokens"],
            rows: rows.map { r in
                [r.name, "\(r.requests.arrived)", "\(r.requests.finished)", "\(r.requests.rejected)", "\(r.requests.unfinished)",
                 "\(r.preemptions)", format(r.durationSeconds, 1), format(r.throughput.outputTokensPerSecond, 1),
                 format(r.throughput.requestsPerSecond, 2)]
                    + (goodput ? [format(r.goodputRequestsPerSecond ?? 0, 2)] : [])
                    + [percent(r.kv.meanUtilization), percent(r.kv.peakUtilization), "\(r.kv.capacityTokens)"]
            })
        out += "\nlatency (ms; ITL: every gap between tokens, TPOT: per request)\n"
        var latencyRows: [[String]] = []
        for r in rows {
            for (metric, s) in [("TTFT", r.ttft), ("TPOT", r.tpot), ("ITL", r.itl), ("E2EL", r.e2el)] {
                latencyRows.append([r.name, metric, format(s.meanMs, 2), format(s.p50Ms, 2), format(s.p90Ms, 2), format(s.p99Ms, 2)])
            }
        }
        out += table(header: ["instance", "metric", "mean", "median", "P90", "P99"], rows: latencyRows)
        out += "token gaps with another request's prefill: "
        out += rows.map { "\($0.name) \(percent($0.itlPrefillGapFraction))" }.joined(separator: ", ") + "\n"
        let cached = rows.compactMap { r in r.prefixCache.map { (r.name, $0) } }
        if !cached.isEmpty {
            out += "prefix cache hits (prefill tokens saved of those looked up): "
            out += cached.map { name, c in "\(name) \(percent(c.hitRate)) (\(c.hitTokens) of \(c.queriedTokens))" }.joined(separator: ", ") + "\n"
        }
        out += "\nmemory and link\n"
        out += table(
            header: ["instance", "H2D GB", "D2H GB", "stall s", "swaps out/in", "to host", "remapped layers mean/max", "KV tokens end"],
            rows: rows.map { r in
                let t = r.transfers
                let counters = r.strategy?.counters ?? [:]
                let remapped = counters["remapped_layers_mean"].map { "\(format($0, 2))/\(format(counters["remapped_layers_max"] ?? 0, 0))" } ?? "-"
                return [r.name, format(t.bytesHostToDevice / 1e9, 2), format(t.bytesDeviceToHost / 1e9, 2), format(t.stallMs / 1e3, 2),
                        "\(t.swapsOut)/\(t.swapsIn)", "\(t.movedToHost)", remapped, "\(r.kv.capacityTokens)"]
            })
        let link = report.link
        out += "link busy: H2D \(percent(link.hostToDeviceBusyFraction)), D2H \(percent(link.deviceToHostBusyFraction)), both \(percent(link.bothBusyFraction))\n"
        return out
    }

    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ") + "\n"
        }
        return line(header) + all.dropFirst().map(line).joined()
    }

    static func format(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }
}
