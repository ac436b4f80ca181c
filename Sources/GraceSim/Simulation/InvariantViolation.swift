/// One broken invariant: its id (KV-1, HBM-1, …, each listed in the README's "Invariants"), what was found, and
/// the simulated time it was found at. Tests match on ``id``; people read ``description``.
public struct InvariantViolation: Sendable, Hashable, CustomStringConvertible {
    /// The invariant's identifier, e.g. `"HBM-1"`.
    public var id: String
    /// What was found, naming the instance or request involved.
    public var message: String
    /// When the simulator found it, in ns since the start (nil when checked outside a run).
    public var timeNs: Int64?

    public init(_ id: String, _ message: String, timeNs: Int64? = nil) {
        self.id = id
        self.message = message
        self.timeNs = timeNs
    }

    /// This violation, found by the simulator at `time`.
    public func at(_ time: SimTime) -> InvariantViolation {
        InvariantViolation(id, message, timeNs: time.ns)
    }

    /// This violation with `owner` (an instance's name) in front of its message.
    public func within(_ owner: String) -> InvariantViolation {
        InvariantViolation(id, "\(owner): \(message)", timeNs: timeNs)
    }

    /// `t=<ns>: <id>: <message>`.
    public var description: String {
        (timeNs.map { "t=\($0): " } ?? "") + "\(id): \(message)"
    }
}
