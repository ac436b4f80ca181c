import Foundation
import GraceSim

/// A progress line on standard error for one simulation, in the sweep bar's style: requests ended of those
/// planned (or simulated time of the run's end when the count is not known), events per second and time left.
///
/// Drawn only when standard error is a terminal, redrawn in place, and erased when the run ends, so standard
/// output and a redirected standard error are unchanged. A run planned above ``requestBound`` requests shows it
/// at once; any other once it has taken ``delaySeconds()`` of wall time (2 s, or `GRACESIM_PROGRESS_AFTER_S`).
final class RunProgress {
    /// The simulator reports every this many events: a counter in the event loop, nothing more.
    static let eventInterval = 8192
    /// Runs planned above this many requests show the line from the start.
    static let requestBound = 1_000_000
    /// Other runs show it once they have run this long, in seconds, unless `GRACESIM_PROGRESS_AFTER_S` says
    /// otherwise (0 shows it from the first report).
    static let defaultDelaySeconds = 2.0

    /// `GRACESIM_PROGRESS_AFTER_S` when set (a number of seconds from 0 to 86400), else ``defaultDelaySeconds``.
    static func delaySeconds() throws -> Double {
        guard let text = ProcessInfo.processInfo.environment["GRACESIM_PROGRESS_AFTER_S"] else { return defaultDelaySeconds }
        guard let seconds = Double(text), seconds >= 0, seconds <= 86_400 else {
            throw ConfigError(file: "GRACESIM_PROGRESS_AFTER_S", key: "",
                              "expected a number of seconds from 0 to 86400, found \"\(InputFailure.capped(text))\"")
        }
        return seconds
    }
    /// At most one redraw per this many seconds.
    static let redrawSeconds = 0.2

    private let enabled: Bool
    private let delay: Double
    private let totalRequests: Int?
    private let end: SimTime?
    private let started = Date()
    private var lastDraw = -Double.infinity
    private var drawn = false

    /// - Throws: ``ConfigError`` for a malformed `GRACESIM_PROGRESS_AFTER_S`.
    init(experiment: Experiment, terminal: Bool = isatty(STDERR_FILENO) != 0) throws {
        let plan = experiment.workload.plan(maxTime: experiment.maxTime)
        delay = try InputFailure.guarding { try Self.delaySeconds() }
        enabled = terminal
        totalRequests = plan.requests
        end = plan.lastArrivalSeconds.map { SimTime.capped(seconds: $0, rounding: .towardZero) }
    }

    /// Runs `simulator` to its end, drawing the line as it goes.
    func run(_ simulator: Simulator) -> RunReport {
        guard enabled else { return simulator.run() }
        let report = simulator.run(progressEvery: Self.eventInterval, update)
        finish()
        return report
    }

    func update(_ progress: SimulationProgress) {
        let elapsed = Date().timeIntervalSince(started)
        let large = (totalRequests ?? 0) > Self.requestBound
        guard large || elapsed >= delay, elapsed - lastDraw >= Self.redrawSeconds else { return }
        lastDraw = elapsed
        FileHandleWriter.writeToStandardError("\r\u{1B}[K" + line(progress, elapsed: elapsed))
        drawn = true
    }

    /// Erases the line, so that what follows starts on a clean line.
    func finish() {
        if drawn { FileHandleWriter.writeToStandardError("\r\u{1B}[K"); drawn = false }
    }

    func line(_ p: SimulationProgress, elapsed: Double) -> String {
        let fraction: Double?
        let count: String
        if let totalRequests, totalRequests > 0 {
            fraction = min(Double(p.ended) / Double(totalRequests), 1)
            count = "\(p.ended)/\(totalRequests) requests"
        } else {
            fraction = end.flatMap { $0 > .zero ? min(Double(p.simulated.ns) / Double($0.ns), 1) : nil }
            count = "\(p.ended) requests"
        }
        let rate = elapsed > 0 ? Double(p.events) / elapsed : 0
        let left = fraction.map { $0 > 0 ? elapsed * (1 - $0) / $0 : .nan } ?? .nan
        return "\(ProgressBar.bar(done: Int((fraction ?? 0) * 1000), of: 1000)) \(count)  simulated \(String(format: "%.1f", p.simulated.seconds)) s  "
            + "\(String(format: "%.0f", rate)) events/s  \(ProgressBar.duration(left)) left"
    }
}
