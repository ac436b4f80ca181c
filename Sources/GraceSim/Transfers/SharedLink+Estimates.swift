/// Transfer-time estimates for strategies' policies, from the link's own sharing rule: the one place a strategy
/// learns how long bytes take to cross. Estimates never schedule anything; the link's flows are the truth, and
/// `SharedLinkEstimateTests` checks that a lone transfer takes exactly the estimated time.
extension SharedLink {
    /// The time a transfer of `bytes` in `direction` takes on an idle link with nothing reserved, while `streams`
    /// equal streams share that direction (1: alone): the link's latency, then the bytes at the direction's rate
    /// (bounded by host memory bandwidth) over the streams, rounded up to a whole ns as a flow's finish is, at
    /// least 1 ns. O(1).
    public static func loneTransferTime(bytes: Int64, direction: LinkDirection, spec: LinkSpec,
                                        hostMemoryBytesPerSecond: Double, streams: Int = 1) -> SimTime {
        let oneWay = direction == .hostToDevice ? spec.hostToDeviceBytesPerSecond : spec.deviceToHostBytesPerSecond
        let rate = min(oneWay, max(hostMemoryBytesPerSecond, 1)) / Double(max(1, streams))
        return spec.latency + max(.nanoseconds(1), SimTime.capped(seconds: Double(bytes) / rate, rounding: .up))
    }

    /// ``loneTransferTime(bytes:direction:spec:hostMemoryBytesPerSecond:streams:)`` on this link.
    public func loneTransferTime(bytes: Int64, direction: LinkDirection, streams: Int = 1) -> SimTime {
        Self.loneTransferTime(bytes: bytes, direction: direction, spec: spec,
                              hostMemoryBytesPerSecond: hostMemoryBytesPerSecond, streams: streams)
    }

    /// The time a transfer of `bytes` takes at `bytesPerSecond` once it moves: the link's latency plus the bytes
    /// at that rate (to the nearest ns), for a rate read from ``ratesForNewFlowPair(now:)``.
    public func transferTime(bytes: Int64, bytesPerSecond: Double) -> SimTime {
        spec.latency + SimTime.seconds(Double(bytes) / bytesPerSecond)
    }

    /// Per-flow rates, bytes per second, that a new host-to-device flow and a new device-to-host flow get when
    /// both start at `now` beside the flows already moving: one flow added in each direction, so that the mixed
    /// total applies even when the other direction is idle (a prediction, for policies only).
    public func ratesForNewFlowPair(now: SimTime) -> (hostToDevice: Double, deviceToHost: Double) {
        var counts = FlowCounts(hostToDevice: 1, deviceToHost: 1)
        for flow in flows where flow.activeFrom <= now && flow.finish > now {
            counts.add(flow.direction)
        }
        let totals = directionTotals(counts: counts)
        return (totals.hostToDevice / Double(counts.hostToDevice), totals.deviceToHost / Double(counts.deviceToHost))
    }
}
