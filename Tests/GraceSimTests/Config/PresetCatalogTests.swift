import Foundation
import Testing
@testable import GraceSim

@Suite("Preset catalog")
struct PresetCatalogTests {
    @Test func locateWalksUpToTheConfigsFolder() throws {
        let deep = repositoryCatalog.projectRoot + "/Sources/GraceSim/Model"
        let found = try #require(PresetCatalog.locate(startingAt: ["/nonexistent/place", deep], environment: [:]))
        #expect(found.configsDirectory == repositoryCatalog.configsDirectory)
        #expect(found.projectRoot + "/Configs" == found.configsDirectory)
    }

    @Test func environmentVariableWins() throws {
        let folder = try makeTemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/hardware", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/models", withIntermediateDirectories: true)
        let found = PresetCatalog.locate(startingAt: [repositoryCatalog.projectRoot],
                                         environment: [PresetCatalog.environmentVariable: folder])
        #expect(found?.configsDirectory == URL(fileURLWithPath: folder).standardizedFileURL.path)
        #expect(try found?.modelNames() == [])
        #expect(PresetCatalog.locate(startingAt: [], environment: [:]) == nil)
    }

    @Test func unknownNamesListTheKnownOnes() throws {
        let error = try #require(configError {
            _ = try repositoryCatalog.model(named: "gpt-5", file: "experiments/a.yaml", key: "instances.0.model")
        })
        #expect(error.file == "experiments/a.yaml")
        #expect(error.key == "instances.0.model")
        #expect(error.message.hasPrefix("unknown model \"gpt-5\" (known: llama-2-13b, "))
        let hardware = try #require(configError {
            _ = try repositoryCatalog.hardware(named: "gh300", file: "experiments/a.yaml", key: "hardware")
        })
        #expect(hardware.message == "unknown hardware \"gh300\" (known: gh200-144gb, gh200-96gb, x86-a100-pcie4, x86-h100-sxm-pcie5, x86-rtx4090-pcie4, x86-rtxpro6000-pcie5)")
    }

    @Test func namesMayBePathsRelativeToTheNamingFile() throws {
        let folder = try makeTemporaryFolder()
        let source = "\(repositoryCatalog.hardwareDirectory)/gh200-96gb.yaml"
        try write(try String(contentsOfFile: source, encoding: .utf8), to: "hw/mine.yaml", in: folder)
        let spec = try repositoryCatalog.hardware(named: "hw/mine.yaml", file: "\(folder)/experiment.yaml", key: "hardware")
        #expect(spec.name == "gh200-96gb")
        let missing = try #require(configError {
            _ = try repositoryCatalog.model(named: "nowhere/x.yaml", file: "\(folder)/experiment.yaml", key: "model")
        })
        #expect(missing.key == "model")
    }
}
