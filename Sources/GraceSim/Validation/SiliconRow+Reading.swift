import Foundation

extension SiliconRow {
    /// The columns a silicon table must have (others are ignored), as `Scripts/extract_silicon_sample.py` writes them.
    public static let columns = [
        "id", "backend_version", "model_path", "system", "precision", "gemm_quant_mode", "moe_quant_mode", "isl", "osl",
        "concurrency", "tp_size", "pp_size", "attention_dp_size", "moe_tp_size", "moe_ep_size", "silicon_ttft_ms",
        "silicon_tpot_ms", "is_moe",
    ]

    /// The largest parallel size a row may give: beyond any machine in the table, small enough to stay readable.
    public static let maxParallelSize = 4096

    /// Reads the silicon table at `path`. Bad input throws a ``ConfigError`` naming the file, the line and the column.
    public static func load(path: String) throws -> [SiliconRow] {
        try parse(text: try RealRun.readText(path), file: path)
    }

    /// Reads a silicon table from `text`; `file` names it in errors (`file: line 3: column isl: expected ...`).
    public static func parse(text: String, file: String) throws -> [SiliconRow] {
        var rows: [SiliconRow] = []
        var lineOfID: [String: Int] = [:]
        let table = DelimitedText(text)
        do {
            try table.forEachCSVRow(columns: columns) { (line, fields) throws(DataFileError) in
                let reader = FieldReader(table: table, fields: fields, line: line)
                let row = try reader.row()
                if let earlier = lineOfID[row.id] {
                    throw DataFileError(line: line, "column id: \"\(row.id)\" is also the id of line \(earlier); expected unique ids")
                }
                lineOfID[row.id] = line
                rows.append(row)
            }
        } catch {
            throw ConfigError(file: file, key: error.line > 0 ? "line \(error.line)" : "", error.message)
        }
        return rows
    }

    /// The fields of one data line, read and checked column by column.
    private struct FieldReader {
        let table: DelimitedText
        let fields: [Range<Int>]
        let line: Int

        func row() throws(DataFileError) -> SiliconRow {
            SiliconRow(id: try text("id", required: true)!, backendVersion: try text("backend_version"),
                       modelPath: try text("model_path", required: true)!, system: try text("system", required: true)!,
                       precision: try text("precision"), gemmQuantMode: try text("gemm_quant_mode"),
                       moeQuantMode: try text("moe_quant_mode"),
                       inputTokens: try count("isl", in: 1...Int(RequestSpec.maxTokens)),
                       outputTokens: try count("osl", in: 1...Int(RequestSpec.maxTokens)),
                       concurrency: try count("concurrency", in: 1...WorkloadSpec.maxClients),
                       tensorParallel: try size("tp_size"), pipelineParallel: try size("pp_size"),
                       attentionDataParallel: try size("attention_dp_size"), moeTensorParallel: try size("moe_tp_size"),
                       moeExpertParallel: try size("moe_ep_size"), ttftMs: try milliseconds("silicon_ttft_ms"),
                       tpotMs: try milliseconds("silicon_tpot_ms"), isMoE: try flag("is_moe"), line: line)
        }

        private func field(_ column: String) -> Range<Int> {
            fields[SiliconRow.columns.firstIndex(of: column)!]
        }

        private func problem(_ column: String, _ message: String) -> DataFileError {
            DataFileError(line: line, "column \(column): \(message)")
        }

        private func found(_ column: String) -> String {
            let value = table.string(field(column))
            return value.count > 40 ? "\"\(value.prefix(40))…\"" : "\"\(value)\""
        }

        /// The field's text, nil when blank; a required column must not be blank.
        func text(_ column: String, required: Bool = false) throws(DataFileError) -> String? {
            let value = table.string(field(column))
            if value.isEmpty && required { throw problem(column, "expected a value, found a blank field") }
            return value.isEmpty ? nil : value
        }

        /// A whole number in `range`; `4.0` is read as 4, as spreadsheets write counts.
        func count(_ column: String, in range: ClosedRange<Int>) throws(DataFileError) -> Int {
            let value = table.string(field(column))
            guard let number = Double(value), number.isFinite, number == number.rounded(),
                  number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
                throw problem(column, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(found(column))")
            }
            return Int(number)
        }

        /// A parallel size: blank or 0 (unset) is 1.
        func size(_ column: String) throws(DataFileError) -> Int {
            if table.string(field(column)).isEmpty { return 1 }
            let value = try count(column, in: 0...SiliconRow.maxParallelSize)
            return max(value, 1)
        }

        /// A latency in milliseconds: a finite number above 0.
        func milliseconds(_ column: String) throws(DataFileError) -> Double {
            guard let value = Double(table.string(field(column))), value.isFinite, value > 0 else {
                throw problem(column, "expected a latency in milliseconds above 0, found \(found(column))")
            }
            return value
        }

        /// 0 or 1.
        func flag(_ column: String) throws(DataFileError) -> Bool {
            switch table.string(field(column)) {
            case "0": return false
            case "1": return true
            default: throw problem(column, "expected 0 or 1, found \(found(column))")
            }
        }
    }
}
