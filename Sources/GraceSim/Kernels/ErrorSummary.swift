import Foundation

/// The relative errors (model − reference) / reference of a set of points, summarised: how many, the median and
/// 90th percentile of |error|, the median signed error (the bias) and the worst point with where it is.
public struct ErrorSummary: Sendable, Equatable {
    /// Points compared.
    public var count: Int
    /// Median |error|, a fraction (0.05 is 5%).
    public var medianAbsolute: Double
    /// Median signed error, a fraction: positive when the model is mostly slower than the reference.
    public var medianSigned: Double
    /// 90th percentile of |error| (nearest rank), a fraction.
    public var p90Absolute: Double
    /// The error of largest magnitude, signed, a fraction.
    public var worst: Double
    /// Where the worst error is, in the words of its comparison (`m=48 n=4096 k=512`).
    public var worstAt: String

    public init(count: Int, medianAbsolute: Double, medianSigned: Double, p90Absolute: Double, worst: Double,
                worstAt: String) {
        self.count = count
        self.medianAbsolute = medianAbsolute
        self.medianSigned = medianSigned
        self.p90Absolute = p90Absolute
        self.worst = worst
        self.worstAt = worstAt
    }
}

/// Gathers relative errors one point at a time; names a point (its closure runs) only when it is the worst so far.
struct ErrorCollector {
    private(set) var errors: [Double] = []
    private var worst = 0.0
    private var worstAt = ""

    /// Adds the error of `model` against `reference` (both positive), at the point `place` names.
    mutating func add(model: Double, reference: Double, at place: () -> String) {
        add(error: model / reference - 1, at: place)
    }

    /// Adds a relative error at the point `place` names.
    mutating func add(error: Double, at place: () -> String) {
        if errors.isEmpty || abs(error) > abs(worst) {
            worst = error
            worstAt = place()
        }
        errors.append(error)
    }

    /// The summary; all zeros for no points.
    var summary: ErrorSummary {
        guard !errors.isEmpty else {
            return ErrorSummary(count: 0, medianAbsolute: 0, medianSigned: 0, p90Absolute: 0, worst: 0, worstAt: "")
        }
        let magnitudes = errors.map(abs).sorted()
        let rank = Int((0.9 * Double(magnitudes.count)).rounded(.up)) - 1
        return ErrorSummary(count: errors.count, medianAbsolute: Self.median(magnitudes),
                            medianSigned: Self.median(errors.sorted()), p90Absolute: magnitudes[max(rank, 0)],
                            worst: worst, worstAt: worstAt)
    }

    /// The median of `sorted`: the mean of the two middle values for an even count.
    static func median(_ sorted: [Double]) -> Double {
        (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
    }
}
