import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// The presets and workload files built into the executable are the repository's, byte for byte, and are found
/// after `GRACESIM_CONFIGS` and any `Configs` folder.
@Suite("Bundled data files")
struct BundledDataFilesTests {
    static let bundledFolders = ["Configs/hardware", "Configs/kernels", "Configs/models", "Workloads/lengths", "Workloads/traces"]

    @Test func theBundledFilesAreTheRepositorysFiles() throws {
        let root = Repository.catalog.projectRoot
        var expected: [String] = []
        for folder in Self.bundledFolders {
            expected += try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)
                .filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
        }
        #expect(BundledDataFiles.files.map(\.path) == expected)
        #expect(expected.contains("Configs/models/llama-3-8b.yaml") && expected.contains("Workloads/traces/azure-code-2023.csv"))
        for file in BundledDataFiles.files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: root + "/" + file.path))
            #expect(Data(file.text.utf8) == bytes, "\(file.path) differs from the bundled copy")
        }
    }

    @Test func theBundledCopyIsWrittenOnceAndFoundLast() throws {
        let cache = try ScratchFolder().url.path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let nowhere = try ScratchFolder().url.path
        defer { try? FileManager.default.removeItem(atPath: nowhere) }
        let environment = ["XDG_CACHE_HOME": cache]

        let bundled = try PresetCatalog.find(startingAt: [nowhere], environment: environment)
        #expect(bundled.configsDirectory == "\(cache)/gracesim/bundled-\(BundledDataFiles.digest)/Configs")
        #expect(try bundled.modelNames() == Repository.catalog.modelNames())
        #expect(try bundled.hardware(named: "gh200-96gb", file: "e.yaml", key: "hardware")
                == Repository.catalog.hardware(named: "gh200-96gb", file: "e.yaml", key: "hardware"))
        let trace = bundled.projectRoot + "/Workloads/traces/azure-conv-2023.csv"
        #expect(FileManager.default.contentsEqual(atPath: trace, andPath: Repository.catalog.projectRoot + "/Workloads/traces/azure-conv-2023.csv"))
        // A second lookup reuses the folder: one folder, no leftovers of the staging copy.
        #expect(try PresetCatalog.find(startingAt: [nowhere], environment: environment) == bundled)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache + "/gracesim") == ["bundled-\(BundledDataFiles.digest)"])

        // A Configs folder found from the start folders wins over the bundled copy; GRACESIM_CONFIGS over both.
        #expect(try PresetCatalog.find(startingAt: [nowhere, Repository.catalog.projectRoot], environment: environment) == Repository.catalog)
        let chosen = try PresetCatalog.find(startingAt: [Repository.catalog.projectRoot],
                                            environment: [PresetCatalog.environmentVariable: bundled.configsDirectory])
        #expect(chosen == bundled)
    }

    @Test func aWrongGraceSimConfigsIsNamed() throws {
        let error = try #require(configError {
            _ = try PresetCatalog.find(startingAt: [Repository.catalog.projectRoot],
                                       environment: [PresetCatalog.environmentVariable: "/nonexistent/Configs"])
        })
        #expect(error.file == "GRACESIM_CONFIGS")
        #expect(error.message == "expected a Configs folder with hardware/ and models/ in it, found \"/nonexistent/Configs\"")
    }
}
