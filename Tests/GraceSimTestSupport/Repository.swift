import Foundation
import GraceSim

/// The repository the tests run from, found from this file's path (`Tests/GraceSimTestSupport/Repository.swift`).
public enum Repository {
    /// The repository root.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The absolute path of `relative` (e.g. `Configs/experiments/default.yaml`).
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The repository's own presets (`Configs/hardware`, `Configs/models`).
    public static var catalog: PresetCatalog { PresetCatalog(configsDirectory: path("Configs")) }
}
