import Foundation
import Testing

/// Guards `gracesim validate` on good input: every preset and experiment in Configs passes, and so does
/// an experiment outside the repository that names a workload file relative to the repository root.
@Suite struct ValidateCommandTests {
    /// Every YAML file under Configs/models, Configs/hardware and Configs/experiments, relative to the root.
    static let shippedFiles: [String] = ["models", "hardware", "experiments"].flatMap { folder -> [String] in
        let directory = GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/\(folder)").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "Configs/\(folder)/\($0)" }
    }

    @Test func theShippedFilesAreFound() {
        #expect(Self.shippedFiles.count >= 18, "\(Self.shippedFiles)")
    }

    @Test(arguments: shippedFiles)
    func shippedFileIsValid(path: String) async throws {
        let result = try await GraceSimProcess.run(["validate", path])
        expectSuccess(result)
        #expect(result.stdoutText.hasPrefix("\(path): valid "), "\(result.stdoutText)")
        #expect(result.stderr.isEmpty, "\(result.stderrText)")
    }

    @Test func experimentInATemporaryFolderValidatesAndRuns() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try folder.write("experiment.yaml", BadInput.baseExperiment)
        let validated = try await GraceSimProcess.run(["validate", path])
        expectSuccess(validated)
        #expect(validated.stdoutText == "\(path): valid experiment\n")
        let ran = try await GraceSimProcess.run(["run", path])
        expectSuccess(ran)
        #expect(ran.stdoutText.contains("llama-3-8b"))
    }
}
