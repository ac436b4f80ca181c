/// The CPU–GPU link as a fluid, processor-sharing resource: two directional channels whose flows share
/// bandwidth, a lower total when both directions are busy, and host memory bandwidth that the link's traffic
/// and CPU work draw from together.
///
/// Rates change only when the set of active flows (or the host-memory reservation) changes; the owner then
/// calls ``advance(to:)`` and reads ``nextEvent`` to schedule the next completion.
///
/// Sharing rule: with one direction busy, its flows split `min(direction bandwidth, free host bandwidth)`
/// equally. With both busy, the pair's total is `min(mixed total, both directions' sum, free host bandwidth)`,
/// split between the directions in proportion to their one-way bandwidths, then equally among each
/// direction's flows. A flow moves no bytes during the link's start-up latency.
public struct SharedLink: Sendable {
    public let spec: LinkSpec
    /// Host memory bandwidth in bytes per second (LPDDR5X on Grace).
    public let hostMemoryBytesPerSecond: Double
    /// Flows in progress, in start order.
    public private(set) var flows: [Transfer] = []
    /// Host memory bandwidth held by CPU work (offloaded attention), bytes per second.
    public private(set) var hostReservedBytesPerSecond: Double = 0
    /// The time the flows have been moved to.
    private var lastUpdate = SimTime.zero
    /// Finish times further ahead than this many ns (about 31.7 years) are treated as never.
    private static let longestFinishNs = 1e18
    private var nextID = 0

    /// Bytes moved so far, by direction (index: `LinkDirection.rawValue`).
    public private(set) var bytesMoved: [Double] = [0, 0]
    /// The purposes of the flows started so far, in the order they first appeared: a flow's
    /// ``Transfer/purposeSlot`` indexes it.
    private var purposes: [TransferPurpose] = []
    /// Bytes moved so far by purpose slot, then `instance * 2 + direction.rawValue`; grown on demand.
    private var bytesBySlot: [[Double]] = []
    /// Time each direction carried at least one active flow (index: `LinkDirection.rawValue`).
    public private(set) var busy: [SimTime] = [.zero, .zero]
    /// Time both directions were busy at once.
    public private(set) var bothBusy = SimTime.zero
    /// Length of one interval of ``bytesPerInterval``.
    public let sampleInterval: SimTime
    /// Bytes moved in each interval `[k·sampleInterval, (k+1)·sampleInterval)`, by direction (index:
    /// `LinkDirection.rawValue`); a flow's bytes are spread evenly over the time it moved them. Grown on demand.
    public private(set) var bytesPerInterval: [[Double]] = [[], []]

    public init(spec: LinkSpec, hostMemoryBytesPerSecond: Double, sampleInterval: SimTime = .seconds(1)) {
        self.spec = spec
        self.hostMemoryBytesPerSecond = hostMemoryBytesPerSecond
        self.sampleInterval = max(.nanoseconds(1), sampleInterval)
    }

    /// Link traffic over time up to `end`: [start s, host-to-device bytes/s, device-to-host bytes/s] for each
    /// interval whose rates differ from the previous interval's (the rates hold until the next sample), and for
    /// the last interval, whose rates are taken over its part before `end`.
    public func trafficSeries(end: SimTime) -> [[Double]] {
        // Interval arithmetic in raw ns: interval k spans [k·sampleIntervalNs, (k+1)·sampleIntervalNs).
        let endNs = end.ns, sampleIntervalNs = sampleInterval.ns
        guard endNs > 0 else { return [] }
        let count = Int((endNs - 1) / sampleIntervalNs) + 1
        var samples: [[Double]] = []
        var previous: (Double, Double)? = nil
        // Past the last interval with traffic every rate is 0, so only the first of those intervals and the last
        // interval can give a sample: visiting just them keeps a run that idles for years to two steps.
        let traffic = min(count, max(bytesPerInterval[0].count, bytesPerInterval[1].count))
        func visit(_ k: Int) {
            let start = Int64(k) * sampleIntervalNs
            let seconds = Double(min(sampleIntervalNs, endNs - start)) / 1e9
            let up = (k < bytesPerInterval[0].count ? bytesPerInterval[0][k] : 0) / seconds
            let down = (k < bytesPerInterval[1].count ? bytesPerInterval[1][k] : 0) / seconds
            if let previous, previous == (up, down), k < count - 1 { return }
            samples.append([Double(start) / 1e9, up, down])
            previous = (up, down)
        }
        for k in 0..<traffic { visit(k) }
        if traffic < count - 1 { visit(traffic) }
        if traffic < count { visit(count - 1) }
        return samples
    }

