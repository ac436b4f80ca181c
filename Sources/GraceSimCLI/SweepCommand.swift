import ArgumentParser
import Foundation
import GraceSim
import GraceSimStore
import GraceSimSweeps

/// `gracesim sweep`: run a grid of experiments into a results database.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a sweep's grid of experiments into an SQLite database (resumable, parallel, shardable).",
        discussion: """
            Points already finished in the database are skipped, so an interrupted sweep is resumed by running the \
            same command again. Several sweep processes on one database share its points (each point is leased \
            before it runs; a lease whose process died is taken over). A sweep named like a different sweep already \
            in the database is refused; --as stores it under another name. --shard i/N runs the points whose index modulo N is i (0-based), e.g. \
            --shard $SLURM_ARRAY_TASK_ID/16; --shard auto reads SLURM_ARRAY_TASK_ID of GRACESIM_SHARD_COUNT, or of \
            SLURM_ARRAY_TASK_COUNT for a whole array 0-(N-1) (Slurm), or JOB_COMPLETION_INDEX of GRACESIM_SHARD_COUNT \
            (Kubernetes Indexed Jobs). The shard is printed on standard error before the sweep starts. Join shard \
            databases with gracesim merge.
            Example: gracesim sweep Configs/sweeps/c1-strategy-rate.yaml --db Results/c1.sqlite --jobs 2
            """
    )

    @Argument(help: "The sweep file (YAML), e.g. Configs/sweeps/c1-strategy-rate.yaml.")
    var sweep: String

    @Option(help: ArgumentHelp("The results database (created when missing).", valueName: "file"))
    var db: String

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Points simulated at once, 1 to \(JobCount.maximum) (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only this share of the grid: i/N (0-based) or auto.", valueName: "i/N|auto"))
    var shard: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Store the sweep under this name instead of the file's `name:` (e.g. when the database already holds another sweep of that name).", valueName: "name"))
    var storedName: String?

    @Flag(help: "No progress bar.")
    var quiet = false

    func validate() throws {
        try JobCount.check(jobs)
        if let storedName, storedName.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--as needs a name") }
    }

    func run() throws {
        let (summary, shard) = try InputFailure.guarding {
            let resolved = try self.shard.map { try Shard.resolve($0, environment: ProcessInfo.processInfo.environment) }
            if let resolved {
                InputFailure.printError("shard \(resolved.shard): the points whose index modulo \(resolved.shard.count) is \(resolved.shard.index) (from \(resolved.origin))")
            }
            let shard = resolved?.shard ?? .whole
            var spec = try SweepSpec.load(path: sweep)
            if let storedName { spec.name = storedName }
            _ = try spec.grid()  // a grid too large to count is refused before the database is created
            let store = try ResultStore.openForWriting(path: db)
            let runner = SweepRunner(spec: spec, store: store, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, shard: shard, version: GraceSimVersion.current)
            let interrupt = InterruptStop(runner.stop)
            defer { interrupt.cancel() }
            let bar = ProgressBar(enabled: !quiet)
            let summary = try runner.run(progress: bar.update)
            bar.finish()
            try store.close()
            return (summary, shard)
        }
        let shardText = shard == .whole ? "" : " (shard \(shard))"
        InputFailure.printError(String(format: "%d points%@: %d run, %d failed, %d already finished, %d run by other processes; %.1f s wall, %.1f s simulating, %.2f s storing",
                                       summary.points, shardText, summary.finished, summary.failed, summary.skipped, summary.elsewhere,
                                       summary.wallSeconds, summary.simulationSeconds, summary.storageSeconds))
        if summary.stopped {
            InputFailure.printError("interrupted: every run that ended is stored; run the same command again to resume")
            throw ExitCode(130)
        }
        if summary.failed > 0 {
            InputFailure.printError("failed runs are stored with their error: sqlite3 \(db) \"SELECT point, error FROM runs WHERE status = 'failed'\"")
            throw ExitCode(1)
        }
    }
}

/// Turns the first Ctrl-C (SIGINT) into a clean stop of a sweep: the points running finish and are stored, no new
/// point starts. A second Ctrl-C ends the process at once (runs already stored are kept either way).
final class InterruptStop: @unchecked Sendable {
    private let source: DispatchSourceSignal

    init(_ stop: SweepStop) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            stop.request()
            signal(SIGINT, SIG_DFL)
            FileHandleWriter.writeToStandardError("\ninterrupted: finishing the points that are running (Ctrl-C again to stop at once)\n")
        }
        source.resume()
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}

/// A one-line progress bar on standard error: done/total, rate and time left; redrawn in place on a terminal,
/// one line per tenth of the work otherwise.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var lastTenth = -1
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ p: SweepProgress) {
        guard enabled, p.total > 0 else { return }
        lock.withLock {
            let line = Self.line(p)
            if terminal {
                FileHandleWriter.writeToStandardError("\r\u{1B}[K" + line)
                drawn = true
            } else {
                let tenth = Self.share(p.ended, of: p.total, in: 10)
                if tenth != lastTenth { lastTenth = tenth; FileHandleWriter.writeToStandardError(line + "\n") }
            }
        }
    }

    func finish() {
        lock.withLock { if drawn { FileHandleWriter.writeToStandardError("\n"); drawn = false } }
    }

    static func line(_ p: SweepProgress) -> String {
        let ended = p.ended
        let rate = p.elapsedSeconds > 0 ? Double(p.done) / p.elapsedSeconds : 0
        let left = rate > 0 ? Double(p.total - ended) / rate : .nan
        let bar = Self.bar(done: ended, of: p.total)
        let failed = p.failed > 0 ? ", \(p.failed) failed" : ""
        let skipped = p.skipped > 0 ? ", \(p.skipped) skipped" : ""
        let elsewhere = p.elsewhere > 0 ? ", \(p.elsewhere) by other processes" : ""
        return "\(bar) \(ended)/\(p.total)\(failed)\(skipped)\(elsewhere)  \(String(format: "%.2f", rate)) runs/s  \(duration(left)) left"
    }

    /// `[#########.....................]`: 30 characters, `done` of `total` of them filled (all when `total` is 0).
    static func bar(done: Int, of total: Int) -> String {
        let width = 30
        let filled = total <= 0 ? width : max(0, min(width, share(min(max(done, 0), total), of: total, in: width)))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    /// `part × parts / total` rounded down, exact for any counts (0 ≤ part ≤ total, total > 0).
    static func share(_ part: Int, of total: Int, in parts: Int) -> Int {
        total.dividingFullWidth(part.multipliedFullWidth(by: parts)).quotient
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
