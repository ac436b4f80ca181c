import ArgumentParser
import GraceSim
import GraceSimStore

/// Turns bad input into one line on standard error and exit status 2, instead of a stack trace.
enum InputFailure {
    /// Runs `body`; a ``ConfigError``, a ``StoreError`` (or a partition problem) becomes a message and `ExitCode(2)`.
    static func guarding<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ConfigError {
            printError("error: \(error.description)")
            throw ExitCode(2)
        } catch let error as StoreError {
            printError("error: \(error.description)")
            throw ExitCode(2)
        } catch let error as MemoryPartition.Problem {
            printError("error: \(error.message)")
            throw ExitCode(2)
        }
    }

    /// An error about a command-line flag (or environment variable) `name`.
    static func flag(_ name: String, _ message: String) -> ConfigError {
        ConfigError(file: "<command line>", key: name, message)
    }

    /// `text`, cut to 60 characters, for quoting a user's value in a message.
    static func capped(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(60)) + "…" : text
    }

    /// Prints each of the experiment's warnings as one line, `warning: <file>: <key>: ...`.
    static func printWarnings(_ experiment: Experiment) {
        for warning in experiment.warnings { printError("warning: \(warning.description)") }
    }

    static func printError(_ text: String) {
        var stderr = StandardError()
        print(text, to: &stderr)
    }
}

/// Standard error as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.writeToStandardError(string)
    }
}