    /// Adds `bytes` moved at an even rate over `[start, end)` to the intervals that span it.
    private mutating func accumulate(_ bytes: Double, direction: Int, from start: SimTime, to end: SimTime) {
        guard bytes > 0 else { return }
        let from = start.ns, to = end.ns, sampleIntervalNs = sampleInterval.ns
        let first = Int(from / sampleIntervalNs), last = Int((to - 1) / sampleIntervalNs)
        if last >= bytesPerInterval[direction].count {
            bytesPerInterval[direction] += [Double](repeating: 0, count: last + 1 - bytesPerInterval[direction].count)
        }
        if first == last {
            bytesPerInterval[direction][first] += bytes
            return
        }
        let perNs = bytes / Double(to - from)
        for k in first...last {
            let spanStart = max(from, Int64(k) * sampleIntervalNs), spanEnd = min(to, Int64(k + 1) * sampleIntervalNs)
            bytesPerInterval[direction][k] += perNs * Double(spanEnd - spanStart)
        }
    }

    /// Starts a transfer at `now` (after ``advance(to:)`` to `now`); returns its id.
    public mutating func start(bytes: Int64, direction: LinkDirection, purpose: TransferPurpose, instance: Int, now: SimTime) -> TransferID {
        precondition(now == lastUpdate, "advance the link to now before starting a transfer")
        let id = TransferID(raw: nextID)
        nextID += 1
        let slot = purposes.firstIndex(of: purpose) ?? purposes.count
        if slot == purposes.count {
            purposes.append(purpose)
            bytesBySlot.append([])
        }
        flows.append(Transfer(id: id, direction: direction, purpose: purpose, instance: instance, bytes: bytes,
                              requested: now, activeFrom: now + spec.latency, remainingBytes: Double(bytes),
                              purposeSlot: slot))
        recomputeRates()
        return id
    }

    /// Sets the host memory bandwidth held by CPU work from `now` on.
    public mutating func reserveHostBandwidth(_ bytesPerSecond: Double, now: SimTime) {
        precondition(now == lastUpdate, "advance the link to now before changing the reservation")
        hostReservedBytesPerSecond = max(0, bytesPerSecond)
        recomputeRates()
    }

    /// Moves every flow forward to `now` at the current rates and returns the flows that finished, in id order.
    public mutating func advance(to now: SimTime) -> [Transfer] {
        var finished: [Transfer] = []
        advance(to: now, appendingFinishedTo: &finished)
        return finished
    }

    /// Moves every flow forward to `now` at the current rates and appends the flows that finished to `finished`,
    /// in id order (the simulator passes one buffer it reuses, so a busy link allocates nothing here).
    public mutating func advance(to now: SimTime, appendingFinishedTo finished: inout [Transfer]) {
        // Rates change whenever a flow becomes active or finishes, so move through those instants in order.
        // A flow can be due at the instant the link already stands at (a zero-byte flow whose latency just
        // ended), so keep going while one is.
        while lastUpdate < now || (lastUpdate == now && flows.contains { $0.finish <= now }) {
            let step = min(now, nextChange())
            move(to: step)
            var i = 0
            while i < flows.count {
                if flows[i].finish <= step {
                    finished.append(flows.remove(at: i))
                } else {
                    i += 1
                }
            }
            recomputeRates()
        }
    }

    /// Bytes moved so far for `instance` in `direction` for `purpose`.
    public func bytesMoved(instance: Int, direction: LinkDirection, purpose: TransferPurpose) -> Double {
        guard let slot = purposes.firstIndex(of: purpose) else { return 0 }
        let key = instance * 2 + direction.rawValue
        return key < bytesBySlot[slot].count ? bytesBySlot[slot][key] : 0
    }

    /// The purposes of the flows started so far, in their ``TransferPurpose/order``: the order per-purpose sums
    /// go through them.
    public var purposesUsed: [TransferPurpose] { purposes.sorted() }

    /// Bytes moved so far by instance, direction and purpose, leaving out combinations that moved nothing.
    public var bytesByInstance: [Int: [LinkDirection: [TransferPurpose: Double]]] {
        var result: [Int: [LinkDirection: [TransferPurpose: Double]]] = [:]
        for (slot, purpose) in purposes.enumerated() {
            for (key, bytes) in bytesBySlot[slot].enumerated() where bytes > 0 {
                result[key / 2, default: [:]][LinkDirection(rawValue: key % 2)!, default: [:]][purpose] = bytes
            }
        }
        return result
    }

    /// The next instant at which a flow finishes or becomes active (nil when idle).
    public var nextEvent: SimTime? {
        let next = nextChange()
        return next.isFinite ? next : nil
    }

    /// The rate a new flow in `direction` would get now, bytes per second, after its start-up latency.
    /// Flows for which `isSameStream` is true are not counted: they are earlier parts of the same stream,
    /// which the new flow follows rather than shares the link with.
    public func rateForNewFlow(direction: LinkDirection, isSameStream: (Transfer) -> Bool = { _ in false }) -> Double {
        var counts = FlowCounts()
        for flow in flows where flow.activeFrom <= lastUpdate && !isSameStream(flow) {
            counts.add(flow.direction)
        }
        counts.add(direction)
        return perFlowRates(counts: counts)[direction]
    }

