/// vLLM V1's automatic prefix cache for one instance: which KV blocks hold which tokens, so that a request whose
/// leading tokens equal another's reuses their blocks instead of computing them.
///
/// Follows vLLM 0.11 (`vllm/v1/core/block_pool.py`, `kv_cache_manager.py`, `kv_cache_utils.py`):
/// - A block is identified by a hash of its tokens chained with the hash of the block before it, so two blocks
///   match only when every token up to their end matches. Only full blocks are cached.
/// - A block is cached when it is allocated for tokens a step will compute, not when the step ends (as vLLM's
///   `cache_blocks` does at scheduling).
/// - A request looks up its longest cached prefix when it is scheduled from waiting, at most up to its last token
///   but one (that token is recomputed for its logits). A hit takes a reference; a block referenced by several
///   requests is held once.
/// - A block that no request references stays cached but free ("evictable"): allocations take plain free blocks
///   first and then evict the least recently freed cached block. A request frees its blocks last block first, so
///   the tail of a prompt is evicted before its head.
///
/// Counting: ``KVBlockPool`` counts blocks that some request references (`usedBlocks`). Evictable blocks are free
/// in the pool's count and listed here; there are never more of them than free blocks, so the pool may hand out
/// any free block by evicting first (``allocate(_:pool:)``). Blocks a request holds that are not cached (its
/// partial last block, or a block whose hash another block already holds) are counted only in the pool.
///
/// Tokens are identified from the request's ``RequestContent``: prompt segments, then the prompt tokens past them
/// (the request's own), then its output. A request without content has all its tokens to itself, so it can hit
/// only its own blocks (after a preemption).
///
/// Its mutable state is `@exclusivity(unchecked)`, as ``ServingInstance``'s is: the simulation is single-threaded
/// and every access goes through this class.
final class PrefixCache {
    /// Tokens per block.
    let blockTokens: Int32
    /// The instance whose blocks these are.
    let instance: Int
    /// A second tier in CPU memory that stores blocks as they are cached and is looked up after this one.
    let hostTier: (any HostPrefixTier)?
    /// Hashes of the blocks cached by the latest ``cacheFullBlocks(of:upTo:promptTokens:content:)``, for the host
    /// tier (kept to reuse its storage).
    @exclusivity(unchecked) private var newlyCached: [UInt64] = []

    /// What the cache knows of a request that holds blocks.
    private struct Holder {
        /// Slots of the cached blocks it references, in block order.
        var slots: [Int32] = []
        /// Leading blocks already hashed (cached, or found cached under another block).
        var hashedBlocks: Int32 = 0
        /// Hash of the last hashed block (the chain's start before any).
        var lastKey: UInt64 = PrefixCache.chainStart
    }

    // Cached blocks, by slot.
    @exclusivity(unchecked) private var keys: [UInt64] = []
    @exclusivity(unchecked) private var references: [Int32] = []
    /// The evictable blocks in the order they were freed (the first is evicted first).
    @exclusivity(unchecked) private var evictable = SlotList()
    @exclusivity(unchecked) private var freeSlots: [Int32] = []
    @exclusivity(unchecked) private var slotOfKey: [UInt64: Int32] = [:]
    @exclusivity(unchecked) private var holders: [Int32: Holder] = [:]

    /// Cached blocks that no request references.
    var evictableBlocks: Int { evictable.count }
    /// References to cached blocks beyond the first: how much requests' block counts add up to above the pool's
    /// used count.
    @exclusivity(unchecked) private(set) var sharedReferences = 0
    /// Tokens of the requests looked up (vLLM's prefix-cache queries), and of those, tokens found cached.
    @exclusivity(unchecked) private(set) var queriedTokens = 0
    @exclusivity(unchecked) private(set) var hitTokens = 0
    /// Cached blocks evicted to make room.
    @exclusivity(unchecked) private(set) var evictions = 0

    init(blockTokens: Int32, instance: Int, hostTier: (any HostPrefixTier)?) {
        self.blockTokens = blockTokens
        self.instance = instance
        self.hostTier = hostTier
    }

    /// What the cache found so far, for reports.
    var report: PrefixCacheReport {
        PrefixCacheReport(queriedTokens: queriedTokens, hitTokens: hitTokens, evictedBlocks: evictions)
    }

    /// Cached blocks, referenced or not.
    var cachedBlocks: Int { slotOfKey.count }

    // MARK: Lookup

    /// The longest cached prefix of request `id`'s tokens (at most its last token but one): the slots of its leading
    /// blocks cached here, how many of them are evictable, and the hashes of the blocks after them that the host
    /// tier holds (empty without one).
    func lookUp(_ id: Int32, state: RequestState, content: RequestContent?) -> PrefixHit {
        let tokens = state.sequenceTokens
        let limit = (tokens - 1) / blockTokens
        var hit = PrefixHit()
        var key = Self.chainStart
        var layout = TokenLayout(id: id, promptTokens: state.promptTokens, content: content)
        var block: Int32 = 0
        while block < limit {
            key = Self.chain(key, layout.blockHash(block, blockTokens: blockTokens))
            guard let slot = slotOfKey[key] else { break }
            hit.slots.append(slot)
            if references[Int(slot)] == 0 { hit.evictable += 1 }
            block += 1
        }
        guard let hostTier, block < limit else { return hit }
        var keys: [UInt64] = []
        while block < limit {
            keys.append(key)
            block += 1
            if block < limit { key = Self.chain(key, layout.blockHash(block, blockTokens: blockTokens)) }
        }
        hit.hostKeys = Array(keys.prefix(hostTier.leadingHits(keys, instance: instance)))
        return hit
    }

