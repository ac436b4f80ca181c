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
    let start: SimTime
    var phase = Phase.waiting
    var waitingFor: [TransferID]
    /// The engine's CPU overhead, and when it ends once started.
    let hostTime: SimTime
    var hostEnd = SimTime.zero

    /// GPU work as units: decoder layers `0..<layers` of `layerTime` each, then unit `layers`, the work outside
    /// the layers (embedding, final norm, LM head) of `outsideTime`.
    let layers: Int
    let layerTime: SimTime
    let outsideTime: SimTime
    /// The next unit to compute (`layers + 1` once all are computed).
    var nextUnit = 0
    /// The unit after the segment in flight (nil when none is), and when that segment ends (``SimTime/infinity``
    /// while the GPU share decides it).
    var segmentEnd: Int?
    var segmentEndTime = SimTime.infinity
    var gpuDone = SimTime.zero

    let stream: LayerStream?
    var loadsStarted = 0
    var loadsArrived = 0
    /// The load moving now (loads are one stream: at most one at a time).
    var currentLoad: TransferID?
    /// Streamed layers computed so far.
    var streamedComputed = 0

    let sideFlowRequests: [FlowRequest]
    var sideFlows: [TransferID] = []
    /// CPU work beside the GPU part, and when it ends once started.
    let cpuTime: SimTime
    var cpuEnd = SimTime.zero

    /// Time waited so far, and when the current wait for a load began (nil when not waiting).
    var stall = SimTime.zero
    var blockedSince: SimTime?

    init(instance: Int, serial: Int, start: SimTime, waitingFor: [TransferID], hostTime: SimTime, layers: Int,
         layerTime: SimTime, outsideTime: SimTime, stream: LayerStream?, sideFlowRequests: [FlowRequest],
         cpuTime: SimTime) {
        self.instance = instance
        self.serial = serial
        self.start = start
        self.waitingFor = waitingFor
        self.hostTime = hostTime
        self.layers = layers
        self.layerTime = layerTime
        self.outsideTime = outsideTime
        self.stream = stream
        self.sideFlowRequests = sideFlowRequests
        self.cpuTime = cpuTime
    }

    /// GPU work of units `from..<to`.
    func work(from: Int, to: Int) -> SimTime {
        let layerUnits = min(to, layers) - min(from, layers)
        return layerTime * layerUnits + (from <= layers && to > layers ? outsideTime : .zero)
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
            runtime[index].lastStall = .zero
            runtime[index].earlyLoads = nil
            queue.push(.iterationDone(instance: index, startedAt: now), at: now + duration, rank: .iterationDone)
            noteIteration(index, start: now, end: now + duration, stall: .zero)
            return
        }
        let gpuTime = min(SimTime.capped(seconds: instance.timeModel.computeSeconds(of: shape)), duration)
        let layers = instance.spec.model.layers
        let stream = (plan.stream?.loads ?? 0) > 0 ? plan.stream : nil
        // Streamed passes compute layer by layer; others as one segment of exactly their GPU time.
        let layerTime = stream == nil ? .zero : SimTime.capped(seconds: instance.timeModel.layerComputeSeconds(of: shape))
        passSerial += 1
        runtime[index].pass = RunningPass(
            instance: index, serial: passSerial, start: now,
            waitingFor: plan.waitFor.filter { id in link.flows.contains { $0.id == id } },
            hostTime: duration - gpuTime, layers: layers, layerTime: layerTime,
            outsideTime: max(.zero, gpuTime - layerTime * layers), stream: stream,
            sideFlowRequests: plan.sideFlows, cpuTime: max(.zero, plan.cpuTime))
        if stream == nil { runtime[index].earlyLoads = nil }
        progress(index)
    }

    /// Moves pass `index` on as far as it can go now.
    func progress(_ index: Int) {
        guard let pass = runtime[index].pass else { return }
        while true {
            switch pass.phase {
            case .waiting:
                guard pass.waitingFor.isEmpty else { return }
                pass.stall += now - pass.start
                pass.phase = .host
                pass.hostEnd = now + pass.hostTime
                if pass.hostTime > .zero {
                    queue.push(.passStep(instance: index, serial: pass.serial), at: pass.hostEnd, rank: .iterationDone)
                }
            case .host:
                guard now >= pass.hostEnd else { return }
                pass.phase = .gpu
                startGPUPart(pass)
            case .gpu:
                if let end = pass.segmentEnd {
                    guard now >= pass.segmentEndTime else { return }
                    if let stream = pass.stream, pass.streamedComputed < stream.loads, stream.layers[pass.streamedComputed] < end {
                        pass.streamedComputed += 1
                        startNextLoad(pass)
                    }
                    pass.nextUnit = end
                    pass.segmentEnd = nil
                }
                if pass.nextUnit > pass.layers {
                    pass.phase = .tail
                    pass.gpuDone = now
                    continue
                }
                guard let end = pass.nextSegmentEnd else {
                    if pass.blockedSince == nil { pass.blockedSince = now }
                    return
                }
                if let blockedSince = pass.blockedSince {
                    pass.stall += now - blockedSince
                    pass.blockedSince = nil
                }
                startSegment(pass, to: end)
                return
            case .tail:
                guard pass.sideFlows.isEmpty, now >= pass.cpuEnd else { return }
                pass.stall += now - pass.gpuDone
                return finish(pass)
            }
        }
    }

    /// The GPU part begins: the stream takes over the loads started between passes and starts its next one;
    /// side flows and CPU work start.
    private func startGPUPart(_ pass: RunningPass) {
        if let stream = pass.stream {
            if let early = runtime[pass.instance].earlyLoads, early.started <= stream.loads {
                pass.loadsStarted = early.started
                pass.loadsArrived = early.arrived
                pass.currentLoad = early.current
            }
            runtime[pass.instance].earlyLoads = nil
            startNextLoad(pass)
        }
        for flow in pass.sideFlowRequests {
            pass.sideFlows.append(startTransfer(bytes: flow.bytes, direction: flow.direction, purpose: flow.purpose,
                                                instance: pass.instance))
        }
        pass.cpuEnd = now + pass.cpuTime
        if pass.cpuTime > .zero {
            queue.push(.passStep(instance: pass.instance, serial: pass.serial), at: pass.cpuEnd, rank: .iterationDone)
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
            pass.segmentEndTime = .infinity
            gpuShare.advance(to: now)
            gpuShare.start(instance: pass.instance, work: work)
            scheduleGPUChange()
        } else {
            pass.segmentEndTime = now + work
            queue.push(.passStep(instance: pass.instance, serial: pass.serial), at: pass.segmentEndTime, rank: .iterationDone)
        }
    }

    /// Under MPS: the GPU share finished the segment of instance `index`'s pass.
    func segmentFinished(_ index: Int) {
        guard let pass = runtime[index].pass else { return }
        pass.segmentEndTime = now
        progress(index)
    }

    /// A transfer of instance `index` arrived: it may release the pass (a transfer it waited for, a load, a
    /// side flow) or the loads started between passes.
    func transferArrived(_ id: TransferID, instance index: Int) {
        if var early = runtime[index].earlyLoads, early.current == id {
            early.arrived += 1
            early.current = nil
            if early.started < early.planned {
                early.current = startTransfer(bytes: early.stream.bytesPerLoad, direction: .hostToDevice,
                                              purpose: early.stream.purpose, instance: index)
                early.started += 1
            }
            runtime[index].earlyLoads = early
            return
        }
        guard let pass = runtime[index].pass else { return }
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
        guard loads > 0, runtime[index].pass == nil, runtime[index].earlyLoads == nil else { return }
        var early = EarlyLoads(stream: stream, planned: min(loads, stream.loads))
        early.current = startTransfer(bytes: stream.bytesPerLoad, direction: .hostToDevice, purpose: stream.purpose,
                                      instance: index)
        early.started = 1
        runtime[index].earlyLoads = early
    }

    /// The pass is done: its stall is recorded and its end is handled as the next event.
    private func finish(_ pass: RunningPass) {
        let index = pass.instance
        runtime[index].pass = nil
        runtime[index].lastStall = pass.stall
        instances[index].metrics.transferStall += pass.stall
        noteIteration(index, start: pass.start, end: now, stall: pass.stall)
        queue.push(.iterationDone(instance: index, startedAt: pass.start), at: now, rank: .iterationDone)
    }

    /// Tells the observer about a pass whose end is known.
    func noteIteration(_ index: Int, start: SimTime, end: SimTime, stall: SimTime) {
        guard let observer else { return }
        let shape = instances[index].batch.shape
        observer.iterationStarted(IterationRecord(
            instance: index, start: start, end: end, batchSize: instances[index].batch.count,
            prefillTokens: shape.prefillTokens, decodeSequences: shape.decodeSequences + shape.hostDecodeSequences,
            stall: stall))
    }
}
