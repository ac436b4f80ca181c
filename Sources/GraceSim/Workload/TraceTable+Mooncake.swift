/// Reading Mooncake traces: one JSON object per line with `timestamp` (ms from the start), `input_length`
/// and `output_length` (tokens), and optionally `hash_ids`: a list of integer ids, one per 512-token block of the
/// prompt (the last block may be partial), equal ids meaning equal blocks. A row has at most ⌈input_length / 512⌉
/// ids (fewer: the rest of its prompt is its own); rows without the key have no shared blocks. Other keys are ignored.
///
/// **Tick spreading.** Mooncake's timestamps are quantized: the conversation trace has only 1,180 distinct
/// values, about 3 s apart, for 12,031 requests. Replaying them as given would send ten requests at the
/// same nanosecond every 3 s. So the k requests that share a timestamp T are spread evenly over the tick:
/// the j-th of them (in file order) arrives at T + j·W/k, where W is the gap to the next distinct timestamp,
/// capped at the trace's tick (the median gap between consecutive distinct timestamps); the last group uses
/// the tick. Every request thus stays inside [T, T + W), the file order is kept, and a request with its own
/// timestamp is not moved.
///
/// The reader extracts the three integer fields by key from each line (which must be a `{...}` object);
/// it is not a general JSON parser.
extension TraceTable {
    init(mooncakeJSONL text: String) throws(DataFileError) {
        let table = DelimitedText(text)
        var times: [Int64] = [], prompts: [Int32] = [], outputs: [Int32] = [], lines: [Int] = []
        // Blocks: allocated at the first row that has `hash_ids`, with an empty entry for each row before it.
        var blockIds: [UInt64] = [], blockStart: [Int32] = []
        try table.forEachLine { (line, range) throws(DataFileError) in
            let object = table.bytes[range]
            guard object.first == UInt8(ascii: "{"), object.last == UInt8(ascii: "}") else {
                throw DataFileError(line: line, "expected one JSON object per line, like {\"timestamp\": 0, \"input_length\": 100, \"output_length\": 10}")
            }
            let timestampMs = try Self.field("timestamp", in: object, line: line)
            guard timestampMs >= 0, timestampMs < 1_000_000_000_000 else {
                throw DataFileError(line: line, "timestamp \(timestampMs) ms is out of range (0 to 10¹² ms)")
            }
            let input = try Self.field("input_length", in: object, line: line)
            let output = try Self.field("output_length", in: object, line: line)
            guard input >= 0, input <= RequestSpec.maxTokens, output >= 0, output <= RequestSpec.maxTokens else {
                throw DataFileError(line: line, "input_length and output_length must be from 0 to \(RequestSpec.maxTokens), found \(input) and \(output)")
            }
            if let listStart = Self.valueStart("hash_ids", in: object) {
                if blockStart.isEmpty { blockStart = Array(repeating: 0, count: times.count + 1) }
                try Self.appendIds(from: object, at: listStart, to: &blockIds, line: line)
                let count = blockIds.count - Int(blockStart[blockStart.count - 1])
                let most = (input + Int(Self.blockTokens) - 1) / Int(Self.blockTokens)
                guard count <= most else {
                    throw DataFileError(line: line, "hash_ids has \(count) block ids, more than the \(most) blocks of \(Self.blockTokens) tokens an input_length of \(input) holds")
                }
                guard blockIds.count <= Int(Int32.max) else { throw DataFileError(line: line, "more than \(Int32.max) hash_ids in the file") }
                blockStart.append(Int32(blockIds.count))
            } else if !blockStart.isEmpty {
                blockStart.append(Int32(blockIds.count))
            }
            times.append(Int64(timestampMs) * 1_000_000)
            prompts.append(Int32(input))
            outputs.append(Int32(output))
            lines.append(line)
        }
        guard !times.isEmpty else { throw DataFileError(line: 0, "the file has no requests") }
        try Self.checkSorted(times, lines: lines)
        let first = times[0]
        self.init(arrivalNs: Self.spreadTicks(times.map { $0 - first }), promptTokens: prompts, outputTokens: outputs)
        self.blockIds = blockIds
        self.blockStart = blockStart
    }