    /// Counts an admitted request's lookup in the hit rate: its tokens, and those found cached.
    func noteAdmission(queriedTokens: Int, hitTokens: Int) {
        self.queriedTokens += queriedTokens
        self.hitTokens += hitTokens
    }

    /// Request `id` takes the blocks ``lookUp(_:state:content:)`` found: evictable ones leave the evictable list
    /// and become used in `pool`; the others gain a reference.
    func take(_ slots: [Int32], for id: Int32, pool: inout KVBlockPool) {
        var holder = Holder()
        for slot in slots {
            let s = Int(slot)
            if references[s] == 0 {
                evictable.remove(slot)
                pool.allocate(1)
            } else {
                sharedReferences += 1
            }
            references[s] += 1
            holder.lastKey = keys[s]
        }
        holder.slots = slots
        holder.hashedBlocks = Int32(slots.count)
        holders[id] = holder
    }

    // MARK: Allocation

    /// Takes `count` free blocks of `pool`, evicting the least recently freed cached blocks that are in the way.
    /// The caller has checked that `pool` has `count` free blocks.
    func allocate(_ count: Int, pool: inout KVBlockPool) {
        while evictableBlocks > pool.freeBlocks - count { evictOldest() }
        pool.allocate(count)
    }

    /// Evicts cached free blocks until no more of them are listed than `pool` has free blocks (after the pool
    /// shrank).
    func fit(_ pool: KVBlockPool) {
        while evictableBlocks > pool.freeBlocks { evictOldest() }
    }

    /// Caches the full blocks of request `id` up to `tokens` tokens (those its KV will hold after this step), each
    /// block under its chained hash unless another block holds that hash already.
    func cacheFullBlocks(of id: Int32, upTo tokens: Int32, promptTokens: Int32, content: RequestContent?) {
        var holder = holders[id] ?? Holder()
        let full = tokens / blockTokens
        guard holder.hashedBlocks < full else {
            holders[id] = holder
            return
        }
        var layout = TokenLayout(id: id, promptTokens: promptTokens, content: content)
        newlyCached.removeAll(keepingCapacity: true)
        for block in holder.hashedBlocks..<full {
            let key = Self.chain(holder.lastKey, layout.blockHash(block, blockTokens: blockTokens))
            holder.lastKey = key
            guard slotOfKey[key] == nil else { continue }
            let slot = newSlot(key: key)
            references[Int(slot)] = 1
            holder.slots.append(slot)
            newlyCached.append(key)
        }
        holder.hashedBlocks = full
        holders[id] = holder
        if let hostTier, !newlyCached.isEmpty { hostTier.store(newlyCached, instance: instance) }
    }

    // MARK: Release

    /// Request `id`, which holds `blocks` blocks, lets them all go: cached blocks lose a reference (and become
    /// evictable at none, last block first), the rest return to `pool`.
    func release(_ id: Int32, blocks: Int32, pool: inout KVBlockPool) {
        let holder = holders.removeValue(forKey: id) ?? Holder()
        pool.release(Int(blocks) - holder.slots.count)
        for slot in holder.slots.reversed() {
            let s = Int(slot)
            references[s] -= 1
            if references[s] == 0 {
                pool.release(1)
                evictable.append(slot)
            } else {
                sharedReferences -= 1
            }
        }
    }

    // MARK: Invariants

    /// PC-1: the evictable list holds exactly the cached blocks no request references, and no more of them than
    /// `pool` has free. PC-2: every reference is a holder's.
    func checkInvariants(pool: KVBlockPool) -> [InvariantViolation] {
        var problems: [InvariantViolation] = []
        let listed = evictable.slots
        for slot in listed where references[Int(slot)] != 0 {
            problems.append(InvariantViolation("PC-1", "evictable block \(slot) has \(references[Int(slot)]) references"))
        }
        let unreferenced = slotOfKey.values.filter { references[Int($0)] == 0 }.count
        if listed.count != evictableBlocks || unreferenced != evictableBlocks || evictableBlocks > pool.freeBlocks {
            problems.append(InvariantViolation("PC-1", "\(listed.count) blocks listed evictable, \(unreferenced) unreferenced, \(pool.freeBlocks) free"))
        }
        var held = [Int32](repeating: 0, count: keys.count)
        for holder in holders.values { for slot in holder.slots { held[Int(slot)] += 1 } }
        for (key, slot) in slotOfKey where held[Int(slot)] != references[Int(slot)] || keys[Int(slot)] != key {
            problems.append(InvariantViolation("PC-2", "cached block \(slot) has \(references[Int(slot)]) references, \(held[Int(slot)]) held"))
        }
        return problems
    }

