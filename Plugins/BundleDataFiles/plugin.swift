import Foundation
import PackagePlugin

/// Puts the presets (`Configs/hardware`, `Configs/models`), the kernel tables (`Configs/kernels`) and the bundled workload files (`Workloads/lengths`,
/// `Workloads/traces`) into the target as string literals, so that an installed `gracesim` (a copy of the binary
/// alone) runs experiments kept in any folder. The repository's folders stay the only copy in git: the source
/// file is generated into the build folder at every build where one of the files changed.
@main
struct BundleDataFiles: BuildToolPlugin {
    /// The folders bundled, relative to the package root; every file in them (not in subfolders) is taken.
    static let folders = ["Configs/hardware", "Configs/kernels", "Configs/models", "Workloads/lengths", "Workloads/traces"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var files: [String] = []
        for folder in Self.folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appending(path: folder).path)
            files += names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "BundledDataFiles+Contents.swift")
        return [.buildCommand(displayName: "Bundling \(files.count) preset and workload files",
                              executable: try context.tool(named: "DataFileBundler").url,
                              arguments: [output.path, root.path] + files,
                              inputFiles: files.map { root.appending(path: $0) },
                              outputFiles: [output])]
    }
}
