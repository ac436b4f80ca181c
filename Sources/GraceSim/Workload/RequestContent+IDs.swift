/// Content ids a workload makes up: one 64-bit id per (namespace, kind, index), stable across runs and platforms.
///
/// Each request source has its own namespace (from its stream prefix), so the ids of two sources differ; within
/// a source, ids of different kinds (a trace's block, a system prompt, a turn's message) differ by `kind`. The id
/// is SplitMix64's finalizer over the three, so two distinct triples collide with chance about 2⁻⁶⁴.
struct ContentIDs: Sendable, Equatable {
    /// What an id names.
    enum Kind: UInt64 {
        /// A prompt block of a trace (Mooncake's `hash_ids`).
        case traceBlock = 1
        /// The tokens a request generates.
        case output = 2
        /// A shared system prompt of a session workload, or a common prefix.
        case sharedPrefix = 3
        /// A user message of one turn of a session.
        case message = 4
        /// A prompt of a prompt pool.
        case poolPrompt = 5
    }

    let namespace: UInt64

    /// The ids of the source whose random streams are named `<prefix>.…`.
    init(prefix: String) {
        namespace = RandomStream.fnv1a("\(prefix).content")
    }

    /// The id of the `index`-th item of `kind`.
    @inline(__always)
    func id(_ kind: Kind, _ index: UInt64) -> UInt64 {
        var z = namespace &+ (kind.rawValue &* 0x9e37_79b9_7f4a_7c15) &+ (index &* 0xd1b5_4a32_d192_ed03)
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension RequestContent {
    /// Tokens the segments cover, in tokens.
    public var segmentTokens: Int { segments.reduce(0) { $0 + Int($1.tokens) } }
}
