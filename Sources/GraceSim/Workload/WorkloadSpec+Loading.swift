import Foundation

/// Reading the `workload:` section of an experiment.
///
/// ```yaml
/// workload:
///   max_requests: 2000        # optional: stop after this many requests, over all instances (also num_prompts)
///   duration_s: 600           # optional: drop arrivals at or after this time
///   arrivals: {kind: poisson, rate: 2.5}     # or gamma (rate, cv), trace (path, format, rate_scale, start_s, end_s)
///                                            # or closed (clients, think_time_s), or sessions (multi-turn)
///   lengths: {kind: fixed, prompt: 512, output: 128, max_prompt: 4096}
///   shares: [0.5, 0.3, 0.2]   # optional instance weights (default equal)
/// ```
/// or, instead of `arrivals`/`lengths`/`shares`, `tenants:` with one entry per instance, each with its own
/// `arrivals`, `lengths` and optional `max_requests`/`duration_s`. Synthetic arrivals need `max_requests` or
/// `duration_s` (at the top or in the tenant); so do a closed loop and sessions. With trace arrivals, `lengths` defaults to `{kind: trace}`.
/// Arrival kinds are in `WorkloadSpec+Arrivals.swift`, length kinds in `WorkloadSpec+Lengths.swift`.
extension WorkloadSpec {
    /// Parses `node` (the value of `workload:`). Relative file paths are looked up first in `baseDirectory`
    /// (the experiment file's folder), then in `projectRoot`.
    ///
    /// `contextTokens` is each instance's longest sequence (prompt plus output), the default limit of a session's
    /// turns; nil for no limit but ``RequestSpec/maxTokens``.
    public static func load(from node: ConfigNode, instanceCount: Int, projectRoot: String,
                            baseDirectory: String, contextTokens: [Int]? = nil) throws -> WorkloadSpec {
        guard instanceCount >= 1 else { throw node.error("the experiment has no model instances to send requests to") }
        var files = DataFiles(projectRoot: projectRoot, baseDirectory: baseDirectory)
        files.contextTokens = contextTokens ?? Array(repeating: RequestSpec.maxTokens, count: instanceCount)
        let o = try node.object()
        let requestsKey = try o.spelling("max_requests", or: "num_prompts")
        let maxRequests = try o.optional(requestsKey).map { _ in try o.positiveInt(requestsKey, atMost: maxRequestsLimit) }
        let duration = try o.optional("duration_s").map { _ in try o.positiveSeconds("duration_s") }
        let globallyBounded = maxRequests != nil || duration != nil

        var sources: [Source] = []
        if let tenantsNode = o.optional("tenants") {
            for key in ["arrivals", "lengths", "shares"] where o.has(key) {
                throw tenantsNode.error("use either tenants or top-level arrivals/lengths/shares, not both (found \(key))")
            }
            try o.finish()
            let tenants = try tenantsNode.list()
            guard tenants.count == instanceCount else {
                throw tenantsNode.error("expected \(instanceCount) tenants, one per instance in instance order, found \(tenants.count)")
            }
            for (index, tenant) in tenants.enumerated() {
                let t = try tenant.object()
                var source = try loadSource(t, instance: .fixed(index), prefix: "workload.tenant.\(index)", files: &files)
                if source.maxConcurrency != nil, let node = try t.required("arrivals").object().optional("max_concurrency") {
                    throw node.error("applies to the whole workload's arrivals (vLLM's benchmark is one client), not to a tenant's")
                }
                source.maxRequests = try t.optional("max_requests").map { _ in try t.positiveInt("max_requests", atMost: maxRequestsLimit) }
                source.duration = try t.optional("duration_s").map { _ in try t.positiveSeconds("duration_s") }
                try t.finish()
                try checkRate(of: source, in: t, maxRequests: source.maxRequests ?? maxRequests, duration: source.duration ?? duration)
                if source.arrivals.sendsAllAtOnce && (source.maxRequests ?? maxRequests) == nil,
                   let rateNode = try t.required("arrivals").object().optional("rate") {
                    throw rateNode.error("rate inf sends every request at once: set max_requests (vLLM's num_prompts) to say how many")
                }
                if source.arrivals.isSynthetic && !globallyBounded && source.maxRequests == nil && source.duration == nil {
                    throw tenant.error("\(source.arrivals.endlessName) never end: set max_requests or duration_s here or for the whole workload")
                }
                sources.append(source)
            }
        } else {
            let instance = try loadShares(o.optional("shares"), instanceCount: instanceCount)
            let source = try loadSource(o, instance: instance, prefix: "workload", files: &files)
            try o.finish()
            try checkRate(of: source, in: o, maxRequests: maxRequests, duration: duration)
            if source.arrivals.sendsAllAtOnce && maxRequests == nil, let rateNode = try o.required("arrivals").object().optional("rate") {
                throw rateNode.error("rate inf sends every request at once: set max_requests (vLLM's num_prompts) to say how many")
            }
            if source.arrivals.isSynthetic && !globallyBounded {
                throw node.error("\(source.arrivals.endlessName) never end: set max_requests or duration_s")
            }
            sources.append(source)
        }
        return WorkloadSpec(sources: sources, maxRequests: maxRequests, duration: duration, instanceCount: instanceCount)
    }

