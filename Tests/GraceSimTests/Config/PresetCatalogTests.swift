import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

@Suite("Preset catalog")
struct PresetCatalogTests {
    @Test func locateWalksUpToTheConfigsFolder() throws {
        let deep = Repository.catalog.projectRoot + "/Sources/GraceSim/Model"
        let found = try #require(PresetCatalog.locate(startingAt: ["/nonexistent/place", deep], environment: [:]))
        #expect(found.configsDirectory == Repository.catalog.configsDirectory)
        #expect(found.projectRoot + "/Configs" == found.configsDirectory)
    }

    @Test func environmentVariableWins() throws {
        let folder = try ScratchFolder().url.path
        try FileManager.default.createDirectory(atPath: folder + "/hardware", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/models", withIntermediateDirectories: true)
        let found = PresetCatalog.locate(startingAt: [Repository.catalog.projectRoot],
                                         environment: [PresetCatalog.environmentVariable: folder])
        #expect(found?.configsDirectory == URL(fileURLWithPath: folder).standardizedFileURL.path)
        #expect(try found?.modelNames() == [])
        #expect(PresetCatalog.locate(startingAt: [], environment: [:]) == nil)
    }

    @Test func unknownNamesListTheKnownOnes() throws {
        let error = try #require(configError {
            _ = try Repository.catalog.model(named: "gpt-5", file: "experiments/a.yaml", key: "instances.0.model")
        })
        #expect(error.file == "experiments/a.yaml")
        #expect(error.key == "instances.0.model")
        #expect(error.message.hasPrefix("unknown model \"gpt-5\" (known: gpt-oss-120b, gpt-oss-20b, llama-2-13b, "))
        let hardware = try #require(configError {
            _ = try Repository.catalog.hardware(named: "mi300x", file: "experiments/a.yaml", key: "hardware")
        })
        #expect(hardware.message == "unknown hardware \"mi300x\" (known: dgx-h100, dgx-h200, gb200, gb200-nvl4, gh200-144gb, gh200-96gb, gh200-96gb-measured, gh200-nvl2, x86-2x-rtxpro6000-pcie5, x86-a100-pcie4, x86-h100-sxm-pcie5, x86-h200-sxm-pcie5, x86-rtx4090-pcie4, x86-rtxpro6000-pcie5)")
    }

    @Test func namesMayBePathsRelativeToTheNamingFile() throws {
        let folder = try ScratchFolder().url.path
        let source = "\(Repository.catalog.hardwareDirectory)/gh200-96gb.yaml"
        try write(try String(contentsOfFile: source, encoding: .utf8), to: "hw/mine.yaml", in: folder)
        let spec = try Repository.catalog.hardware(named: "hw/mine.yaml", file: "\(folder)/experiment.yaml", key: "hardware")
        #expect(spec.name == "gh200-96gb")
        let missing = try #require(configError {
            _ = try Repository.catalog.model(named: "nowhere/x.yaml", file: "\(folder)/experiment.yaml", key: "model")
        })
        #expect(missing.key == "model")
    }
}