    /// Where the value of `"key":` starts in a one-line JSON object (past the colon and spaces); nil without the key.
    private static func valueStart(_ key: String, in object: ArraySlice<UInt8>) -> Int? {
        let pattern = Array("\"\(key)\"".utf8)
        var start = object.startIndex
        while start + pattern.count <= object.endIndex {
            if object[start..<start + pattern.count].elementsEqual(pattern) {
                var index = start + pattern.count
                while index < object.endIndex, object[index] == 32 || object[index] == 9 { index += 1 }
                guard index < object.endIndex, object[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                while index < object.endIndex, object[index] == 32 || object[index] == 9 { index += 1 }
                return index
            }
            start += 1
        }
        return nil
    }

    /// Appends the ids of the list `[id, id, ...]` at `start` (non-negative integers below 2⁶⁴) to `ids`.
    private static func appendIds(from object: ArraySlice<UInt8>, at start: Int, to ids: inout [UInt64],
                                  line: Int) throws(DataFileError) {
        let expected = DataFileError(line: line, "\"hash_ids\": expected a list of non-negative integers, like [0, 1, 2]")
        var index = start
        guard index < object.endIndex, object[index] == UInt8(ascii: "[") else { throw expected }
        index += 1
        func skipSpaces() { while index < object.endIndex, object[index] == 32 || object[index] == 9 { index += 1 } }
        skipSpaces()
        if index < object.endIndex, object[index] == UInt8(ascii: "]") { return }
        while true {
            skipSpaces()
            var value: UInt64 = 0
            var digits = 0
            while index < object.endIndex, object[index] >= 48, object[index] <= 57 {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(object[index] - 48))
                guard !overflow1, !overflow2 else { throw expected }
                value = sum
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw expected }
            ids.append(value)
            skipSpaces()
            guard index < object.endIndex else { throw expected }
            if object[index] == UInt8(ascii: "]") { return }
            guard object[index] == UInt8(ascii: ",") else { throw expected }
            index += 1
        }
    }

    /// The integer value of `"key": <integer>` in a one-line JSON object.
    private static func field(_ key: String, in object: ArraySlice<UInt8>, line: Int) throws(DataFileError) -> Int {
        let pattern = Array("\"\(key)\"".utf8)
        var start = object.startIndex
        var found: Int? = nil
        while start + pattern.count <= object.endIndex {
            if object[start..<start + pattern.count].elementsEqual(pattern) { found = start + pattern.count; break }
            start += 1
        }
        guard var index = found else { throw DataFileError(line: line, "missing key \"\(key)\"") }
        func skipSpaces() { while index < object.endIndex, object[index] == 32 || object[index] == 9 { index += 1 } }
        skipSpaces()
        guard index < object.endIndex, object[index] == UInt8(ascii: ":") else {
            throw DataFileError(line: line, "expected ':' after \"\(key)\"")
        }
        index += 1
        skipSpaces()
        let digitsStart = index
        if index < object.endIndex, object[index] == UInt8(ascii: "-") { index += 1 }
        while index < object.endIndex, object[index] >= 48, object[index] <= 57 { index += 1 }
        let text = DelimitedText.init(String(decoding: object[digitsStart..<index], as: UTF8.self))
        let terminator = index < object.endIndex ? object[index] : 0
        guard let value = text.int(0..<text.bytes.count),
              [UInt8(ascii: ","), UInt8(ascii: "}"), 32, 9].contains(terminator) else {
            throw DataFileError(line: line, "\"\(key)\": expected an integer")
        }
        return value
    }

    /// Spreads requests that share a timestamp evenly across their tick (see the type's documentation).
    static func spreadTicks(_ times: [Int64]) -> [Int64] {
        var gaps: [Int64] = []
        for index in times.indices.dropFirst() where times[index] > times[index - 1] {
            gaps.append(times[index] - times[index - 1])
        }
        guard !gaps.isEmpty else { return times }
        gaps.sort()
        let tickNs = gaps[gaps.count / 2]
        var result = times
        var groupStart = 0
        while groupStart < times.count {
            var groupEnd = groupStart + 1
            while groupEnd < times.count && times[groupEnd] == times[groupStart] { groupEnd += 1 }
            let widthNs = groupEnd < times.count ? min(times[groupEnd] - times[groupStart], tickNs) : tickNs
            let size = Int64(groupEnd - groupStart)
            for offset in 0..<(groupEnd - groupStart) {
                // offset × width / size < width, but the product itself may exceed Int64 for a wide gap.
                let product = widthNs.multipliedFullWidth(by: Int64(offset))
                result[groupStart + offset] = times[groupStart] + size.dividingFullWidth(product).quotient
            }
            groupStart = groupEnd
        }
        return result
    }
}
