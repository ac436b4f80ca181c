/// vLLM V1's native CPU KV offloading (`--kv-offloading-backend native --kv-offloading-size <GiB>`, the
/// `OffloadingConnector` of vLLM 0.11): a second tier of the prefix cache in CPU memory.
///
/// - Each instance has a CPU block pool of `kv_offloading_size` GiB, in blocks of the GPU's block size, with LRU
///   eviction.
/// - Every block the GPU prefix cache caches (a block that fills) is stored device→host, and so is a block the GPU
///   evicts that the CPU pool no longer holds. Stores are asynchronous: they start when the step that computed the
///   blocks ends, and no step waits for them.
/// - A request looked up at admission that misses on the GPU continues in the CPU pool: the blocks found there
///   (from the first, in order) are loaded host→device into new GPU blocks and count as computed. The step that
///   admits the request waits for the load before it computes [assumed: vLLM loads asynchronously and schedules the
///   request once its blocks have arrived, so other requests do not wait; at C2C speed a load takes a fraction of a
///   millisecond per thousand tokens, so the difference is small, and larger over PCIe].
/// - Both directions run over the shared link and against host-memory bandwidth, like every other flow.
///
/// It needs prefix caching, which only the V1 engine has. Without prefix reuse in the workload it stores blocks
/// nobody asks for again, as the measured GH200 runs found (../shared facts, docs/strategies.md).
public final class KVOffloadStrategy: RegisteredStrategy, HostPrefixTier {
    public static let kind = StrategyKind.kvOffload
    public static let summary = "vLLM V1 CPU KV offloading: cached blocks are copied to a CPU block pool (LRU); prefix hits there load back before the prefill"

    /// `strategy: {kind: kv-offload, kv_offloading_size: 32}` (vLLM's `--kv-offloading-size`, GiB per instance).
    public struct Options: StrategyOptions {
        /// CPU memory for offloaded KV blocks per instance, in bytes.
        public var sizeBytes: Int64

        /// 32 GiB when the experiment gives no size [E: vLLM has no default; a size a GH200's 480 GB LPDDR holds
        /// many times over].
        public init(sizeBytes: Int64 = 32 << 30) {
            self.sizeBytes = sizeBytes
        }

        public static func load(from o: ConfigObject) throws -> Options {
            let gib = try o.double("kv_offloading_size", in: 0.001...1_000_000, default: 32)
            return Options(sizeBytes: Int64(gib * Double(1 << 30)))
        }
    }

    public let options: Options
    /// The simulation served (unowned, as ``StrategyTiming/attach(to:)`` asks).
    private unowned var context: SimulationContext?
    /// Each instance's CPU block pool, made at its first store.
    private var pools: [Int: HostBlockPool] = [:]
    /// Blocks stored and loaded in the step being scheduled, per instance, not yet on the link.
    private var pendingStores: [Int: Int] = [:]
    private var pendingLoads: [Int: Int] = [:]
    private var counters: [Int: Counters] = [:]

    private struct Counters {
        var storedBlocks = 0
        var loadedBlocks = 0
        var loads = 0
    }

    public init(options: Options) {
        self.options = options
    }

    public static func refusal(for instance: InstanceSpec, options: Options) -> String? {
        instance.prefixCaching ? nil
            : "CPU KV offloading is a tier of the prefix cache; it needs engine: vllm-v1 with enable_prefix_caching (V1's default)"
    }

    public func attach(to context: SimulationContext) {
        self.context = context
    }

    public var hostPrefixTier: (any HostPrefixTier)? { self }

    // MARK: The CPU tier

    public func store<Keys: Collection<UInt64>>(_ keys: Keys, instance: Int) {
        guard let context else { return }
        let stored = pools[instance, default: HostBlockPool(capacity: Int(options.sizeBytes / context.instances[instance].pool.blockBytes))]
            .insert(keys)
        pendingStores[instance, default: 0] += stored
        counters[instance, default: Counters()].storedBlocks += stored
    }

    public func leadingHits(_ keys: [UInt64], instance: Int) -> Int {
        pools[instance]?.leadingHits(keys) ?? 0
    }

    public func load(_ keys: [UInt64], instance: Int) {
        pools[instance]?.touch(keys)
        pendingLoads[instance, default: 0] += keys.count
        counters[instance, default: Counters()].loadedBlocks += keys.count
        counters[instance, default: Counters()].loads += 1
    }

