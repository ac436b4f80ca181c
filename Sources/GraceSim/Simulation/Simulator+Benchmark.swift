/// A finished run as vLLM's `benchmark_serving` would report it.
extension Simulator {
    /// One ``VLLMBenchmarkResult`` per instance, in the experiment's order, then one over every request (named
    /// "overall"). The token gaps must have been kept (``recordTokenGaps()`` before the run).
    public func benchmarkResults(_ report: RunReport) -> [(name: String, result: VLLMBenchmarkResult)] {
        let states = requests.states
        var gaps = [[Int64]](repeating: [], count: states.count)
        for instance in instances {
            for entry in instance.metrics.tokenGapLog ?? [] { gaps[Int(entry.request)].append(entry.gapNs) }
        }
        func result(instance: Int?, goodput: Double?) -> VLLMBenchmarkResult {
            var records: [VLLMBenchmarkResult.Request] = []
            for (id, state) in states.enumerated() where instance == nil || Int(state.instance) == instance {
                switch state.outcome {
                case .finished:
                    records.append(.init(inputTokens: Int(state.promptTokens), outputTokens: Int(state.generatedTokens),
                                         ttftNs: state.firstTokenNs - state.arrivalNs, itlNs: gaps[id],
                                         arrivalNs: state.arrivalNs, instance: Int(state.instance)))
                case .rejected:
                    records.append(.init(inputTokens: Int(state.promptTokens), outputTokens: 0, ttftNs: 0, itlNs: [],
                                         error: "rejected at arrival", arrivalNs: state.arrivalNs, instance: Int(state.instance)))
                case .unfinished:
                    records.append(.init(inputTokens: Int(state.promptTokens), outputTokens: 0, ttftNs: 0, itlNs: [],
                                         error: "unfinished when the run stopped", arrivalNs: state.arrivalNs,
                                         instance: Int(state.instance)))
                }
            }
            let duration = BenchmarkMetrics.duration(of: instance.map { [instances[$0].metrics] } ?? instances.map(\.metrics))
            return VLLMBenchmarkResult(requests: records, duration: duration, goodputRequestsPerSecond: goodput)
        }
        var results = instances.indices.map { index in
            (name: instances[index].spec.name, result: result(instance: index, goodput: report.instances[index].goodputRequestsPerSecond))
        }
        results.append((name: "overall", result: result(instance: nil, goodput: report.overall.goodputRequestsPerSecond)))
        return results
    }

    /// How the experiment sends its requests, in the benchmark's terms: the rate and burstiness of Poisson or Gamma
    /// arrivals, a closed loop's clients as the concurrency limit; for a trace (or several sources) the mean
    /// rate of the arrivals that happened.
    public func benchmarkTraffic() -> VLLMBenchmarkResult.Traffic {
        if experiment.workload.sources.count == 1 {
            let limit = experiment.workload.sources[0].maxConcurrency
            switch experiment.workload.sources[0].arrivals {
            case let .poisson(rate): return .init(requestRate: rate.isFinite ? rate : nil, maxConcurrency: limit)
            case let .gamma(rate, cv): return .init(requestRate: rate.isFinite ? rate : nil, burstiness: 1 / (cv * cv), maxConcurrency: limit)
            case let .closed(clients, _): return .init(requestRate: nil, maxConcurrency: clients)
            case .trace, .sessions: break
            }
        }
        let arrivals = requests.states.map(\.arrivalNs)
        guard let first = arrivals.min(), let last = arrivals.max(), last > first else { return .init(requestRate: nil) }
        return .init(requestRate: Double(arrivals.count - 1) / (Double(last - first) / 1e9), rateConfigured: false)
    }

    /// The experiment as the saved benchmark JSON records it for `gracesim replay` (see ``VLLMBenchmarkResult/Setup``).
    public func benchmarkSetup() -> VLLMBenchmarkResult.Setup {
        VLLMBenchmarkResult.Setup(experiment: experiment.name, hardware: experiment.hardware.name, seed: experiment.seed,
                                  instances: experiment.instances.map(VLLMBenchmarkResult.Setup.Instance.init))
    }

    /// The `model_id` of the saved benchmark JSON: the model as the experiment names it (each distinct one, joined
    /// by `+`, with several instances).
    public var benchmarkModelId: String {
        var seen: [String] = []
        for instance in experiment.instances where !seen.contains(instance.modelReference) { seen.append(instance.modelReference) }
        return seen.joined(separator: "+")
    }
}
