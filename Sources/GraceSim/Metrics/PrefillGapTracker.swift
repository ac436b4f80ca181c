/// Decides, in O(1) per token, whether a request's token gap contains prefill work of another request.
///
/// A gap of request r runs from its previous token to its next one. It contains another request's prefill when
/// some iteration of the same instance that ended inside the gap (the one producing r's token included) ran
/// prefill tokens of a request other than r. With chunked prefill that is a mixed iteration that decodes r and
/// prefills others; without it, prefill iterations run alone, between two decode iterations of r.
///
/// Iterations of one instance run one after another, so it is enough to remember when the latest iteration with
/// prefill work ended, whose prefill it was (one request, or several), and when the latest iteration with prefill
/// work of a different owner ended: whichever of the two is not r's own is the latest prefill of another request.
public struct PrefillGapTracker: Sendable, Equatable {
    /// Owner value for an iteration that prefilled two or more requests.
    public static let severalRequests: Int32 = -1

    /// The end of no iteration: before every time of the run.
    public static let never = SimTime(ns: -1)

    /// End of the latest iteration with prefill tokens, and the one request it prefilled (or
    /// ``severalRequests``).
    public private(set) var latestEnd = PrefillGapTracker.never
    public private(set) var latestOwner: Int32 = PrefillGapTracker.severalRequests
    /// End of the latest iteration with prefill tokens whose owner differs from ``latestOwner``.
    public private(set) var otherEnd = PrefillGapTracker.never

    public init() {}

    /// The end of the latest finished iteration that prefilled some request other than `request` (``never``: none).
    @inline(__always)
    public func latestPrefillEnd(notOf request: Int32) -> SimTime {
        latestOwner != request ? latestEnd : otherEnd
    }

    /// Notes an iteration that ended at `end` and ran prefill tokens of `owner` (a request id, or
    /// ``severalRequests``).
    public mutating func notePrefill(end: SimTime, owner: Int32) {
        if owner != latestOwner || owner == Self.severalRequests {
            otherEnd = latestEnd
            latestOwner = owner
        }
        latestEnd = end
    }
}
