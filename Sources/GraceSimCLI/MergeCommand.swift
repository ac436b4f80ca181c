import ArgumentParser
import GraceSimStore

/// `gracesim merge`: join shard databases into one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join results databases (e.g. the shards of one sweep) into one.",
        discussion: "Sweeps are matched by name and runs by config hash; a finished run already in OUT is kept, so merging again adds nothing. Example: gracesim merge Results/c1.sqlite shard-*.sqlite"
    )

    @Argument(help: "The database to write (created when missing).")
    var out: String

    @Argument(help: "The databases to read.")
    var inputs: [String]

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("name at least one database to merge") }
    }

    func run() throws {
        try InputFailure.guarding {
            let target = try ResultStore.openForWriting(path: out)
            for input in inputs {
                let source = try ResultStore.openForReading(path: input)
                let summary = try target.merge(from: source)
                print("\(input): \(summary.runsAdded) runs added, \(summary.runsSkipped) already there")
                try source.close()
            }
            try target.close()
        }
    }
}
