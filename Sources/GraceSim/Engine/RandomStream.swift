/// A deterministic pseudo-random generator (xoshiro256**) seeded from a run seed and a stream name.
///
/// Each purpose (arrivals of tenant 0, lengths of tenant 1, ...) gets its own stream, so adding a
/// tenant or drawing one more number in one place never perturbs another stream. Seeding uses
/// FNV-1a over the name and SplitMix64, never Swift's per-process `Hasher`.
public struct RandomStream: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A stream for `name` under the run seed `seed`.
    public init(seed: UInt64, name: String) {
        var splitMix = seed ^ RandomStream.fnv1a(name)
        s0 = RandomStream.splitMix64(&splitMix)
        s1 = RandomStream.splitMix64(&splitMix)
        s2 = RandomStream.splitMix64(&splitMix)
        s3 = RandomStream.splitMix64(&splitMix)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { nextValue() }

    private mutating func nextValue() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1], safe to take the logarithm of.
    public mutating func nextOpenUnit() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
    }

    /// A uniform integer in `0..<upperBound` (Lemire's method, unbiased). `upperBound` must be positive.
    public mutating func nextInt(below upperBound: Int) -> Int {
        Int(truncatingIfNeeded: next(upperBound: UInt64(upperBound)))
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// FNV-1a over the UTF-8 bytes of `text`: stable across processes and platforms.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state = state &+ 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
