/// Writes ``TraceRecord``s as a Chrome trace-event file ("JSON Object Format": `{"traceEvents": [...],
/// "displayTimeUnit": "ms"}`), which Perfetto and `chrome://tracing` open. Produces text only; the caller decides
/// where it goes, piece by piece, so a trace never has to be held in memory whole.
///
/// Layout:
/// - process 1 "GPU": one thread per instance (tid = index + 1) with its iterations as complete events (`X`,
///   named `prefill`, `decode`, `mixed` or `swap`; args `batch`, `prefill_tokens`, `decodes`, `stall_ms`) and
///   its preemptions, remaps and reversions as thread-scoped instant events (`i`, `s: "t"`); counters (`C`)
///   `KV blocks <instance>` (args `used`, `capacity`) and `remapped layers <instance>` (arg `layers`).
/// - process 2 "CPU–GPU link": one thread per lane of each direction (tids 101, 102, ... for H2D, 201, 202, ...
///   for D2H) with transfers as complete events named by purpose (args `bytes`, `purpose`, `instance`,
///   `latency_us`). Transfers that overlap in time sit on different lanes, so every lane is a plain
///   sequence of slices, which Perfetto draws without nesting.
/// - metadata (`M`) names the processes and threads and orders them.
///
/// Times: `ts` and `dur` in µs, written as exact decimals of the simulated ns (no rounding). Events appear in
/// the order they are appended; within one track (pid, tid; or pid and counter name) `ts` never decreases when
/// the records come from a ``TraceRecorder``. About 200 bytes per event.
public struct ChromeTraceEncoder {
    /// Instance names, by index.
    public let instanceNames: [String]
    private let output: (String) -> Void
    public private(set) var eventCount = 0
    public private(set) var byteCount = 0
    private var closed = false

    static let gpuPid = 1
    static let linkPid = 2

    /// Starts the file: the opening and the metadata of the GPU process and its instance threads.
    public init(instanceNames: [String], output: @escaping (String) -> Void) {
        self.instanceNames = instanceNames
        self.output = output
        write("{\"traceEvents\":[\n")
        appendEvent(Self.metadata("process_name", pid: Self.gpuPid, tid: 0, value: "\"name\":\"GPU\""))
        appendEvent(Self.metadata("process_sort_index", pid: Self.gpuPid, tid: 0, value: "\"sort_index\":1"))
        appendEvent(Self.metadata("process_name", pid: Self.linkPid, tid: 0, value: "\"name\":\"CPU–GPU link\""))
        appendEvent(Self.metadata("process_sort_index", pid: Self.linkPid, tid: 0, value: "\"sort_index\":2"))
        for (index, name) in instanceNames.enumerated() {
            appendEvent(Self.metadata("thread_name", pid: Self.gpuPid, tid: index + 1, value: "\"name\":\(Self.quoted(name))"))
            appendEvent(Self.metadata("thread_sort_index", pid: Self.gpuPid, tid: index + 1, value: "\"sort_index\":\(index + 1)"))
        }
    }

    /// Appends one record as one event.
    public mutating func append(_ record: TraceRecord) {
        appendEvent(event(record))
    }

    /// Names the link lanes used (`lanesUsed[direction.rawValue]` each) and closes the file.
    /// - Parameter otherData: string pairs for the file's `otherData` object (experiment, strategy...), in order.
    public mutating func finish(lanesUsed: [Int], otherData: [(String, String)] = []) {
        guard !closed else { return }
        for direction in LinkDirection.allCases {
            let count = direction.rawValue < lanesUsed.count ? lanesUsed[direction.rawValue] : 0
            for lane in 0..<count {
                let tid = Self.laneTid(direction, lane)
                let name = "\(direction.shortName.uppercased()) #\(lane + 1)"
                appendEvent(Self.metadata("thread_name", pid: Self.linkPid, tid: tid, value: "\"name\":\(Self.quoted(name))"))
                appendEvent(Self.metadata("thread_sort_index", pid: Self.linkPid, tid: tid, value: "\"sort_index\":\(tid)"))
            }
        }
        let other = otherData.map { "\(Self.quoted($0.0)):\(Self.quoted($0.1))" }.joined(separator: ",")
        write("\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\(other)}}\n")
        closed = true
    }

    /// A whole file from a list of records (for tests and small traces).
    public static func document(_ records: [TraceRecord], instanceNames: [String], lanesUsed: [Int],
                                otherData: [(String, String)] = []) -> String {
        var text = ""
        var encoder = ChromeTraceEncoder(instanceNames: instanceNames) { text += $0 }
        for record in records { encoder.append(record) }
        encoder.finish(lanesUsed: lanesUsed, otherData: otherData)
        return text
    }

