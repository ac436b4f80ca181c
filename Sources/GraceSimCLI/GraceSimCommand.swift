import ArgumentParser

/// The `gracesim` command: simulate LLM serving on Grace Hopper.
@main
struct GraceSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gracesim",
        abstract: "A discrete-event simulator of LLM serving on NVIDIA Grace Hopper.",
        version: GraceSimVersion.current,
        subcommands: [RunCommand.self, ValidateCommand.self, ListCommand.self, BenchCommand.self,
                      SweepCommand.self, ReproduceCommand.self, MergeCommand.self, CompareCommand.self, DiffCommand.self,
                      ReportCommand.self, TraceCommand.self, BenchSweepCommand.self, CapacityCommand.self,
                      ReplayCommand.self]
    )
}

/// The version printed by `gracesim --version` and stored with results.
enum GraceSimVersion {
    static let current = "0.1.0"
}
