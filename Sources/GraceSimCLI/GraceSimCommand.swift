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
                      ReplayCommand.self, CalibrationCommand.self]
    )

    /// Parses and runs the command line. A usage error (a malformed flag, a missing argument, a value a command's
    /// `validate()` refuses) is one line, `error: <command line>: ...`, with exit status 2 like every other bad
    /// input; help, version and every other outcome are ArgumentParser's.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                InputFailure.printError("error: <command line>: \(message)")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

/// The version printed by `gracesim --version` and stored with results.
enum GraceSimVersion {
    static let current = "0.1.0"
}
