import Foundation

/// The fitted roofline (``ComputeEfficiency/fitted``) against one GPU's measured tables.
public struct RooflineRow: Sendable, Equatable {
    /// The tables' name: `h100-sxm`.
    public var gpu: String
    /// The four layer GEMMs of the catalog models at ``KernelCalibration/gemmTokens``.
    public var gemm: ErrorSummary
    /// Decode attention at ``KernelCalibration/decodePoints``.
    public var decode: ErrorSummary
    /// Prefill attention at ``KernelCalibration/prefillPoints``.
    public var prefill: ErrorSummary
}

/// Errors at one token count.
public struct TokensRow: Sendable, Equatable {
    public var tokens: Int
    public var errors: ErrorSummary
}

/// One TP = 1 row of Vidur's H100 operator table of Llama-2-7B and both time models' per-layer seconds for it.
public struct VidurLayerRow: Sendable, Equatable {
    public var tokens: Int
    /// The sum of the medians of the ops the table measures (``ops``), seconds per layer.
    public var measuredSeconds: Double
    /// The sum of the medians of the four GEMMs alone (``gemmOps``), seconds per layer.
    public var measuredGEMMSeconds: Double
    /// `IterationTimeModel.linearLayerSeconds` with the H100 tables.
    public var tablesSeconds: Double = 0
    /// `IterationTimeModel.linearLayerSeconds` by the roofline alone.
    public var rooflineSeconds: Double = 0
    /// The four GEMMs with the H100 tables and by the roofline alone.
    public var tablesGEMMSeconds: Double = 0
    public var rooflineGEMMSeconds: Double = 0

    /// The ops of one layer the table measures, `add` once (as Vidur's predictor counts it).
    public static let ops = ["input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj", "post_attention_layernorm",
                             "mlp_up_proj", "mlp_act", "mlp_down_proj", "add"]
    /// The four GEMMs among ``ops``: fused QKV, output projection, fused gate and up, down.
    public static let gemmOps: Set = ["attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj"]
    /// The table, from the repository root.
    public static let file = "Configs/calibration/h100-llama-2-7b-mlp.csv"

    /// The TP = 1 rows of ``file`` under `root`, by tokens.
    public static func load(root: String) throws -> [VidurLayerRow] {
        let path = root + "/" + file
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", "cannot read the calibration table")
        }
        let lines = text.split(whereSeparator: \.isNewline)
        guard let first = lines.first else { throw ConfigError(file: path, key: "", "the table is empty") }
        let header = first.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw ConfigError(file: path, key: name, "no such column") }
            return index
        }
        let medians = try ops.map { try column("time_stats.\($0).median") }
        let tokens = try column("num_tokens"), tp = try column("num_tensor_parallel_workers")
        var rows: [VidurLayerRow] = []
        for (number, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                throw ConfigError(file: path, key: "line \(number + 1)", "expected \(header.count) fields")
            }
            guard fields[tp] == "1" else { continue }
            let ms = medians.compactMap { Double(fields[$0]) }
            guard let n = Int(fields[tokens]), ms.count == medians.count else {
                throw ConfigError(file: path, key: "line \(number + 1)", "expected numbers of tokens and milliseconds")
            }
            let gemms = zip(ops, ms).filter { gemmOps.contains($0.0) }.map(\.1)
            rows.append(VidurLayerRow(tokens: n, measuredSeconds: ms.reduce(0, +) * 1e-3,
                                      measuredGEMMSeconds: gemms.reduce(0, +) * 1e-3))
        }
        return rows.sorted { $0.tokens < $1.tokens }
    }
}

/// Both time models against Vidur's H100 operator table.
public struct VidurComparison: Sendable, Equatable {
    public var rows: [VidurLayerRow]
    /// With the H100 tables: all rows, and the rows of 512 tokens and more.
    public var tables: ErrorSummary
    public var tablesFrom512: ErrorSummary
    /// By the roofline alone: all rows, and the rows of 512 tokens and more.
    public var roofline: ErrorSummary
    public var rooflineFrom512: ErrorSummary
    /// The four GEMMs alone against the table's four GEMM columns, with the tables and by the roofline.
    public var tablesGEMMs: ErrorSummary
    public var rooflineGEMMs: ErrorSummary
}

extension KernelCalibration {
    /// Token counts at which the roofline's layer GEMMs are compared with the tables.
    public static let gemmTokens = [1, 8, 32, 128, 512, 2048, 8192]
    /// (sequences, tokens of context each) at which decode attention is compared.
    public static let decodePoints = [1, 8, 32, 128, 256].flatMap { s in [128, 512, 2048, 8192].map { (s, $0) } }
    /// (sequences, prompt tokens each) at which prefill attention is compared: at most 8,192 tokens, a step's
    /// usual budget, which keeps clear of the tables' filled corner (``PrefillPhysicsRow``).
    public static let prefillPoints = [(1, 128), (1, 512), (1, 2048), (1, 8192), (4, 512), (4, 2048), (16, 128), (16, 512)]
    /// Token counts of the short table of the Vidur comparison.
    public static let vidurTokens = [1, 16, 64, 256, 512, 1024, 2048, 4096]

