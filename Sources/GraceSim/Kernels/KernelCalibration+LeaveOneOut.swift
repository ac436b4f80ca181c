import Foundation

/// The leave-one-out error of one kind of kernel of one GPU's tables along one axis.
public struct LeaveOneOutRow: Sendable, Equatable {
    /// The tables' name: `h100-sxm`.
    public var gpu: String
    /// `GEMM`, `prefill attention` or `decode attention`.
    public var kernel: String
    /// The axis held out along: `m`, `n`, `k`, `batch`, `isl` or `context`.
    public var axis: String
    /// Interior points not held out because their value is the proportional fill of a neighbour.
    public var skippedAsFilled: Int
    /// The points the tables' headers count as filled, summed over this kind of kernel's tables.
    public var filledInHeaders: Int
    /// Errors of the prediction from the neighbours against the held-out value.
    public var errors: ErrorSummary
}

/// The prefill attention tables (bfloat16 KV) of one GPU against the GPU's peak FLOP/s: a point faster than its
/// causal FLOPs allow at peak, 4 × heads × head size × sequences × s (s + 1) / 2 for s tokens each, cannot be a
/// measurement.
public struct PrefillPhysicsRow: Sendable, Equatable {
    public var gpu: String
    /// Grid points of all the tables.
    public var points: Int
    /// Points faster than the peak allows.
    public var fasterThanPeak: Int
    /// Of those, the points that are a proportional fill of a neighbour along `isl`.
    public var fasterThanPeakAndFilled: Int
    /// The fewest tokens in one step (sequences × tokens each) of a point faster than the peak allows; 0 for none.
    public var fewestTokensFasterThanPeak: Int
}

extension KernelCalibration {
    /// The physics check of `tables`' prefill attention.
    static func prefillPhysics(_ tables: KernelTables) -> PrefillPhysicsRow {
        var row = PrefillPhysicsRow(gpu: tables.name, points: 0, fasterThanPeak: 0, fasterThanPeakAndFilled: 0,
                                    fewestTokensFasterThanPeak: 0)
        for (key, surface) in tables.contextAttention where key.kvDtype == "bfloat16" {
            let width = surface.logColumns.count
            for (i, logBatch) in surface.logRows.enumerated() {
                let line = Array(surface.logSeconds[(i * width)..<((i + 1) * width)])
                let filled = proportionalFills(surface.logColumns, line)
                for (j, logLength) in surface.logColumns.enumerated() {
                    let length = exp(logLength), batch = exp(logBatch)
                    let flops = 4 * Double(key.heads * key.headDim) * batch * length * (length + 1) / 2
                    row.points += 1
                    if exp(line[j]) < flops / tables.peakFlopsPerSecond {
                        let tokens = Int((batch * length).rounded())
                        row.fasterThanPeak += 1
                        row.fewestTokensFasterThanPeak = row.fasterThanPeak == 1 ? tokens : min(row.fewestTokensFasterThanPeak, tokens)
                        if filled[j] { row.fasterThanPeakAndFilled += 1 }
                    }
                }
            }
        }
        return row
    }

    /// Leave-one-out errors of the bfloat16 GEMM table and of the attention tables with a bfloat16 KV cache.
    /// `filled` is the headers' `filled=` count per table kind (``filledCounts(text:)``).
    static func leaveOneOut(_ tables: KernelTables, filled: [String: Int]) -> [LeaveOneOutRow] {
        var rows: [LeaveOneOutRow] = []
        if let gemm = tables.gemms["bfloat16"] {
            rows += gemmLeaveOneOut(gemm).map { axis, skipped, errors in
                LeaveOneOutRow(gpu: tables.name, kernel: "GEMM", axis: axis, skippedAsFilled: skipped,
                               filledInHeaders: filled["gemm", default: 0], errors: errors)
            }
        }
        let families = [("prefill attention", "context_attention", "isl", tables.contextAttention),
                        ("decode attention", "generation_attention", "context", tables.generationAttention)]
        for (kernel, op, columns, surfaces) in families {
            let bf16 = surfaces.filter { $0.key.kvDtype == "bfloat16" }.sorted { $0.key < $1.key }
            rows += attentionLeaveOneOut(bf16, columns: columns).map { axis, skipped, errors in
                LeaveOneOutRow(gpu: tables.name, kernel: kernel, axis: axis, skippedAsFilled: skipped,
                               filledInHeaders: filled[op, default: 0], errors: errors)
            }
        }
        return rows
    }

    /// The `filled=` counts of a `.kernels` file's tables, summed per kind (`gemm`, `context_attention`,
    /// `generation_attention`), over the bfloat16 GEMM table and the attention tables with a bfloat16 KV cache.
    static func filledCounts(text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("table ") {
            let words = line.split(separator: " ")
            guard words.count > 2, words.contains("dtype=bfloat16") || words.contains("kv=bfloat16"),
                  let field = words.first(where: { $0.hasPrefix("filled=") }), let count = Int(field.dropFirst(7))
            else { continue }
            counts[String(words[1]), default: 0] += count
        }
        return counts
    }

