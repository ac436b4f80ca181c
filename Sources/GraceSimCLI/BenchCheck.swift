import Foundation
import GraceSim

/// What `gracesim bench --check` and `--record` time: the reference scenario, then the C1 experiment under every
/// registered strategy, in vLLM V0's engine (`c1-temporal.yaml`) and in V1's (`v1-c1.yaml`) wherever the strategy
/// serves that engine. A strategy that serves neither is named in the output, not timed.
enum BenchCheck {
    /// One timed scenario.
    struct Scenario {
        let name: String
        let experiment: Experiment
    }

    static let referencePath = "Configs/experiments/bench-reference.yaml"
    static let enginePaths = [("c1 v0", "Configs/experiments/c1-temporal.yaml"), ("c1 v1", "Configs/experiments/v1-c1.yaml")]

    /// The scenarios, in order, each cut to `requests` requests when given, and the strategies that serve no C1
    /// engine.
    static func scenarios(requests: Int?) throws -> (scenarios: [Scenario], unserved: [StrategyKind]) {
        let cut = try requests.map { [try ConfigOverride(parsing: "workload.max_requests=\($0)")] } ?? []
        var scenarios = [Scenario(name: "reference", experiment: try Experiment.load(path: referencePath, overrides: cut))]
        var unserved: [StrategyKind] = []
        for kind in StrategyKind.allCases {
            var served = false
            for (label, path) in enginePaths {
                let overrides = try ConfigOverride.layering(strategy: kind.rawValue, under: cut)
                // A strategy that cannot serve this engine's instances is refused by the loader; it is timed on the
                // other engine.
                guard let experiment = try? Experiment.load(path: path, overrides: overrides) else { continue }
                scenarios.append(Scenario(name: "\(label) \(kind.rawValue)", experiment: experiment))
                served = true
            }
            if !served { unserved.append(kind) }
        }
        return (scenarios, unserved)
    }

    /// A slowdown beyond which a row is flagged. On the project's shared 2-core machine two checks of one build a
    /// few minutes apart differed by up to a third in a scenario, so only a larger change stands out from the noise.
    static let flagAbove = 0.25

    /// Today's figures beside the recorded ones, one line per scenario, with the change in wall time; a scenario
    /// slower by more than ``flagAbove`` is marked `slower`, one that has no recorded figure `new`. Without recorded
    /// figures, today's alone.
    static func comparison(today: [BenchFigures.Scenario], recorded: BenchFigures.Machine?) -> String {
        guard let recorded else {
            return indented(SummaryTable.table(header: ["scenario", "wall time", "requests / s"], rows: today.map {
                [$0.name, seconds($0.wallSeconds), String(format: "%.0f", $0.requestsPerSecond)]
            }), notes: [])
        }
        var rows: [[String]] = []
        var notes: [String] = []
        for figure in today {
            let before = recorded.scenarios.first { $0.name == figure.name }
            let change = before.map { figure.wallSeconds / $0.wallSeconds - 1 }
            rows.append([
                figure.name,
                before.map { seconds($0.wallSeconds) } ?? "-",
                seconds(figure.wallSeconds),
                change.map { String(format: "%+.1f%%", $0 * 100) } ?? "-",
            ])
            notes.append(change.map { $0 > flagAbove ? "slower" : "" } ?? "new")
        }
        for gone in recorded.scenarios where !today.contains(where: { $0.name == gone.name }) {
            rows.append([gone.name, seconds(gone.wallSeconds), "-", "-"])
            notes.append("not timed today")
        }
        return indented(SummaryTable.table(header: ["scenario", "recorded", "today", "change"], rows: rows), notes: [""] + notes)
    }

    /// `table`'s lines indented, each row followed by its note, if any. The table's lines are all as wide, so the
    /// notes start in one column.
    private static func indented(_ table: String, notes: [String]) -> String {
        table.split(separator: "\n").enumerated().map { index, line in
            let note = index < notes.count && !notes[index].isEmpty ? "  " + notes[index] : ""
            return "  " + line + note + "\n"
        }.joined()
    }

    private static func seconds(_ value: Double) -> String {
        String(format: "%.3f s", value)
    }
}