    /// The roofline on a GPU with `tables`' peaks against the tables, over `models`.
    static func rooflineAgainstTables(_ tables: KernelTables, models: [ModelSpec]) -> (row: RooflineRow, gemmByTokens: [TokensRow]) {
        var gemm = ErrorCollector(), decode = ErrorCollector(), prefill = ErrorCollector()
        var byTokens = gemmTokens.map { _ in ErrorCollector() }
        let gpu = gpu(tables, measured: false)
        for model in models {
            let roofline = IterationTimeModel(model: model, gpu: gpu)
            let measured = MeasuredKernels(tables: tables, model: model, gpu: gpu)
            let names = matrixNames(model)
            for (index, shape) in model.linearShapesPerLayer.enumerated() {
                for (t, tokens) in gemmTokens.enumerated() {
                    let m = Double(tokens)
                    let reference = measured.layerMatrices[index].curve.seconds(at: m)
                    let estimate = roofline.rooflineGEMMSeconds(inputs: shape.inputs, outputs: shape.outputs, tokens: m)
                    gemm.add(model: estimate, reference: reference) { "\(model.name) \(names[index]), m=\(tokens)" }
                    byTokens[t].add(model: estimate, reference: reference) { "\(model.name) \(names[index])" }
                }
            }
            for (sequences, context) in decodePoints {
                let s = Double(sequences), c = Double(context)
                guard let reference = measured.decodeAttentionSeconds(sequences: s, contextPerSequence: c) else { continue }
                let estimate = roofline.rooflineDecodeAttentionSeconds(sequences: s, contextTokens: s * c)
                decode.add(model: estimate, reference: reference) { "\(model.name), \(sequences) × \(context)" }
            }
            for (sequences, length) in prefillPoints {
                let s = Double(sequences), l = Double(length), pairs = s * l * (l + 1) / 2
                guard let reference = measured.prefillAttentionSeconds(sequences: s, tokensPerSequence: l, pairs: pairs)
                else { continue }
                let estimate = roofline.rooflinePrefillAttentionSeconds(tokens: s * l, pairs: pairs)
                prefill.add(model: estimate, reference: reference) { "\(model.name), \(sequences) × \(length)" }
            }
        }
        let row = RooflineRow(gpu: tables.name, gemm: gemm.summary, decode: decode.summary, prefill: prefill.summary)
        return (row, zip(gemmTokens, byTokens).map { TokensRow(tokens: $0, errors: $1.summary) })
    }

    /// `linearLayerSeconds` of `model` with the H100 `tables` and by the roofline against Vidur's `rows`.
    static func vidurComparison(rows: [VidurLayerRow], model: ModelSpec, tables: KernelTables) -> VidurComparison {
        let withTables = IterationTimeModel(model: model, gpu: gpu(tables, measured: true))
        let roofline = IterationTimeModel(model: model, gpu: gpu(tables, measured: false))
        var out = rows
        var all = (ErrorCollector(), ErrorCollector()), large = (ErrorCollector(), ErrorCollector())
        var gemms = (ErrorCollector(), ErrorCollector())
        for index in out.indices {
            let row = out[index]
            out[index].tablesSeconds = withTables.linearLayerSeconds(tokens: row.tokens)
            out[index].rooflineSeconds = roofline.linearLayerSeconds(tokens: row.tokens)
            out[index].tablesGEMMSeconds = withTables.measured?.layerGEMMSeconds(tokens: Double(row.tokens)) ?? 0
            out[index].rooflineGEMMSeconds = model.linearShapesPerLayer.reduce(0) {
                $0 + roofline.rooflineGEMMSeconds(inputs: $1.inputs, outputs: $1.outputs, tokens: Double(row.tokens))
            }
            let label = { "\(row.tokens) tokens" }
            gemms.0.add(model: out[index].tablesGEMMSeconds, reference: row.measuredGEMMSeconds, at: label)
            gemms.1.add(model: out[index].rooflineGEMMSeconds, reference: row.measuredGEMMSeconds, at: label)
            all.0.add(model: out[index].tablesSeconds, reference: row.measuredSeconds, at: label)
            all.1.add(model: out[index].rooflineSeconds, reference: row.measuredSeconds, at: label)
            if row.tokens >= 512 {
                large.0.add(model: out[index].tablesSeconds, reference: row.measuredSeconds, at: label)
                large.1.add(model: out[index].rooflineSeconds, reference: row.measuredSeconds, at: label)
            }
        }
        return VidurComparison(rows: out, tables: all.0.summary, tablesFrom512: large.0.summary,
                               roofline: all.1.summary, rooflineFrom512: large.1.summary,
                               tablesGEMMs: gemms.0.summary, rooflineGEMMs: gemms.1.summary)
    }
}
