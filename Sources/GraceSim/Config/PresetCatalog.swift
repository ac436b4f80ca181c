import Foundation

/// The project's `Configs` folder: the hardware presets and the model catalog, looked up by name.
///
/// A name is either a preset (`gh200-96gb`, `llama-3-8b`: a file basename in `hardware/` or `models/`),
/// a path to a file (`.yaml`/`.yml`, or for models a Hugging Face `config.json`), or for models a Hugging Face
/// model id (`meta-llama/Llama-2-13b-hf`) that a preset lists under `hf_id` (a file at that path comes first).
public struct PresetCatalog: Sendable, Equatable {
    /// Path to the project's `Configs` folder (the one holding `hardware/` and `models/`).
    public let configsDirectory: String

    public init(configsDirectory: String) {
        self.configsDirectory = configsDirectory
    }

    /// The environment variable that, when set, names the `Configs` folder to use.
    public static let environmentVariable = "GRACESIM_CONFIGS"

    /// The folder that holds `Configs` (the project root).
    public var projectRoot: String {
        URL(fileURLWithPath: configsDirectory).deletingLastPathComponent().path
    }

    /// Folder of the hardware presets.
    public var hardwareDirectory: String { configsDirectory + "/hardware" }
    /// Folder of the model catalog.
    public var modelsDirectory: String { configsDirectory + "/models" }
    /// Folder of the measured kernel tables (`<gpu>.kernels`).
    public var kernelsDirectory: String { configsDirectory + "/kernels" }

    /// The catalog named by `GRACESIM_CONFIGS` when set, else the first `Configs` folder (with
    /// `hardware/` and `models/`) found in one of `directories` or one of their ancestors; nil when
    /// there is none, or when `GRACESIM_CONFIGS` names a folder without those two subfolders.
    public static func locate(startingAt directories: [String],
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> PresetCatalog? {
        if let configured = environment[environmentVariable], !configured.isEmpty {
            return isCatalog(configured) ? PresetCatalog(configsDirectory: standardized(configured)) : nil
        }
        for start in directories {
            var directory = URL(fileURLWithPath: start).standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent("Configs").path
                if isCatalog(candidate) { return PresetCatalog(configsDirectory: candidate) }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return nil
    }

    /// The catalog to read presets from: the folder `GRACESIM_CONFIGS` names when it is set, else the first
    /// `Configs` folder found from `directories` upward (``locate(startingAt:environment:)``), else the copy of
    /// the presets and workload files built into the executable (``BundledDataFiles``), whose `projectRoot` also
    /// holds `Workloads/lengths` and `Workloads/traces`.
    /// - Throws: ``ConfigError`` naming `GRACESIM_CONFIGS` when it names no folder with `hardware/` and
    ///   `models/`, or when the bundled copy cannot be written to any folder.
    public static func find(startingAt directories: [String],
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PresetCatalog {
        if let configured = environment[environmentVariable], !configured.isEmpty, !isCatalog(configured) {
            throw ConfigError(file: environmentVariable, key: "", "expected a Configs folder with hardware/ and models/ in it, found \"\(configured)\"")
        }
        if let found = locate(startingAt: directories, environment: environment) { return found }
        return PresetCatalog(configsDirectory: try BundledDataFiles.extracted(environment: environment) + "/Configs")
    }

    /// The catalog for the file at `path` (an experiment, or a sweep's base experiment): ``find(startingAt:environment:)``
    /// from the file's folder, then from the current folder.
    public static func find(forFileAt path: String) throws -> PresetCatalog {
        let folder = (path as NSString).deletingLastPathComponent
        return try find(startingAt: [folder.isEmpty ? "." : folder, FileManager.default.currentDirectoryPath])
    }

    private static func isCatalog(_ path: String) -> Bool {
        isDirectory(path + "/hardware") && isDirectory(path + "/models")
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    private static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    // MARK: Listing

    /// Names of the model presets, sorted.
    public func modelNames() throws -> [String] { try presetNames(in: modelsDirectory) }

    /// Names of the hardware presets, sorted.
    public func hardwareNames() throws -> [String] { try presetNames(in: hardwareDirectory) }

    private func presetNames(in directory: String) throws -> [String] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigError(file: directory, key: "", "cannot list the folder")
        }
        return entries.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    // MARK: Lookup

    /// The model called `named` (a preset name or a file path); errors are reported against `file`
    /// and `key`, the place where the name was written.
    public func model(named name: String, file: String, key: String) throws -> ModelSpec {
        let path = try resolve(name, kind: "model", directory: modelsDirectory, known: modelNames, file: file, key: key)
        return try Self.blamingKey(file: file, key: key, path: path) { try Self.loadModel(path: path) }
    }

    /// Every model preset's Hugging Face ids (its `hf_id` key), with the preset's name, in preset order; a preset
    /// that cannot be read contributes none (naming it directly reports its problem).
    public func huggingFaceIds() -> [(id: String, preset: String)] {
        var ids: [(id: String, preset: String)] = []
        for preset in (try? modelNames()) ?? [] {
            guard let o = try? ConfigNode.load(path: "\(modelsDirectory)/\(preset).yaml").object(),
                  let found = try? ModelSpec.huggingFaceIds(o) else { continue }
            ids += found.map { (id: $0, preset: preset) }
        }
        return ids
    }

    private static func loadModel(path: String) throws -> ModelSpec {
        let node = try ConfigNode.load(path: path)
        if path.lowercased().hasSuffix(".json") {
            return try ModelSpec.fromHuggingFaceConfig(node, name: huggingFaceName(configPath: path))
        }
        return try ModelSpec.load(from: node)
    }

    /// The name of the model whose `config.json` is at `path`: "opt-13b/config.json" and "opt-13b.json" are called
    /// opt-13b; a Hugging Face cache snapshot, `models--Qwen--Qwen2.5-7B-Instruct/snapshots/<hash>/config.json`,
    /// is called Qwen2.5-7B-Instruct.
    public static func huggingFaceName(configPath path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        guard stem == "config" else { return stem }
        let folder = url.deletingLastPathComponent()
        let snapshots = folder.deletingLastPathComponent()
        let repository = snapshots.deletingLastPathComponent().lastPathComponent
        if snapshots.lastPathComponent == "snapshots", repository.hasPrefix("models--"),
           let name = repository.components(separatedBy: "--").last, !name.isEmpty {
            return name
        }
        return folder.lastPathComponent
    }

    /// A folder given as a model: its `config.json` (a Hugging Face model folder or cache snapshot). A folder
    /// without one is an error when the name looks like a path (`strict`), else not a model folder.
    private static func modelFolderConfig(_ path: String, strict: Bool, file: String, key: String) throws -> String? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return nil }
        let config = (path as NSString).appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: config) else {
            guard strict else { return nil }
            throw ConfigError(file: file, key: key, "\"\(path)\" is a folder without a config.json; expected a Hugging Face model folder, a model file, a Hugging Face id or a preset name")
        }
        return config
    }