    /// The most requests a workload may ask for (10⁹): more would not fit in memory.
    static let maxRequestsLimit = 1_000_000_000

    /// The longest a rate may take to bring `max_requests` when no `duration_s` ends the run, in seconds (10⁷ s,
    /// about 116 days): beyond it the run is all idle time, and its per-interval samples fill memory.
    static let maxArrivalSpanSeconds = 1e7

    /// Refuses a Poisson or Gamma rate so low that, with no `duration_s` to end the run, `max_requests` take more
    /// than ``maxArrivalSpanSeconds`` to arrive (a rate of 10⁻³⁰⁰ would otherwise run for centuries of idle
    /// time). With `duration_s` a low rate is accepted: the run ends on time with the requests that came, as a
    /// capacity search at low load expects. Tenants are checked against their own bounds, else the workload's.
    private static func checkRate(of source: Source, in o: ConfigObject, maxRequests: Int?, duration: SimTime?) throws {
        let rate: Double
        var rateKey = "rate"
        switch source.arrivals {
        case .poisson(let r), .gamma(let r, _): rate = r
        case .sessions(let spec):
            // A session brings at most `turns` requests.
            guard case let .rate(r) = spec.start else { return }
            rate = r * Double(spec.turns)
            rateKey = "session_rate"
        default: return
        }
        guard duration == nil, let maxRequests else { return }
        let spanSeconds = Double(maxRequests) / rate
        guard spanSeconds > maxArrivalSpanSeconds, let rateNode = try o.required("arrivals").object().optional(rateKey) else { return }
        throw rateNode.error(String(format: "at %g requests/s the %d requests (max_requests) take about %.3g s to arrive, more than %.0e s; expected a higher rate or a duration_s",
                                    rate, maxRequests, spanSeconds, maxArrivalSpanSeconds))
    }

    /// The `arrivals` and `lengths` of one source, read from `o` (the workload or a tenant).
    private static func loadSource(_ o: ConfigObject, instance: InstanceChoice, prefix: String,
                                   files: inout DataFiles) throws -> Source {
        let (arrivals, maxConcurrency) = try loadArrivals(try o.required("arrivals"), files: &files)
        let (lengths, clip, loadedContent): (LengthSpec, LengthClip, ContentSpec)
        if let lengthsNode = o.optional("lengths") {
            (lengths, clip, loadedContent) = try loadLengths(lengthsNode, hasTrace: !arrivals.isSynthetic, files: &files)
            if case .sessions = arrivals, !loadedContent.isEmpty {
                let lengthsObject = try lengthsNode.object()
                let key = lengthsObject.optional("num_dataset_entries") ?? lengthsObject.optional("prefix_len")
                    ?? lengthsObject.optional("random_prefix_len") ?? lengthsNode
                throw key.error("sessions make their own shared prompts (system_prompt_len); a prompt pool or prefix_len does not apply to them")
            }
        } else if !arrivals.isSynthetic {
            (lengths, clip, loadedContent) = (.trace, LengthClip(), ContentSpec())
        } else {
            throw o.missing("lengths")
        }
        var content = loadedContent
        if case .trace = lengths, case let .trace(table) = arrivals, table.hasBlocks { content.traceBlocks = true }
        return Source(arrivals: arrivals, lengths: lengths, clip: clip, instance: instance, maxConcurrency: maxConcurrency,
                      maxRequests: nil, duration: nil, streamPrefix: prefix, content: content)
    }

