/// One broken invariant: its id (KV-1, HBM-1, …, each listed in the README's "Invariants"), what was found, and
/// the simulated time it was found at. Tests match on ``id``; people read ``description``.
public struct InvariantViolation: Sendable, Hashable, CustomStringConvertible {
    /// The invariant's identifier, e.g. `"HBM-1"`.
    public var id: String
    /// What was found, naming the instance or request involved.
    public var message: String
    /// When the simulator found it (nil when checked outside a run).
    public var time: SimTime?

    public init(_ id: String, _ message: String, time: SimTime? = nil) {
        self.id = id
        self.message = message
        self.time = time
    }

    /// This violation, found by the simulator at `time`.
    public func at(_ time: SimTime) -> InvariantViolation {
        InvariantViolation(id, message, time: time)
    }

    /// This violation with `owner` (an instance's name) in front of its message.
    public func within(_ owner: String) -> InvariantViolation {
        InvariantViolation(id, "\(owner): \(message)", time: time)
    }

    /// `t=<ns>: <id>: <message>`.
    public var description: String {
        (time.map { "t=\($0.ns): " } ?? "") + "\(id): \(message)"
    }
}
