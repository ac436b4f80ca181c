/// One forward pass in flight: the simulator runs the ``IterationPlan`` a strategy described as a small state
/// machine, and so is the one owner of a pass's timing.
///
/// Phases: *waiting* for the plan's `waitFor` transfers; the *host* part (the engine's CPU overhead); the *GPU*
/// part, computed in segments (a segment ends where a streamed layer must wait for its load, and after each
/// streamed layer, whose end frees a buffer slot); the *tail*, waiting for side flows and CPU work. Loads, side
/// flows and CPU work start with the GPU part. Under temporal sharing and MIG a segment runs at the full rate of
/// the instance's GPU (or slice) and ends at a known time; under MPS it is the GPU's shared work (``GPUShare``).
/// Every load and side flow is a flow on the shared link, so its end moves whenever the link's flows change.
/// A class, so that the simulator advances it in place.
final class RunningPass {
    enum Phase { case waiting, host, gpu, tail }

    let instance: Int
    /// Identifies the pass among all passes of the run (timers of finished passes are stale).
    let serial: Int
    let startNs: Int64
    var phase = Phase.waiting
    var waitingFor: [TransferID]
    /// The engine's CPU overhead, ns, and when it ends once started.
    let hostNs: Int64
    var hostEndNs: Int64 = 0

    /// GPU work as units: decoder layers `0..<layers` of `layerNs` each, then unit `layers`, the work outside
    /// the layers (embedding, final norm, LM head) of `outsideNs`.
    let layers: Int
    let layerNs: Int64
    let outsideNs: Int64
    /// The next unit to compute (`layers + 1` once all are computed).
    var nextUnit = 0
    /// The unit after the segment in flight (nil when none is), and when that segment ends (`.max` while the
    /// GPU share decides it).
    var segmentEnd: Int?
    var segmentEndNs: Int64 = .max
    var gpuDoneNs: Int64 = 0

    let stream: LayerStream?
    var loadsStarted = 0
    var loadsArrived = 0
    /// The load moving now (loads are one stream: at most one at a time).
    var currentLoad: TransferID?
    /// Streamed layers computed so far.
    var streamedComputed = 0

    let sideFlowRequests: [FlowRequest]
    var sideFlows: [TransferID] = []
    let cpuNs: Int64
    var cpuEndNs: Int64 = 0

    /// Time waited so far, and when the current wait for a load began (-1 when not waiting).
    var stallNs: Int64 = 0
    var blockedSinceNs: Int64 = -1

    init(instance: Int, serial: Int, startNs: Int64, waitingFor: [TransferID], hostNs: Int64, layers: Int,
         layerNs: Int64, outsideNs: Int64, stream: LayerStream?, sideFlowRequests: [FlowRequest], cpuNs: Int64) {
        self.instance = instance
        self.serial = serial
        self.startNs = startNs
        self.waitingFor = waitingFor
        self.hostNs = hostNs
        self.layers = layers
        self.layerNs = layerNs
        self.outsideNs = outsideNs
        self.stream = stream
        self.sideFlowRequests = sideFlowRequests
        self.cpuNs = cpuNs
    }

    /// GPU work of units `from..<to`, ns.
    func work(from: Int, to: Int) -> Int64 {
        let layerUnits = Int64(min(to, layers) - min(from, layers))
        return layerUnits * layerNs + (from <= layers && to > layers ? outsideNs : 0)
    }

    /// The unit after the next segment, or nil when the next layer waits for its load.
    var nextSegmentEnd: Int? {
        guard let stream, streamedComputed < stream.loads else { return layers + 1 }
        let layer = stream.layers[streamedComputed]
        let arrived = loadsArrived > streamedComputed
        if nextUnit < layer { return arrived ? layer + 1 : layer }
        return arrived ? layer + 1 : nil
    }
}

/// Loads of an instance's stream started between passes (``SimulationContext/prefetch(_:of:instance:)``), one
/// after another, for its next pass.
struct EarlyLoads {
    let stream: LayerStream
    let planned: Int
    var started = 0
    var arrived = 0
    var current: TransferID?
}

