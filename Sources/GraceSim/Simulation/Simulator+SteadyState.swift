/// A run measured after its warm-up: the report over the requests of a ``MeasurementWindow``, and whether the run
/// reached a steady state there.
extension Simulator {
    /// Records the token gaps and rejections of the requests of each group of `window` apart from the rest, for
    /// ``report(over:groups:)``. Call it before the first step.
    public func measure(from window: MeasurementWindow) {
        for instance in instances {
            instance.metrics.window = window
            instance.metrics.windowTokenGaps = window.starts.map { _ in TokenGapHistogram() }
            instance.metrics.windowTokenGapsWithPrefill = window.starts.map { _ in 0 }
            instance.metrics.windowRejected = window.starts.map { _ in [:] }
        }
    }

    /// The report of the run so far with every request metric (latencies, throughputs, goodput, request counts)
    /// over the requests of the `groups` of `window` only (all of them by default), the window set with
    /// ``measure(from:)`` before the run. Throughputs are over those requests' duration: from their first arrival to
    /// their last completion. What is not a request's (iterations, preemptions, KV use, link traffic, strategy
    /// counters) stays over the whole run.
    public func report(over window: MeasurementWindow, groups: Range<Int>? = nil) -> RunReport {
        let groups = groups ?? window.starts.indices
        let states = requests.states
        var metrics = instances.map { instance -> InstanceMetrics in
            var m = instance.metrics
            let recorded = m.window == window
            m.ttftNs = []
            m.endToEndNs = []
            m.timePerOutputTokenNs = []
            m.maxTokenGapNs = []
            m.tokenGaps = TokenGapHistogram()
            m.tokenGapsWithPrefill = 0
            m.rejected = [:]
            for group in groups where recorded {
                m.tokenGaps.merge(m.windowTokenGaps[group])
                m.tokenGapsWithPrefill += m.windowTokenGapsWithPrefill[group]
                m.rejected.merge(m.windowRejected[group], uniquingKeysWith: +)
            }
            m.arrived = 0
            m.finished = 0
            m.promptTokens = 0
            m.outputTokens = 0
            m.firstArrival = nil
            m.lastFinish = nil
            return m
        }
        var meetingSLO = experiment.slo.map { _ in [Int](repeating: 0, count: instances.count) }
        for (id, state) in states.enumerated() {
            guard let group = window.group(id: Int32(id), arrivalNs: state.arrivalNs), groups.contains(group) else { continue }
            let index = Int(state.instance)
            metrics[index].arrived += 1
            let arrival = SimTime(ns: state.arrivalNs)
            metrics[index].firstArrival = min(metrics[index].firstArrival ?? arrival, arrival)
            if state.firstTokenNs >= 0 {
                metrics[index].ttftNs.append(state.firstTokenNs - state.arrivalNs)
                metrics[index].promptTokens += Int(state.promptTokens)
                metrics[index].outputTokens += Int(state.generatedTokens)
            }
            guard state.phase == .finished else { continue }
            metrics[index].finished += 1
            metrics[index].endToEndNs.append(state.finishNs - state.arrivalNs)
            let finish = SimTime(ns: state.finishNs)
            metrics[index].lastFinish = max(metrics[index].lastFinish ?? finish, finish)
            if let tpot = state.timePerOutputTokenNs {
                metrics[index].timePerOutputTokenNs.append(tpot)
                metrics[index].maxTokenGapNs.append(state.maxTokenGapNs)
            }
            if let slo = experiment.slo, slo.isMet(by: state) { meetingSLO?[index] += 1 }
        }
        return report(metrics: metrics, requestsMeetingSLO: meetingSLO)
    }

    /// Whether the run reached a steady state over `window` (see ``SteadyState``). The number in the system is
    /// counted over every request, the warm-up's included, at each arrival of the window. O(n log n) in the requests.
    public func steadyState(over window: MeasurementWindow) -> SteadyState {
        let states = requests.states
        var finishes: [Int64] = []
        var windowArrivals: [(id: Int, arrivalNs: Int64)] = []
        var e2es: [Int64] = []
        var unfinished = 0
        for (id, state) in states.enumerated() {
            if state.phase == .finished { finishes.append(state.finishNs) }
            guard window.group(id: Int32(id), arrivalNs: state.arrivalNs) != nil else { continue }
            windowArrivals.append((id, state.arrivalNs))
            switch state.outcome {
            case .finished: e2es.append(state.finishNs - state.arrivalNs)
            case .unfinished: unfinished += 1
            case .rejected: break
            }
        }
        finishes.sort()
        // Requests admitted (not rejected) among ids 0..<i, for the number in the system at each arrival.
        var admittedBefore = [Int](repeating: 0, count: states.count + 1)
        for (id, state) in states.enumerated() { admittedBefore[id + 1] = admittedBefore[id] + (state.phase == .rejected ? 0 : 1) }
        var inSystem: [Double] = []
        var done = 0
        for arrival in windowArrivals {
            while done < finishes.count && finishes[done] <= arrival.arrivalNs { done += 1 }
            inSystem.append(Double(admittedBefore[arrival.id + 1] - done))
        }
        let half = inSystem.count / 2
        func mean(_ values: ArraySlice<Double>) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        let span = windowArrivals.isEmpty ? 0 : Double(windowArrivals.last!.arrivalNs - windowArrivals.first!.arrivalNs) / 1e9
        let warmup = windowArrivals.first.map { Double($0.arrivalNs - (states.first?.arrivalNs ?? 0)) / 1e9 } ?? 0
        return SteadyState(requests: windowArrivals.count, warmupSeconds: warmup, arrivalSpanSeconds: span,
                           p99E2ESeconds: e2es.isEmpty ? 0 : LatencySummary(exactNs: e2es).p99Ms / 1e3,
                           meanInSystemFirstHalf: mean(inSystem[..<half]), meanInSystemSecondHalf: mean(inSystem[half...]),
                           unfinished: unfinished)
    }
}
