import GraceSimStore

/// The share of a grid one process runs: the points whose index modulo `count` is `index` (0-based).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The environment variable that gives the shard count to `--shard auto`: required under a Kubernetes
    /// Indexed Job (which sets only `JOB_COMPLETION_INDEX`), and under Slurm the count of the whole grid's array,
    /// which a resubmitted task's own `SLURM_ARRAY_TASK_COUNT` is not.
    public static let countVariable = "GRACESIM_SHARD_COUNT"

    /// A shard and where it came from (`--shard`, or the environment variables read), for the line a sweep
    /// prints before it starts.
    public struct Resolved: Sendable, Equatable {
        public var shard: Shard
        public var origin: String
    }

    /// Parses `i/N` (0 ≤ i < N), or `auto`; see ``resolve(_:environment:)``.
    public static func parse(_ text: String, environment: [String: String]) throws -> Shard {
        try resolve(text, environment: environment).shard
    }

    /// Parses `i/N` (0 ≤ i < N), or `auto`, which reads the environment:
    /// - under a Slurm job array, `SLURM_ARRAY_TASK_ID` of `GRACESIM_SHARD_COUNT` when that is set; otherwise
    ///   of `SLURM_ARRAY_TASK_COUNT`, but only when the array is a whole one, `--array=0-(N−1)` with N > 1
    ///   (`SLURM_ARRAY_TASK_MIN` 0, `SLURM_ARRAY_TASK_MAX` N − 1): a resubmitted task (`--array=7`) sees a count
    ///   of 1 and would otherwise run the whole grid, so it is refused;
    /// - under a Kubernetes Indexed Job, `JOB_COMPLETION_INDEX` of `GRACESIM_SHARD_COUNT`.
    public static func resolve(_ text: String, environment: [String: String]) throws -> Resolved {
        guard text == "auto" else {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
                throw StoreError(file: "--shard", "expected i/N (e.g. 0/4 or $SLURM_ARRAY_TASK_ID/16) or auto, found \"\(text)\"")
            }
            guard count > 0, (0..<count).contains(index) else {
                throw StoreError(file: "--shard", "expected 0 ≤ i < N, found \(index)/\(count)")
            }
            return Resolved(shard: Shard(index: index, count: count), origin: "--shard \(text)")
        }
        func integer(_ name: String) throws -> Int? {
            guard let value = environment[name] else { return nil }
            guard let number = Int(value) else { throw StoreError(file: name, "expected an integer, found \"\(value)\"") }
            return number
        }
        let explicitCount = try integer(countVariable)
        if let id = try integer("SLURM_ARRAY_TASK_ID") {
            if let explicitCount {
                return try checked(index: id, of: "SLURM_ARRAY_TASK_ID", count: explicitCount, of: countVariable)
            }
            let count = try integer("SLURM_ARRAY_TASK_COUNT"), minimum = try integer("SLURM_ARRAY_TASK_MIN")
            let maximum = try integer("SLURM_ARRAY_TASK_MAX")
            guard let count, let minimum, let maximum, count > 1, minimum == 0, maximum == count - 1 else {
                func shown(_ value: Int?) -> String { value.map(String.init) ?? "unset" }
                throw StoreError(file: "--shard auto", "the Slurm array (SLURM_ARRAY_TASK_MIN \(shown(minimum)), MAX \(shown(maximum)), COUNT \(shown(count))) is not a whole array 0-(N-1), as a resubmitted task's is not; pass --shard $SLURM_ARRAY_TASK_ID/N or set \(countVariable)=N")
            }
            return try checked(index: id, of: "SLURM_ARRAY_TASK_ID", count: count, of: "SLURM_ARRAY_TASK_COUNT")
        }
        if let id = try integer("JOB_COMPLETION_INDEX") {
            guard let explicitCount else {
                throw StoreError(file: "--shard auto", "JOB_COMPLETION_INDEX is set but \(countVariable) (the job's completions) is not")
            }
            return try checked(index: id, of: "JOB_COMPLETION_INDEX", count: explicitCount, of: countVariable)
        }
        throw StoreError(file: "--shard auto", "found neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX in the environment")
    }

    /// The shard `index` of `count`, read from the environment variables named `indexName` and `countName`.
    private static func checked(index: Int, of indexName: String, count: Int, of countName: String) throws -> Resolved {
        guard count > 0 else { throw StoreError(file: countName, "expected a positive number of shards, found \(count)") }
        guard (0..<count).contains(index) else {
            throw StoreError(file: indexName, "expected 0 ≤ \(indexName) < \(countName) = \(count), found \(index) (shard \(index)/\(count))")
        }
        return Resolved(shard: Shard(index: index, count: count), origin: "\(indexName)=\(index) of \(countName)=\(count)")
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
