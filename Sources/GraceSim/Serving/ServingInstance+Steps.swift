/// A step's life on the instance: its batch formed by the engine's ``StepScheduler``, then its results applied.
extension ServingInstance {
    /// Fills ``batch`` for an iteration starting at `now`.
    /// - Returns: false when there is nothing to run.
    public func scheduleIteration(now: SimTime) -> Bool {
        let preemptionsBefore = metrics.preemptions
        fillBatch(now: now)
        // A step that preempted every running request for recompute has nothing to run, yet its requests are back
        // in the queue. vLLM's engine loop steps again at once while requests are unfinished, and that step may
        // admit them (with nothing running, a strategy may lend more: see `makeRoom`), so schedule it now rather
        // than leave the instance idle until an unrelated event, or for ever when none comes.
        if !batch.hasWork && metrics.preemptions > preemptionsBefore && running.isEmpty && !waiting.isEmpty {
            fillBatch(now: now)
        }
        noteKVUsage(now: now)
        return batch.hasWork
    }

    /// One pass of the engine's scheduler into a cleared ``batch``.
    private func fillBatch(now: SimTime) {
        batch.removeAll()
        scheduler.fillBatch(self, now: now)
    }

    /// Inserts into `running`, keeping arrival (id) order (vLLM V0's running queue).
    func insertRunningInArrivalOrder(_ id: Int32) {
        if let last = running.last, last > id {
            let position = running.firstIndex { $0 > id } ?? running.count
            running.insert(id, at: position)
        } else {
            running.append(id)
        }
    }

    // MARK: Completion

    /// Applies the batch that ran until `now`: computes KV, emits tokens, finishes requests.
    public func completeIteration(now: SimTime, startedAt start: SimTime) {
        metrics.iterations += 1
        metrics.busyTime += now - start
        let anyFinished = Self.applyBatch(batch, now: now, states: &requests.states, metrics: &metrics, pool: &pool,
                                          prefixCache: prefixCache)
        if anyFinished {
            running.removeAll { requests.states[Int($0)].phase == .finished }
        }
        batch.removeAll()
        noteKVUsage(now: now)
    }

    /// The per-request work of ``completeIteration(now:startedAt:)``, on inout copies so that the loop
    /// pays no exclusivity checks. Returns whether any request finished.
    private static func applyBatch(_ batch: Batch, now: SimTime, states: inout ContiguousArray<RequestState>,
                                   metrics: inout InstanceMetrics, pool: inout KVBlockPool,
                                   prefixCache: PrefixCache?) -> Bool {
        var anyFinished = false
        let prefillTokens = Int32(clamping: batch.shape.prefillTokens)
        // The request this iteration prefilled, `severalRequests` for more than one, nil for none.
        var prefillOwner: Int32?
        for k in 0..<batch.count {
            let id = Int(batch.ids[k])
            let chunk = batch.prefillChunks[k]
            var state = states[id]
            if chunk == 0 {
                state.computedTokens += 1
            } else {
                prefillOwner = prefillOwner == nil ? Int32(id) : PrefillGapTracker.severalRequests
                state.computedTokens += chunk
                guard state.computedTokens == state.sequenceTokens else {
                    states[id] = state
                    continue
                }
                state.phase = .decoding
                // A prompt counts once, when its first prefill completes. (Counting chunks as they ran, skipping
                // re-prefills, lost the rest of a prompt whose chunked prefill was preempted part-way.)
                if state.generatedTokens == 0 { metrics.promptTokens += Int(state.promptTokens) }
            }
            emitToken(&state, id: Int32(id), othersPrefill: prefillTokens > chunk, now: now, metrics: &metrics)
            if state.generatedTokens == state.outputTokens {
                if let prefixCache {
                    prefixCache.release(Int32(id), blocks: state.blocks, pool: &pool)
                } else {
                    pool.release(Int(state.blocks))
                }
                finish(&state, now: now, metrics: &metrics)
                anyFinished = true
            }
            states[id] = state
        }
        if let prefillOwner { metrics.prefillGapTracker.notePrefill(end: now, owner: prefillOwner) }
        return anyFinished
    }

    /// Records a token of `id`; `othersPrefill` when this iteration ran prefill tokens of other requests.
    @inline(__always)
    private static func emitToken(_ state: inout RequestState, id: Int32, othersPrefill: Bool, now: SimTime,
                                  metrics: inout InstanceMetrics) {
        state.generatedTokens += 1
        metrics.outputTokens += 1
        if state.firstTokenNs < 0 {
            state.firstTokenNs = now.ns
            metrics.ttftNs.append(now.ns - state.arrivalNs)
        } else {
            let gapNs = now.ns - state.lastTokenNs
            metrics.tokenGaps.record(gapNs)
            metrics.tokenGapLog?.append((id, gapNs))
            if gapNs > state.maxTokenGapNs { state.maxTokenGapNs = gapNs }
            let withPrefill = othersPrefill || metrics.prefillGapTracker.latestPrefillEnd(notOf: id).ns > state.lastTokenNs
            if withPrefill { metrics.tokenGapsWithPrefill += 1 }
            if let window = metrics.window, let group = window.group(id: id, arrivalNs: state.arrivalNs) {
                metrics.windowTokenGaps[group].record(gapNs)
                if withPrefill { metrics.windowTokenGapsWithPrefill[group] += 1 }
            }
        }
        state.lastTokenNs = now.ns
    }

    /// Marks a request finished whose blocks the caller has released.
    private static func finish(_ state: inout RequestState, now: SimTime, metrics: inout InstanceMetrics) {
        state.blocks = 0
        state.phase = .finished
        metrics.finished += 1
        metrics.endToEndNs.append(now.ns - state.arrivalNs)
        metrics.lastFinish = now
        if let tpotNs = state.timePerOutputTokenNs {
            metrics.timePerOutputTokenNs.append(tpotNs)
            metrics.maxTokenGapNs.append(state.maxTokenGapNs)
        }
    }
}
