import GraceSimTestSupport
import Testing
@testable import GraceSim

/// The block pool's counting and invariant KV-1.
@Suite struct KVBlockPoolTests {
    static func pool(_ capacity: Int) -> KVBlockPool {
        KVBlockPool(capacityBlocks: capacity, blockTokens: 16, blockBytes: 16 * 131_072)
    }

    @Test func blocksForTokensRoundsUp() {
        let pool = Self.pool(10)
        #expect([0, 1, 15, 16, 17, 32, 33].map { pool.blocks(forTokens: $0) } == [0, 1, 1, 1, 2, 2, 3])
    }

    @Test func allocateAndReleaseTrackUseAndPeak() {
        var pool = Self.pool(10)
        pool.allocate(4)
        pool.allocate(6)
        #expect(pool.usedBlocks == 10 && pool.freeBlocks == 0 && pool.peakUsedBlocks == 10)
        pool.release(7)
        pool.allocate(2)
        #expect(pool.usedBlocks == 5 && pool.freeBlocks == 5 && pool.peakUsedBlocks == 10)
        pool.release(5)
        #expect(pool.usedBlocks == 0)
        #expect(pool.checkInvariants().isEmpty)
    }

    /// Resizing may grow the pool or shrink it down to the blocks in use, never below.
    @Test func resizeRefusesShrinkingBelowUse() {
        var pool = Self.pool(10)
        pool.allocate(6)
        let refused = pool.resize(by: -5)
        #expect(!refused)
        #expect(pool.capacityBlocks == 10)
        let shrunk = pool.resize(by: -4)
        #expect(shrunk)
        #expect(pool.capacityBlocks == 6 && pool.freeBlocks == 0)
        let grown = pool.resize(by: 3)
        #expect(grown)
        #expect(pool.capacityBlocks == 9 && pool.freeBlocks == 3)
        pool.release(6)
        let emptied = pool.resize(by: -9)
        #expect(emptied)
        #expect(pool.capacityBlocks == 0)
        #expect(pool.checkInvariants().isEmpty)
    }
}
