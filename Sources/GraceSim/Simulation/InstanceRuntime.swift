/// What the simulator keeps about one instance while the run goes on, besides the instance's own state: one record
/// per instance, in ``Simulator/runtime``.
struct InstanceRuntime {
    /// Under MPS and MIG: whether the instance has an iteration started and not yet done.
    var busy = false
    /// The pass the instance is running, when it is more than its compute (see `Simulator+Pass.swift`).
    var pass: RunningPass?
    /// Loads the instance's stream started between passes (prefetch), for its next pass.
    var earlyLoads: EarlyLoads?
    /// How long the instance's last pass waited for transfers or CPU work.
    var lastStall = SimTime.zero
    /// Under a closed loop: the instance's finished requests that the simulator has sent follow-ups for.
    var finishedAnswered = 0
    /// When the workload needs an ended request's content (sessions): the instance's admitted requests with content,
    /// in arrival order, until they finish. Empty otherwise.
    var awaitingEnd: [Int32] = []
}
