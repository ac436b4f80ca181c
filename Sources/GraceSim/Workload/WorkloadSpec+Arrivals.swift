/// Reading `arrivals:`.
///
/// ```yaml
/// arrivals: {kind: poisson, rate: 2.5}            # requests per second, > 0
/// arrivals: {kind: gamma, rate: 2.5, cv: 4}       # cv from 0.01 to 100: coefficient of variation of the gaps
/// arrivals:
///   kind: trace
///   path: Workloads/traces/azure-code-2023.csv
///   format: azure          # or mooncake; default from the extension (.csv azure, .jsonl mooncake)
///   rate_scale: 2.0        # replay twice as fast (gaps divided by 2); default 1
///   start_s: 600           # window in seconds from the trace's first request, [start_s, end_s);
///   end_s: 1200            # the window's start becomes time 0. Defaults: 0 and the end of the trace
/// arrivals: {kind: closed, clients: 8, think_time_s: 0.5}
/// arrivals: {kind: poisson, rate: inf}                # vLLM's --request-rate inf: every request at time 0
/// arrivals: {kind: poisson, rate: 4, burstiness: 0.5} # vLLM's --burstiness: Gamma gaps of shape 0.5 (cv 1/√0.5)
/// arrivals: {kind: poisson, rate: 4, max_concurrency: 8}   # vLLM's --max-concurrency beside a rate
/// ```
/// vLLM's benchmark settings: `rate: inf` (also `.inf`) sends every request at once and needs `max_requests`;
/// `burstiness` (10⁻⁴ to 10⁴, instead of `cv`) is the Gamma shape, cv = 1/√burstiness; `max_concurrency` (1 to
/// 1,000,000) keeps at most that many requests in flight: a request whose time has come waits until one ends, and
/// is sent then (its TTFT counts from there, as the benchmark measures it). With `rate: inf` that is a closed loop
/// of `max_concurrency` clients with no think time.
/// `closed` is a closed loop (`benchmark_serving --max-concurrency`, or users who wait for an answer): each of
/// `clients` (1 to 1,000,000) sends its first request at time 0, and each later one `think_time_s` seconds
/// (default 0, at most 10⁹) after its previous one finished or was rejected. It needs `max_requests` or
/// `duration_s` to end. Under `shares` each request's instance is drawn as usual; a tenant's clients stay
/// with its instance. `sessions` (multi-turn conversations) is described in `WorkloadSpec+Sessions.swift`.
extension WorkloadSpec {
    enum ArrivalKind: String, CaseIterable { case poisson, gamma, trace, closed, sessions }

    /// The coefficients of variation a Gamma process may have: its shape 1/cv² then stays from 10⁻⁴ to 10⁴,
    /// where the sampler is accurate (burstiness measured in serving traces is a few units).
    static let gammaCVs = 0.01...100.0

    /// Most clients of a closed loop: each has a request at time 0, so this bounds the first instant's work.
    static let maxClients = 1_000_000

    /// The burstiness values vLLM's `--burstiness` may take here: those whose cv is in ``gammaCVs``.
    static let burstinesses = 1e-4...1e4

    static func loadArrivals(_ node: ConfigNode, files: inout DataFiles) throws -> (spec: ArrivalSpec, maxConcurrency: Int?) {
        let o = try node.object()
        let spec: ArrivalSpec
        var maxConcurrency: Int?
        let kind = try o.required("kind").choice(ArrivalKind.self)
        switch kind {
        case .poisson, .gamma:
            let rate = try self.rate(o)
            var cv = 1.0
            if o.has("burstiness") {
                if let cvNode = o.optional("cv") { throw cvNode.error("cv and burstiness are one setting (cv = 1/√burstiness); give only one of them") }
                let burstiness = try o.double("burstiness", in: burstinesses)
                cv = 1 / burstiness.squareRoot()
            } else if kind == .gamma {
                cv = try o.double("cv", in: gammaCVs)
            }
            maxConcurrency = try o.optional("max_concurrency").map { _ in try o.positiveInt("max_concurrency", atMost: maxClients) }
            if rate == .infinity, let clients = maxConcurrency {
                spec = .closed(clients: clients, thinkTime: .zero)
                maxConcurrency = nil
            } else {
                spec = kind == .poisson && cv == 1 ? .poisson(ratePerSecond: rate) : .gamma(ratePerSecond: rate, cv: cv)
            }
        case .trace:
            spec = .trace(try loadTrace(o, files: &files))
        case .closed:
            let clients = try o.positiveInt("clients", atMost: maxClients)
            spec = .closed(clients: clients, thinkTime: try thinkTime(o.optional("think_time_s")))
        case .sessions:
            spec = .sessions(try loadSessions(o, contextTokens: files.contextTokens))
        }
        try o.finish()
        return (spec, maxConcurrency)
    }

