import GraceSimTestSupport
import Foundation
import GRDB
import Testing

/// Guards the issue "No crash on any input" for results databases edited by hand: a command reading one says,
/// in one line with exit status 2, which database, table, row and value are wrong.
@Suite struct BadDatabaseTests {
    /// A database with one finished run of a one-point sweep, edited with `sql` (foreign keys off).
    private func database(in folder: ScratchFolder, editedWith sql: String) async throws -> String {
        try folder.write("experiment.yaml", BadInputCorpus.experiment())
        try folder.write("sweep.yaml", BadInputCorpus.sweep(axes: 1, values: 1))
        let db = folder.path("results.sqlite")
        expectSuccess(try await GraceSimProcess.run(["sweep", folder.path("sweep.yaml"), "--db", db, "--quiet"]))
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: db, configuration: configuration)
        try await queue.write { try $0.execute(sql: sql) }
        try queue.close()
        return db
    }

    @Test func runStatusEditedByHand() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = try await database(in: folder, editedWith: "UPDATE runs SET status = 'done'")
        let result = try await GraceSimProcess.run(["compare", "--db", db])
        expectBadInput(result, file: db, key: "", mentions: ["table runs", "row id 1", "\"done\"", "finished, failed"])
    }

    @Test func mergeOfARunWhoseSweepIsMissing() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = try await database(in: folder, editedWith: "UPDATE runs SET sweep_id = 99")
        let result = try await GraceSimProcess.run(["merge", folder.path("merged.sqlite"), db])
        expectBadInput(result, file: db, key: "", mentions: ["table runs", "row id 1", "sweep_id 99", "sweeps"])
    }
}
