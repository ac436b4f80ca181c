/// The paged KV cache of one model instance: a count of fixed-size blocks, some free.
///
/// vLLM keeps a free list of block ids; the simulator only needs the counts, so allocation is O(1).
/// The capacity may change at run time (a memory strategy can lend or take back memory).
public struct KVBlockPool: Sendable {
    /// Tokens per block (vLLM's default is 16).
    public let blockTokens: Int32
    /// Bytes of one block across all layers.
    public let blockBytes: Int64
    /// Blocks this pool may hand out.
    public private(set) var capacityBlocks: Int
    /// Blocks currently held by requests.
    public private(set) var usedBlocks: Int = 0
    /// Largest `usedBlocks` seen.
    public private(set) var peakUsedBlocks: Int = 0

    public init(capacityBlocks: Int, blockTokens: Int32, blockBytes: Int64) {
        self.capacityBlocks = capacityBlocks
        self.blockTokens = blockTokens
        self.blockBytes = blockBytes
    }

    @inlinable public var freeBlocks: Int { capacityBlocks - usedBlocks }

    /// Blocks needed to hold `tokens` tokens.
    @inlinable public func blocks(forTokens tokens: Int32) -> Int32 {
        (tokens + blockTokens - 1) / blockTokens
    }

    /// Takes `count` free blocks; the caller has checked that they are free.
    public mutating func allocate(_ count: Int) {
        usedBlocks += count
        precondition(usedBlocks <= capacityBlocks, "KV pool over capacity")
        if usedBlocks > peakUsedBlocks { peakUsedBlocks = usedBlocks }
    }

    /// Returns `count` blocks to the pool.
    public mutating func release(_ count: Int) {
        usedBlocks -= count
        precondition(usedBlocks >= 0, "KV pool released more than it holds")
    }

    /// Changes the capacity by `delta` blocks; shrinking below the used count is refused.
    /// - Returns: whether the change was made.
    @discardableResult
    public mutating func resize(by delta: Int) -> Bool {
        guard capacityBlocks + delta >= usedBlocks else { return false }
        capacityBlocks += delta
        return true
    }

    /// Invariant KV-1: 0 ≤ used ≤ capacity.
    public func checkInvariants() -> [InvariantViolation] {
        var problems: [InvariantViolation] = []
        if usedBlocks < 0 { problems.append(InvariantViolation("KV-1", "used blocks \(usedBlocks) < 0")) }
        if usedBlocks > capacityBlocks { problems.append(InvariantViolation("KV-1", "used blocks \(usedBlocks) > capacity \(capacityBlocks)")) }
        return problems
    }
}
