import ArgumentParser
import Foundation
import GraceSim

/// `gracesim bench`: how fast the simulator runs the reference scenario (build with `-c release`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the simulator on a benchmark experiment and print wall time, simulated requests and iterations per wall-second, and peak memory.",
        discussion: "The default is the reference scenario: Llama-2-7B on x86-h100-sxm-pcie5, vLLM with 128 sequences and 4096 batched tokens, Poisson arrivals at 8 requests/s, Azure conversation lengths, 10,000 requests."
    )

    @Argument(help: "The benchmark experiment.")
    var experiment = BenchCommand.defaultExperiment

    @Option(help: "Requests to simulate (sets workload.max_requests; default: as the experiment says).")
    var requests: Int?

    @Option(help: "Runs; the median is reported.")
    var runs = 5

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key of the experiment file.", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "Memory strategy (overrides the experiment's; --set strategy.KEY=VALUE sets its options).")
    var strategy: String?

    @Flag(help: "Time the reference scenario and C1 under every strategy (each cut to --requests when given), and compare each with the figures recorded for this machine at those requests (--figures).")
    var check = false

    @Flag(help: "Time what --check times and record the figures as this machine's in --figures (its other machines are kept).")
    var record = false

    @Option(help: "The recorded figures, per machine.")
    var figures = "Results/bench/recorded.json"

    func validate() throws {
        if let requests, requests <= 0 { throw ValidationError("--requests must be positive") }
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        if check || record {
            guard !(check && record) else { throw ValidationError("--check and --record cannot be given together") }
            let flag = check ? "--check" : "--record"
            guard experiment == Self.defaultExperiment, overrides.isEmpty, strategy == nil else {
                throw ValidationError("\(flag) times its own scenarios: drop the experiment, --set and --strategy")
            }
        }
    }

    static let defaultExperiment = "Configs/experiments/bench-reference.yaml"

    func run() throws {
        if check || record { return try checkOrRecord() }
        let loaded = try InputFailure.guarding {
            var all = try overrides.map(ConfigOverride.init(parsing:))
            if let strategy { all = try ConfigOverride.layering(strategy: strategy, under: all) }
            if let requests { all.append(try ConfigOverride(parsing: "workload.max_requests=\(requests)")) }
            return try Experiment.load(path: experiment, overrides: all)
        }
        let measured = try Self.measure(loaded, runs: runs) { run, wall in
            InputFailure.printError(String(format: "run %d: %.3f s", run, wall))
        }
        print("benchmark: \(loaded.name), strategy \(loaded.strategy.kind.rawValue) (\(measured.arrived) requests, \(runs) runs, median)")
        let rows = [
            ("wall time", String(format: "%.3f s", measured.wallSeconds)),
            ("simulated", String(format: "%.1f s, %d requests finished, %d iterations", measured.simulatedSeconds, measured.finished, measured.iterations)),
            ("requests per wall-second", String(format: "%.0f", measured.requestsPerSecond)),
            ("iterations per wall-second", String(format: "%.0f", Double(measured.iterations) / measured.wallSeconds)),
            ("peak memory", String(format: "%.1f MiB", Double(PeakMemory.residentBytes()) / 1_048_576)),
        ]
        print(Self.aligned(rows), terminator: "")
    }

    /// `--check` and `--record`: times every scenario of ``BenchCheck``, then compares or records.
    private func checkOrRecord() throws {
        let recorded = try InputFailure.guarding { try BenchFigures.load(path: figures) }
        let machine = BenchFigures.thisMachine
        let (scenarios, unserved) = try InputFailure.guarding { try BenchCheck.scenarios(requests: requests) }
        var today: [BenchFigures.Scenario] = []
        for scenario in scenarios {
            let measured = try Self.measure(scenario.experiment, runs: runs) { _, _ in }
            InputFailure.printError(String(format: "%@: %.3f s", scenario.name, measured.wallSeconds))
            today.append(.init(name: scenario.name, wallSeconds: measured.wallSeconds, requestsPerSecond: measured.requestsPerSecond))
        }
        if record {
            let entry = BenchFigures.Machine(machine: machine, requests: requests, recorded: Self.today(), runs: runs, scenarios: today)
            try InputFailure.guarding {
                do {
                    try OutputFile.write(try recorded.replacing(entry).encoded(), to: figures)
                } catch let failure as OutputFile.Failure {
                    throw ConfigError(file: figures, key: "", "cannot write the figures: \(failure.reason)")
                }
            }
            print("recorded \(today.count) scenarios for this machine (\(machine)), median of \(runs) runs, in \(figures)")
            print(BenchCheck.comparison(today: today, recorded: nil), terminator: "")
        } else if let entry = recorded.figures(of: machine, requests: requests) {
            print("bench check: this machine (\(machine)), median of \(runs) runs, against the figures of \(entry.recorded) (median of \(entry.runs)) in \(figures)")
            print(BenchCheck.comparison(today: today, recorded: entry), terminator: "")
        } else {
            let cut = requests.map { " --requests \($0)" } ?? ""
            print("bench check: no figures are recorded for this machine (\(machine))\(cut.isEmpty ? "" : " at" + cut) in \(figures); `gracesim bench --record\(cut)` records them")
            print(BenchCheck.comparison(today: today, recorded: nil), terminator: "")
        }
        if !unserved.isEmpty {
            print("not timed (serves neither C1 engine): " + unserved.map(\.rawValue).joined(separator: ", "))
        }
    }

    /// One scenario's runs: the median wall time of the simulation loop and what the last run simulated.
    struct Measurement {
        var wallSeconds: Double
        var arrived: Int
        var finished: Int
        var iterations: Int
        var simulatedSeconds: Double
        var requestsPerSecond: Double { Double(arrived) / wallSeconds }
    }

    /// Runs `experiment` `runs` times, each in a fresh simulator, timing the loop alone; `progress` hears of each run.
    static func measure(_ experiment: Experiment, runs: Int, progress: (Int, Double) -> Void) throws -> Measurement {
        var walls: [Double] = []
        var last: RunReport?
        for run in stride(from: 1, through: runs, by: 1) {
            let simulator = try InputFailure.guarding { try Simulator(experiment: experiment) }
            let start = DispatchTime.now().uptimeNanoseconds
            let report = simulator.run()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            try InputFailure.guarding { try simulator.checkHalt() }
            walls.append(wall)
            last = report
            progress(run, wall)
        }
        guard let last else { throw ValidationError("--runs must be positive") }
        let median = max(walls.sorted()[walls.count / 2], 1e-9)
        return Measurement(wallSeconds: median, arrived: last.overall.requests.arrived, finished: last.overall.requests.finished,
                           iterations: last.overall.iterations, simulatedSeconds: last.simulatedSeconds)
    }

    /// Today's date (UTC), `YYYY-MM-DD`.
    private static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }

    /// `rows` as indented lines, the values starting in one column.
    static func aligned(_ rows: [(label: String, value: String)]) -> String {
        let width = rows.map(\.label.count).max() ?? 0
        return rows.map { "  " + $0.label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.value + "\n" }.joined()
    }
}

/// The process's peak resident set size.
enum PeakMemory {
    static func residentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss
        #endif
    }
}
