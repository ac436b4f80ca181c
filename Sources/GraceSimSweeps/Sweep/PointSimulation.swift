import Foundation
import GraceSim
import GraceSimStore

/// What simulating one grid point produced, before it is stored.
public struct PointResult: Sendable {
    public var report: RunReport
    public var requests: [RequestRecord]
    public var series: [SeriesRecord]

    public init(report: RunReport, requests: [RequestRecord] = [], series: [SeriesRecord] = []) {
        self.report = report
        self.requests = requests
        self.series = series
    }
}

/// A run that ended without a report; its message is stored as the run's error.
public struct PointFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Simulates one grid point on the calling thread (a `Simulator` is single-threaded and stays on it).
public enum PointSimulation {
    public static func simulate(_ point: PreparedPoint, requests keepRequests: Bool, series keepSeries: Bool) throws -> PointResult {
        let simulator: Simulator
        do {
            simulator = try Simulator(experiment: point.experiment)
        } catch let problem as MemoryPartition.Problem {
            throw PointFailure(problem.message)
        }
        let report = simulator.run()
        if let halt = simulator.halt { throw PointFailure(halt.description) }
        if !simulator.invariantViolations.isEmpty {
            throw PointFailure("invariant violations: " + simulator.invariantViolations.prefix(5).map(\.description).joined(separator: "; "))
        }
        var result = PointResult(report: report)
        if keepRequests { result.requests = requestRows(simulator) }
        if keepSeries {
            for instance in report.instances {
                for sample in instance.kv.series where sample.count >= 3 {
                    result.series.append(SeriesRecord(runId: 0, scope: instance.name, series: "kv_utilization",
                                                      timeSeconds: sample[0], value: sample[1]))
                    result.series.append(SeriesRecord(runId: 0, scope: instance.name, series: "kv_capacity_tokens",
                                                      timeSeconds: sample[0], value: sample[2]))
                }
                for (name, points) in (instance.strategy?.series ?? [:]).sorted(by: { $0.key < $1.key }) {
                    for point in points where point.count >= 2 {
                        result.series.append(SeriesRecord(runId: 0, scope: instance.name, series: name,
                                                          timeSeconds: point[0], value: point[1]))
                    }
                }
            }
            for sample in report.link.series where sample.count >= 3 {
                result.series.append(SeriesRecord(runId: 0, scope: "overall", series: "link_h2d_bytes_per_s",
                                                  timeSeconds: sample[0], value: sample[1]))
                result.series.append(SeriesRecord(runId: 0, scope: "overall", series: "link_d2h_bytes_per_s",
                                                  timeSeconds: sample[0], value: sample[2]))
            }
            result.series += tbtDistribution(simulator)
        }
        return result
    }

    /// Points of the pooled distribution of every gap between tokens of the run.
    public static let tbtDistributionPoints = 101

    /// The run's gaps between tokens, all instances pooled, as series `tbt_cdf_ms` (scope `overall`): one row per
    /// percentile 0, 1, ..., 100, with the fraction (0–1) as its time and the gap in ms as its value. Not a time
    /// series: the report draws it as a CDF.
    static func tbtDistribution(_ simulator: Simulator) -> [SeriesRecord] {
        var gaps = TokenGapHistogram()
        for instance in simulator.instances { gaps.merge(instance.metrics.tokenGaps) }
        return gaps.cdf(points: tbtDistributionPoints).map { point in
            SeriesRecord(runId: 0, scope: "overall", series: tbtDistributionSeries,
                         timeSeconds: point.fraction, value: Double(point.valueNs) / 1e6)
        }
    }

    /// The name of the pooled TBT distribution series.
    public static let tbtDistributionSeries = "tbt_cdf_ms"

    static func requestRows(_ simulator: Simulator) -> [RequestRecord] {
        func seconds(_ ns: Int64) -> Double? { ns < 0 ? nil : Double(ns) / 1e9 }
        return simulator.requests.states.enumerated().map { id, r in
            RequestRecord(runId: 0, request: id, instance: simulator.instances[Int(r.instance)].spec.name,
                                 arrivalSeconds: Double(r.arrivalNs) / 1e9, firstTokenSeconds: seconds(r.firstTokenNs),
                                 finishSeconds: seconds(r.finishNs), promptTokens: Int(r.promptTokens),
                                 outputTokens: Int(r.outputTokens), generatedTokens: Int(r.generatedTokens),
                                 preemptions: Int(r.preemptions), maxTBTMs: Double(r.maxTokenGapUs) / 1e3, status: r.outcome.rawValue)
        }
    }
}
