import ArgumentParser
import GraceSim

/// Options shared by every command that loads an experiment.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML), e.g. Configs/experiments/default.yaml.")
    var experiment: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key of the experiment file.", valueName: "key.path=value"))
    var overrides: [String] = []

    // Read as text, and unconditionally, so that `--seed -1` gets a message naming the range rather than
    // "Missing value".
    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of every random stream, 0 to 2⁶⁴−1 (overrides the file's seed).", valueName: "seed"))
    var seed: String?

    @Option(help: "Memory strategy (overrides the file's strategy; --set strategy.KEY=VALUE sets its options).")
    var strategy: String?

    /// Loads and validates the experiment with the overrides applied, and prints its warnings on standard error.
    func load() throws -> Experiment {
        let loaded = try InputFailure.guarding {
            try Experiment.load(path: experiment, overrides: try configOverrides())
        }
        InputFailure.printWarnings(loaded)
        return loaded
    }

    /// Every `--set`, then `--seed`, as overrides, with `--strategy` laid under the `--set`s of the strategy
    /// (``ConfigOverride/layering(strategy:flag:under:)``).
    func configOverrides() throws -> [ConfigOverride] {
        var all = try overrides.map(ConfigOverride.init(parsing:))
        if let seed {
            guard let value = UInt64(seed) else {
                throw InputFailure.flag("--seed", "expected a seed from 0 to 18446744073709551615 (2⁶⁴−1), found \"\(InputFailure.capped(seed))\"")
            }
            all.append(try ConfigOverride(parsing: "seed=\(value)"))
        }
        if let strategy { all = try ConfigOverride.layering(strategy: strategy, under: all) }
        return all
    }
}
