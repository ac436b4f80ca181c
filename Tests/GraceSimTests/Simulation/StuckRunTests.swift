import GraceSimTestSupport
import Testing
@testable import GraceSim

/// A run that cannot advance simulated time ends, with the reason in ``Simulator/halt``, instead of spinning at
/// one instant and filling memory.
@Suite struct StuckRunTests {
    /// One llama-3-8b with `max_model_len: 100` and this `workload:` body; `tenants` adds a second instance.
    static func experiment(_ workload: String, instances: Int = 1) throws -> Experiment {
        let list = (0..<instances).map { "  - {model: llama-3-8b, name: i\($0), memory_fraction: \(0.9 / Double(instances)), max_model_len: 100}" }
        return try TestExperiments.experiment("""
            name: stuck
            hardware: gh200-96gb
            instances:
            \(list.joined(separator: "\n"))
            workload:
            \(workload.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            """)
    }

    /// Every prompt is longer than `max_model_len` and the clients do not think: each rejected request is followed
    /// by the next at the same instant. The run halts after ``Simulator/stuckRejectionLimit`` of them, at t = 0,
    /// naming the think time.
    @Test func aClosedLoopWhoseEveryRequestIsRejectedHalts() throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            duration_s: 10
            arrivals: {kind: closed, clients: 2, think_time_s: 0}
            lengths: {kind: fixed, prompt: 200, output: 16}
            """))
        let report = simulator.run()
        let halt = try #require(simulator.halt)
        #expect(halt.file == "test.yaml" && halt.key == "workload.arrivals.think_time_s")
        #expect(halt.message.contains("cannot advance") && halt.message.contains("prompt-too-long"))
        #expect(simulator.requests.count == Simulator.stuckRejectionLimit)
        #expect(simulator.now == .zero && report.overall.requests.finished == 0)
        #expect(throws: ConfigError.self) { try simulator.checkHalt() }
        #expect(!simulator.step(), "a halted run takes no more steps")
    }

    /// The same with tenants: the halt names the stuck tenant's think time.
    @Test func theHaltNamesTheStuckTenant() throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            tenants:
              - {max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 20, output: 4}}
              - {duration_s: 10, arrivals: {kind: closed, clients: 1, think_time_s: 0}, lengths: {kind: fixed, prompt: 20, output: 90}}
            """, instances: 2))
        _ = simulator.run()
        #expect(simulator.halt?.key == "workload.tenants.1.arrivals.think_time_s")
        #expect(simulator.halt?.message.contains("exceeds-max-model-len") == true)
    }

    /// Most requests rejected, but not all: the admitted ones move time on, and the run ends at its duration.
    @Test func aClosedLoopThatAdmitsSomeRequestsRunsToItsEnd() throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            duration_s: 2
            arrivals: {kind: closed, clients: 4, think_time_s: 0}
            lengths: {kind: uniform, prompt: [50, 150], output: [16, 16]}
            """))
        let report = simulator.run()
        #expect(simulator.halt == nil)
        #expect(report.overall.requests.finished > 10)
        #expect(report.overall.requests.rejected > report.overall.requests.finished)
        try simulator.checkHalt()
    }
}
