import GraceSim
import GraceSimReport
import GraceSimTestSupport
import Foundation
import Testing

/// `docs/validation.md`: a real run replayed on its validation experiment, as the page shows it.
@Suite struct ValidationPageTests {
    /// The RTX PRO 6000 run replayed on its experiment: every request finishes and the report has every row.
    @Test func replayOfARealRunHasEveryRow() throws {
        let root = TestExperiments.repositoryRoot
        let run = try RealRun.load(path: root + "/" + ValidationPage.cases[1].run)
        let experiment = try Experiment.load(path: root + "/" + ValidationPage.cases[1].experiment)
        let comparison = Replay.compare(run, try Replay.simulate(run, experiment: experiment),
                                        experimentName: experiment.name)
        #expect(comparison.requests == 300)
        #expect(comparison.unfinished == 0)
        let labels = comparison.rows.map(\.label)
        var expected: [String] = []
        for metric in ["TTFT", "TPOT", "E2E"] { expected += ["median", "P90", "P99"].map { "\(metric) \($0)" } }
        expected.append("output throughput")
        #expect(labels == expected)
        #expect(comparison.rows.allSatisfy { $0.real > 0 && $0.simulated > 0 && $0.relativeError != nil })
        let page = ValidationPage.markdown([(comparison, ValidationPage.Diagnostics(run))], command: "c", notes: "n")
        #expect(page.contains("## \(run.name)"))
        #expect(page.contains("queueing"))
    }
}
