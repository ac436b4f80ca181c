/// vLLM V0's scheduler (docs/paper.md, "Rival strategies"), one step at a time.
///
/// Without chunked prefill a step is all-prefill (waiting requests in FCFS order while the token budget,
/// `max_num_seqs` and the KV watermark allow, and only when no request is swapped out) or, when no prefill
/// could be admitted, all-decode (every running request, preempting the latest-arrived when a block is
/// missing, then swapped requests coming back if nothing was preempted). With chunked prefill, decodes go
/// first, then swapped requests, then unfinished prefills, then new prompts, each chunk cut to the budget left.
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

    /// One pass of vLLM V0's scheduling policy into a cleared ``batch``.
    private func fillBatch(now: SimTime) {
        batch.removeAll()
        if spec.chunkedPrefill {
            scheduleChunked(now: now)
        } else if !(swapped.isEmpty && schedulePrefills(now: now)) {
            let preemptionsBefore = metrics.preemptions
            let budget = scheduleDecodes(now: now, tokenBudget: Int.max)
            if metrics.preemptions == preemptionsBefore { scheduleSwapIns(now: now, tokenBudget: budget) }
        }
    }

    /// Admits waiting requests as whole prefills. Returns whether any was admitted.
    private func schedulePrefills(now: SimTime) -> Bool {
        var tokens = 0
        while let id = waiting.first, running.count < spec.maxNumSeqs {
            let sequence = requests.states[Int(id)].sequenceTokens
            // A re-prefill may exceed the budget; it then runs alone rather than never.
            if tokens + Int(sequence) > spec.maxNumBatchedTokens && !batch.isEmpty { break }
            guard admit(id, now: now) else { break }
            tokens += Int(sequence)
            batch.addPrefill(id, chunk: sequence, priorTokens: 0, samples: true)
        }
        return !batch.isEmpty
    }

    /// Moves `id` from the front of waiting to running with blocks for its whole sequence, if the pool
    /// keeps its watermark afterwards.
    private func admit(_ id: Int32, now: SimTime) -> Bool {
        let needed = Int(pool.blocks(forTokens: requests.states[Int(id)].sequenceTokens))
        if pool.freeBlocks - needed < watermarkBlocks {
            let short = needed + watermarkBlocks - pool.freeBlocks
            apply(strategy.makeRoomToAdmit(blocks: short, instance: self, now: now))
            if pool.freeBlocks - needed < watermarkBlocks { return false }
        }
        waiting.removeFirst()
        pool.allocate(needed)
        requests.states[Int(id)].blocks = Int32(needed)
        requests.states[Int(id)].phase = spec.chunkedPrefill ? .prefilling : .decoding
        insertRunning(id)
        return true
    }

    /// Inserts into `running`, keeping arrival (id) order.
    private func insertRunning(_ id: Int32) {
        if let last = running.last, last > id {
            let position = running.firstIndex { $0 > id } ?? running.count
            running.insert(id, at: position)
        } else {
            running.append(id)
        }
    }

    /// Adds a decode step for every decoding request in `running` order, within `tokenBudget`.
    /// Returns the budget left.
    @discardableResult
    private func scheduleDecodes(now: SimTime, tokenBudget: Int) -> Int {
        var budget = tokenBudget
        var i = 0
        while true {
            // The loop over requests runs on inout copies (no per-request exclusivity checks); it stops at a
            // request whose next block is not free, which is handled here with the strategy and preemption.
            let needed = Self.addDecodes(running: running, from: &i, budget: &budget, states: &requests.states,
                                         pool: &pool, batch: &batch)
            guard needed > 0 else { break }
            let id = running[i]
            guard makeFree(needed, for: id, now: now) else { break }
        }
        return budget
    }

    /// Adds decode steps for `running[i...]` while blocks are free; returns 0 when done, or the blocks the
    /// request at `i` still needs.
    private static func addDecodes(running: [Int32], from i: inout Int, budget: inout Int,
                                   states: inout ContiguousArray<RequestState>, pool: inout KVBlockPool,
                                   batch: inout Batch) -> Int {
        while i < running.count && budget > 0 {
            let id = running[i]
            let state = states[Int(id)]
            if state.kvOnHost {
                batch.addHostDecode(id, contextTokens: state.sequenceTokens)
                budget -= 1
            } else if state.phase == .decoding {
                let needed = Int(pool.blocks(forTokens: state.sequenceTokens) - state.blocks)
                if needed > 0 {
                    if pool.freeBlocks < needed { return needed }
                    pool.allocate(needed)
                    states[Int(id)].blocks += Int32(needed)
                }
                batch.addDecode(id, contextTokens: state.sequenceTokens)
                budget -= 1
            }
            i += 1
        }
        return 0
    }

    /// Brings swapped requests back, FCFS, while their blocks fit above the watermark: each copies its KV back
    /// in this step and decodes in it.
    @discardableResult
    private func scheduleSwapIns(now: SimTime, tokenBudget: Int) -> Int {
        var budget = tokenBudget
        while budget > 0, let id = swapped.first, running.count < spec.maxNumSeqs {
            let state = requests.states[Int(id)]
            let needed = Int(pool.blocks(forTokens: state.sequenceTokens))
            guard pool.freeBlocks - needed >= watermarkBlocks else { break }
            swapped.removeFirst()
            pool.allocate(needed)
            batch.swapInBlocks += Int(pool.blocks(forTokens: state.computedTokens))
            metrics.swapsIn += 1
            requests.states[Int(id)].blocks = Int32(needed)
            requests.states[Int(id)].phase = .decoding
            insertRunning(id)
            batch.addDecode(id, contextTokens: state.sequenceTokens)
            budget -= 1
        }
        return budget
    }

    /// vLLM V0 with chunked prefill: decodes first, then swapped requests, then running prefills, then new prompts.
    private func scheduleChunked(now: SimTime) {
        let preemptionsBefore = metrics.preemptions
        var budget = scheduleDecodes(now: now, tokenBudget: spec.maxNumBatchedTokens)
        if metrics.preemptions == preemptionsBefore { budget = scheduleSwapIns(now: now, tokenBudget: budget) }
        for id in running where budget > 0 {
            let state = requests.states[Int(id)]
            guard state.phase == .prefilling else { continue }
            budget -= addChunk(id, state: state, budget: budget)
        }
        while budget > 0, let id = waiting.first, running.count < spec.maxNumSeqs {
            guard admit(id, now: now) else { break }
            budget -= addChunk(id, state: requests.states[Int(id)], budget: budget)
        }
    }

    /// Adds the next prefill chunk of `id` (at most `budget` tokens); returns its size.
    private func addChunk(_ id: Int32, state: RequestState, budget: Int) -> Int {
        let remaining = state.sequenceTokens - state.computedTokens
        let chunk = Int32(min(Int(remaining), budget))
        batch.addPrefill(id, chunk: chunk, priorTokens: state.computedTokens, samples: chunk == remaining)
        return Int(chunk)
    }

    // MARK: Completion

    /// Applies the batch that ran until `now`: computes KV, emits tokens, finishes requests.
    public func completeIteration(now: SimTime, startedAt start: SimTime) {
        metrics.iterations += 1
        metrics.busyTime += now - start
        let anyFinished = Self.applyBatch(batch, now: now, states: &requests.states, metrics: &metrics, pool: &pool)
        if anyFinished {
            running.removeAll { requests.states[Int($0)].phase == .finished }
        }
        batch.removeAll()
        noteKVUsage(now: now)
    }

    /// The per-request work of ``completeIteration(now:startedAt:)``, on inout copies so that the loop
    /// pays no exclusivity checks. Returns whether any request finished.
    private static func applyBatch(_ batch: Batch, now: SimTime, states: inout ContiguousArray<RequestState>,
                                   metrics: inout InstanceMetrics, pool: inout KVBlockPool) -> Bool {
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
                finish(&state, now: now, metrics: &metrics, pool: &pool)
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

    private static func finish(_ state: inout RequestState, now: SimTime, metrics: inout InstanceMetrics, pool: inout KVBlockPool) {
        pool.release(Int(state.blocks))
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
