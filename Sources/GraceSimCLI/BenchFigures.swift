import Foundation
import GraceSim

/// The speed figures recorded in the repository, per machine, that `gracesim bench --check` compares a build with
/// (`Results/bench/recorded.json`). Timings differ from machine to machine, so each machine has its own entry,
/// named by its core count and CPU model (``BenchFigures/thisMachine``).
struct BenchFigures: Codable, Equatable {
    /// One machine's figures, as `gracesim bench --record` measured them.
    struct Machine: Codable, Equatable {
        var machine: String
        /// The requests each scenario was cut to (`--requests`); nil for the scenarios' own.
        var requests: Int?
        /// The day they were measured (UTC), `YYYY-MM-DD`.
        var recorded: String
        /// Runs per scenario; each figure is their median.
        var runs: Int
        var scenarios: [Scenario]

        /// Whether this is the entry of `machine` at `requests` requests per scenario (the figures keep at most one
        /// entry per machine and request count).
        func isEntry(of machine: String, requests: Int?) -> Bool {
            self.machine == machine && self.requests == requests
        }
    }

    /// One scenario's median wall time.
    struct Scenario: Codable, Equatable {
        var name: String
        var wallSeconds: Double
        var requestsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case name
            case wallSeconds = "wall_s"
            case requestsPerSecond = "requests_per_s"
        }
    }

    var machines: [Machine] = []

    /// This machine's name: its cores and CPU model (Linux: `model name` of `/proc/cpuinfo`).
    static var thisMachine: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return "\(cores) cores, \(model)"
    }

    /// The figures in `path`; none when the file does not exist. A file that is not such a record is a
    /// ``ConfigError`` naming it.
    static func load(path: String) throws -> BenchFigures {
        guard FileManager.default.fileExists(atPath: path) else { return BenchFigures() }
        let text = try ConfigNode.readText(path: path)
        let figures: BenchFigures
        do {
            figures = try JSONDecoder().decode(BenchFigures.self, from: Data(text.utf8))
        } catch {
            throw ConfigError(file: path, key: "", "expected the figures `gracesim bench --record` writes (machines: [{machine, requests (optional), recorded, runs, scenarios: [{name, wall_s, requests_per_s}]}])")
        }
        for (index, machine) in figures.machines.enumerated() {
            for (position, scenario) in machine.scenarios.enumerated()
            where !(scenario.wallSeconds.isFinite && scenario.wallSeconds > 0) {
                throw ConfigError(file: path, key: "machines.\(index).scenarios.\(position).wall_s",
                                  "expected a positive number of seconds, found \(scenario.wallSeconds)")
            }
        }
        return figures
    }

    /// The entry of `machine` at `requests` requests per scenario (nil: the scenarios' own), if one was recorded.
    func figures(of machine: String, requests: Int?) -> Machine? {
        machines.first { $0.isEntry(of: machine, requests: requests) }
    }

    /// These figures with `entry` in place of the earlier entry of its machine and requests (or added after the
    /// others).
    func replacing(_ entry: Machine) -> BenchFigures {
        var copy = self
        if let index = copy.machines.firstIndex(where: { $0.isEntry(of: entry.machine, requests: entry.requests) }) {
            copy.machines[index] = entry
        } else {
            copy.machines.append(entry)
        }
        return copy
    }

    /// The file's bytes: pretty, keys sorted, so a new record changes only its own lines.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}
