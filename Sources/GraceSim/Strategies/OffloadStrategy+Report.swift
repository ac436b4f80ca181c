extension OffloadStrategy {
    /// OF-1: each instance's reserved host KV stays within 0 and ``Options/hostKVBytes``.
    /// OF-2: every host-resident request that has not finished has its KV on the host and holds no GPU blocks.
    public func checkInvariants() -> [InvariantViolation] {
        var problems: [InvariantViolation] = []
        for (index, s) in instanceStates.enumerated() {
            if s.hostKVBytes < 0 || s.hostKVBytes > options.hostKVBytes {
                problems.append(InvariantViolation("OF-1", "instance \(index) reserves \(s.hostKVBytes) bytes of host KV of \(options.hostKVBytes)"))
            }
            guard let states = context?.requests.states else { continue }
            for id in s.hostRequests {
                let state = states[Int(id)]
                if state.phase != .finished && (!state.kvOnHost || state.blocks != 0) {
                    problems.append(InvariantViolation("OF-2", "host-resident request \(id) of instance \(index) holds \(state.blocks) GPU blocks, kvOnHost \(state.kvOnHost)"))
                }
            }
        }
        return problems
    }

    public func report(instance: ServingInstance, end: SimTime) -> StrategyReport {
        guard instanceStates.indices.contains(instance.index) else { return StrategyReport() }
        let s = instanceStates[instance.index]
        let cpu = cpuModel(instance: instance.index)
        let gib = Double(1 << 30)
        return StrategyReport(counters: [
            "host_resident_min": s.residents.minimum,
            "host_resident_mean": s.residents.mean(end: end),
            "host_resident_max": s.residents.maximum,
            "host_kv_gib": Double(options.hostKVBytes) / gib,
            "host_kv_peak_gib": Double(s.peakHostKVBytes) / gib,
            "cpu_attention_s": s.cpuAttentionSeconds,
            "cpu_bound_iterations": Double(s.cpuBoundIterations),
            "cpu_budget_stops": Double(s.cpuBudgetStops),
            "host_memory_stops": Double(s.hostMemoryStops),
            "cpu_cores": Double(cpu.cores),
            "cpu_read_gb_per_s": cpu.readBytesPerSecond / 1e9,
        ], series: ["host_resident": s.residents.points])
    }
}