    /// `shares:` as instance weights (equal weights when absent or with one instance).
    private static func loadShares(_ node: ConfigNode?, instanceCount: Int) throws -> InstanceChoice {
        guard let node else {
            return instanceCount == 1 ? .fixed(0) : .weighted(Array(repeating: 1, count: instanceCount))
        }
        let items = try node.list()
        guard items.count == instanceCount else {
            throw node.error("expected \(instanceCount) weights, one per instance, found \(items.count)")
        }
        let weights = try items.map { item in
            let weight = try item.double()
            guard weight >= 0 else { throw item.error("expected a weight of 0 or more, found \(weight)") }
            return weight
        }
        guard weights.reduce(0, +) > 0 else { throw node.error("expected at least one positive weight, found all zero") }
        return instanceCount == 1 ? .fixed(0) : .weighted(weights)
    }
}

/// Finds and reads the data files a workload names, each parsed once per process: the points of a sweep that name one
/// file share one parse, and a file changed between two loads is read again (``ParsedFileCache``).
struct DataFiles {
    /// The traces parsed so far, by format and path.
    static let traces = ParsedFileCache<TraceTable>()
    /// The length tables parsed so far, by path.
    static let lengthTables = ParsedFileCache<LengthTable>()

    let projectRoot: String
    let baseDirectory: String
    /// Each instance's longest sequence in tokens (the default limit of a session's turns).
    var contextTokens: [Int] = []

    init(projectRoot: String, baseDirectory: String) {
        self.projectRoot = projectRoot
        self.baseDirectory = baseDirectory
    }

    /// The file `node` names: absolute as given; relative, in the base directory if it exists there, else
    /// under the project root.
    func resolve(_ node: ConfigNode) throws -> String {
        let path = try node.string()
        guard !path.isEmpty else { throw node.error("expected a file path, found an empty string") }
        if path.hasPrefix("/") { return path }
        let inBase = Self.join(baseDirectory, path)
        if Self.isFile(inBase) { return inBase }
        let inRoot = Self.join(projectRoot, path)
        if Self.isFile(inRoot) { return inRoot }
        throw node.error("no such file: looked for \(inBase) and \(inRoot)")
    }

    /// The trace at `node`'s path, read in `format`.
    func trace(_ node: ConfigNode, path: String, format: TraceTable.Format) throws -> TraceTable {
        try Self.traces.value(key: "\(format.rawValue):\(path)", path: path) {
            let text = try Self.read(path, for: node)
            do throws(DataFileError) { return try TraceTable(text: text, format: format) } catch { throw error.configError(key: node, dataPath: path) }
        }
    }

    /// The length table at `node`'s path.
    func lengthTable(_ node: ConfigNode) throws -> LengthTable {
        let path = try resolve(node)
        return try Self.lengthTables.value(key: path, path: path) {
            let text = try Self.read(path, for: node)
            do throws(DataFileError) {
                if let format = LengthTable.traceFormat(path: path, text: text) {
                    // A trace file used only for its lengths: its own prompt and output columns.
                    let trace = try TraceTable(text: text, format: format)
                    return LengthTable(promptTokens: trace.promptTokens, outputTokens: trace.outputTokens)
                }
                return try LengthTable(csv: text)
            } catch { throw error.configError(key: node, dataPath: path) }
        }
    }

    private static func read(_ path: String, for node: ConfigNode) throws -> String {
        do { return try ConfigNode.readText(path: path) } catch let error as ConfigError {
            throw node.error("\(path): \(error.message)")
        }
    }

    private static func join(_ directory: String, _ path: String) -> String {
        directory.isEmpty ? path : (directory.hasSuffix("/") ? directory + path : "\(directory)/\(path)")
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
