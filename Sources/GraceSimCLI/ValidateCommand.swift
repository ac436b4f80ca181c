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
                _ = try ModelSpec.fromHuggingFaceConfig(root, name: name)
                return "Hugging Face model config"
            }
            let keys = (try? root.object().keys) ?? []
            if keys.contains("instances") || keys.contains("base") {
                _ = try Experiment.load(path: file)
                return "experiment"
            } else if keys.contains("gpu") {
                _ = try HardwareSpec.load(from: root)
                return "hardware preset"
            } else if keys.contains("layers") || keys.contains("huggingface_config") {
                _ = try ModelSpec.load(from: root)
                return "model preset"
            }
            throw ConfigError(file: file, key: "", "not an experiment (no instances:), hardware preset (no gpu:) or model preset (no layers:)")
        }
        print("\(file): valid \(kind)")
    }
}
