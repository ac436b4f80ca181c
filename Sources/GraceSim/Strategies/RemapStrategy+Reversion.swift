/// Dynamic reversion, the memory invariant and the report of ``RemapStrategy``.
extension RemapStrategy {
    /// When more than ``RemapOptions/reversionFreeFraction`` of `instance`'s pool is free and some of it was
    /// lent from weights, takes lent blocks back and reloads one weight layer (one way, host to device). Restores
    /// first the instance the victim order would take last; under spatial sharing only `instance`'s own layers.
    /// One reload at a time.
    func revertIfIdle(_ instance: ServingInstance, now: SimTime) {
        guard reloadInFlight == nil, let context else { return }
        let pool = instance.pool
        let lent = states[instance.index].lentBlocks
        guard lent > 0, Double(pool.freeBlocks) > options.reversionFreeFraction * Double(pool.capacityBlocks) else { return }
        let candidates = context.instances.filter { states[$0.index].remapped > 0 && (!spatial || $0.index == instance.index) }.sorted { a, b in
            let (ra, rb) = (states[a.index].lastEnd, states[b.index].lastEnd)
            if ra != rb { return options.victim == .mru ? Self.ranLater(rb, than: ra) : Self.ranLater(ra, than: rb) }
            return a.index < b.index
        }
        guard let target = candidates.first else { return }
        let layerBytes = target.spec.model.weightBytesPerLayer
        let purse = purse(of: instance.index)
        let missing: Int64 = max(0, layerBytes - freeBytes[purse])
        let blocks = Int((missing + pool.blockBytes - 1) / pool.blockBytes)
        guard blocks <= min(lent, pool.freeBlocks) else { return }
        if blocks > 0 {
            context.apply(MemoryDecision(poolBlocks: -blocks), to: instance.index)
            states[instance.index].lentBlocks -= blocks
            freeBytes[purse] += Int64(blocks) * pool.blockBytes
        }
        freeBytes[purse] -= layerBytes
        // The last remapped layer brings its buffer slots back as resident layers too.
        let state = states[target.index]
        let layersToLoad = state.remapped == 1 ? 1 + state.buffers : 1
        let transfer = context.startTransfer(bytes: Int64(layersToLoad) * layerBytes, direction: .hostToDevice,
                                             purpose: .weightReload, instance: target.index)
        reloadInFlight = Reload(instance: target.index, transfer: transfer, bytes: layerBytes)
    }

    public func transferFinished(_ transfer: Transfer, now: SimTime) {
        guard let pending = reloadInFlight, pending.transfer == transfer.id else { return }
        var state = states[pending.instance]
        state.remapped -= 1
        if state.remapped == 0 { state.buffers = 0 }
        state.reversions += 1
        state.remappedSeries.set(Double(state.remapped), now: now)
        states[pending.instance] = state
        reloadInFlight = nil
        context?.note(.reversion(instance: pending.instance, remappedLayers: state.remapped))
    }

    public func gpuMemory(instance: ServingInstance) -> GPUMemoryUse {
        let state = states[instance.index]
        let layerBytes = instance.spec.model.weightBytesPerLayer
        return GPUMemoryUse(weightBytes: instance.spec.model.totalWeightBytes - Int64(state.remapped + state.buffers) * layerBytes,
                            kvBytes: Int64(instance.pool.capacityBlocks) * instance.pool.blockBytes,
                            bufferBytes: Int64(state.buffers) * layerBytes)
    }

    public func unassignedGPUBytes(instance: ServingInstance?) -> Int64 {
        guard let instance else { return freeBytes.reduce(0, +) + (reloadInFlight?.bytes ?? 0) }
        guard perInstanceMemory else { return 0 }
        let reload = reloadInFlight?.instance == instance.index ? reloadInFlight!.bytes : 0
        return freeBytes[instance.index] + reload
    }

    /// RM-1: no remapped memory is lent twice (free bytes ≥ 0). RM-2: 0 ≤ α and α + buffers within the cap.
    /// RM-3: lent blocks are ≥ 0 and within the pool. (The GPU memory total is the simulator's HBM-1.)
    public func checkInvariants() -> [InvariantViolation] {
        guard let context else { return [] }
        var problems: [InvariantViolation] = []
        if let negative = freeBytes.first(where: { $0 < 0 }) { problems.append(InvariantViolation("RM-1", "free remapped memory is \(negative) bytes")) }
        for instance in context.instances {
            let state = states[instance.index]
            let overCap = state.remapped > 0 && Double(state.remapped + state.buffers) > options.cap * Double(instance.spec.model.layers) + 1e-9
            if state.remapped < 0 || overCap {
                problems.append(InvariantViolation("RM-2", "\(instance.spec.name) has \(state.remapped) remapped layers and \(state.buffers) buffers"))
            }
            if state.lentBlocks < 0 || state.lentBlocks > instance.pool.capacityBlocks {
                problems.append(InvariantViolation("RM-3", "\(instance.spec.name) has \(state.lentBlocks) lent blocks of \(instance.pool.capacityBlocks)"))
            }
        }
        return problems
    }

    public func report(instance: ServingInstance, end: SimTime) -> StrategyReport {
        let state = states[instance.index]
        return StrategyReport(
            counters: [
                "remapped_layers_min": state.remappedSeries.minimum,
                "remapped_layers_mean": state.remappedSeries.mean(end: end),
                "remapped_layers_max": state.remappedSeries.maximum,
                "remapped_layers_end": Double(state.remapped),
                "buffers_end": Double(state.buffers),
                "remaps": Double(state.remaps),
                "remaps_rule_waived": Double(state.remapsRuleWaived),
                "reversions": Double(state.reversions),
                "layers_streamed": Double(state.layersStreamed),
                "remapped_passes": Double(state.remappedPasses),
                "decode_stream_compute_ms": state.decodeStreamCompute.milliseconds,
                "decode_stream_stall_ms": state.decodeStreamStall.milliseconds,
                "lent_blocks_end": Double(state.lentBlocks),
            ],
            series: ["remapped_layers": state.remappedSeries.points])
    }
}
