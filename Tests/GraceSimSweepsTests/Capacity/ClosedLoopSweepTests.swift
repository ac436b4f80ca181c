import GraceSimStoreTestSupport
import GraceSimTestSupport
import Testing
@testable import GraceSimStore
@testable import GraceSimSweeps

/// `workload.arrivals.clients` works as a sweep axis, like the rate of open arrivals.
@Suite struct ClosedLoopSweepTests {
    @Test func clientsAreASweepAxis() throws {
        let spec = try StoreFixtures.spec("""
            name: closed-clients
            base: \(StoreFixtures.path("Configs/experiments/default.yaml"))
            set:
              workload: {max_requests: 60, arrivals: {kind: closed, clients: 1, think_time_s: 0.1}, lengths: {kind: fixed, prompt: 256, output: 32}}
            axes:
              workload.arrivals.clients: [1, 4, 16]
            """)
        let points = try spec.prepare(points: try spec.grid())
        #expect(points.map(\.point.label) == ["workload.arrivals.clients=1", "workload.arrivals.clients=4", "workload.arrivals.clients=16"])
        #expect(Set(points.map(\.configHash)).count == 3)
        let rates = try points.map { point -> Double in
            let report = try PointSimulation.simulate(point, requests: false, series: false).report
            #expect(report.overall.requests.finished == 60)
            return report.overall.throughput.requestsPerSecond
        }
        // More clients keep more requests in flight, so more finish per second.
        #expect(rates[0] < rates[1] && rates[1] < rates[2], "\(rates)")
    }
}
