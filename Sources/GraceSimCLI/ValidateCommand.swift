import ArgumentParser
import Foundation
import GraceSim

/// `gracesim validate`: check an experiment, model or hardware file without running it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an experiment, model or hardware file; print one line per problem and exit 2 if any.",
        discussion: """
            Every problem is listed, not just the first, in one round: each bad key is set aside and the file read \
            again, until it loads. A required key set aside (an unknown preset, a missing data file, a bad kind) gets \
            a stand-in so that the rest is still checked, and what depends on it is not reported; only a problem in \
            another file (a broken preset) ends the check early. `run` and the other commands stop at the first \
            problem, with one line.
            """
    )

    @Argument(help: "The file to check (an experiment, a model preset, a hardware preset, a Hugging Face config.json or a folder holding one).")
    var file: String

    func run() throws {
        let (kind, problems) = try InputFailure.guarding { () throws -> (String, [ConfigError]) in
            // A Hugging Face model folder (or cache snapshot) is checked by its config.json.
            var isFolder: ObjCBool = false
            let folderConfig = (file as NSString).appendingPathComponent("config.json")
            let file = FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) && isFolder.boolValue
                && FileManager.default.fileExists(atPath: folderConfig) ? folderConfig : self.file
            let root: ConfigNode
            do {
                root = try ConfigNode.load(path: file)
            } catch let error as ConfigError {
                return ("file", [error])
            }
            if file.hasSuffix(".json") {
                let name = PresetCatalog.huggingFaceName(configPath: file)
                return ("Hugging Face model config", try ConfigProblems.collect(root) {
                    Self.deriveSizes(try ModelSpec.fromHuggingFaceConfig($0, name: name))
                })
            }
            let keys = (try? root.object().keys) ?? []
            if keys.contains("instances") || keys.contains("base") {
                // Everything `run` does before its first event: load, partition memory, build the instances.
                return ("experiment", try Experiment.problems(path: file) { experiment in
                    _ = try Simulator(experiment: experiment)
                    InputFailure.printWarnings(experiment)
                })
            } else if keys.contains("gpu") {
                // Kernel tables are looked up beside the file's folder, then in the catalog an experiment there would use.
                let kernels = (try? PresetCatalog.find(forFileAt: file)).map { [$0.kernelsDirectory] } ?? []
                return ("hardware preset", try ConfigProblems.collect(root) { _ = try HardwareSpec.load(from: $0, kernelDirectories: kernels) })
            } else if keys.contains("layers") || keys.contains("huggingface_config") {
                return ("model preset", try ConfigProblems.collect(root) { Self.deriveSizes(try ModelSpec.load(from: $0)) })
            }
            return ("file", [ConfigError(file: file, key: "", "not an experiment (no instances:), hardware preset (no gpu:) or model preset (no layers:)")])
        }
        guard problems.isEmpty else {
            for problem in problems { InputFailure.printError("error: \(problem.description)") }
            throw ExitCode(2)
        }
        print("\(file): valid \(kind)")
    }

    /// Computes what an instance of `model` derives from its shape, as `run` does (the loader has bounded the
    /// shape so that none of it can overflow).
    static func deriveSizes(_ model: ModelSpec) {
        let instance = InstanceSpec(name: model.name, model: model, gpuMemoryUtilization: 1)
        _ = (model.totalWeightBytes, model.kvBytesPerToken, model.lmHeadBytes, model.flopsPerToken,
             instance.activationReserveBytes, Int64(instance.blockTokens) * model.kvBytesPerToken)
    }
}
