/// The share of a grid one process runs: the points whose index modulo `count` is `index` (0-based).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The environment variable that gives the shard count to `--shard auto` under a Kubernetes Indexed Job
    /// (which sets only `JOB_COMPLETION_INDEX`).
    public static let countVariable = "GRACESIM_SHARD_COUNT"

    /// Parses `i/N` (0 ≤ i < N), or `auto`: `SLURM_ARRAY_TASK_ID` (minus `SLURM_ARRAY_TASK_MIN` when set) of
    /// `SLURM_ARRAY_TASK_COUNT`, else `JOB_COMPLETION_INDEX` of `GRACESIM_SHARD_COUNT`.
    public static func parse(_ text: String, environment: [String: String]) throws -> Shard {
        if text == "auto" {
            if let id = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) {
                guard let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) else {
                    throw StoreError(file: "--shard auto", "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
                }
                let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
                let (index, overflow) = id.subtractingReportingOverflow(minimum)
                guard !overflow else {
                    throw StoreError(file: "SLURM_ARRAY_TASK_ID", "expected 0 ≤ SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN < SLURM_ARRAY_TASK_COUNT, found \(id) − \(minimum)")
                }
                return try checked(index: index, count: count, source: "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT")
            }
            if let id = environment["JOB_COMPLETION_INDEX"].flatMap(Int.init) {
                guard let count = environment[countVariable].flatMap(Int.init) else {
                    throw StoreError(file: "--shard auto", "JOB_COMPLETION_INDEX is set but \(countVariable) (the job's completions) is not")
                }
                return try checked(index: id, count: count, source: "JOB_COMPLETION_INDEX/\(countVariable)")
            }
            throw StoreError(file: "--shard auto", "found neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX in the environment")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw StoreError(file: "--shard", "expected i/N (e.g. 0/4) or auto, found \"\(text)\"")
        }
        return try checked(index: index, count: count, source: "--shard")
    }

    private static func checked(index: Int, count: Int, source: String) throws -> Shard {
        guard count > 0, (0..<count).contains(index) else {
            throw StoreError(file: source, "expected 0 ≤ i < N, found \(index)/\(count)")
        }
        return Shard(index: index, count: count)
    }

    /// Whether this shard runs the point at `pointIndex`.
    public func owns(_ pointIndex: Int) -> Bool { pointIndex % count == index }

    /// How many points of a grid of `gridCount` points this shard runs.
    public func pointCount(inGridOf gridCount: Int) -> Int {
        index < gridCount ? (gridCount - 1 - index) / count + 1 : 0
    }

    /// The grid index of this shard's `position`-th point (0 ≤ position < ``pointCount(inGridOf:)``).
    public func pointIndex(_ position: Int) -> Int { index + position * count }

    public var description: String { "\(index)/\(count)" }
}
