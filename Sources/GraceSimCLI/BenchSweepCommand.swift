import ArgumentParser
import Foundation
import GraceSimStore
import GraceSimSweeps

/// `gracesim bench-sweep`: how much of a sweep's time goes to storage, and how well jobs scale.
struct BenchSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-sweep",
        abstract: "Time a sweep of small points: simulation vs storage time with --jobs 1, and the speedup of --jobs N.",
        discussion: "The points are the benchmark experiment with seeds 1...points and --requests requests each, written to fresh databases in a temporary folder (build with -c release)."
    )

    @Argument(help: "The experiment each point runs.")
    var experiment = "Configs/experiments/bench-reference.yaml"

    @Option(help: "Points in the sweep.")
    var points = 100

    @Option(help: "Requests per point (sets workload.max_requests).")
    var requests = 2000

    @Option(help: "Jobs of the parallel sweep, compared with one job.")
    var jobs = 2

    func validate() throws {
        guard points > 0, requests > 0, jobs > 1 else { throw ValidationError("--points and --requests must be positive, --jobs above 1") }
    }

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gracesim-bench-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = URL(fileURLWithPath: experiment, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        let sweepText = """
            name: bench-sweep
            base: \(base)
            set: {workload.max_requests: \(requests)}
            seeds: [\((1...points).map(String.init).joined(separator: ", "))]

            """
        let sweepPath = folder.appendingPathComponent("bench-sweep.yaml").path
        try Data(sweepText.utf8).write(to: URL(fileURLWithPath: sweepPath))

        func sweep(jobs: Int) throws -> SweepSummary {
            try InputFailure.guarding {
                let spec = try SweepSpec.load(path: sweepPath)
                let store = try ResultStore.openForWriting(path: folder.appendingPathComponent("jobs-\(jobs).sqlite").path)
                return try SweepRunner(spec: spec, store: store, jobs: jobs, version: GraceSimVersion.current).run()
            }
        }
        var load = [0.0, 0.0, 0.0]
        let loadBefore = getloadavg(&load, 3) > 0 ? load[0] : .nan
        let one = try sweep(jobs: 1)
        let many = try sweep(jobs: jobs)
        let loading = one.preparationSeconds + one.loadingSeconds
        let overhead = one.wallSeconds - loading - one.simulationSeconds - one.storageSeconds
        print("sweep benchmark: \(points) points of \(requests) requests (\((experiment as NSString).lastPathComponent))")
        print(String(format: "  --jobs 1    %.2f s wall: loading the points %.2f s (%.1f%%), simulation %.2f s (%.1f%%), storage %.3f s (%.1f%%), other %.2f s (%.1f%%)",
                     one.wallSeconds, loading, 100 * loading / one.wallSeconds,
                     one.simulationSeconds, 100 * one.simulationSeconds / one.wallSeconds,
                     one.storageSeconds, 100 * one.storageSeconds / one.wallSeconds, overhead, 100 * overhead / one.wallSeconds))
        print(String(format: "  --jobs %d    %.2f s wall: speedup %.2fx over --jobs 1 (%d cores)",
                     jobs, many.wallSeconds, one.wallSeconds / many.wallSeconds, ProcessInfo.processInfo.activeProcessorCount))
        print(String(format: "  load average before: %.2f (other processes on the cores lower the speedup)", loadBefore))
    }
}
