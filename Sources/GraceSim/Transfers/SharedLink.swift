/// The CPU–GPU link as a fluid, processor-sharing resource: two directional channels whose flows share
/// bandwidth, a lower total when both directions are busy, and host memory bandwidth that the link's traffic
/// and CPU work draw from together.
///
/// Rates change only when the set of active flows (or the host-memory reservation) changes; the owner then
/// calls ``advance(to:)`` and reads ``nextEventNs`` to schedule the next completion.
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
    private var lastUpdateNs: Int64 = 0
    /// Finish times further ahead than this (about 31.7 years), in ns, are treated as never.
    private static let longestFinishNs = 1e18
    private var nextID = 0

    /// Bytes moved so far, by direction (index: `LinkDirection.rawValue`).
    public private(set) var bytesMoved: [Double] = [0, 0]
    /// Bytes moved so far by instance, direction and purpose.
    public private(set) var bytesByInstance: [Int: [LinkDirection: [TransferPurpose: Double]]] = [:]
    /// Time each direction carried at least one active flow, in ns.
    public private(set) var busyNs: [Int64] = [0, 0]
    /// Time both directions were busy at once, in ns.
    public private(set) var bothBusyNs: Int64 = 0

    public init(spec: LinkSpec, hostMemoryBytesPerSecond: Double) {
        self.spec = spec
        self.hostMemoryBytesPerSecond = hostMemoryBytesPerSecond
    }

    /// Starts a transfer at `now` (after ``advance(to:)`` to `now`); returns its id.
    public mutating func start(bytes: Int64, direction: LinkDirection, purpose: TransferPurpose, instance: Int, now: Int64) -> TransferID {
        precondition(now == lastUpdateNs, "advance the link to now before starting a transfer")
        let id = TransferID(raw: nextID)
        nextID += 1
        flows.append(Transfer(id: id, direction: direction, purpose: purpose, instance: instance, bytes: bytes,
                              requestedNs: now, activeFromNs: now + spec.latencyNs, remainingBytes: Double(bytes)))
        recomputeRates()
        return id
    }

    /// Sets the host memory bandwidth held by CPU work from `now` on.
    public mutating func reserveHostBandwidth(_ bytesPerSecond: Double, now: Int64) {
        precondition(now == lastUpdateNs, "advance the link to now before changing the reservation")
        hostReservedBytesPerSecond = max(0, bytesPerSecond)
        recomputeRates()
    }

    /// Moves every flow forward to `now` at the current rates and returns the flows that finished, in id order.
    public mutating func advance(to now: Int64) -> [Transfer] {
        var finished: [Transfer] = []
        // Rates change whenever a flow becomes active or finishes, so move through those instants in order.
        // A flow can be due at the instant the link already stands at (a zero-byte flow whose latency just
        // ended), so keep going while one is.
        while lastUpdateNs < now || (lastUpdateNs == now && flows.contains { $0.finishNs <= now }) {
            let step = min(now, nextChangeNs())
            move(to: step)
            var i = 0
            while i < flows.count {
                if flows[i].finishNs <= step {
                    finished.append(flows.remove(at: i))
                } else {
                    i += 1
                }
            }
            recomputeRates()
        }
        return finished
    }

    /// The next instant at which a flow finishes or becomes active, in ns (nil when idle).
    public var nextEventNs: Int64? {
        let next = nextChangeNs()
        return next == .max ? nil : next
    }

    /// The rate a new flow in `direction` would get now, bytes per second, after its start-up latency.
    /// Flows for which `isSameStream` is true are not counted: they are earlier parts of the same stream,
    /// which the new flow follows rather than shares the link with.
    public func rateForNewFlow(direction: LinkDirection, isSameStream: (Transfer) -> Bool = { _ in false }) -> Double {
        var counts = [0, 0]
        for flow in flows where flow.activeFromNs <= lastUpdateNs && !isSameStream(flow) {
            counts[flow.direction.rawValue] += 1
        }
        counts[direction.rawValue] += 1
        return perFlowRates(counts: counts)[direction.rawValue]
    }

    /// Bytes per second one direction gets in total with `counts` active flows each way.
    func directionTotals(counts: [Int]) -> [Double] {
        let hostFree = max(hostMemoryBytesPerSecond - hostReservedBytesPerSecond, 1)
        let solo = [spec.hostToDeviceBytesPerSecond, spec.deviceToHostBytesPerSecond]
        if counts[0] > 0 && counts[1] > 0 {
            let total = min(spec.mixedTotalBytesPerSecond, solo[0] + solo[1], hostFree)
            return [total * solo[0] / (solo[0] + solo[1]), total * solo[1] / (solo[0] + solo[1])]
        }
        return [counts[0] > 0 ? min(solo[0], hostFree) : 0, counts[1] > 0 ? min(solo[1], hostFree) : 0]
    }

    private func perFlowRates(counts: [Int]) -> [Double] {
        let totals = directionTotals(counts: counts)
        return [counts[0] > 0 ? totals[0] / Double(counts[0]) : 0, counts[1] > 0 ? totals[1] / Double(counts[1]) : 0]
    }

    private func activeCounts() -> [Int] {
        var counts = [0, 0]
        for flow in flows where flow.activeFromNs <= lastUpdateNs { counts[flow.direction.rawValue] += 1 }
        return counts
    }

    private func nextChangeNs() -> Int64 {
        var next = Int64.max
        for flow in flows {
            next = min(next, flow.activeFromNs > lastUpdateNs ? flow.activeFromNs : flow.finishNs)
        }
        return next
    }

    private mutating func move(to time: Int64) {
        let dt = time - lastUpdateNs
        guard dt > 0 else { return }
        let counts = activeCounts()
        for d in 0..<2 where counts[d] > 0 { busyNs[d] += dt }
        if counts[0] > 0 && counts[1] > 0 { bothBusyNs += dt }
        for i in flows.indices where flows[i].activeFromNs <= lastUpdateNs {
            let moved = min(flows[i].remainingBytes, flows[i].bytesPerSecond * Double(dt) / 1e9)
            flows[i].remainingBytes -= moved
            bytesMoved[flows[i].direction.rawValue] += moved
            bytesByInstance[flows[i].instance, default: [:]][flows[i].direction, default: [:]][flows[i].purpose, default: 0] += moved
        }
        lastUpdateNs = time
    }

    /// Sets each flow's rate and finish time from the active set at `lastUpdateNs`.
    private mutating func recomputeRates() {
        let rates = perFlowRates(counts: activeCounts())
        for i in flows.indices {
            if flows[i].activeFromNs > lastUpdateNs {
                flows[i].bytesPerSecond = 0
                flows[i].finishNs = .max
            } else {
                let rate = rates[flows[i].direction.rawValue]
                flows[i].bytesPerSecond = rate
                let ns = (flows[i].remainingBytes / rate * 1e9).rounded(.up)
                // A flow starved of host bandwidth (the 1 B/s floor) may need more ns than an Int64 holds: it
                // then has no finish until the rates change.
                flows[i].finishNs = ns > Self.longestFinishNs ? .max
                    : lastUpdateNs + max(Int64(ns), flows[i].remainingBytes > 0 ? 1 : 0)
            }
        }
    }
}
