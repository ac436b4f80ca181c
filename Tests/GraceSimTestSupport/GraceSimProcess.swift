import Foundation

/// Runs the built `gracesim` executable as a subprocess, the way a user does, from the repository root.
///
/// The executable is found next to the running test binary (SwiftPM puts every product of a build in one
/// products folder, whatever `--scratch-path` is), or at `GRACESIM_EXECUTABLE` when that is set.
public enum GraceSimProcess {
    /// What one run of `gracesim` did.
    public struct Result: Sendable {
        public var arguments: [String]
        /// Exit status, or the signal number when `exited` is false.
        public var status: Int32
        /// Whether the process exited (true) or was killed by a signal such as a trap (false).
        public var exited: Bool
        public var stdout: Data
        public var stderr: Data

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
        /// The non-empty lines of standard error.
        public var stderrLines: [String] { stderrText.split(separator: "\n").map(String.init) }
    }

    /// The repository root: three levels above this file (`Tests/GraceSimCLITests/GraceSimProcess.swift`).
    public static var repositoryRoot: URL { Repository.root }

    /// The `gracesim` executable of the current build.
    public static let executable: URL? = locateExecutable()

    /// A run longer than this is a hang: the process is killed and the test fails.
    public static let timeoutSeconds = 120.0

    /// Runs `gracesim arguments...` from the repository root (or `directory`), with `environment` added to this
    /// process's, and waits for it; `executable` replaces the build's `gracesim`.
    public static func run(_ arguments: [String], environment extra: [String: String] = [:], directory: URL? = nil,
                           executable other: URL? = nil) async throws -> Result {
        guard let executable = other ?? executable else { throw MissingExecutable() }
        let outputs = try ScratchFolder()
        defer { outputs.remove() }
        let stdoutURL = outputs.url.appendingPathComponent("stdout")
        let stderrURL = outputs.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "GRACESIM_CONFIGS")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle

        let (status, exited): (Int32, Bool) = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                continuation.resume(returning: (finished.terminationStatus, finished.terminationReason == .exit))
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let watched = UncheckedProcess(process)
            DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                if watched.process.isRunning { watched.process.terminate() }
            }
        }
        try stdoutHandle.close()
        try stderrHandle.close()
        return Result(arguments: arguments, status: status, exited: exited,
                      stdout: try Data(contentsOf: stdoutURL), stderr: try Data(contentsOf: stderrURL))
    }

    /// `GRACESIM_EXECUTABLE`, else a `gracesim` file in the folder of the test binary or one of its
    /// ancestors (on macOS the binary sits inside `gracesimPackageTests.xctest/Contents/MacOS`), else
    /// `.build/debug/gracesim` under the repository root.
    private static func locateExecutable() -> URL? {
        if let configured = ProcessInfo.processInfo.environment["GRACESIM_EXECUTABLE"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        var starts: [URL] = []
        if let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: running))
        }
        if let main = Bundle.main.executableURL { starts.append(main) }
        starts.append(URL(fileURLWithPath: CommandLine.arguments[0]))
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            starts.append(bundle.bundleURL.appendingPathComponent("x"))
        }
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("gracesim")
                if isExecutableFile(candidate) { return candidate }
                directory.deleteLastPathComponent()
            }
        }
        let fallback = repositoryRoot.appendingPathComponent(".build/debug/gracesim")
        return isExecutableFile(fallback) ? fallback : nil
    }

    private static func isExecutableFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            && !isDirectory.boolValue && FileManager.default.isExecutableFile(atPath: url.path)
    }
}

/// A `Process` handed to the timeout watchdog; it is only asked whether it runs and told to stop.
private struct UncheckedProcess: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}


/// The `gracesim` executable is not next to the test binary and `GRACESIM_EXECUTABLE` is not set.
public struct MissingExecutable: Error, CustomStringConvertible {
    public var description: String { "cannot find the gracesim executable next to the test binary; build it or set GRACESIM_EXECUTABLE" }
}