    /// The hardware called `named` (a preset name or a YAML file path); errors are reported against
    /// `file` and `key`.
    public func hardware(named name: String, file: String, key: String) throws -> HardwareSpec {
        let path = try resolve(name, kind: "hardware", directory: hardwareDirectory, known: hardwareNames, file: file, key: key)
        return try Self.blamingKey(file: file, key: key, path: path) {
            try HardwareSpec.load(from: try ConfigNode.load(path: path), kernelDirectories: [kernelsDirectory])
        }
    }

    /// Runs `body`, which reads the preset file at `path`; a problem with that file as a whole (it is not YAML,
    /// not a mapping, cannot be read) is reported at `key` of `file`, where the name was written, since the
    /// name itself is likely the mistake. A problem at a key inside the preset stays with the preset.
    private static func blamingKey<T>(file: String, key: String, path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ConfigError where error.file == path && error.key.isEmpty {
            throw ConfigError(file: file, key: key, "\(path): \(error.message)")
        }
    }

    /// The file a name refers to: a path as given (relative to the folder of `file` when that exists),
    /// or a preset in `directory`.
    private func resolve(_ name: String, kind: String, directory: String, known: () throws -> [String],
                         file: String, key: String) throws -> String {
        let lower = name.lowercased()
        let looksLikePath = name.contains("/") || [".yaml", ".yml", ".json"].contains { lower.hasSuffix($0) }
        let candidates = [ModelSpec.resolve(name, relativeTo: file), name]
        if kind == "model" {
            for candidate in candidates {
                if let config = try Self.modelFolderConfig(candidate, strict: looksLikePath, file: file, key: key) { return config }
            }
        }
        if looksLikePath {
            if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
            guard kind == "model", name.split(separator: "/", omittingEmptySubsequences: false).count == 2 else {
                throw ConfigError(file: file, key: key, "no \(kind) file at \"\(name)\"")
            }
            let ids = huggingFaceIds()
            if let match = ids.first(where: { $0.id.lowercased() == lower }) { return "\(directory)/\(match.preset).yaml" }
            let hint = NearestName.hint(for: name, among: ids.map(\.id))
            throw ConfigError(file: file, key: key, "no model file at \"\(name)\", and no preset in \(directory) has it as hf_id "
                              + "(\(hint)known: \(ids.map(\.id).joined(separator: ", ")))")
        }
        let preset = "\(directory)/\(name).yaml"
        guard FileManager.default.fileExists(atPath: preset) else {
            let names = (try? known()) ?? []
            guard !names.isEmpty else {
                throw ConfigError(file: file, key: key, "unknown \(kind) \"\(name)\": the preset folder \(directory) holds no \(kind) presets "
                                  + "(check \(Self.environmentVariable), or the Configs folder found from the experiment's folder)")
            }
            throw ConfigError(file: file, key: key,
                              "unknown \(kind) \"\(name)\" (\(NearestName.hint(for: name, among: names))known: \(names.joined(separator: ", ")))")
        }
        return preset
    }
}
