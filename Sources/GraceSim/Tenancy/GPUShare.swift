/// The iterations in flight on a GPU shared with MPS, and how fast each progresses.
///
/// The sharing rule (processor sharing): an iteration is a host part (the serving engine's CPU overhead and any
/// transfer stall its strategy adds) followed by a GPU part, its compute on the whole GPU alone
/// (``IterationTimeModel/computeSeconds(of:)``). The host part runs at full speed whatever else runs. While `k`
/// iterations are in their GPU part, each progresses at 1/k of the whole GPU's rate: SM throughput and HBM
/// bandwidth are split equally, so the GPU's total work rate is conserved and overlap buys nothing beyond
/// filling the gaps the host parts leave. Whenever an iteration enters or leaves its GPU part the others' finish
/// times change; the simulator then reschedules its one GPU event (a generation counter makes older ones stale),
/// as it does for the link's flows.
///
/// Equal shares rather than shares weighted by demand: MPS gives no client priority, and a memory-bound decode and
/// a compute-bound prefill contend for both SMs and HBM bandwidth once the SM share is split (kernels occupy SMs
/// while they wait on memory). Equal shares are the simple, conservative end; they understate the gain of
/// overlapping a memory-bound pass with a compute-bound one.
struct GPUShare {
    struct Flight {
        var instance: Int
        /// When the iteration began (it may have waited for transfers before its flight started), ns.
        var startNs: Int64
        /// Host time still to run before the GPU part, ns.
        var hostNs: Int64
        /// GPU work still to do, in ns of the whole GPU alone.
        var work: Double
    }

    /// Work below this (ns of the whole GPU) counts as done; it absorbs rounding of finish times to whole ns.
    private static let doneWork = 1e-6

    private(set) var flights: [Flight] = []
    private var clockNs: Int64 = 0

    /// Iterations in their GPU part now.
    var sharers: Int {
        var k = 0
        for flight in flights where flight.hostNs == 0 && flight.work > Self.doneWork { k += 1 }
        return k
    }

    /// Moves every flight to `nowNs`. Between two calls no flight changes part (the simulator has an event at
    /// each change), so the number of sharers is constant over the interval.
    mutating func advance(to nowNs: Int64) {
        let elapsed = nowNs - clockNs
        clockNs = nowNs
        guard elapsed > 0 else { return }
        let k = Double(max(1, sharers))
        for i in flights.indices {
            var left = elapsed
            if flights[i].hostNs > 0 {
                let host = min(left, flights[i].hostNs)
                flights[i].hostNs -= host
                left -= host
            }
            if left > 0 { flights[i].work -= Double(left) / k }
        }
    }

    /// Starts an iteration's flight at `nowNs` (after ``advance(to:)`` to `nowNs`).
    mutating func start(instance: Int, startNs: Int64, hostNs: Int64, gpuNs: Int64) {
        flights.append(Flight(instance: instance, startNs: startNs, hostNs: max(0, hostNs), work: Double(max(0, gpuNs))))
    }

    /// Removes and returns the flights whose GPU work is done, in instance order.
    mutating func takeFinished() -> [Flight] {
        let done = flights.filter { $0.hostNs == 0 && $0.work <= Self.doneWork }.sorted { $0.instance < $1.instance }
        if !done.isEmpty { flights.removeAll { $0.hostNs == 0 && $0.work <= Self.doneWork } }
        return done
    }

    /// When the next flight changes part or finishes at the current rates, ns; nil when nothing flies.
    var nextEventNs: Int64? {
        let k = Double(max(1, sharers))
        var next: Int64?
        for flight in flights {
            let at: Int64
            if flight.hostNs > 0 {
                at = clockNs + flight.hostNs
            } else if flight.work <= Self.doneWork {
                at = clockNs
            } else {
                at = clockNs + max(1, Int64((flight.work * k - Self.doneWork).rounded(.up)))
            }
            next = min(next ?? at, at)
        }
        return next
    }
}
