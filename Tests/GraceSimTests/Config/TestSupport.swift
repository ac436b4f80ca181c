import Foundation
@testable import GraceSim

/// The repository's own `Configs` folder, found from this file's location.
let repositoryCatalog: PresetCatalog = {
    let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    guard let catalog = PresetCatalog.locate(startingAt: [testsFolder], environment: [:]) else {
        fatalError("no Configs folder above \(testsFolder)")
    }
    return catalog
}()

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

/// A fresh temporary folder for tests that need files on disk.
func makeTemporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("gracesim-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
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
