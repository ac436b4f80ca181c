import Foundation

/// Draws Gamma(shape, 1) variates with the Marsaglia–Tsang squeeze method.
///
/// For shape ≥ 1 it uses Marsaglia & Tsang (2000), "A simple method for generating gamma variables";
/// for shape < 1 it draws Gamma(shape + 1) and multiplies by U^(1/shape) (their boost), done in log space so
/// small shapes underflow to 0 rather than producing NaN. Normal variates come from Box–Muller, keeping
/// the second of each pair. About 1.1 normals and 1 uniform per draw for shape ≥ 1; no allocation.
struct GammaSampler: Sendable {
    /// The shape parameter k > 0.
    let shape: Double
    private let boosted: Bool
    private let d: Double
    private let c: Double
    private var spareNormal: Double? = nil

    init(shape: Double) {
        precondition(shape > 0 && shape.isFinite, "Gamma shape must be positive")
        self.shape = shape
        boosted = shape < 1
        d = (boosted ? shape + 1 : shape) - 1.0 / 3.0
        c = 1 / (9 * d).squareRoot()
    }

    /// One Gamma(shape, 1) variate: mean `shape`, variance `shape`.
    mutating func next(using random: inout RandomStream) -> Double {
        var value: Double
        while true {
            var x: Double, v: Double
            repeat {
                x = nextNormal(using: &random)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = random.nextOpenUnit()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { value = d * v; break }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { value = d * v; break }
        }
        if boosted {
            value = exp(log(value) + log(random.nextOpenUnit()) / shape)
        }
        return value
    }

    /// One standard normal variate (Box–Muller).
    private mutating func nextNormal(using random: inout RandomStream) -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let radius = (-2 * log(random.nextOpenUnit())).squareRoot()
        let angle = 2 * Double.pi * random.nextUnit()
        spareNormal = radius * sin(angle)
        return radius * cos(angle)
    }
}
