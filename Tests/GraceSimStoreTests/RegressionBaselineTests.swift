import GraceSimStoreTestSupport
import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSimStore
@testable import GraceSimSweeps

/// The regression guard: rerun `Configs/sweeps/regression.yaml` and diff it against the committed baseline.
///
/// A failure lists every metric that moved beyond 0.5%. When the change is intended, update the baseline:
/// `rm -f Results/regression/baseline.sqlite && swift run gracesim sweep Configs/sweeps/regression.yaml --db Results/regression/baseline.sqlite`
@Suite struct RegressionBaselineTests {
    @Test func theRegressionSweepMatchesTheCommittedBaseline() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        // Read a copy so that the committed file never gets -wal/-shm companions or a newer schema.
        let baselinePath = folder.path("baseline.sqlite")
        try FileManager.default.copyItem(atPath: StoreFixtures.path("Results/regression/baseline.sqlite"), toPath: baselinePath)
        let baseline = try ResultStore.openForReading(path: baselinePath)
        let spec = try SweepSpec.load(path: StoreFixtures.path("Configs/sweeps/regression.yaml"))
        let store = try ResultStore.openForWriting(path: folder.path("new.sqlite"))
        let summary = try SweepRunner(spec: spec, store: store, jobs: 2, version: "test").run()
        #expect(summary.failed == 0)
        let diff = ResultDiff(old: try baseline.runs(), new: try store.runs(), tolerance: 0.005)
        #expect(diff.matched == summary.points, "the baseline does not hold every point of the sweep; update it (see Configs/sweeps/regression.yaml)")
        #expect(diff.movements.isEmpty && diff.newlyFailed.isEmpty && !diff.hasMissingRuns,
                "metrics moved against Results/regression/baseline.sqlite:\n\(diff.report().joined(separator: "\n"))")
    }
}
