import GraceSimTestSupport
import Testing

/// Shared arguments and checks for the CLI tests.
enum CLI {
    /// The default experiment, relative to the repository root (the subprocess's working directory).
    static let defaultExperiment = "Configs/experiments/default.yaml"
    /// Keeps runs short: 200 requests instead of the file's 3,000.
    static let quick = ["--set", "workload.max_requests=200"]
}

/// Text that only a crash prints: a Swift runtime trap, a backtrace, or an LLVM stack dump.
let crashMarkers = ["Fatal error", "Stack dump", "Backtrac", "Program crashed", "Swift runtime failure", "Thread 0"]

/// Expects a clean exit with status 0.
func expectSuccess(_ result: GraceSimProcess.Result, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.exited, "killed by signal \(result.status): \(result.arguments)", sourceLocation: sourceLocation)
    #expect(result.status == 0, "exit \(result.status) for \(result.arguments); stderr: \(result.stderrText)",
            sourceLocation: sourceLocation)
    expectNoCrashText(result, sourceLocation: sourceLocation)
}

/// Expects bad input to be reported the way docs/architecture.md asks: exit status 2 (not a signal), nothing on
/// standard output, and exactly one line on standard error that names `file` and `key` (in the form
/// `error: file: key: ...`, or `error: file: ...` when `key` is empty) and contains each of `mentions`.
func expectBadInput(_ result: GraceSimProcess.Result, file: String, key: String, mentions: [String] = [],
                    sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.exited, "killed by signal \(result.status): \(result.arguments)", sourceLocation: sourceLocation)
    #expect(result.status == 2, "exit \(result.status) for \(result.arguments); stderr: \(result.stderrText)",
            sourceLocation: sourceLocation)
    expectNoCrashText(result, sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "stdout: \(result.stdoutText)", sourceLocation: sourceLocation)
    let lines = result.stderrLines
    #expect(lines.count == 1, "expected one line on stderr, found: \(lines)", sourceLocation: sourceLocation)
    guard let line = lines.first else { return }
    let prefix = key.isEmpty ? "error: \(file): " : "error: \(file): \(key): "
    #expect(line.hasPrefix(prefix), "expected the line to start with \"\(prefix)\", found: \(line)", sourceLocation: sourceLocation)
    for text in mentions {
        #expect(line.contains(text), "expected \"\(text)\" in: \(line)", sourceLocation: sourceLocation)
    }
}

/// Expects neither stream to carry crash text.
func expectNoCrashText(_ result: GraceSimProcess.Result, sourceLocation: SourceLocation = #_sourceLocation) {
    for marker in crashMarkers {
        #expect(!result.stderrText.contains(marker), "crash text \"\(marker)\" on stderr: \(result.stderrText)",
                sourceLocation: sourceLocation)
        #expect(!result.stdoutText.contains(marker), "crash text \"\(marker)\" on stdout", sourceLocation: sourceLocation)
    }
}