    // MARK: Events

    static func laneTid(_ direction: LinkDirection, _ lane: Int) -> Int {
        (direction == .hostToDevice ? 100 : 200) + lane + 1
    }

    private func instanceName(_ index: Int) -> String {
        index < instanceNames.count ? instanceNames[index] : "instance \(index)"
    }

    private func event(_ record: TraceRecord) -> String {
        switch record {
        case .iteration(let it):
            let name = it.prefillTokens > 0 ? (it.decodeSequences > 0 ? "mixed" : "prefill")
                : (it.decodeSequences > 0 ? "decode" : "swap")
            return "{\"name\":\"\(name)\",\"cat\":\"iteration\",\"ph\":\"X\",\"ts\":\(Self.micros(it.start)),"
                + "\"dur\":\(Self.micros(it.end - it.start)),\"pid\":\(Self.gpuPid),\"tid\":\(it.instance + 1),"
                + "\"args\":{\"batch\":\(it.batchSize),\"prefill_tokens\":\(it.prefillTokens),"
                + "\"decodes\":\(it.decodeSequences),\"stall_ms\":\(Self.decimal(it.stall.ns, per: 1_000_000))}}"
        case .transfer(let t):
            return "{\"name\":\"\(t.purpose.name)\",\"cat\":\"transfer\",\"ph\":\"X\",\"ts\":\(Self.micros(t.start)),"
                + "\"dur\":\(Self.micros(t.end - t.start)),\"pid\":\(Self.linkPid),\"tid\":\(Self.laneTid(t.direction, t.lane)),"
                + "\"args\":{\"bytes\":\(t.bytes),\"purpose\":\"\(t.purpose.name)\","
                + "\"instance\":\(Self.quoted(instanceName(t.instance))),\"latency_us\":\(Self.micros(t.activeFrom - t.start))}}"
        case .preemption(let instance, let request, let mode, let at):
            let modeName = mode == .swap ? "swap" : "recompute"
            return instant("preempt", category: "preemption", instance: instance, at: at,
                           args: "\"request\":\(request),\"mode\":\"\(modeName)\"")
        case .strategy(let event, let at):
            let args = event.values.map { "\(Self.quoted($0.name)):\($0.value)" }.joined(separator: ",")
            return instant(event.name, category: "strategy", instance: event.instance, at: at, args: args)
        case .kvBlocks(let instance, let used, let capacity, let at):
            return counter("KV blocks \(instanceName(instance))", instance: instance, at: at,
                           args: "\"used\":\(used),\"capacity\":\(capacity)")
        case .strategyCounter(let value, let instance, let at):
            return counter("\(value.name) \(instanceName(instance))", instance: instance, at: at,
                           args: "\(Self.quoted(value.argument)):\(value.value)")
        }
    }

    private func instant(_ name: String, category: String, instance: Int, at: SimTime, args: String) -> String {
        "{\"name\":\(Self.quoted(name)),\"cat\":\"\(category)\",\"ph\":\"i\",\"s\":\"t\",\"ts\":\(Self.micros(at)),"
            + "\"pid\":\(Self.gpuPid),\"tid\":\(instance + 1),\"args\":{\(args)}}"
    }

    private func counter(_ name: String, instance: Int, at: SimTime, args: String) -> String {
        "{\"name\":\(Self.quoted(name)),\"ph\":\"C\",\"ts\":\(Self.micros(at)),\"pid\":\(Self.gpuPid),"
            + "\"tid\":\(instance + 1),\"args\":{\(args)}}"
    }

    private static func metadata(_ name: String, pid: Int, tid: Int, value: String) -> String {
        "{\"name\":\"\(name)\",\"ph\":\"M\",\"ts\":0,\"pid\":\(pid),\"tid\":\(tid),\"args\":{\(value)}}"
    }

    // MARK: Text

    private mutating func appendEvent(_ json: String) {
        write(eventCount == 0 ? json : ",\n" + json)
        eventCount += 1
    }

    private mutating func write(_ text: String) {
        byteCount += text.utf8.count
        output(text)
    }

    /// `time` in µs, an exact decimal ("12.345", "7").
    static func micros(_ time: SimTime) -> String { decimal(time.ns, per: 1_000) }

    /// `value / per` as an exact decimal without trailing zeros; `per` a power of ten.
    static func decimal(_ value: Int64, per: Int64) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let whole = magnitude / UInt64(per)
        var fraction = magnitude % UInt64(per)
        guard fraction > 0 else { return sign + String(whole) }
        var digits = String(per).count - 1
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String { JSONText.quoted(text) }
}
