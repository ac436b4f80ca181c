/// The silicon table against gracesim: every expressible row replayed, and the others counted by why they are not.
///
/// Everything that reaches output is sorted (no dictionary order): rows in the file's order, groups by their keys,
/// reason combinations by count (most first) and then by name.
public struct SiliconReport: Sendable {
    /// The file the rows were read from.
    public var file: String
    /// The replays of the expressible rows, in the file's order.
    public var replays: [SiliconReplay.Result]
    /// The rows that cannot be replayed, each with its reasons, in the file's order.
    public var unexpressed: [(row: SiliconRow, reasons: [SiliconReason])]

    /// Classifies every row of `rows` with `classifier` and replays each expressible one.
    public static func build(file: String, rows: [SiliconRow], classifier: SiliconClassifier) throws -> SiliconReport {
        var report = SiliconReport(file: file, replays: [], unexpressed: [])
        for row in rows {
            switch classifier.classify(row) {
            case .expressible(let setup):
                report.replays.append(try SiliconReplay.run(row, setup: setup, catalog: classifier.catalog))
            case .notExpressible(let reasons):
                report.unexpressed.append((row, reasons))
            }
        }
        return report
    }

    /// All rows, expressible or not.
    public var rowCount: Int { replays.count + unexpressed.count }

    /// How many rows share each combination of reason kinds ("MoE model + fp8 weights + tensor parallel"), most first.
    public var reasonCombinations: [(combination: String, rows: Int)] {
        var counts: [String: Int] = [:]
        for (_, reasons) in unexpressed {
            var kinds: [String] = []
            for reason in reasons where !kinds.contains(reason.kind) { kinds.append(reason.kind) }
            counts[kinds.joined(separator: " + "), default: 0] += 1
        }
        return counts.map { (combination: $0.key, rows: $0.value) }.sorted { ($1.rows, $0.combination) < ($0.rows, $1.combination) }
    }

    /// One (system, model, weight precision, tensor parallel size) of the rows that cannot be replayed.
    public struct Group: Sendable, Equatable {
        public var system: String
        public var model: String
        public var precision: String
        public var tensorParallel: Int
        public var rows: Int
        /// Every reason of the group's rows, once each, in ``SiliconReason`` order.
        public var reasons: [SiliconReason]
    }

    /// The rows that cannot be replayed, grouped by system, model, weight precision and tensor parallel size.
    public var groups: [Group] {
        var byKey: [String: Group] = [:]
        for (row, reasons) in unexpressed {
            let key = "\(row.system)\u{1}\(row.modelPath)\u{1}\(row.weightPrecision)\u{1}\(row.tensorParallel)"
            var group = byKey[key] ?? Group(system: row.system, model: row.modelPath, precision: row.weightPrecision,
                                            tensorParallel: row.tensorParallel, rows: 0, reasons: [])
            group.rows += 1
            group.reasons = Array(Set(group.reasons + reasons)).sorted()
            byKey[key] = group
        }
        return byKey.values.sorted {
            ($0.system, $0.model, $0.precision, $0.tensorParallel) < ($1.system, $1.model, $1.precision, $1.tensorParallel)
        }
    }

    /// Median and P90 of |error|, and the median signed error, of TTFT and TPOT over some of the replayed rows.
    public struct ErrorGroup: Sendable, Equatable {
        /// What the rows share: a system name, "system, model, weights", or "all".
        public var name: String
        public var rows: Int
        public var ttftMedian: Double?
        public var ttftP90: Double?
        public var tpotMedian: Double?
        public var tpotP90: Double?
        /// The median of the signed errors (positive: gracesim slower).
        public var ttftBias: Double?
        public var tpotBias: Double?
    }

    /// ``ErrorGroup`` of the replayed rows grouped by `key`, sorted by it.
    public func errors(groupedBy key: (SiliconReplay.Result) -> String) -> [ErrorGroup] {
        let names = Set(replays.map(key)).sorted()
        return names.map { name in Self.errorGroup(name, replays.filter { key($0) == name }) }
    }

    static func errorGroup(_ name: String, _ results: [SiliconReplay.Result]) -> ErrorGroup {
        let ttft = results.compactMap(\.ttftError), tpot = results.compactMap(\.tpotError)
        return ErrorGroup(name: name, rows: results.count, ttftMedian: Replay.percentile(ttft.map(abs), 50),
                          ttftP90: Replay.percentile(ttft.map(abs), 90), tpotMedian: Replay.percentile(tpot.map(abs), 50),
                          tpotP90: Replay.percentile(tpot.map(abs), 90), ttftBias: Replay.percentile(ttft, 50),
                          tpotBias: Replay.percentile(tpot, 50))
    }

    /// ``ErrorGroup`` of every system with replayed rows, by system name.
    public var errorsByGPU: [ErrorGroup] { errors { $0.row.system } }

    /// ``ErrorGroup`` of every (system, model, weights, tensor-parallel size) with replayed rows.
    public var errorsByModel: [ErrorGroup] {
        errors { "\($0.row.system), \($0.row.modelPath), \($0.row.weightPrecision), TP \($0.row.tensorParallel)" }
    }

    /// ``ErrorGroup`` of rows whose requests spend more tokens in their prompt than in their output (isl > osl),
    /// and of the others: a prefix cache (not modelled) serves prompts, not outputs.
    public var errorsByPhase: [ErrorGroup] {
        errors { $0.row.inputTokens > $0.row.outputTokens ? "prompt longer than output" : "output at least as long as prompt" }
    }

    /// ``ErrorGroup`` of all replayed rows, or nil when there are none.
    public var errorsOverall: ErrorGroup? { replays.isEmpty ? nil : Self.errorGroup("all", replays) }
}
