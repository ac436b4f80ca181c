import ArgumentParser
import Foundation
import GraceSim

/// `gracesim trace`: simulate one experiment and write a Chrome trace-event file of it for Perfetto.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Simulate one experiment and write a Chrome trace (iterations, link transfers, preemptions, remaps, KV counters).",
        discussion: """
            Open the file in Perfetto (ui.perfetto.dev) or chrome://tracing. --from/--to keep only the events that \
            overlap that window of simulated time; the simulation still starts at 0 and stops soon after --to.
            Example: gracesim trace Configs/experiments/c1-temporal.yaml --strategy remap --out trace.json --to 300
            """
    )

    @OptionGroup var options: ExperimentOptions

    @Option(help: ArgumentHelp("The trace file to write (JSON).", valueName: "file"))
    var out: String

    @Option(help: ArgumentHelp("Keep events from this simulated time on, in seconds.", valueName: "s"))
    var from: Double?

    @Option(help: ArgumentHelp("Keep events up to this simulated time, in seconds.", valueName: "s"))
    var to: Double?

    /// Checks `--from` and `--to`: seconds from 0 to ``ConfigObject/maxSeconds`` (so that they fit in
    /// nanoseconds), `--to` not before `--from`.
    func checkWindow() throws {
        let limit = ConfigObject.maxSeconds
        for (flag, value) in [("--from", from), ("--to", to)] {
            if let value, !(value.isFinite && value >= 0 && value <= limit) {
                throw InputFailure.flag(flag, "expected a time in seconds from 0 to \(limit), found \(value)")
            }
        }
        if let from, let to, to < from { throw InputFailure.flag("--to", "expected a time not before --from (\(from)), found \(to)") }
    }

    func run() throws {
        try InputFailure.guarding { try checkWindow() }
        let experiment = try options.load()
        let simulator = try InputFailure.guarding { try Simulator(experiment: experiment) }
        let file = try InputFailure.guarding { try TraceFile(path: out) }
        let window = SimTime.seconds(from ?? 0)...(to.map { SimTime.seconds($0) } ?? .infinity)

        let started = Date()
        var encoder = ChromeTraceEncoder(instanceNames: experiment.instances.map(\.name)) { file.write($0) }
        let recorder = TraceRecorder(window: window) { encoder.append($0) }
        simulator.observer = recorder
        if to != nil {
            simulator.run(until: window.upperBound)
            // Transfers requested in the window get their end.
            while recorder.hasOpenTransfersInWindow && simulator.step() {}
        } else {
            _ = try RunProgress(experiment: experiment).run(simulator)
        }
        try InputFailure.guarding { try simulator.checkHalt() }
        encoder.finish(lanesUsed: recorder.lanesUsed, otherData: [
            ("experiment", experiment.name), ("strategy", experiment.strategy.kind.rawValue),
            ("seed", String(experiment.seed)), ("gracesim_version", GraceSimVersion.current),
        ])
        try InputFailure.guarding { try file.close() }
        let wall = Date().timeIntervalSince(started)
        InputFailure.printError(String(format: "wrote %d events (%.1f MB) to %@; simulated %.1f s in %.2f s wall time",
                                       encoder.eventCount, Double(encoder.byteCount) / 1e6, out,
                                       Double(simulator.now.ns) / 1e9, wall))
    }
}

/// A file written in 1 MiB pieces.
final class TraceFile {
    private let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private static let chunkBytes = 1 << 20

    init(path: String) throws {
        do { handle = try OutputFile.openForStreaming(path) } catch let failure as OutputFile.Failure {
            throw ConfigError(file: path, key: "", "cannot write the trace file here: \(failure.reason)")
        }
        self.path = path
        buffer.reserveCapacity(Self.chunkBytes)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunkBytes { flush() }
    }

    private func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        do {
            try handle.close()
        } catch {
            throw ConfigError(file: path, key: "", "cannot finish writing the trace file: \(error.localizedDescription)")
        }
    }
}
