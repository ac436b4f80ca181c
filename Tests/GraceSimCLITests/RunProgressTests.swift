import GraceSimTestSupport
import Foundation
import Testing

/// Guards the progress line of `gracesim run` (README, "Limits"): drawn on standard error when that is a terminal
/// (here a pseudo-terminal made by util-linux `script`), never otherwise, and never changing standard output.
@Suite struct RunProgressTests {
    static let script = "/usr/bin/script"
    /// 3,000 requests: about 24,000 events, so the simulator reports progress a few times.
    static let arguments = ["run", CLI.defaultExperiment, "--json"]

    /// Runs `gracesim arguments...` under `script`, with standard output redirected to `stdout` and standard
    /// error on the pseudo-terminal; returns what the terminal received.
    static func underTerminal(_ arguments: [String], stdout: String, environment: [String: String]) throws -> String {
        let executable = try #require(GraceSimProcess.executable)
        let quoted = ([executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ") + " > '\(stdout)'"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["-qec", quoted, "/dev/null"]
        process.currentDirectoryURL = GraceSimProcess.repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "script exited \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "util-linux script is not installed"))
    func progressOnATerminalOnlyAndStandardOutputUnchanged() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let environment = ["GRACESIM_PROGRESS_AFTER_S": "0"]
        let terminal = try Self.underTerminal(Self.arguments, stdout: folder.path("tty.json"), environment: environment)
        #expect(terminal.contains("\r\u{1B}[K["), "no progress line drawn: \(terminal.debugDescription)")
        #expect(terminal.contains("/3000 requests"), "\(terminal.debugDescription)")
        #expect(terminal.contains("events/s"), "\(terminal.debugDescription)")
        // The line is erased before the summary, which starts on a clean line.
        #expect(terminal.contains("\r\u{1B}[Ksimulated "), "\(terminal.debugDescription)")

        let plain = try await GraceSimProcess.run(Self.arguments, environment: environment)
        expectSuccess(plain)
        #expect(plain.stderrLines.count == 1 && plain.stderrText.hasPrefix("simulated "), "\(plain.stderrText.debugDescription)")
        #expect(!plain.stderrText.contains("\u{1B}"))
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("tty.json")) == plain.stdout, "standard output differs on a terminal")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: script), "util-linux script is not installed"))
    func shortRunShowsNothingBeforeTheDelay() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let terminal = try Self.underTerminal(["run", CLI.defaultExperiment] + CLI.quick, stdout: folder.path("out.txt"),
                                              environment: ["GRACESIM_PROGRESS_AFTER_S": "600"])
        #expect(!terminal.contains("\u{1B}[K"), "\(terminal.debugDescription)")
        #expect(terminal.hasPrefix("simulated "), "\(terminal.debugDescription)")
    }

    @Test func malformedDelayIsOneLine() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment] + CLI.quick,
                                                   environment: ["GRACESIM_PROGRESS_AFTER_S": "soon"])
        expectBadInput(result, file: "GRACESIM_PROGRESS_AFTER_S", key: "", mentions: ["86400", "\"soon\""])
    }

    /// A rate that brings under a tenth of `max_requests` before `duration_s` is warned about in one line on
    /// standard error, and the run goes on; a rate that brings a tenth is not warned about.
    @Test func shortfallIsWarnedInOneLine() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--set", "workload.duration_s=60",
                                                    "--set", "workload.arrivals.rate=0.5", "--set", "workload.max_requests=400"])
        expectSuccess(result)
        let warnings = result.stderrLines.filter { $0.hasPrefix("warning: ") }
        #expect(warnings == ["warning: \(CLI.defaultExperiment): workload.arrivals.rate: at 0.5 requests/s about 30 of the 400 requests of "
                             + "workload.max_requests arrive before workload.duration_s (60 s) ends the run; expected a rate of at least "
                             + "0.667 to bring a tenth of them, or a later workload.duration_s"])
        let enough = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--set", "workload.duration_s=60",
                                                    "--set", "workload.arrivals.rate=0.7", "--set", "workload.max_requests=400"])
        #expect(!enough.stderrText.contains("warning:"), "\(enough.stderrText)")
    }
}
