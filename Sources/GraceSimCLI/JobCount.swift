import ArgumentParser

/// The range of `--jobs`: points simulated at once by one process.
enum JobCount {
    /// More threads than this only add memory on any machine gracesim runs on.
    static let maximum = 256

    /// Refuses a `--jobs` outside 1...``maximum``, naming the range (`nil`, the default, is the number of cores).
    static func check(_ jobs: Int?) throws {
        guard let jobs else { return }
        guard (1...maximum).contains(jobs) else {
            throw ValidationError("--jobs must be a whole number from 1 to \(maximum), got \(jobs)")
        }
    }
}
