/// Reading `arrivals:`.
///
/// ```yaml
/// arrivals: {kind: poisson, rate: 2.5}            # requests per second, > 0
/// arrivals: {kind: gamma, rate: 2.5, cv: 4}       # cv > 0: coefficient of variation of the gaps
/// arrivals:
///   kind: trace
///   path: Workloads/traces/azure-code-2023.csv
///   format: azure          # or mooncake; default from the extension (.csv azure, .jsonl mooncake)
///   rate_scale: 2.0        # replay twice as fast (gaps divided by 2); default 1
///   start_s: 600           # window in seconds from the trace's first request, [start_s, end_s);
///   end_s: 1200            # the window's start becomes time 0. Defaults: 0 and the end of the trace
/// ```
extension WorkloadSpec {
    enum ArrivalKind: String, CaseIterable { case poisson, gamma, trace }

    static func loadArrivals(_ node: ConfigNode, files: inout DataFiles) throws -> ArrivalSpec {
        let o = try node.object()
        let spec: ArrivalSpec
        switch try o.required("kind").choice(ArrivalKind.self) {
        case .poisson:
            spec = .poisson(ratePerSecond: try o.positiveDouble("rate"))
        case .gamma:
            spec = .gamma(ratePerSecond: try o.positiveDouble("rate"), cv: try o.positiveDouble("cv"))
        case .trace:
            spec = .trace(try loadTrace(o, files: &files))
        }
        try o.finish()
        return spec
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
            trace = trace.window(startNs: SimTime.seconds(startS).ns, endNs: endS.map { SimTime.seconds(min($0, 1e9)).ns } ?? .max)
            if trace.count == 0 {
                let key = try endNode ?? o.required("start_s")
                let end = endS.map { "\($0)" } ?? "the end"
                throw key.error("the window from \(startS) s to \(end) selects no requests of \(path)")
            }
        }
        guard let scaled = trace.scaled(by: rateScale) else {
            throw try o.required("rate_scale").error("rate_scale \(rateScale) stretches the trace beyond 10¹⁸ ns")
        }
        return scaled
    }
}
