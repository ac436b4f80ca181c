import GraceSimTestSupport
import Foundation
@testable import GraceSim

/// The ``ConfigError`` that `body` throws, or nil when it throws nothing or something else.
func configError(_ body: () throws -> Void) -> ConfigError? {
    do {
        try body()
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        return nil
    }
}

/// Writes `text` to `folder/name` and returns the path.
@discardableResult
func write(_ text: String, to name: String, in folder: String) throws -> String {
    let path = "\(folder)/\(name)"
    try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                            withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
