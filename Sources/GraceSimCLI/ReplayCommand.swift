import ArgumentParser
import Foundation
import GraceSim

/// `gracesim replay`: run a real vLLM run's requests through the simulator and compare the latencies.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a real vLLM run's requests on an experiment and compare real and simulated latencies.",
        discussion: """
            RUN is a run folder or requests.jsonl (per-request engine timestamps, as in Workloads/vllm-runs/) or a \
            vLLM benchmark_serving --save-result JSON (also one written by gracesim run --save-result). With --validation-page, replays every run of \
            Workloads/vllm-runs/ on its validation experiment and prints docs/validation.md (run from the \
            repository root). With --silicon, classifies every row of NVIDIA's silicon table \
            (Workloads/silicon/vllm-agg.csv), replays each row gracesim can express as a closed loop of the row's \
            concurrency, and counts the others by why they cannot be expressed yet.
            """
    )

    @Argument(help: "A run folder, a requests.jsonl or a benchmark_serving --save-result JSON file.")
    var runPath: String?

    @Option(help: "The experiment whose hardware, model and engine replay the requests.")
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
            guard experiment != nil else { throw ValidationError("missing --experiment E.yaml") }
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
        let comparison = try InputFailure.guarding {
            try Self.replay(try RealRun.load(path: runPath!), experimentPath: experiment!)
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

    static func replay(_ real: RealRun, experimentPath: String) throws -> ReplayComparison {
        let experiment = try Experiment.load(path: experimentPath)
        let simulated = try Replay.simulate(real, experiment: experiment)
        return Replay.compare(real, simulated, experimentName: experiment.name)
    }
}