    /// Active flows in each direction.
    struct FlowCounts {
        var hostToDevice = 0
        var deviceToHost = 0

        init(hostToDevice: Int = 0, deviceToHost: Int = 0) {
            self.hostToDevice = hostToDevice
            self.deviceToHost = deviceToHost
        }

        mutating func add(_ direction: LinkDirection) {
            if direction == .hostToDevice { hostToDevice += 1 } else { deviceToHost += 1 }
        }
    }

    /// A bandwidth for each direction, bytes per second.
    struct DirectionRates {
        var hostToDevice: Double
        var deviceToHost: Double

        subscript(direction: LinkDirection) -> Double {
            direction == .hostToDevice ? hostToDevice : deviceToHost
        }
    }

    /// Bytes per second each direction gets in total with `counts` active flows each way.
    func directionTotals(counts: FlowCounts) -> DirectionRates {
        let hostFree = max(hostMemoryBytesPerSecond - hostReservedBytesPerSecond, 1)
        let up = spec.hostToDeviceBytesPerSecond, down = spec.deviceToHostBytesPerSecond
        if counts.hostToDevice > 0 && counts.deviceToHost > 0 {
            let total = min(spec.mixedTotalBytesPerSecond, up + down, hostFree)
            return DirectionRates(hostToDevice: total * up / (up + down), deviceToHost: total * down / (up + down))
        }
        return DirectionRates(hostToDevice: counts.hostToDevice > 0 ? min(up, hostFree) : 0,
                              deviceToHost: counts.deviceToHost > 0 ? min(down, hostFree) : 0)
    }

    private func perFlowRates(counts: FlowCounts) -> DirectionRates {
        let totals = directionTotals(counts: counts)
        return DirectionRates(
            hostToDevice: counts.hostToDevice > 0 ? totals.hostToDevice / Double(counts.hostToDevice) : 0,
            deviceToHost: counts.deviceToHost > 0 ? totals.deviceToHost / Double(counts.deviceToHost) : 0)
    }

    private func activeCounts() -> FlowCounts {
        var counts = FlowCounts()
        for flow in flows where flow.activeFrom <= lastUpdate { counts.add(flow.direction) }
        return counts
    }

    private func nextChange() -> SimTime {
        var next = SimTime.infinity
        for flow in flows {
            next = min(next, flow.activeFrom > lastUpdate ? flow.activeFrom : flow.finish)
        }
        return next
    }

    private mutating func move(to time: SimTime) {
        let dt = time - lastUpdate
        guard dt > .zero else { return }
        let counts = activeCounts()
        if counts.hostToDevice > 0 { busy[0] += dt }
        if counts.deviceToHost > 0 { busy[1] += dt }
        if counts.hostToDevice > 0 && counts.deviceToHost > 0 { bothBusy += dt }
        var movedNow: [Double] = [0, 0]
        for i in flows.indices where flows[i].activeFrom <= lastUpdate {
            let moved = min(flows[i].remainingBytes, flows[i].bytesPerSecond * Double(dt.ns) / 1e9)
            flows[i].remainingBytes -= moved
            bytesMoved[flows[i].direction.rawValue] += moved
            movedNow[flows[i].direction.rawValue] += moved
            let slot = flows[i].purposeSlot, key = flows[i].instance * 2 + flows[i].direction.rawValue
            if key >= bytesBySlot[slot].count {
                bytesBySlot[slot] += [Double](repeating: 0, count: key + 1 - bytesBySlot[slot].count)
            }
            bytesBySlot[slot][key] += moved
        }
        accumulate(movedNow[0], direction: 0, from: lastUpdate, to: time)
        accumulate(movedNow[1], direction: 1, from: lastUpdate, to: time)
        lastUpdate = time
    }

    /// Sets each flow's rate and finish time from the active set at `lastUpdate`.
    private mutating func recomputeRates() {
        let rates = perFlowRates(counts: activeCounts())
        for i in flows.indices {
            if flows[i].activeFrom > lastUpdate {
                flows[i].bytesPerSecond = 0
                flows[i].finish = .infinity
            } else {
                let rate = rates[flows[i].direction]
                flows[i].bytesPerSecond = rate
                let ns = SimTime.nanoseconds(fromSeconds: flows[i].remainingBytes / rate, rounding: .up)
                // A flow starved of host bandwidth (the 1 B/s floor) may need more ns than an Int64 holds: it
                // then has no finish until the rates change.
                flows[i].finish = ns > Self.longestFinishNs ? .infinity
                    : lastUpdate + .nanoseconds(max(Int64(ns), flows[i].remainingBytes > 0 ? 1 : 0))
            }
        }
    }
}
