import Foundation
import Testing

/// Guards the issue "No crash on any input": every case of ``BadInputCorpus`` (experiment, model and sweep
/// files, config.json, length and trace files, flags, environment variables) exits with status 2 and one
/// line naming the file (or flag or variable), the key and the allowed range, never a trap or a hang.
@Suite struct BadInputCorpusTests {
    @Test(arguments: BadInputCorpus.all)
    func badInputIsOneLineAndExitStatus2(input: BadInputCase) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let expand = { (text: String) in text.replacingOccurrences(of: "$DIR", with: folder.url.path) }
        for (name, text) in input.files { try folder.write(name, expand(text)) }
        let result = try await GraceSimProcess.run(input.arguments.map(expand),
                                                   environment: input.environment.mapValues(expand))
        expectBadInput(result, file: expand(input.file), key: input.key, mentions: input.mentions.map(expand))
        #expect(!result.stderrText.contains("Context:"), "parser context on stderr: \(result.stderrText)")
    }

    @Test func corpusCoversEveryKindOfInput() {
        #expect(BadInputCorpus.all.count >= 40)
        #expect(Set(BadInputCorpus.all.map(\.name)).count == BadInputCorpus.all.count)
    }
}
