import GraceSimTestSupport
import Foundation
import GraceSimReport
import GraceSimStore
import Testing

/// `gracesim reproduce` on a tiny folder of sweeps: runs them into OUT/paper.sqlite, writes OUT/README.md from it,
/// ignores pending/, and resumes without running finished points again.
@Suite(.serialized) struct ReproduceCommandTests {
    @Test func reproduceRunsTheSweepsWritesTheTableAndResumes() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let base = GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/experiments/default.yaml").path
        let sweeps = folder.path("sweeps")
        try FileManager.default.createDirectory(atPath: sweeps + "/pending", withIntermediateDirectories: true)
        _ = try folder.write("sweeps/tiny.yaml", """
            name: tiny
            base: \(base)
            set: {workload.max_requests: 100}
            axes:
              strategy: [recompute, remap]
            seeds: [1]
            """)
        // A sweep that cannot load today: reproduce must not read pending/.
        _ = try folder.write("sweeps/pending/spatial.yaml", "name: spatial\nbase: \(base)\nset: {sharing.mode: mps}\naxes: {strategy: [remap]}\n")
        _ = try folder.write("sweeps/claims.yaml", """
            claims:
              - {id: tiny-claim, experiment: tiny, sweep: tiny.yaml, claim: "remap beats recompute",
                 baseline: {strategy: recompute}, treatment: {strategy: remap}, expect: {tbt_p99_ms: {direction: lower}}}
              - {id: spatial-claim, experiment: spatial, sweep: pending/spatial.yaml, claim: "spatial",
                 baseline: {strategy: recompute}, treatment: {strategy: remap}, expect: {tbt_p99_ms: {direction: lower}},
                 pending: true, notes: "needs MPS"}
            """)
        let out = folder.path("out")
        let first = try await GraceSimProcess.run(["reproduce", "--out", out, "--sweeps", sweeps, "--jobs", "2", "--quiet"])
        expectSuccess(first)
        #expect(first.stdoutText.contains("s of wall time"))
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("| tiny-claim |") && readme.contains("| spatial-claim |"))
        #expect(readme.contains("simulated 2 of the 2 runs"))
        // The table's cells for the three readings of TBT (ITL, TPOT, worst gap) are the database's changes.
        let store = try ResultStore.openForReading(path: out + "/paper.sqlite")
        let runs = try store.runs()
        try store.close()
        #expect(Set(runs.map(\.sweep)) == ["tiny"])
        func change(_ metric: String) -> String {
            let value = { (strategy: String) in runs.first { $0.run.strategy == strategy }!.metrics["overall"]![metric]! }
            return PaperReport.percent((value("remap") - value("recompute")) / value("recompute") * 100)
        }
        let cells = ["itl_p99_ms", "tpot_p99_ms", "max_itl_p99_ms"].map(change).joined(separator: " | ")
        #expect(readme.contains("| 1 × 1 seed | \(cells) |"))

        let second = try await GraceSimProcess.run(["reproduce", "--out", out, "--sweeps", sweeps, "--jobs", "2", "--quiet"])
        expectSuccess(second)
        #expect(try String(contentsOfFile: out + "/README.md", encoding: .utf8).contains("simulated 0 of the 2 runs"))
    }
}
