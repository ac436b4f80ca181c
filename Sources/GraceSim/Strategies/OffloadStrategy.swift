/// NEO-style CPU offloading (MLSys 2025): when KV runs short, some decoding requests move their KV to CPU memory and
/// their decode attention to the CPU, pipelined with the GPU's work on the rest of the batch.
///
/// **Which requests move.** When an instance needs KV blocks (``makeRoom(blocks:instance:now:)``), the latest-arrived
/// decoding requests whose KV is on the GPU (and that are not already in the step being scheduled) move to the host,
/// one by one, until enough blocks are free, as long as two budgets hold:
/// - *CPU time* (NEO's load-aware choice): the CPU attention time of all the instance's host-resident requests
///   (``CPUAttentionModel``) must stay within the GPU compute time of the decode step they join, so the CPU does not
///   become the bottleneck. The GPU side is estimated from the instance's decoding requests alone (prefill chunks
///   left out, the conservative choice), with the moved requests counted in the linear layers but not in GPU
///   attention.
/// - *Host memory*: each moved request reserves CPU memory for its KV at its full length (prompt + output tokens),
///   so that host KV never outgrows ``Options/hostKVBytes`` however long the requests run.
/// Moving stops at the first request that breaks either budget; the engine preempts (recompute) for the rest.
/// Host-resident requests stay on the host until they finish (NEO can also move requests back; not modelled).
///
/// **What an iteration costs.** The KV of requests moved while the step was scheduled crosses the link
/// device-to-host (`offload-kv`) before the step computes (``IterationPlan/waitFor``): the blocks it frees are
/// written by this step, and the CPU attention reads that KV. This is the simplest correct choice; NEO overlaps
/// the copy with compute layer by layer. Each step, every host-resident request's new KV (one token, all layers)
/// goes device-to-host (`kv-writeback`) and its per-layer query and attention output cross the link
/// (`activations`, queries device-to-host, outputs host-to-device); these small flows overlap the step and are
/// not waited for. NEO's asymmetric pipelining overlaps the CPU attention with the GPU's work: the plan's CPU work
/// runs beside the GPU part, so the step takes the engine's overhead plus `max(GPU compute, CPU attention)`; the
/// simulator counts the excess of CPU over GPU time as the step's stall. While the step computes, the CPU
/// attention holds host memory bandwidth (its KV bytes over the longer of its GPU and CPU time,
/// ``SimulationContext/reserveHostBandwidth(_:)``), so link traffic and CPU attention contend for LPDDR; the hold
/// is released when the step ends. Under MPS and MIG several instances' steps overlap on one CPU socket, so each
/// instance's attention reads at most an equal share of the socket's bandwidth, and the holds together never starve
/// the link's own traffic.
public final class OffloadStrategy: RegisteredStrategy {
    public static let kind = StrategyKind.offload
    public static let summary = "NEO-style: move decoding requests' KV and attention to the CPU while the CPU keeps pace with the GPU"

    public let options: Options
    /// The simulation served (unowned, as ``StrategyTiming/attach(to:)`` asks).
    unowned var context: SimulationContext?
    /// Per instance, by index.
    var instanceStates: [InstanceState] = []
    /// CPU attention time per instance (the instances' models differ).
    private var cpuModels: [CPUAttentionModel] = []
    /// Host memory bandwidth last handed to the context, bytes per second.
    private var appliedReservation = 0.0
    /// What all the host's cores together read from its memory, bytes per second: the budget the instances' CPU
    /// attention shares when their steps overlap (MPS, MIG).
    private var socketReadBytesPerSecond = 0.0

    /// What the strategy tracks for one instance.
    struct InstanceState {
        /// Requests whose KV is in CPU memory and that have not finished, in the order they moved.
        var hostRequests: [Int32] = []
        /// CPU memory reserved for host-resident requests' KV (each at its full length), in bytes.
        var hostKVBytes: Int64 = 0
        var peakHostKVBytes: Int64 = 0
        /// Host-resident request count over time.
        var residents: StepSeries
        var cpuAttentionSeconds = 0.0
        var cpuBoundIterations = 0
        /// Times moving stopped because the CPU time budget was reached, or host memory was full.
        var cpuBudgetStops = 0
        var hostMemoryStops = 0
        /// Host memory bandwidth the CPU attention of the step in flight holds, bytes per second.
        var reservedBytesPerSecond = 0.0
        /// A hold that starts once the step's KV copy is done (the step computes only then).
        var pendingReservation: (transfer: TransferID, bytesPerSecond: Double)?
    }