extension Simulator {
    /// Plans the pass `index` has just scheduled and starts it.
    func begin(instance index: Int) {
        let instance = instances[index]
        let shape = instance.batch.shape
        let duration = instance.timeModel.duration(of: shape)
        let plan = strategy.planIteration(instance: instance, computeTime: duration, now: now)
        if plan.isComputeOnly && sharingMode != .mps {
            // Nothing to wait for and a GPU of its own: the pass ends when its compute does.
            lastStallNs[index] = 0
            earlyLoads[index] = nil
            queue.push(.iterationDone(instance: index, startNs: now.ns), at: now + duration, rank: .iterationDone)
            noteIteration(index, startNs: now.ns, endNs: (now + duration).ns, stallNs: 0)
            return
        }
        let gpuNs = min(SimTime.cappedNs(seconds: instance.timeModel.computeSeconds(of: shape)), duration.ns)
        let layers = instance.spec.model.layers
        let stream = (plan.stream?.loads ?? 0) > 0 ? plan.stream : nil
        // Streamed passes compute layer by layer; others as one segment of exactly their GPU time.
        let layerNs = stream == nil ? 0 : SimTime.cappedNs(seconds: instance.timeModel.layerComputeSeconds(of: shape))
        passSerial += 1
        passes[index] = RunningPass(
            instance: index, serial: passSerial, startNs: now.ns,
            waitingFor: plan.waitFor.filter { id in link.flows.contains { $0.id == id } },
            hostNs: duration.ns - gpuNs, layers: layers, layerNs: layerNs,
            outsideNs: max(0, gpuNs - Int64(layers) * layerNs), stream: stream,
            sideFlowRequests: plan.sideFlows, cpuNs: max(0, plan.cpuNanoseconds))
        if stream == nil { earlyLoads[index] = nil }
        progress(index)
    }

    /// Moves pass `index` on as far as it can go now.
    func progress(_ index: Int) {
        guard let pass = passes[index] else { return }
        while true {
            switch pass.phase {
            case .waiting:
                guard pass.waitingFor.isEmpty else { return }
                pass.stallNs += now.ns - pass.startNs
                pass.phase = .host
                pass.hostEndNs = now.ns + pass.hostNs
                if pass.hostNs > 0 {
                    queue.push(.passStep(instance: index, serial: pass.serial), at: SimTime(ns: pass.hostEndNs), rank: .iterationDone)
                }
            case .host:
                guard now.ns >= pass.hostEndNs else { return }
                pass.phase = .gpu
                startGPUPart(pass)
            case .gpu:
                if let end = pass.segmentEnd {
                    guard now.ns >= pass.segmentEndNs else { return }
                    if let stream = pass.stream, pass.streamedComputed < stream.loads, stream.layers[pass.streamedComputed] < end {
                        pass.streamedComputed += 1
                        startNextLoad(pass)
                    }
                    pass.nextUnit = end
                    pass.segmentEnd = nil
                }
                if pass.nextUnit > pass.layers {
                    pass.phase = .tail
                    pass.gpuDoneNs = now.ns
                    continue
                }
                guard let end = pass.nextSegmentEnd else {
                    if pass.blockedSinceNs < 0 { pass.blockedSinceNs = now.ns }
                    return
                }
                if pass.blockedSinceNs >= 0 {
                    pass.stallNs += now.ns - pass.blockedSinceNs
                    pass.blockedSinceNs = -1
                }
                startSegment(pass, to: end)
                return
            case .tail:
                guard pass.sideFlows.isEmpty, now.ns >= pass.cpuEndNs else { return }
                pass.stallNs += now.ns - pass.gpuDoneNs
                return finish(pass)
            }
        }
    }

    /// The GPU part begins: the stream takes over the loads started between passes and starts its next one;
    /// side flows and CPU work start.
    private func startGPUPart(_ pass: RunningPass) {
        if let stream = pass.stream {
            if let early = earlyLoads[pass.instance], early.started <= stream.loads {
                pass.loadsStarted = early.started
                pass.loadsArrived = early.arrived
                pass.currentLoad = early.current
            }
            earlyLoads[pass.instance] = nil
            startNextLoad(pass)
        }
        for flow in pass.sideFlowRequests {
            pass.sideFlows.append(startTransfer(bytes: flow.bytes, direction: flow.direction, purpose: flow.purpose,
                                                instance: pass.instance))
        }
        pass.cpuEndNs = now.ns + pass.cpuNs
        if pass.cpuNs > 0 {
            queue.push(.passStep(instance: pass.instance, serial: pass.serial), at: SimTime(ns: pass.cpuEndNs), rank: .iterationDone)
        }
    }

