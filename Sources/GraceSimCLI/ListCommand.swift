import ArgumentParser
import Foundation
import GraceSim

/// `gracesim list`: the presets and strategies a configuration can name.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the model presets, hardware presets or memory strategies."
    )

    enum Subject: String, ExpressibleByArgument, CaseIterable {
        case models, hardware, strategies
    }

    @Argument(help: "What to list: models, hardware or strategies.")
    var subject: Subject

    func run() throws {
        if subject == .strategies {
            print(SummaryTable.table(header: ["strategy", "what it does"],
                                     rows: StrategyKind.allCases.map { [$0.rawValue, $0.summary] }), terminator: "")
            return
        }
        let catalog = try InputFailure.guarding { () throws -> PresetCatalog in
            let executableDirectory = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
            return try PresetCatalog.find(startingAt: [FileManager.default.currentDirectoryPath, executableDirectory])
        }
        try InputFailure.guarding {
            switch subject {
            case .models:
                let ids = catalog.huggingFaceIds()
                let rows = try catalog.modelNames().map { name -> [String] in
                    let m = try catalog.model(named: name, file: "Configs/models", key: name)
                    let own = ids.filter { $0.preset == name }.map(\.id)
                    let id = (own.first ?? "") + (own.count > 1 ? " (+\(own.count - 1))" : "")
                    let experts = m.moe.map { "\($0.experts)/\($0.expertsPerToken)" } ?? "-"
                    let weights = m.quantization.isQuantized ? m.quantization.method.rawValue : "bf16"
                    return [name, "\(m.layers)", "\(m.hiddenSize)", "\(m.attentionHeads)/\(m.kvHeads)", experts, weights,
                            String(format: "%.2f", Double(m.totalParameters) / 1e9), String(format: "%.2f", Double(m.activeParametersPerToken) / 1e9),
                            String(format: "%.1f", Double(m.totalWeightBytes) / 1e9),
                            String(format: "%.0f", Double(m.weightBytesPerLayer) / 1e6),
                            "\(m.kvBytesPerToken)", "\(m.maxContextTokens)", id]
                }
                print(SummaryTable.table(header: ["model", "layers", "hidden", "heads/kv", "experts/k", "weights", "params (B)", "active (B)",
                                                  "weights GB", "layer MB", "KV B/token", "context", "Hugging Face id"],
                                         rows: rows), terminator: "")
            case .hardware:
                let rows = try catalog.hardwareNames().map { name -> [String] in
                    let h = try catalog.hardware(named: name, file: "Configs/hardware", key: name)
                    let fabric = h.fabric.map { "\($0.kind) " + String(format: "%.0f", $0.bytesPerSecond / 1e9) } ?? "-"
                    return [name, "\(h.gpuCount)", fabric, String(format: "%.1f", Double(h.gpu.hbmBytes) / 1e9), String(format: "%.2f", h.gpu.hbmBytesPerSecond / 1e12),
                            String(format: "%.0f", h.gpu.peakFlopsPerSecond / 1e12), h.link.kind,
                            String(format: "%.0f", h.link.hostToDeviceBytesPerSecond / 1e9), String(format: "%.0f", h.link.mixedTotalBytesPerSecond / 1e9),
                            h.gpu.kernelTables?.name ?? "roofline", h.summary]
                }
                print(SummaryTable.table(header: ["hardware", "GPUs", "fabric GB/s", "HBM GB", "HBM TB/s", "TFLOP/s", "link", "H2D GB/s", "mixed GB/s",
                                                  "kernels", "summary"],
                                         rows: rows), terminator: "")
            case .strategies:
                break
            }
        }
    }
}