    public init(options: Options) {
        self.options = options
    }


    public func attach(to context: SimulationContext) {
        self.context = context
        cpuModels = context.instances.map {
            CPUAttentionModel(model: $0.spec.model, cpu: context.hardware.cpu, cores: options.cpuCores)
        }
        instanceStates = context.instances.map {
            InstanceState(residents: StepSeries(initial: 0, interval: $0.metrics.kvUsage.interval))
        }
        socketReadBytesPerSecond = context.hardware.cpu.memoryBytesPerSecond * context.hardware.cpu.sustainedMemoryFraction
    }

    /// The host memory bandwidth instance `index`'s CPU attention may read at: the whole socket's under temporal
    /// sharing, where one step runs at a time; an equal share of it under MPS and MIG, where every instance's steps
    /// may overlap [E: a static split, like MIG's for the GPU; an instance cannot borrow an idle one's share].
    private func readBytesPerSecond(instance index: Int) -> Double {
        guard let context, context.sharingMode != .temporal else { return socketReadBytesPerSecond }
        return socketReadBytesPerSecond / Double(max(instanceStates.count, 1))
    }

    /// The CPU attention model of instance `index` (after ``attach(to:)``).
    public func cpuModel(instance index: Int) -> CPUAttentionModel { cpuModels[index] }

    // MARK: Moving requests to the host

    public func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> MemoryDecision {
        guard let context, blocks > 0 else { return .none }
        let states = context.requests.states
        let cpu = cpuModels[instance.index]
        let readRate = readBytesPerSecond(instance: instance.index)
        let kvBytesPerToken = instance.spec.model.kvBytesPerToken
        var s = instanceStates[instance.index]
        var shape = decodeShape(instance)
        let inBatch = Set(instance.batch.ids)
        var freed = 0
        var moved: [Int32] = []
        var i = instance.running.count - 1
        while freed < blocks && i >= 0 {
            let id = instance.running[i]
            i -= 1
            let state = states[Int(id)]
            guard state.phase == .decoding, !state.kvOnHost, state.blocks > 0, state.computedTokens > 0,
                  !inBatch.contains(id) else { continue }
            let reserveBytes = Int64(state.promptTokens + state.outputTokens) * kvBytesPerToken
            guard s.hostKVBytes + reserveBytes <= options.hostKVBytes else {
                s.hostMemoryStops += 1
                break
            }
            var next = shape
            let tokens = Int(state.sequenceTokens)
            next.decodeSequences -= 1
            next.decodeContextTokens -= tokens
            next.hostDecodeSequences += 1
            next.hostDecodeContextTokens += tokens
            guard cpu.seconds(contextTokens: next.hostDecodeContextTokens, readBytesPerSecond: readRate)
                    <= instance.timeModel.computeSeconds(of: next) else {
                s.cpuBudgetStops += 1
                break
            }
            shape = next
            freed += Int(state.blocks)
            moved.append(id)
            s.hostRequests.append(id)
            s.hostKVBytes += reserveBytes
            s.peakHostKVBytes = max(s.peakHostKVBytes, s.hostKVBytes)
        }
        s.residents.set(Double(s.hostRequests.count), now: now)
        instanceStates[instance.index] = s
        return MemoryDecision(requestsToHost: moved)
    }

    /// The decode step `instance` is about to run, as far as it is known: every decoding request that has computed
    /// its prompt, on the GPU or the host as it is now. Prefill chunks are left out.
    private func decodeShape(_ instance: ServingInstance) -> BatchShape {
        var shape = BatchShape()
        for id in instance.running {
            let state = instance.requests.states[Int(id)]
            guard state.phase == .decoding, state.computedTokens > 0 else { continue }
            if state.kvOnHost {
                shape.hostDecodeSequences += 1
                shape.hostDecodeContextTokens += Int(state.sequenceTokens)
            } else {
                shape.decodeSequences += 1
                shape.decodeContextTokens += Int(state.sequenceTokens)
            }
            shape.sampledSequences += 1
        }
        return shape
    }

