import GraceSimTestSupport
import Testing
@testable import GraceSim

/// docs/architecture.md ("Determinism"): named streams from a stable hash.
@Suite struct RandomStreamTests {
    static func draws(seed: UInt64, name: String, count: Int = 100) -> [UInt64] {
        var stream = RandomStream(seed: seed, name: name)
        return (0..<count).map { _ in stream.next() }
    }

    @Test func sameSeedAndNameGiveTheSameSequence() {
        #expect(Self.draws(seed: 42, name: "arrivals/0") == Self.draws(seed: 42, name: "arrivals/0"))
    }

    @Test func namesAndSeedsSeparateStreams() {
        let base = Self.draws(seed: 42, name: "arrivals/0")
        #expect(base != Self.draws(seed: 42, name: "arrivals/1"))
        #expect(base != Self.draws(seed: 43, name: "arrivals/0"))
        #expect(Set(base).count == base.count)
    }

    /// FNV-1a's published test vectors: the hash is stable across processes and platforms.
    @Test func fnv1aMatchesItsReferenceValues() {
        #expect(RandomStream.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(RandomStream.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
    }

    @Test(arguments: [1, 2, 7, 1000, Int.max])
    func nextIntStaysBelowItsBound(bound: Int) {
        var stream = RandomStream(seed: 1, name: "bounds")
        for _ in 0..<10_000 {
            let value = stream.nextInt(below: bound)
            #expect(value >= 0 && value < bound)
        }
    }

    /// Uniform on [0, 1): mean 1/2 with standard error 1/√(12·n) ≈ 0.0009 for n = 100,000.
    @Test func unitDrawsAreUniform() {
        var stream = RandomStream(seed: 3, name: "unit")
        let n = 100_000
        var sum = 0.0, below = 0, openSum = 0.0
        for _ in 0..<n {
            let x = stream.nextUnit()
            #expect(x >= 0 && x < 1)
            sum += x
            if x < 0.25 { below += 1 }
            let y = stream.nextOpenUnit()
            #expect(y > 0 && y <= 1)
            openSum += y
        }
        #expect(abs(sum / Double(n) - 0.5) < 0.005)
        #expect(abs(openSum / Double(n) - 0.5) < 0.005)
        #expect(abs(Double(below) / Double(n) - 0.25) < 0.005)
    }
}
