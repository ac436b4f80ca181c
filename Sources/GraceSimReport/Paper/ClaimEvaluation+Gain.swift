import GraceSimStore

extension ClaimEvaluation {
    /// One expected metric of a claim judged against another claim's gain: the median improvement in % of each.
    public struct GainComparison: Sendable, Equatable {
        public var metric: String
        /// This claim's median improvement (a reduction for `lower`, an increase for `higher`); nil without points.
        public var gain: Double?
        /// The other claim's, in the same metric and direction.
        public var otherGain: Double?
        /// The claim whose gain this one is compared with.
        public var otherClaim: String
    }

    /// Evaluations of `claims`, in order, each on `runs(claim)`. A claim with a `gain:` comparison is then judged
    /// against the evaluation of the claim it names (``judged(against:)``).
    public static func evaluate(_ claims: [PaperClaim], runs: (PaperClaim) throws -> [StoredRun]) rethrows -> [ClaimEvaluation] {
        let plain = try claims.map { ClaimEvaluation(claim: $0, runs: try runs($0)) }
        return plain.map { evaluation in
            guard let gain = evaluation.claim.gainAgainst, let other = plain.first(where: { $0.claim.id == gain.claim }) else {
                return evaluation
            }
            return evaluation.judged(against: other)
        }
    }

    /// This evaluation with each expected metric judged on its gain against `other`'s: the metric agrees (one point
    /// of one) when this claim's median improvement stands to `other`'s as ``PaperClaim/gainAgainst`` says, and
    /// has no data when either claim has no points. The direction of this claim's own change does not count, and
    /// no paper range applies.
    public func judged(against other: ClaimEvaluation) -> ClaimEvaluation {
        guard let gain = claim.gainAgainst else { return self }
        var judged = self
        judged.gainComparisons = claim.expectations.map { e in
            func medianGain(_ evaluation: ClaimEvaluation) -> Double? {
                evaluation.changes.first { $0.metric == e.metric }?.median.map { Self.improvement($0, e.direction) }
            }
            return GainComparison(metric: e.metric, gain: medianGain(self), otherGain: medianGain(other), otherClaim: other.claim.id)
        }
        judged.verdicts = judged.gainComparisons.map { c in
            guard let mine = c.gain, let theirs = c.otherGain else {
                return Verdict(metric: c.metric, agreeing: 0, points: 0, inRange: nil, grows: nil)
            }
            return Verdict(metric: c.metric, agreeing: gain.holds(gain: mine, other: theirs) ? 1 : 0, points: 1, inRange: nil, grows: nil)
        }
        return judged
    }
}
