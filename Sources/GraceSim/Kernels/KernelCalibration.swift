import Foundation

/// The checks of `docs/calibration.md` (`gracesim calibration`): how well the measured kernel tables are
/// interpolated, how far the fitted roofline that times GPUs without tables is from them, and how both compare with
/// two outside sets of measurements of the same layers (Vidur's H100 operator table, inference-sim's per-layer H100
/// kernel profiles).
public enum KernelCalibration {
    /// The GPUs with tables of their own (`Configs/kernels/<name>.kernels`), in the page's order.
    public static let gpus = ["h100-sxm", "h200-sxm", "a100-sxm", "l40s", "rtx-pro-6000-server"]
    /// The catalog models (`Configs/models`) whose layer GEMMs and attention the roofline is checked on.
    public static let models = ["llama-2-7b", "llama-3-8b", "mistral-7b-v0.1", "qwen2.5-7b", "opt-6.7b"]

    /// Every check, reading the tables, models and calibration files under the repository root `root`.
    /// - Throws: ``ConfigError`` when a file is missing or malformed.
    public static func report(root: String) throws -> CalibrationReport {
        let kernels = root + "/Configs/kernels"
        for folder in ["kernels", "models", "hardware", "calibration"]
        where !FileManager.default.fileExists(atPath: "\(root)/Configs/\(folder)") {
            throw ConfigError(file: root, key: "", "expected the repository root, with Configs/\(folder) in it "
                              + "(run gracesim calibration from there)")
        }
        let catalog = PresetCatalog(configsDirectory: root + "/Configs")
        let models = try Self.models.map { try catalog.model(named: $0, file: "calibration", key: "model") }
        let rooflinePresets = try catalog.hardwareNames().filter {
            try catalog.hardware(named: $0, file: "calibration", key: "hardware").gpu.kernelTables == nil
        }
        var leaveOneOut: [LeaveOneOutRow] = [], physics: [PrefillPhysicsRow] = [], roofline: [RooflineRow] = []
        var h100: KernelTables?
        var gemmByTokens: [TokensRow] = []
        for name in gpus {
            let tables = try KernelTableCache.shared.tables(named: name, in: [kernels], file: "calibration", key: "gpu")
            let path = "\(kernels)/\(name).kernels"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigError(file: path, key: "", "cannot read the kernel table file as UTF-8 text")
            }
            leaveOneOut += Self.leaveOneOut(tables, filled: filledCounts(text: text))
            physics.append(prefillPhysics(tables))
            let check = rooflineAgainstTables(tables, models: models)
            roofline.append(check.row)
            if name == "h100-sxm" {
                h100 = tables
                gemmByTokens = check.gemmByTokens
            }
        }
        guard let h100 else { throw ConfigError(file: kernels, key: "", "no h100-sxm tables") }
        let llama2 = models[0]
        let vidur = try vidurComparison(rows: VidurLayerRow.load(root: root), model: llama2, tables: h100)
        let inferenceSim = try InferenceSimProfile.cases.flatMap { item in
            let profile = try InferenceSimProfile.load(path: root + "/" + item.file)
            let model = try item.model(catalog)
            guard profile.layers == model.layers, profile.hiddenSize == model.hiddenSize else {
                throw ConfigError(file: item.file, key: "model", "\(profile.model) does not have \(model.name)'s shape")
            }
            return inferenceSimComparison(profile, name: item.name, model: model, tables: h100)
        }
        return CalibrationReport(leaveOneOut: leaveOneOut, prefillPhysics: physics, rooflinePresets: rooflinePresets,
                                 roofline: roofline, rooflineGEMMByTokens: gemmByTokens,
                                 vidur: vidur, inferenceSim: inferenceSim)
    }

    /// A GPU with `tables`' data-sheet peaks, timed by the tables (`measured`) or by the roofline alone. Its
    /// memory capacity and SM count play no part in the time of a kernel.
    static func gpu(_ tables: KernelTables, measured: Bool) -> GPUSpec {
        GPUSpec(hbmBytes: 0, hbmBytesPerSecond: tables.hbmBytesPerSecond, peakFlopsPerSecond: tables.peakFlopsPerSecond,
                smCount: 0, kernelTables: measured ? tables : nil)
    }

    /// The names of a model's four layer GEMMs, in ``ModelSpec/linearShapesPerLayer`` order.
    static func matrixNames(_ model: ModelSpec) -> [String] {
        ["QKV", "output", model.mlp == .gated ? "gate+up" : "up", "down"]
    }
}

/// Everything `docs/calibration.md` shows (``KernelCalibration/report(root:)``).
public struct CalibrationReport: Sendable {
    /// Leave-one-out interpolation errors, per GPU, kind of kernel and axis.
    public var leaveOneOut: [LeaveOneOutRow]
    /// The prefill attention tables against each GPU's peak FLOP/s.
    public var prefillPhysics: [PrefillPhysicsRow]
    /// The hardware presets (`Configs/hardware`) whose GPU has no tables, timed by the roofline.
    public var rooflinePresets: [String]
    /// The roofline against each GPU's tables.
    public var roofline: [RooflineRow]
    /// The roofline's GEMMs against the H100 tables, per token count.
    public var rooflineGEMMByTokens: [TokensRow]
    /// Both time models against Vidur's H100 operator table of Llama-2-7B.
    public var vidur: VidurComparison
    /// Both time models against inference-sim's per-layer H100 profiles, per model and kernel.
    public var inferenceSim: [InferenceSimRow]
}