    /// Held out along m for every (n, k), and along n and k at every m.
    private static func gemmLeaveOneOut(_ gemm: GEMMTable) -> [(String, Int, ErrorSummary)] {
        let m = gemm.logRows, n = gemm.planes[0].logRows, k = gemm.planes[0].logColumns
        // Fills run along k: flag them per (m, n) line.
        var filled = [[Bool]](repeating: [], count: m.count)
        for i in m.indices {
            for j in n.indices {
                filled[i] += proportionalFills(k, Array(gemm.planes[i].logSeconds[(j * k.count)..<((j + 1) * k.count)]))
            }
        }
        func label(_ i: Int, _ j: Int, _ l: Int) -> String { "m=\(size(m[i])) n=\(size(n[j])) k=\(size(k[l]))" }
        var alongM = (ErrorCollector(), 0), alongN = (ErrorCollector(), 0), alongK = (ErrorCollector(), 0)
        for j in n.indices {
            for l in k.indices {
                let line = m.indices.map { gemm.planes[$0].logSeconds[j * k.count + l] }
                predictInterior(m, line) { i, predicted in
                    if filled[i][j * k.count + l] { alongM.1 += 1; return }
                    alongM.0.add(error: exp(predicted - line[i]) - 1) { label(i, j, l) }
                }
            }
        }
        for i in m.indices {
            let values = gemm.planes[i].logSeconds
            for l in k.indices {
                let line = n.indices.map { values[$0 * k.count + l] }
                predictInterior(n, line) { j, predicted in
                    if filled[i][j * k.count + l] { alongN.1 += 1; return }
                    alongN.0.add(error: exp(predicted - line[j]) - 1) { label(i, j, l) }
                }
            }
            for j in n.indices {
                let line = Array(values[(j * k.count)..<((j + 1) * k.count)])
                predictInterior(k, line) { l, predicted in
                    if filled[i][j * k.count + l] { alongK.1 += 1; return }
                    alongK.0.add(error: exp(predicted - line[l]) - 1) { label(i, j, l) }
                }
            }
        }
        return [("m", alongM.1, alongM.0.summary), ("n", alongN.1, alongN.0.summary), ("k", alongK.1, alongK.0.summary)]
    }

    /// Held out along the batch for every column and along the columns (`isl` or `context`) for every batch, over
    /// all of `surfaces`.
    private static func attentionLeaveOneOut(_ surfaces: [(key: AttentionKey, value: LogLogSurface)],
                                             columns name: String) -> [(String, Int, ErrorSummary)] {
        var alongRows = (ErrorCollector(), 0), alongColumns = (ErrorCollector(), 0)
        for (key, surface) in surfaces {
            let rows = surface.logRows, columns = surface.logColumns, values = surface.logSeconds
            let width = columns.count
            let filled = rows.indices.flatMap { proportionalFills(columns, Array(values[($0 * width)..<(($0 + 1) * width)])) }
            func label(_ i: Int, _ j: Int) -> String {
                "\(key.heads)/\(key.kvHeads) heads of \(key.headDim), batch \(size(rows[i])), \(name) \(size(columns[j]))"
            }
            for j in columns.indices {
                let line = rows.indices.map { values[$0 * width + j] }
                predictInterior(rows, line) { i, predicted in
                    if filled[i * width + j] { alongRows.1 += 1; return }
                    alongRows.0.add(error: exp(predicted - line[i]) - 1) { label(i, j) }
                }
            }
            for i in rows.indices {
                let line = Array(values[(i * width)..<((i + 1) * width)])
                predictInterior(columns, line) { j, predicted in
                    if filled[i * width + j] { alongColumns.1 += 1; return }
                    alongColumns.0.add(error: exp(predicted - line[j]) - 1) { label(i, j) }
                }
            }
        }
        return [("batch", alongRows.1, alongRows.0.summary), (name, alongColumns.1, alongColumns.0.summary)]
    }

    /// Each interior point of a line (log sizes, log seconds) predicted from the line without it, by the
    /// simulator's own log-log interpolation (``LogLogCurve``; on a grid line ``LogLogSurface`` reduces to it).
    static func predictInterior(_ logSizes: [Double], _ logValues: [Double], _ body: (Int, Double) -> Void) {
        guard logSizes.count >= 3 else { return }
        for i in 1..<(logSizes.count - 1) {
            var sizes = logSizes, values = logValues
            sizes.remove(at: i)
            values.remove(at: i)
            body(i, LogLogCurve(logSizes: sizes, logSeconds: values).logSeconds(at: logSizes[i]))
        }
    }

    /// Which points of a line along the filled axis equal a neighbour's value scaled by the ratio of their sizes,
    /// to the rounding of the file's four significant digits: the extractor's fills, and the measured points
    /// they were filled from.
    static func proportionalFills(_ logSizes: [Double], _ logValues: [Double]) -> [Bool] {
        let rounding = logValues.map(relativeRounding)
        return logValues.indices.map { i in
            [i - 1, i + 1].contains { j in
                logValues.indices.contains(j)
                    && abs(logValues[i] - logValues[j] - (logSizes[i] - logSizes[j])) <= rounding[i] + rounding[j] + 1e-9
            }
        }
    }

    /// Half a unit in the fourth significant digit of a latency written in µs, relative to the latency: the most
    /// the file's rounding moves its log.
    static func relativeRounding(_ logSeconds: Double) -> Double {
        let us = exp(logSeconds) * 1e6
        return 0.5 * pow(10, (log10(us)).rounded(.down) - 3) / us
    }

    /// A grid size from its natural log, as the integer the table file wrote.
    static func size(_ logSize: Double) -> Int { Int(exp(logSize).rounded()) }
}