    /// `rate`: requests per second greater than 0, or `inf` (`.inf`, `infinity`), vLLM's every request at once.
    private static func rate(_ o: ConfigObject) throws -> Double {
        let node = try o.required("rate")
        if let text = node.scalarText?.lowercased(), ["inf", ".inf", "infinity", "+inf", "+.inf"].contains(text) {
            return .infinity
        }
        return try o.positiveDouble("rate")
    }

    /// `think_time_s`: finite seconds from 0 to 10⁹; zero when absent.
    private static func thinkTime(_ node: ConfigNode?) throws -> SimTime {
        guard let node else { return .zero }
        let limit = ConfigObject.maxSeconds
        guard let seconds = try? node.double(), seconds >= 0, seconds <= limit else {
            let found = (try? node.string()).map { "\($0)" } ?? "a value that is not a number"
            throw node.error("expected a think time in seconds from 0 to \(limit), found \(found)")
        }
        return SimTime.seconds(seconds)
    }

    private static func loadTrace(_ o: ConfigObject, files: inout DataFiles) throws -> TraceTable {
        let pathNode = try o.required("path")
        let path = try files.resolve(pathNode)
        let format: TraceTable.Format
        if let formatNode = o.optional("format") {
            format = try formatNode.choice()
        } else if let guessed = TraceTable.Format.guess(path: path) {
            format = guessed
        } else {
            throw pathNode.error("cannot tell the trace format from the file name; set format: azure or mooncake")
        }
        let rateScale = try o.positiveDouble("rate_scale", default: 1)
        let startS = try o.double("start_s", in: 0...1e9, default: 0)
        let endNode = o.optional("end_s")
        let endS = try endNode?.double()
        if let endNode, let endS, endS <= startS {
            throw endNode.error("expected end_s greater than start_s (\(startS)), found \(endS)")
        }
        var trace = try files.trace(pathNode, path: path, format: format)
        if o.has("start_s") || endNode != nil {
            trace = trace.window(start: .seconds(startS), end: endS.map { SimTime.seconds(min($0, 1e9)) } ?? .infinity)
            if trace.count == 0 {
                let key = try endNode ?? o.required("start_s")
                let end = endS.map { "\($0)" } ?? "the end"
                throw key.error("the window from \(startS) s to \(end) selects no requests of \(path)")
            }
        }
        guard let scaled = trace.scaled(by: rateScale) else {
            throw try o.required("rate_scale").error("rate_scale \(rateScale) stretches the trace beyond 10¹⁸ ns")
        }
        // Like a rate that takes too long to bring its requests (WorkloadSpec.maxArrivalSpanSeconds), a replay
        // of centuries is idle time whose per-interval samples fill memory.
        if let lastNs = scaled.arrivalNs.last, Double(lastNs) / 1e9 > maxArrivalSpanSeconds {
            let key = o.optional("rate_scale") ?? (o.optional("end_s") ?? pathNode)
            throw key.error(String(format: "the replay of %@ spans %.3g s, more than %.0e s; expected a trace (or start_s/end_s window, or rate_scale) that spans less",
                                   path, Double(lastNs) / 1e9, maxArrivalSpanSeconds))
        }
        return scaled
    }
}