    // MARK: Transfers

    /// The step waits for the blocks loaded for the requests it admitted.
    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        guard let context, let blocks = pendingLoads.removeValue(forKey: instance.index), blocks > 0 else { return IterationPlan() }
        let bytes = Int64(blocks) * instance.pool.blockBytes
        return IterationPlan(waitFor: [context.startTransfer(bytes: bytes, direction: .hostToDevice, purpose: .kvOffloadLoad,
                                                             instance: instance.index)])
    }

    /// Blocks the step filled are stored once it has computed them, asynchronously.
    public func iterationFinished(instance: ServingInstance, now: SimTime) {
        guard let context, let blocks = pendingStores.removeValue(forKey: instance.index), blocks > 0 else { return }
        _ = context.startTransfer(bytes: Int64(blocks) * instance.pool.blockBytes, direction: .deviceToHost,
                                  purpose: .kvOffloadStore, instance: instance.index)
    }

    // MARK: Accounting

    /// KO-1: no CPU pool holds more blocks than its capacity.
    public func checkInvariants() -> [InvariantViolation] {
        pools.sorted { $0.key < $1.key }.compactMap { index, pool in
            pool.count > pool.capacity ? InvariantViolation("KO-1", "instance \(index) holds \(pool.count) CPU blocks of \(pool.capacity)") : nil
        }
    }

    public func report(instance: ServingInstance, end: SimTime) -> StrategyReport {
        let c = counters[instance.index, default: Counters()]
        let pool = pools[instance.index]
        return StrategyReport(counters: [
            "cpu_pool_gib": Double(options.sizeBytes) / Double(1 << 30),
            "cpu_blocks_stored": Double(c.storedBlocks),
            "cpu_blocks_loaded": Double(c.loadedBlocks),
            "cpu_hit_tokens": Double(c.loadedBlocks * Int(instance.pool.blockTokens)),
            "cpu_loads": Double(c.loads),
            "cpu_blocks_evicted": Double(pool?.evictions ?? 0),
        ])
    }
}

/// One instance's CPU block pool: block hashes in least-recently-used order, at most `capacity` of them.
private struct HostBlockPool {
    let capacity: Int
    private var slotOfKey: [UInt64: Int32] = [:]
    private var keys: [UInt64] = []
    private var order = SlotList()
    private var freeSlots: [Int32] = []
    private(set) var evictions = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 0)
    }

    var count: Int { slotOfKey.count }

    /// Stores the blocks not held yet (evicting the least recently used), marks the others used; returns how many
    /// were stored.
    mutating func insert<Keys: Collection<UInt64>>(_ newKeys: Keys) -> Int {
        guard capacity > 0 else { return 0 }
        var stored = 0
        for key in newKeys {
            if let slot = slotOfKey[key] {
                order.remove(slot)
                order.append(slot)
                continue
            }
            if slotOfKey.count == capacity {
                let oldest = order.first
                order.remove(oldest)
                slotOfKey[keys[Int(oldest)]] = nil
                freeSlots.append(oldest)
                evictions += 1
            }
            let slot: Int32
            if let reused = freeSlots.popLast() {
                slot = reused
                keys[Int(slot)] = key
            } else {
                slot = Int32(keys.count)
                keys.append(key)
            }
            slotOfKey[key] = slot
            order.append(slot)
            stored += 1
        }
        return stored
    }

    /// How many of `keys` it holds, from the first.
    func leadingHits(_ keys: [UInt64]) -> Int {
        keys.firstIndex { slotOfKey[$0] == nil } ?? keys.count
    }

    /// Marks held blocks as just used.
    mutating func touch(_ keys: [UInt64]) {
        for key in keys {
            guard let slot = slotOfKey[key] else { continue }
            order.remove(slot)
            order.append(slot)
        }
    }
}

extension TransferPurpose {
    /// Cached KV blocks copied to vLLM V1's CPU block pool.
    public static let kvOffloadStore = TransferPurpose(name: "kv-offload-store", order: 20)
    /// KV blocks found in the CPU block pool loaded back before a request's prefill.
    public static let kvOffloadLoad = TransferPurpose(name: "kv-offload-load", order: 21)
}

extension StrategyKind {
    /// vLLM V1's CPU KV offloading: a CPU tier of the prefix cache.
    public static let kvOffload = StrategyKind(name: "kv-offload")
}
