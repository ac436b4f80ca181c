import GraceSimTestSupport
import Foundation
import GRDB
import Testing

/// Guards the issue "No crash on any input": every case of ``BadInputCorpus`` (experiment, model and sweep
/// files, config.json, length and trace files, flags, environment variables) exits with status 2 and one
/// line naming the file (or flag or variable), the key and the allowed range, never a trap or a hang.
@Suite struct BadInputCorpusTests {
    @Test(arguments: BadInputCorpus.all)
    func badInputIsOneLineAndExitStatus2(input: BadInputCase) async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let expand = { (text: String) in text.replacingOccurrences(of: "$DIR", with: folder.url.path) }
        for (name, text) in input.files { try folder.write(name, expand(text)) }
        for command in input.before { expectSuccess(try await GraceSimProcess.run(command.map(expand))) }
        for (name, sql) in input.sql.sorted(by: { $0.key < $1.key }) {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = false
            let queue = try DatabaseQueue(path: folder.path(name), configuration: configuration)
            let statement = expand(sql)
            try await queue.write { try $0.execute(sql: statement) }
            try queue.close()
        }
        var holder: DatabaseQueue?
        if let name = input.lockedDatabase {
            var holding = Configuration()
            holding.allowsUnsafeTransactions = true  // keep the lock across accesses, as another process would
            holder = try DatabaseQueue(path: folder.path(name), configuration: holding)
            try holder?.inDatabase { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        }
        defer {
            try? holder?.inDatabase { try $0.execute(sql: "ROLLBACK") }
            try? holder?.close()
        }
        let result = try await GraceSimProcess.run(input.arguments.map(expand),
                                                   environment: input.environment.mapValues(expand))
        if input.status == 2 {
            expectBadInput(result, file: expand(input.file), key: input.key, mentions: input.mentions.map(expand))
        } else {
            #expect(result.exited && result.status == input.status, "exit \(result.status); stderr: \(result.stderrText)")
            expectNoCrashText(result)
            for text in input.mentions.map(expand) {
                #expect((result.stdoutText + result.stderrText).contains(text), "expected \"\(text)\" in: \(result.stdoutText)\(result.stderrText)")
            }
        }
        #expect(!result.stderrText.contains("Context:"), "parser context on stderr: \(result.stderrText)")
    }

    /// At least 60 cases, and each command and each kind of input among them.
    @Test func corpusCoversEveryKindOfInput() {
        let all = BadInputCorpus.all
        #expect(all.count >= 60)
        #expect(Set(all.map(\.name)).count == all.count)
        let commands = Set(all.compactMap(\.arguments.first))
        for command in ["run", "validate", "list", "bench", "sweep", "reproduce", "merge", "compare", "diff", "report",
                        "bench-sweep", "trace", "capacity", "replay"] {
            #expect(commands.contains(command), "no case for gracesim \(command)")
        }
        let inputs = all.map { ($0.files.keys.sorted() + $0.arguments + $0.environment.keys.sorted() + $0.sql.keys.sorted()).joined(separator: " ") }
        for kind in ["experiment.yaml", "sweep.yaml", "model.yaml", "config.json", "hardware.yaml", "lengths.csv", "trace.csv",
                     "trace.jsonl", "--set", "--seed", "SLURM_ARRAY_TASK_ID", "GRACESIM_BUSY_TIMEOUT_S", "results.sqlite"] {
            #expect(inputs.contains { $0.contains(kind) }, "no case with \(kind)")
        }
    }
}
