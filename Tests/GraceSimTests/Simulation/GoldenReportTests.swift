// Golden regression: reruns Tests/GraceSimTests/Golden/c1-short.yaml and compares its report with
// c1-short.report.json. After a change that is meant to move the numbers, rewrite the golden file with
//
//     GRACESIM_UPDATE_GOLDEN=1 swift test --filter Golden
//
// and commit it with the change (see Tests/GraceSimTests/Golden/README.md).
import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

@Suite struct GoldenReportTests {
    static let folder = TestExperiments.repositoryRoot + "/Tests/GraceSimTests/Golden"

    @Test func c1ShortReportIsUnchanged() throws {
        let experiment = try Experiment.load(path: Self.folder + "/c1-short.yaml")
        let report = try Simulator(experiment: experiment).run()
        let tree = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report))
        let text = GoldenJSON.canonical(tree)
        let goldenPath = Self.folder + "/c1-short.report.json"
        if ProcessInfo.processInfo.environment["GRACESIM_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: goldenPath, atomically: true, encoding: .utf8)
            return
        }
        guard let golden = try? String(contentsOfFile: goldenPath, encoding: .utf8) else {
            Issue.record("no golden report at \(goldenPath); write it with GRACESIM_UPDATE_GOLDEN=1 swift test --filter Golden")
            return
        }
        guard golden != text else { return }
        let old = try JSONSerialization.jsonObject(with: Data(golden.utf8))
        let moves = GoldenJSON.differences(old: old, new: tree)
        Issue.record("""
        c1-short report differs from the golden file in \(moves.count) place(s):
        \(moves.prefix(60).joined(separator: "\n"))\(moves.count > 60 ? "\n…" : "")
        If the change is intended: GRACESIM_UPDATE_GOLDEN=1 swift test --filter Golden
        """)
    }
}
