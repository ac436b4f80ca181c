import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// Guards ``WorkloadPlan`` and the warnings and limits built on it (README, "Limits"): how many requests a
/// workload brings before its run ends, and when the last arrives.
@Suite struct WorkloadPlanTests {
    static func workload(_ body: String, instances: Int = 1) throws -> WorkloadSpec {
        try WorkloadFixtures.spec("workload:\n" + body, instances: instances)
    }

    @Test func poissonEndedByCountOrByDuration() throws {
        let byCount = try Self.workload("  max_requests: 100\n  arrivals: {kind: poisson, rate: 4}\n  lengths: {kind: fixed, prompt: 8, output: 8}\n")
        let plan = byCount.plan(maxTime: nil)
        #expect(plan.requests == 100)
        #expect(plan.lastArrivalSeconds == 25)
        #expect(plan.sources.first?.end == nil)
        #expect(byCount.shortfallWarnings(plan, file: "e.yaml").isEmpty)

        let byTime = try Self.workload("  max_requests: 100\n  duration_s: 10\n  arrivals: {kind: poisson, rate: 4}\n  lengths: {kind: fixed, prompt: 8, output: 8}\n")
        let timed = byTime.plan(maxTime: nil)
        #expect(timed.requests == 40)
        #expect(timed.lastArrivalSeconds == 10)
        #expect(timed.sources.first?.end?.key == "workload.duration_s")
        #expect(byTime.shortfallWarnings(timed, file: "e.yaml").isEmpty, "40 of 100 is more than a tenth")
    }

    /// The earliest end counts: `simulation.max_time_s` before a later `duration_s`. Under a tenth of the
    /// requests asked for is warned about, naming the rate; exactly a tenth is not.
    @Test func theEarliestEndDecidesAndUnderATenthIsWarned() throws {
        let spec = try Self.workload("  max_requests: 1000\n  duration_s: 600\n  arrivals: {kind: gamma, rate: 2, cv: 2}\n  lengths: {kind: fixed, prompt: 8, output: 8}\n")
        let cut = spec.plan(maxTime: .seconds(40))
        #expect(cut.requests == 80)
        #expect(cut.sources.first?.end?.key == "simulation.max_time_s")
        let warnings = spec.shortfallWarnings(cut, file: "e.yaml")
        #expect(warnings.map(\.key) == ["workload.arrivals.rate"])
        #expect(warnings.first?.message.contains("before simulation.max_time_s (40 s) ends the run") == true)
        #expect(spec.shortfallWarnings(spec.plan(maxTime: .seconds(50)), file: "e.yaml").isEmpty)
    }

    /// Tenants are planned one by one, each against its own `max_requests` and `duration_s`.
    @Test func tenantsArePlannedSeparately() throws {
        let spec = try Self.workload("""
              tenants:
                - {max_requests: 50, duration_s: 10, arrivals: {kind: poisson, rate: 0.1}, lengths: {kind: fixed, prompt: 8, output: 8}}
                - {max_requests: 50, arrivals: {kind: poisson, rate: 10}, lengths: {kind: fixed, prompt: 8, output: 8}}

            """, instances: 2)
        let plan = spec.plan(maxTime: nil)
        #expect(plan.sources.map(\.keyPath) == ["workload.tenants.0", "workload.tenants.1"])
        #expect(plan.requests == 51)
        #expect(plan.lastArrivalSeconds == 10)
        #expect(spec.shortfallWarnings(plan, file: "e.yaml").map(\.key) == ["workload.tenants.0.arrivals.rate"])
    }

    /// A trace brings its rows in the window, up to `max_requests`; asking for more than ten times its rows is
    /// warned about at `max_requests`.
    @Test func traceBringsItsRows() throws {
        let folder = try WorkloadFixtures.directory(with: ["t.csv": "TIMESTAMP,ContextTokens,GeneratedTokens\n"
            + "2023-11-16 18:00:00.0,10,10\n2023-11-16 18:00:01.0,10,10\n2023-11-16 18:00:03.0,10,10\n"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spec = try Self.workload("  max_requests: 31\n  arrivals: {kind: trace, path: \(folder)/t.csv}\n")
        let plan = spec.plan(maxTime: nil)
        #expect(plan.requests == 3)
        #expect(plan.lastArrivalSeconds == 3)
        #expect(spec.shortfallWarnings(plan, file: "e.yaml").map(\.key) == ["workload.max_requests"])
        let thirty = try Self.workload("  max_requests: 30\n  arrivals: {kind: trace, path: \(folder)/t.csv}\n")
        #expect(thirty.shortfallWarnings(thirty.plan(maxTime: nil), file: "e.yaml").isEmpty)
    }

    /// A closed loop's count is its `max_requests`; its span is its think times alone, so it is never warned about.
    @Test func closedLoopIsCountedByItsRequests() throws {
        let spec = try Self.workload("  max_requests: 40\n  arrivals: {kind: closed, clients: 4, think_time_s: 2}\n  lengths: {kind: fixed, prompt: 8, output: 8}\n")
        let plan = spec.plan(maxTime: nil)
        #expect(plan.requests == 40)
        #expect(plan.lastArrivalSeconds == 20)
        #expect(spec.shortfallWarnings(plan, file: "e.yaml").isEmpty)
    }

    /// Arrivals that span more than 10⁷ sample intervals are refused at `metrics.sample_interval_s`; 10⁷ exactly are not.
    @Test func sampleIntervalsAreBounded() throws {
        let base = """
            hardware: gh200-96gb
            instances: [{model: llama-3-8b, memory_fraction: 0.9}]
            workload: {max_requests: 1000, arrivals: {kind: poisson, rate: 0.01}, lengths: {kind: fixed, prompt: 8, output: 8}}

            """
        #expect(try TestExperiments.experiment(base + "metrics: {sample_interval_s: 0.01}\n").sampleInterval == SimTime(ns: 10_000_000))
        #expect(throws: ConfigError.self) { try TestExperiments.experiment(base + "metrics: {sample_interval_s: 0.0099}\n") }
        do {
            _ = try TestExperiments.experiment(base + "metrics: {sample_interval_s: 0.001}\n")
        } catch let error as ConfigError {
            #expect(error.key == "metrics.sample_interval_s")
            #expect(error.message.contains("a sample_interval_s of at least 0.01 s"), "\(error.message)")
        }
    }

    @Test func computedTimesAreCappedAtTheHorizon() {
        #expect(SimTime.capped(seconds: 1.5) == .nanoseconds(1_500_000_000))
        #expect(SimTime.capped(seconds: 1e300) == .horizon)
        #expect(SimTime.capped(seconds: .infinity) == .horizon)
        #expect(SimTime.capped(seconds: -1) == .zero)
        #expect(SimTime.horizon.ns == 1_000_000_000_000_000_000)
    }
}
