/// A direction on the CPU–GPU link.
public enum LinkDirection: Int, Sendable, CaseIterable, Codable {
    case hostToDevice = 0
    case deviceToHost = 1

    /// "h2d" or "d2h", for reports.
    public var shortName: String { self == .hostToDevice ? "h2d" : "d2h" }
}

/// Why bytes cross the link: a name for reports and traces ("swap-out", "weight-stream"), declared as a static
/// constant in the file of the strategy that moves them (`extension TransferPurpose { static let swapOut = ... }`).
///
/// Per-purpose tables and sums go through purposes in ``order`` (lower first, then by name), so they are the same
/// in every process whichever purpose a run uses first. The purposes of the shipped strategies keep the order
/// 0...7 they had when the set was closed; a new strategy picks any order for its own.
public struct TransferPurpose: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The name reports and traces show.
    public let name: String
    /// Where the purpose comes in per-purpose tables and sums.
    public let order: Int

    public init(name: String, order: Int) {
        self.name = name
        self.order = order
    }

    public static func < (a: TransferPurpose, b: TransferPurpose) -> Bool { (a.order, a.name) < (b.order, b.name) }

    public var description: String { name }
}

extension TransferPurpose {
    /// KV written from GPU to CPU memory (Pie's eviction, offloaded requests' new KV); shared by strategies.
    public static let kvWriteback = TransferPurpose(name: "kv-writeback", order: 3)
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
    /// Where the link keeps this transfer's purpose in its per-purpose tables.
    var purposeSlot = 0
}
