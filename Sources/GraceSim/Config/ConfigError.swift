/// A problem with an input file, stated so that a user can fix it without reading code.
///
/// Its description has the form `file: key.path: what was expected`, and the CLI prints exactly
/// that line and exits with status 2.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the problem is in (as the user named it), or `<command line>` for `--set` overrides.
    public var file: String
    /// The dotted key path inside the file, empty for a problem with the whole file.
    public var key: String
    /// What was wrong and what was expected instead.
    public var message: String

    public init(file: String, key: String, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)"
    }
}
