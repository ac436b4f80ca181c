import Foundation

/// How wide the randomized and swept tests go. `swift test` alone runs a tenth of each randomized test's scenarios
/// and a few points of each swept range, so that it stays quick on a laptop; with `GRACESIM_WIDE_TESTS=1` in the
/// environment (as `.ci/run` sets it) every scenario and every point runs.
public enum TestScale {
    /// Whether `GRACESIM_WIDE_TESTS` asks for the full grids (any value but empty or `0`).
    public static let wide: Bool = {
        guard let value = ProcessInfo.processInfo.environment["GRACESIM_WIDE_TESTS"] else { return false }
        return !value.isEmpty && value != "0"
    }()

    /// The number of random scenarios to run of a test that runs `full` in the wide grid: a tenth of them (at least
    /// two) otherwise.
    public static func scenarios(_ full: Int) -> Int { wide ? full : min(full, max(2, full / 10)) }

    /// `full` in the wide grid, `quick` (a few of its points) otherwise.
    public static func points<Point>(_ full: [Point], quick: [Point]) -> [Point] { wide ? full : quick }
}
