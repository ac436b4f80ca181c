import ArgumentParser
import Foundation
import GraceSim

/// `gracesim validate`: check an experiment, model or hardware file without running it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an experiment, model or hardware file; print one line per problem and exit 2 if any."
    )

    @Argument(help: "The file to check (an experiment, a model preset, a hardware preset or a Hugging Face config.json).")
    var file: String

    func run() throws {
        let kind = try InputFailure.guarding { () throws -> String in
            let root = try ConfigNode.load(path: file)
            if file.hasSuffix(".json") {
                let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
                Self.deriveSizes(try ModelSpec.fromHuggingFaceConfig(root, name: name))
                return "Hugging Face model config"
            }
            let keys = (try? root.object().keys) ?? []
            if keys.contains("instances") || keys.contains("base") {
                // Everything `run` does before its first event: load, partition memory, build the instances.
                let experiment = try Experiment.load(path: file)
                _ = try Simulator(experiment: experiment)
                InputFailure.printWarnings(experiment)
                return "experiment"
            } else if keys.contains("gpu") {
                _ = try HardwareSpec.load(from: root)
                return "hardware preset"
            } else if keys.contains("layers") || keys.contains("huggingface_config") {
                Self.deriveSizes(try ModelSpec.load(from: root))
                return "model preset"
            }
            throw ConfigError(file: file, key: "", "not an experiment (no instances:), hardware preset (no gpu:) or model preset (no layers:)")
        }
        print("\(file): valid \(kind)")
    }

    /// Computes what an instance of `model` derives from its shape, as `run` does (the loader has bounded the
    /// shape so that none of it can overflow).
    static func deriveSizes(_ model: ModelSpec) {
        let instance = InstanceSpec(name: model.name, model: model, memoryFraction: 1)
        _ = (model.totalWeightBytes, model.kvBytesPerToken, model.lmHeadBytes, model.flopsPerToken,
             instance.activationReserveBytes, Int64(instance.blockTokens) * model.kvBytesPerToken)
    }
}
