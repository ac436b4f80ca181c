/// What a memory strategy asks of an instance's memory: KV blocks to lend to its pool (or take back), and
/// decoding requests whose KV and attention move to the CPU. The instance applies it
/// (``ServingInstance/apply(_:)``); a strategy never resizes a pool or moves a request itself.
///
/// Returned from ``StrategyCapacity/makeRoom(blocks:instance:now:)`` and
/// ``StrategyCapacity/makeRoomToAdmit(blocks:instance:now:)``; at any other time (giving memory back after an
/// iteration or a transfer, growing pools at the start) handed to ``SimulationContext/apply(_:to:)``.
public struct MemoryDecision: Sendable, Equatable {
    /// KV blocks added to the instance's pool; negative to take blocks back (refused below the blocks in use).
    public var poolBlocks: Int
    /// Decoding requests to move to host memory, in order (``ServingInstance/moveToHost(_:)``).
    public var requestsToHost: [Int32]

    public init(poolBlocks: Int = 0, requestsToHost: [Int32] = []) {
        self.poolBlocks = poolBlocks
        self.requestsToHost = requestsToHost
    }

    /// Nothing to change.
    public static let none = MemoryDecision()

    /// Whether the decision changes nothing.
    public var isEmpty: Bool { poolBlocks == 0 && requestsToHost.isEmpty }
}

extension ServingInstance {
    /// Applies a strategy's decision: resizes the pool by ``MemoryDecision/poolBlocks`` (evicting cached free blocks
    /// that no longer fit, under prefix caching), then moves
    /// ``MemoryDecision/requestsToHost`` to the host. A shrink below the blocks in use is refused whole (nothing
    /// is applied).
    /// - Returns: whether the decision was applied.
    @discardableResult
    public func apply(_ decision: MemoryDecision) -> Bool {
        guard decision.poolBlocks == 0 || pool.resize(by: decision.poolBlocks) else { return false }
        // Cached free blocks give way first when the pool shrinks.
        if decision.poolBlocks < 0 { prefixCache?.fit(pool) }
        for id in decision.requestsToHost { moveToHost(id) }
        return true
    }
}
