import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// docs/architecture.md ("Determinism"): the same experiment and seed give a byte-identical report; another seed gives another.
@Suite struct DeterminismTests {
    static func report(_ file: String, _ overrides: [String]) throws -> Data {
        let path = TestExperiments.repositoryRoot + "/Configs/experiments/" + file
        let experiment = try Experiment.load(path: path, overrides: try overrides.map(ConfigOverride.init(parsing:)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(try Simulator(experiment: experiment).run())
    }

    @Test(arguments: [
        ("default.yaml", ["workload.max_requests=300"]),
        ("c1-temporal.yaml", ["workload.arrivals.end_s=120"]),
    ])
    func sameSeedSameReport(file: String, overrides: [String]) throws {
        let first = try Self.report(file, overrides)
        #expect(try JSONDecoder().decode(RunReport.self, from: first).overall.requests.finished > 0)
        let second = try Self.report(file, overrides)
        #expect(first == second, "\(file): two runs with one seed differ")
        let reseeded = try Self.report(file, overrides + ["seed=2"])
        #expect(first != reseeded, "\(file): seeds 1 and 2 give the same report")
    }
}
