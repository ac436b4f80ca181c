import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Statistics of synthetic arrivals over 100,000 gaps from a fixed seed.
@Suite struct ArrivalProcessTests {
    static let draws = 100_000

    /// Inter-arrival gaps in seconds.
    static func gaps(_ spec: ArrivalSpec, seed: UInt64 = 7) -> [Double] {
        var process = ArrivalProcess(spec, random: RandomStream(seed: seed, name: "test.arrivals"))
        var previousNs: Int64 = 0
        var gaps: [Double] = []
        gaps.reserveCapacity(draws)
        for _ in 0..<draws {
            guard let (time, _) = process.next() else { break }
            gaps.append(Double(time.ns - previousNs) / 1e9)
            previousNs = time.ns
        }
        return gaps
    }

    static func meanAndCV(_ values: [Double]) -> (mean: Double, cv: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot() / mean)
    }

    /// Exponential gaps: the sample mean has relative standard error 1/√n = 0.32%, and the sample CV about
    /// 0.45%; 2% is over 4 standard errors, so a correct sampler passes for any seed while a wrong rate
    /// (or a missing log) fails by far more.
    @Test func poissonMeanGapIsOneOverRate() {
        let rate = 2.5
        let (mean, cv) = Self.meanAndCV(Self.gaps(.poisson(ratePerSecond: rate)))
        #expect(Self.gaps(.poisson(ratePerSecond: rate)).count == Self.draws)
        #expect(abs(mean * rate - 1) < 0.02, "mean gap \(mean) s, expected \(1 / rate) s")
        #expect(abs(cv - 1) < 0.02, "CV \(cv), expected 1")
    }

    /// Gamma gaps with shape k = 1/cv². The sample CV's relative standard error is dominated by the sample
    /// variance's, √((κ − 1)/n)/2 with kurtosis κ = 3 + 6/k: 0.3% for cv 0.5, 0.8% for cv 2, 1.6% for cv 4
    /// (plus cv/√n for the mean: 0.2%, 0.6%, 1.3%). Tolerances of 3%, 5% and 8% are 4–5 standard errors.
    @Test(arguments: [(0.5, 0.03), (1.0, 0.03), (2.0, 0.05), (4.0, 0.08)])
    func gammaHasRequestedRateAndCV(cv: Double, tolerance: Double) {
        let rate = 2.5
        let (mean, sampleCV) = Self.meanAndCV(Self.gaps(.gamma(ratePerSecond: rate, cv: cv)))
        #expect(abs(mean * rate - 1) < tolerance, "cv \(cv): mean gap \(mean) s, expected \(1 / rate) s")
        #expect(abs(sampleCV / cv - 1) < tolerance, "CV \(sampleCV), expected \(cv)")
    }

    /// Gamma(k, 1) has mean k and variance k; checked directly for a shape below and above 1.
    @Test(arguments: [0.25, 3.0])
    func gammaSamplerMoments(shape: Double) {
        var sampler = GammaSampler(shape: shape)
        var random = RandomStream(seed: 3, name: "test.gamma")
        let values = (0..<Self.draws).map { _ in sampler.next(using: &random) }
        let (mean, cv) = Self.meanAndCV(values)
        #expect(values.allSatisfy { $0 >= 0 && $0.isFinite })
        #expect(abs(mean / shape - 1) < 0.03)
        #expect(abs(cv / (1 / shape.squareRoot()) - 1) < 0.03)
    }

    @Test func absurdRatesDoNotTrap() {
        var slow = ArrivalProcess(.poisson(ratePerSecond: 1e-300), random: RandomStream(seed: 1, name: "x"))
        for _ in 0..<100 { _ = slow.next() }
        var burst = ArrivalProcess(.gamma(ratePerSecond: 1e-12, cv: 1e6), random: RandomStream(seed: 1, name: "x"))
        for _ in 0..<100 { _ = burst.next() }
    }
}
