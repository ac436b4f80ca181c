/// The GPU work in flight on a GPU shared with MPS, and how fast each piece progresses.
///
/// The sharing rule (processor sharing): a pass is a host part (the serving engine's CPU overhead), which runs
/// at full speed whatever else runs, and GPU segments, its compute on the whole GPU alone
/// (``IterationTimeModel/computeSeconds(of:)``) split where a streamed layer waits for its load. The simulator
/// hands each segment to this share (one per instance at a time); a pass that waits for a load or for its host
/// part holds no share. While `k` segments are in flight, each progresses at 1/k of the whole GPU's rate: SM
/// throughput and HBM bandwidth are split equally, so the GPU's total work rate is conserved and overlap buys
/// nothing beyond filling the gaps the host parts and waits leave. Whenever a segment starts or ends the
/// others' finish times change; the simulator then reschedules its one GPU event (a generation counter makes
/// older ones stale), as it does for the link's flows.
///
/// Equal shares rather than shares weighted by demand: MPS gives no client priority, and a memory-bound decode and
/// a compute-bound prefill contend for both SMs and HBM bandwidth once the SM share is split (kernels occupy SMs
/// while they wait on memory). Equal shares are the simple, conservative end; they understate the gain of
/// overlapping a memory-bound pass with a compute-bound one.
struct GPUShare {
    struct Segment {
        var instance: Int
        /// GPU work still to do, in ns of the whole GPU alone (fractional: shares split nanoseconds).
        var remainingNs: Double
    }

    /// Work below this (ns of the whole GPU) counts as done; it absorbs rounding of finish times to whole ns.
    private static let doneWork = 1e-6

    private(set) var segments: [Segment] = []
    /// The time the segments have been moved to.
    private var clock = SimTime.zero

    /// Moves every segment to `now`. Between two calls no segment starts or ends (the simulator has an event at
    /// each), so the number of segments sharing the GPU is constant over the interval.
    mutating func advance(to now: SimTime) {
        let elapsed = now - clock
        clock = now
        guard elapsed > .zero, !segments.isEmpty else { return }
        let share = Double(elapsed.ns) / Double(segments.count)
        for i in segments.indices { segments[i].remainingNs -= share }
    }

    /// Starts a segment of `work` (GPU time on the whole GPU alone) for `instance` at the share's clock (after
    /// ``advance(to:)`` to now).
    mutating func start(instance: Int, work: SimTime) {
        segments.append(Segment(instance: instance, remainingNs: Double(max(0, work.ns))))
    }

    /// Removes the segments whose work is done and returns their instances, in instance order.
    mutating func takeFinished() -> [Int] {
        guard segments.contains(where: { $0.remainingNs <= Self.doneWork }) else { return [] }
        let done = segments.filter { $0.remainingNs <= Self.doneWork }.map(\.instance).sorted()
        segments.removeAll { $0.remainingNs <= Self.doneWork }
        return done
    }

    /// When the next segment finishes at the current rates; nil when none is in flight.
    var nextEvent: SimTime? {
        guard var least = segments.first?.remainingNs else { return nil }
        for segment in segments { least = min(least, segment.remainingNs) }
        if least <= Self.doneWork { return clock }
        return clock + .nanoseconds(max(1, Int64((least * Double(segments.count) - Self.doneWork).rounded(.up))))
    }
}
