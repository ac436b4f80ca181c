/// A direction on the CPU–GPU link.
public enum LinkDirection: Int, Sendable, CaseIterable, Codable {
    case hostToDevice = 0
    case deviceToHost = 1

    /// "h2d" or "d2h", for reports.
    public var shortName: String { self == .hostToDevice ? "h2d" : "d2h" }
}

/// Why bytes cross the link.
public enum TransferPurpose: String, Sendable, CaseIterable, Codable {
    /// A preempted request's KV blocks copied to CPU swap space (vLLM swap mode).
    case swapOut = "swap-out"
    /// A swapped request's KV blocks copied back before it resumes.
    case swapIn = "swap-in"
    /// KV kept in CPU memory read into GPU buffers ahead of the layer that uses it (Pie).
    case kvPrefetch = "kv-prefetch"
    /// KV written from GPU to CPU memory (Pie's eviction, offloaded requests' new KV).
    case kvWriteback = "kv-writeback"
    /// Remapped weight layers streamed in for a forward pass.
    case weightStream = "weight-stream"
    /// Weight layers copied back for good when remapping is reverted.
    case weightReload = "weight-reload"
    /// A request's KV moved to CPU memory when its attention moves to the CPU.
    case offloadKV = "offload-kv"
    /// Activations exchanged with CPU attention (queries in, outputs back).
    case activations
    /// Cached KV blocks copied to vLLM V1's CPU block pool (KV offloading).
    case kvOffloadStore = "kv-offload-store"
    /// KV blocks found in the CPU block pool loaded back before a request's prefill.
    case kvOffloadLoad = "kv-offload-load"

    /// Position in `allCases`, for flat per-purpose tables.
    var index: Int {
        switch self {
        case .swapOut: return 0
        case .swapIn: return 1
        case .kvPrefetch: return 2
        case .kvWriteback: return 3
        case .weightStream: return 4
        case .weightReload: return 5
        case .offloadKV: return 6
        case .activations: return 7
        case .kvOffloadStore: return 8
        case .kvOffloadLoad: return 9
        }
    }
}

/// Identifies one transfer on a ``SharedLink``.
public struct TransferID: Hashable, Sendable, Comparable {
    public let raw: Int
    public static func < (a: TransferID, b: TransferID) -> Bool { a.raw < b.raw }
}

/// One transfer (a flow) on the link: who asked for it, which way, how many bytes and how far along it is.
public struct Transfer: Sendable {
    public let id: TransferID
    public let direction: LinkDirection
    public let purpose: TransferPurpose
    /// The instance the bytes belong to.
    public let instance: Int
    public let bytes: Int64
    /// When the transfer was requested.
    public let requested: SimTime
    /// When bytes start to move (the request time plus the link's start-up latency).
    public let activeFrom: SimTime
    /// Bytes still to move.
    public internal(set) var remainingBytes: Double
    /// Current rate in bytes per second (0 before ``activeFrom``).
    public internal(set) var bytesPerSecond: Double = 0
    /// When it will finish at the current rates (``SimTime/infinity`` while it moves nothing).
    public internal(set) var finish = SimTime.infinity
}
