/// A request trace: arrival offsets and lengths of real requests, in arrival order.
///
/// Offsets are integer nanoseconds from the first request (or, after ``window(startNs:endNs:)``, from the
/// window's start), nondecreasing. Memory: 16 bytes per request, plus, for a trace with prompt blocks (Mooncake's
/// `hash_ids`), 4 bytes per request and 8 per block. Readers for the two supported formats are in
/// `TraceTable+Azure.swift` and `TraceTable+Mooncake.swift`.
struct TraceTable: Sendable {
    /// The file formats a trace can be read from.
    enum Format: String, CaseIterable, Sendable {
        /// Azure LLM inference traces: CSV with `TIMESTAMP`, `ContextTokens`, `GeneratedTokens`.
        case azure
        /// Mooncake traces: JSON lines with `timestamp` (ms), `input_length`, `output_length`, optional `hash_ids`.
        case mooncake

        /// The format implied by a file name's extension, if any.
        static func guess(path: String) -> Format? {
            let lower = path.lowercased()
            if lower.hasSuffix(".csv") { return .azure }
            if lower.hasSuffix(".jsonl") { return .mooncake }
            return nil
        }
    }

    /// Arrival time of each request, in ns from the trace's start; nondecreasing. Kept as raw ns: compact
    /// per-request storage.
    var arrivalNs: [Int64]
    /// Prompt length of each request, in tokens.
    var promptTokens: [Int32]
    /// Output length of each request, in tokens.
    var outputTokens: [Int32]
    /// The ids of every request's prompt blocks (``blockTokens`` tokens each, the last maybe partial), one request
    /// after another; empty when the trace has none.
    var blockIds: [UInt64] = []
    /// Where each request's blocks start in ``blockIds``, and one more entry, their end: request `r`'s blocks are
    /// `blockIds[blockStart[r]..<blockStart[r + 1]]`. Empty when the trace has no blocks.
    var blockStart: [Int32] = []

    /// Tokens in one prompt block of a trace's `hash_ids` (Mooncake's block size).
    static let blockTokens: Int32 = 512

    var count: Int { arrivalNs.count }

    /// Whether the requests say which prompt blocks they share.
    var hasBlocks: Bool { !blockStart.isEmpty }

    /// The ids of request `row`'s prompt blocks (empty without blocks).
    func blocks(row: Int) -> ArraySlice<UInt64> {
        guard hasBlocks else { return [] }
        return blockIds[Int(blockStart[row])..<Int(blockStart[row + 1])]
    }

    /// Time from the first to the last request (zero for an empty trace).
    var span: SimTime { SimTime(ns: (arrivalNs.last ?? 0) - (arrivalNs.first ?? 0)) }

    init(arrivalNs: [Int64], promptTokens: [Int32], outputTokens: [Int32]) {
        self.arrivalNs = arrivalNs
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }

    /// Parses a trace file's text in `format`.
    init(text: String, format: Format) throws(DataFileError) {
        switch format {
        case .azure: self = try Self(azureCSV: text)
        case .mooncake: self = try Self(mooncakeJSONL: text)
        }
    }

    /// The requests arriving in `[start, end)`, with times rebased so the window's start is 0.
    func window(start: SimTime, end: SimTime) -> TraceTable {
        let low = arrivalNs.partitioningIndex { $0 >= start.ns }
        let high = max(low, arrivalNs.partitioningIndex { $0 >= end.ns })
        var table = TraceTable(arrivalNs: arrivalNs[low..<high].map { $0 - start.ns },
                               promptTokens: Array(promptTokens[low..<high]),
                               outputTokens: Array(outputTokens[low..<high]))
        if hasBlocks {
            let first = blockStart[low]
            table.blockIds = Array(blockIds[Int(first)..<Int(blockStart[high])])
            table.blockStart = blockStart[low...high].map { $0 - first }
        }
        return table
    }

    /// The same requests replayed `rateScale` times as fast: every offset divided by `rateScale`, rounded to
    /// the nearest ns. Nil if a scaled time would not fit in 10¹⁸ ns (about 31 years).
    func scaled(by rateScale: Double) -> TraceTable? {
        if rateScale == 1 { return self }
        guard Double(arrivalNs.last ?? 0) / rateScale < 1e18 else { return nil }
        var copy = self
        copy.arrivalNs = arrivalNs.map { Int64((Double($0) / rateScale).rounded()) }
        return copy
    }

    /// Checks that arrival times never decrease.
    static func checkSorted(_ times: [Int64], lines: [Int]) throws(DataFileError) {
        for index in times.indices.dropFirst() where times[index] < times[index - 1] {
            throw DataFileError(line: lines[index], "timestamps must be in nondecreasing order; this one is earlier than the line before")
        }
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, assuming the array is partitioned (all
    /// non-matching elements first). Binary search: O(log n).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
