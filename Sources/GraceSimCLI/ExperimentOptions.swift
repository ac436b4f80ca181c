import ArgumentParser
import GraceSim

/// Options shared by every command that loads an experiment.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML), e.g. Configs/experiments/default.yaml.")
    var experiment: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key of the experiment file.", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "Seed of every random stream (overrides the file's seed).")
    var seed: UInt64?

    @Option(help: "Memory strategy (overrides the file's strategy).")
    var strategy: String?

    /// Loads and validates the experiment with the overrides applied.
    func load() throws -> Experiment {
        try InputFailure.guarding {
            try Experiment.load(path: experiment, overrides: try configOverrides())
        }
    }

    /// Every `--set`, then `--seed` and `--strategy`, as overrides.
    func configOverrides() throws -> [ConfigOverride] {
        var all = try overrides.map(ConfigOverride.init(parsing:))
        if let seed { all.append(try ConfigOverride(parsing: "seed=\(seed)")) }
        if let strategy { all.append(try ConfigOverride(parsing: "strategy=\(strategy)")) }
        return all
    }
}