    /// Starts the stream's next load if the previous one has arrived and its buffer slot is free: slot
    /// `j mod buffers` is freed by the compute of the layer of load `j − buffers`.
    private func startNextLoad(_ pass: RunningPass) {
        guard let stream = pass.stream, pass.currentLoad == nil, pass.loadsStarted < stream.loads else { return }
        let j = pass.loadsStarted
        guard j < stream.buffers || pass.streamedComputed > j - stream.buffers else { return }
        pass.currentLoad = startTransfer(bytes: stream.bytesPerLoad, direction: .hostToDevice, purpose: stream.purpose,
                                         instance: pass.instance)
        pass.loadsStarted += 1
    }

    /// Starts the GPU segment of units `nextUnit..<end`.
    private func startSegment(_ pass: RunningPass, to end: Int) {
        let work = pass.work(from: pass.nextUnit, to: end)
        pass.segmentEnd = end
        if sharingMode == .mps {
            pass.segmentEndNs = .max
            gpuShare.advance(to: now.ns)
            gpuShare.start(instance: pass.instance, gpuNs: work)
            scheduleGPUChange()
        } else {
            pass.segmentEndNs = now.ns + work
            queue.push(.passStep(instance: pass.instance, serial: pass.serial), at: SimTime(ns: pass.segmentEndNs), rank: .iterationDone)
        }
    }

    /// Under MPS: the GPU share finished the segment of instance `index`'s pass.
    func segmentFinished(_ index: Int) {
        guard let pass = passes[index] else { return }
        pass.segmentEndNs = now.ns
        progress(index)
    }

    /// A transfer of instance `index` arrived: it may release the pass (a transfer it waited for, a load, a
    /// side flow) or the loads started between passes.
    func transferArrived(_ id: TransferID, instance index: Int) {
        if var early = earlyLoads[index], early.current == id {
            early.arrived += 1
            early.current = nil
            if early.started < early.planned {
                early.current = startTransfer(bytes: early.stream.bytesPerLoad, direction: .hostToDevice,
                                              purpose: early.stream.purpose, instance: index)
                early.started += 1
            }
            earlyLoads[index] = early
            return
        }
        guard let pass = passes[index] else { return }
        if pass.currentLoad == id {
            pass.currentLoad = nil
            pass.loadsArrived += 1
            startNextLoad(pass)
        } else if let k = pass.waitingFor.firstIndex(of: id) {
            pass.waitingFor.remove(at: k)
        } else if let k = pass.sideFlows.firstIndex(of: id) {
            pass.sideFlows.remove(at: k)
        } else {
            return
        }
        progress(index)
    }

    /// Starts up to `loads` loads of `stream` for `instance`'s next pass, one after another, while it is idle.
    func startEarlyLoads(_ loads: Int, of stream: LayerStream, instance index: Int) {
        guard loads > 0, passes[index] == nil, earlyLoads[index] == nil else { return }
        var early = EarlyLoads(stream: stream, planned: min(loads, stream.loads))
        early.current = startTransfer(bytes: stream.bytesPerLoad, direction: .hostToDevice, purpose: stream.purpose,
                                      instance: index)
        early.started = 1
        earlyLoads[index] = early
    }

    /// The pass is done: its stall is recorded and its end is handled as the next event.
    private func finish(_ pass: RunningPass) {
        let index = pass.instance
        passes[index] = nil
        lastStallNs[index] = pass.stallNs
        instances[index].metrics.transferStall += SimTime(ns: pass.stallNs)
        noteIteration(index, startNs: pass.startNs, endNs: now.ns, stallNs: pass.stallNs)
        queue.push(.iterationDone(instance: index, startNs: pass.startNs), at: now, rank: .iterationDone)
    }

    /// Tells the observer about a pass whose end is known.
    func noteIteration(_ index: Int, startNs: Int64, endNs: Int64, stallNs: Int64) {
        guard let observer else { return }
        let shape = instances[index].batch.shape
        observer.iterationStarted(IterationRecord(
            instance: index, start: SimTime(ns: startNs), end: SimTime(ns: endNs), batchSize: instances[index].batch.count,
            prefillTokens: shape.prefillTokens, decodeSequences: shape.decodeSequences + shape.hostDecodeSequences,
            stall: SimTime(ns: stallNs)))
    }
}
