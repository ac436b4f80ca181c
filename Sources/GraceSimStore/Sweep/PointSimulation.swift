import Foundation
import GraceSim

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
        if !simulator.invariantViolations.isEmpty {
            throw PointFailure("invariant violations: " + simulator.invariantViolations.prefix(5).joined(separator: "; "))
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
        }
        return result
    }

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