    // MARK: Slots and the evictable list

    private func newSlot(key: UInt64) -> Int32 {
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            keys[Int(slot)] = key
        } else {
            slot = Int32(keys.count)
            keys.append(key)
            references.append(0)
        }
        slotOfKey[key] = slot
        return slot
    }

    private func evictOldest() {
        let slot = evictable.first
        precondition(slot >= 0, "no evictable block to evict")
        evictable.remove(slot)
        evictions += 1
        slotOfKey[keys[Int(slot)]] = nil
        hostTier?.store(CollectionOfOne(keys[Int(slot)]), instance: instance)
        freeSlots.append(slot)
    }

    // MARK: Hashing

    static let chainStart: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The hash of a block whose tokens hash to `blockHash`, after a block whose chained hash is `parent`.
    static func chain(_ parent: UInt64, _ blockHash: UInt64) -> UInt64 {
        mix(parent &+ mix(blockHash))
    }

    /// SplitMix64's finaliser: a cheap, well-mixed 64-bit hash.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What a request found cached when it was looked up.
struct PrefixHit {
    /// Slots of its leading blocks cached on the GPU.
    var slots: [Int32] = []
    /// How many of those no request references (taking them uses free blocks).
    var evictable = 0
    /// Hashes of the blocks after those that the host tier holds, in order.
    var hostKeys: [UInt64] = []
}

/// A second tier of the prefix cache in CPU memory (vLLM's CPU KV offloading): it stores blocks as they are cached
/// or evicted on the GPU, and a request's blocks found there are loaded into GPU blocks before its prefill.
public protocol HostPrefixTier: AnyObject {
    /// Blocks of `instance` just cached or evicted on the GPU, by hash: the tier may store them.
    func store<Keys: Collection<UInt64>>(_ keys: Keys, instance: Int)
    /// How many of `keys` (the blocks after a request's GPU-cached prefix, in order) the tier holds from the first.
    func leadingHits(_ keys: [UInt64], instance: Int) -> Int
    /// The blocks `keys`, found by ``leadingHits(_:instance:)``, are loaded for a request of `instance` admitted now.
    func load(_ keys: [UInt64], instance: Int)
}

/// A request's tokens as runs of one identity each: its prompt segments, its own prompt tokens, its output. Hashes
/// a block from the runs it overlaps; walks forward, so blocks are asked for in increasing order.
private struct TokenLayout {
    private let segments: [PromptSegment]
    private let ownContent: UInt64
    private let outputContent: UInt64
    private let segmentTokens: Int32
    private let promptTokens: Int32
    /// The segment the walk is at, and the token at which it starts.
    private var segment = 0
    private var segmentStart: Int32 = 0

    init(id: Int32, promptTokens: Int32, content: RequestContent?) {
        var segments = content?.segments ?? []
        var total: Int32 = 0
        for i in segments.indices {
            let tokens = min(segments[i].tokens, promptTokens - total)
            segments[i].tokens = tokens
            total += tokens
        }
        self.segments = segments.filter { $0.tokens > 0 }
        segmentTokens = total
        self.promptTokens = promptTokens
        // Tokens of this request alone: the request id in the top half, tagged apart from output.
        ownContent = PrefixCache.mix(0x5052_4F4D_0000_0000 | UInt64(UInt32(bitPattern: id)))
        outputContent = content?.output ?? PrefixCache.mix(0x4F55_5450_0000_0000 | UInt64(UInt32(bitPattern: id)))
    }

    /// A hash of the tokens of block `block`: of each run it overlaps, the run's identity, where in the run the
    /// overlap starts and how long it is.
    mutating func blockHash(_ block: Int32, blockTokens: Int32) -> UInt64 {
        let start = block * blockTokens, end = start + blockTokens
        var hash: UInt64 = 0
        var position = start
        while segment < segments.count && segmentStart + segments[segment].tokens <= start {
            segmentStart += segments[segment].tokens
            segment += 1
        }
        var s = segment, sStart = segmentStart
        while position < end && s < segments.count {
            let runEnd = min(end, sStart + segments[s].tokens)
            hash = Self.piece(hash, segments[s].content, position - sStart, runEnd - position)
            position = runEnd
            sStart += segments[s].tokens
            s += 1
        }
        if position < end && position < promptTokens {
            let runEnd = min(end, promptTokens)
            hash = Self.piece(hash, ownContent, position - segmentTokens, runEnd - position)
            position = runEnd
        }
        if position < end {
            hash = Self.piece(hash, outputContent, position - promptTokens, end - position)
        }
        return hash
    }

    private static func piece(_ hash: UInt64, _ content: UInt64, _ offset: Int32, _ length: Int32) -> UInt64 {
        PrefixCache.mix(hash ^ PrefixCache.mix(content &+ UInt64(UInt32(bitPattern: offset)) << 32 &+ UInt64(UInt32(bitPattern: length))))
    }
}
