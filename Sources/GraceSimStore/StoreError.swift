/// A problem with a results database, a sweep or a capacity search, stated so that a user can act on it; the CLI prints it as
/// one line and exits with status 2.
public struct StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The database or sweep file concerned.
    public var file: String
    public var message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