    // MARK: Iterations

    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        guard let context else { return IterationPlan() }
        let shape = instance.batch.shape
        let model = instance.spec.model
        var waitFor: [TransferID] = []
        if instance.batch.movedToHostBlocks > 0 {
            let bytes = Int64(instance.batch.movedToHostBlocks) * instance.pool.blockBytes
            waitFor.append(context.startTransfer(bytes: bytes, direction: .deviceToHost, purpose: .offloadKV,
                                                 instance: instance.index))
        }
        guard shape.hostDecodeSequences > 0 else { return IterationPlan(waitFor: waitFor) }

        let sequences = Int64(shape.hostDecodeSequences)
        let activationBytes = sequences * Int64(model.layers) * Int64(model.queryWidth) * Int64(model.bytesPerElement)
        _ = context.startTransfer(bytes: sequences * model.kvBytesPerToken, direction: .deviceToHost, purpose: .kvWriteback,
                                  instance: instance.index)
        _ = context.startTransfer(bytes: activationBytes, direction: .deviceToHost, purpose: .activations, instance: instance.index)
        _ = context.startTransfer(bytes: activationBytes, direction: .hostToDevice, purpose: .activations, instance: instance.index)

        let cpu = cpuModels[instance.index]
        let cpuSeconds = cpu.seconds(contextTokens: shape.hostDecodeContextTokens,
                                     readBytesPerSecond: readBytesPerSecond(instance: instance.index))
        let cpuTime = SimTime.capped(seconds: cpuSeconds)
        let gpuTime = SimTime.capped(seconds: instance.timeModel.computeSeconds(of: shape))
        var s = instanceStates[instance.index]
        s.cpuAttentionSeconds += cpuSeconds
        if cpuTime > gpuTime { s.cpuBoundIterations += 1 }
        // The CPU attention reads its KV over the GPU part of the step (or its own time, if longer).
        let hold = cpu.kvBytesRead(contextTokens: shape.hostDecodeContextTokens) / max(max(cpuTime, gpuTime).seconds, 1e-9)
        if let copy = waitFor.first {
            s.pendingReservation = (copy, hold)
        } else {
            s.reservedBytesPerSecond = hold
        }
        instanceStates[instance.index] = s
        applyReservation()
        return IterationPlan(waitFor: waitFor, cpuTime: cpuTime)
    }

    public func transferFinished(_ transfer: Transfer, now: SimTime) {
        guard transfer.purpose == .offloadKV, instanceStates.indices.contains(transfer.instance),
              let pending = instanceStates[transfer.instance].pendingReservation, pending.transfer == transfer.id else { return }
        instanceStates[transfer.instance].pendingReservation = nil
        instanceStates[transfer.instance].reservedBytesPerSecond = pending.bytesPerSecond
        applyReservation()
    }

    public func iterationFinished(instance: ServingInstance, now: SimTime) {
        guard let context else { return }
        var s = instanceStates[instance.index]
        s.reservedBytesPerSecond = 0
        s.pendingReservation = nil
        let states = context.requests.states
        let kvBytesPerToken = instance.spec.model.kvBytesPerToken
        if s.hostRequests.contains(where: { states[Int($0)].phase == .finished || !states[Int($0)].kvOnHost }) {
            var releasedBytes: Int64 = 0
            s.hostRequests.removeAll { id in
                let state = states[Int(id)]
                guard state.phase == .finished || !state.kvOnHost else { return false }
                releasedBytes += Int64(state.promptTokens + state.outputTokens) * kvBytesPerToken
                return true
            }
            s.hostKVBytes -= releasedBytes
            s.residents.set(Double(s.hostRequests.count), now: now)
        }
        instanceStates[instance.index] = s
        applyReservation()
    }

    /// Hands the host memory bandwidth all instances' CPU attention holds to the context, when it changed.
    private func applyReservation() {
        let total = instanceStates.reduce(0) { $0 + $1.reservedBytesPerSecond }
        guard total != appliedReservation, let context else { return }
        appliedReservation = total
        context.reserveHostBandwidth(total)
    }
}

extension StrategyKind {
    /// NEO-style offloading: some decoding requests' KV and decode attention move to the CPU, pipelined with the GPU.
    public static let offload = StrategyKind(name: "offload")
}

extension TransferPurpose {
    /// A request's KV moved to CPU memory when its attention moves to the CPU.
    public static let offloadKV = TransferPurpose(name: "offload-kv", order: 6)
    /// Activations exchanged with CPU attention (queries in, outputs back).
    public static let activations = TransferPurpose(name: "activations", order: 7)
}
