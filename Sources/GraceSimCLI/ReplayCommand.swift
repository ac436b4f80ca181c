import ArgumentParser
import Foundation
import GraceSim
import GraceSimReport

/// `gracesim replay`: run a real vLLM run's requests through the simulator and compare the latencies.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a real vLLM run's requests on an experiment and compare real and simulated latencies.",
        discussion: """
            RUN is a run folder or requests.jsonl (per-request engine timestamps, as in Workloads/vllm-runs/) or a \
            vLLM benchmark --save-result JSON (also one written by gracesim run --save-result, whose arrival times \
            and instances are replayed as they were). The run's meta.json (beside its requests.jsonl) or the saved \
            result's own fields say which model, GPU and engine arguments served it: without --experiment, replay \
            builds the experiment that mirrors them; with one, it warns in one line naming each way the experiment \
            differs. With --validation-page, replays every run of \
            Workloads/vllm-runs/ on its validation experiment and prints docs/validation.md (run from the \
            repository root). With --silicon, classifies every row of NVIDIA's silicon table \
            (Workloads/silicon/vllm-agg.csv), replays each row gracesim can express as a closed loop of the row's \
            concurrency, and counts the others by why they cannot be expressed yet.
            """
    )

    @Argument(help: "A run folder, a requests.jsonl or a benchmark_serving --save-result JSON file.")
    var runPath: String?

    @Option(help: "The experiment whose hardware, model and engine replay the requests (default: the one that mirrors the run's meta.json or saved fields).")
    var experiment: String?

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    @Flag(help: "Print the comparison as a Markdown table.")
    var markdown = false

    @Flag(help: "Print docs/validation.md: every run of Workloads/vllm-runs/ on its validation experiment.")
    var validationPage = false

    @Option(help: "A silicon table (Workloads/silicon/vllm-agg.csv): replay its expressible rows, count the others.")
    var silicon: String?

    static let pageCommand = "gracesim replay --validation-page > docs/validation.md"
    static let notesFile = "docs/validation-notes.md"

    func validate() throws {
        if let silicon {
            guard !silicon.isEmpty else { throw ValidationError("--silicon needs a file") }
            guard runPath == nil, experiment == nil, !validationPage else {
                throw ValidationError("--silicon takes no RUN, --experiment or --validation-page")
            }
            guard !json else { throw ValidationError("--silicon prints text or, with --markdown, Markdown; not JSON") }
        } else if validationPage {
            guard runPath == nil, experiment == nil else { throw ValidationError("--validation-page takes no RUN or --experiment") }
        } else {
            guard runPath != nil else { throw ValidationError("missing RUN (a run folder, requests.jsonl or save-result JSON)") }
        }
    }

    func run() throws {
        if let silicon {
            let report = try InputFailure.guarding { try Self.siliconReport(path: silicon) }
            print(markdown ? report.markdown(heading: ValidationPage.siliconHeading) : report.text(), terminator: "")
            return
        }
        if validationPage {
            let (results, siliconReport) = try InputFailure.guarding {
                let results = try ValidationPage.cases.map { item in
                    let real = try RealRun.load(path: item.run)
                    let comparison = try Self.replay(real, experimentPath: item.experiment)
                    return (comparison, ValidationPage.Diagnostics(real))
                }
                return (results, try Self.siliconReport(path: ValidationPage.siliconTable))
            }
            let pending = try InputFailure.guarding { try ValidationPage.pending.map(PendingRun.load(path:)) }
            let notes = (try? String(contentsOfFile: Self.notesFile, encoding: .utf8)) ?? ""
            print(ValidationPage.markdown(results, command: Self.pageCommand, pending: pending, silicon: siliconReport,
                                          notes: notes), terminator: "")
            return
        }
        let comparison = try InputFailure.guarding { () throws -> ReplayComparison in
            let real = try RealRun.read(path: runPath!)
            let (loaded, catalog) = try Self.experiment(for: real, path: experiment)
            for warning in Self.warnings(real, experiment: loaded, given: experiment, catalog: catalog) {
                InputFailure.printError("warning: \(warning)")
            }
            let simulated = try Replay.simulate(real, experiment: loaded)
            return Replay.compare(real, simulated, experimentName: loaded.name)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(comparison), as: UTF8.self))
        } else if markdown {
            print(comparison.markdown(), terminator: "")
        } else {
            print(comparison.text(), terminator: "")
        }
    }

    /// Reads the silicon table at `path`, classifies its rows with the presets found from its folder (else the
    /// current one, else the built-in copy) and replays the expressible ones.
    static func siliconReport(path: String) throws -> SiliconReport {
        let rows = try SiliconRow.load(path: path)
        let classifier = SiliconClassifier(catalog: try PresetCatalog.find(forFileAt: path))
        return try SiliconReport.build(file: path, rows: rows, classifier: classifier)
    }

    /// The experiment at `path`, or when none is given the one that mirrors the run's setup, with the catalog of
    /// presets it was resolved in.
    static func experiment(for real: RealRun, path: String?) throws -> (Experiment, PresetCatalog) {
        if let path { return (try Experiment.load(path: path), try PresetCatalog.find(forFileAt: path)) }
        guard let setup = real.setup else {
            throw ConfigError(file: real.file, key: "", "the run records no model or GPU (no meta.json beside it, no model_id); give --experiment E.yaml")
        }
        let catalog = try PresetCatalog.find(forFileAt: real.file)
        return (try setup.mirrorExperiment(name: real.name, catalog: catalog), catalog)
    }

    /// One line naming every way the experiment given differs from the run; for a mirror, one line per setting the
    /// run used that gracesim does not model.
    static func warnings(_ real: RealRun, experiment: Experiment, given: String?, catalog: PresetCatalog) -> [String] {
        guard let setup = real.setup else {
            return given == nil ? [] : ["\(real.file): the run records no model, GPU or engine arguments; they are not checked against \(given!)"]
        }
        if let given {
            let differences = setup.differences(from: experiment, catalog: catalog)
            guard !differences.isEmpty else { return [] }
            return ["\(real.file): \(given) differs from the run in " + differences.joined(separator: ", ")
                    + "; the comparison is of different setups"]
        }
        return []
    }

    static func replay(_ real: RealRun, experimentPath: String) throws -> ReplayComparison {
        let experiment = try Experiment.load(path: experimentPath)
        let simulated = try Replay.simulate(real, experiment: experiment)
        return Replay.compare(real, simulated, experimentName: experiment.name)
    }
}
