import GraceSimTestSupport
import Foundation
import Testing

/// Guards the root command: `--version` and `--help` work and exit 0.
@Suite struct RootCommandTests {
    @Test func version() async throws {
        let result = try await GraceSimProcess.run(["--version"])
        expectSuccess(result)
        let version = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.split(separator: ".").count == 3, "not a version: \(version)")
    }

    @Test func help() async throws {
        let result = try await GraceSimProcess.run(["--help"])
        expectSuccess(result)
        for subcommand in ["run", "validate", "list", "sweep", "merge", "compare", "diff"] {
            #expect(result.stdoutText.contains(subcommand), "no \(subcommand) in --help")
        }
    }

    @Test(arguments: ["run", "validate", "list", "sweep", "merge", "compare", "diff"])
    func subcommandHelp(subcommand: String) async throws {
        let result = try await GraceSimProcess.run([subcommand, "--help"])
        expectSuccess(result)
        #expect(result.stdoutText.contains("USAGE: gracesim \(subcommand)"))
    }
}
