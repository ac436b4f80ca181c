import Foundation
import GraceSim
import GraceSimStore

/// A grid point ready to run: its experiment loaded and validated, its canonical config and hash.
public struct PreparedPoint: Sendable {
    public var point: SweepPoint
    public var experiment: Experiment
    public var configJSON: String
    public var configHash: String
}

/// Loads a sweep's points on one thread, from its own parse of the base experiment (Yams resolves tags lazily by
/// mutating shared `Tag` objects, so threads do not share a parse).
struct PointLoader {
    /// What every thread shares: the base file's folder and the presets, found once.
    struct Context: Sendable {
        var baseDirectory: String
        var catalog: PresetCatalog
    }

    /// A point's experiment after its overrides, as canonical JSON and its hash, not yet loaded.
    struct Configured {
        var point: SweepPoint
        var root: ConfigNode
        var configJSON: String
        var configHash: String
    }

    let spec: SweepSpec
    let context: Context
    private let base: Result<ConfigNode, Error>

    /// Reads the base experiment once (an unreadable base fails here, before any thread starts) and finds the
    /// presets folder.
    static func context(for spec: SweepSpec) throws -> Context {
        _ = try ConfigNode.load(path: spec.basePath).resolvingBase()
        let baseDirectory = (spec.basePath as NSString).deletingLastPathComponent
        return Context(baseDirectory: baseDirectory, catalog: try PresetCatalog.find(forFileAt: spec.basePath))
    }

    init(spec: SweepSpec, context: Context) {
        self.spec = spec
        self.context = context
        base = Result { try ConfigNode.load(path: spec.basePath).resolvingBase() }
    }

    /// The point's experiment loaded and validated.
    /// - Throws: ``StoreError`` naming the sweep file, the axis value (or the point) and the loader's message.
    func prepare(_ point: SweepPoint) throws -> PreparedPoint {
        try load(try configure(point))
    }

    /// The base with the point's overrides applied, as canonical JSON and its hash (cheap: nothing is loaded).
    func configure(_ point: SweepPoint) throws -> Configured {
        try explained(point) {
            var root = try base.get()
            for text in point.overrides(fixed: spec.fixed) { root = try ConfigOverride(parsing: text).apply(to: root) }
            // Over gracesim's earlier spellings, so that renaming a key to vLLM's name keeps every point's hash.
            let json = ConfigHash.canonicalJSON(SettingSpellings.earlierSpellings(root.node))
            return Configured(point: point, root: root, configJSON: json, configHash: ConfigHash.hash(json))
        }
    }

    /// Loads and validates a configured point's experiment.
    func load(_ configured: Configured) throws -> PreparedPoint {
        try explained(configured.point) {
            let experiment = try Experiment.load(configured.root, baseDirectory: context.baseDirectory, catalog: context.catalog)
            return PreparedPoint(point: configured.point, experiment: experiment, configJSON: configured.configJSON,
                                 configHash: configured.configHash)
        }
    }

    /// `body`'s loader errors as one line naming the sweep file and the axis value that caused them (else the point).
    private func explained<T>(_ point: SweepPoint, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ConfigError {
            let culprit = point.values.first { error.key == $0.axis || error.key.hasPrefix($0.axis + ".") }
                ?? point.values.first { error.file == "<command line>" && error.key.hasPrefix($0.axis) }
            let which = culprit.map { "axis \($0.axis) = \($0.value)" } ?? "point \(point.index) (\(point.label))"
            throw StoreError(file: spec.file, "\(which): \(error.description)")
        } catch let error as MemoryPartition.Problem {
            throw StoreError(file: spec.file, "point \(point.index) (\(point.label)): \(error.message)")
        }
    }
}

extension SweepSpec {
    /// Loads every point's experiment (base file + fixed overrides + the point's axis values) and validates it,
    /// on up to `jobs` threads (loading reads the workload's trace and length files, so it is worth spreading).
    /// - Throws: ``StoreError`` naming the first bad point in grid order, its axis value and the loader's message.
    public func prepare(points: some Collection<SweepPoint>, jobs: Int = 1) throws -> [PreparedPoint] {
        try loadEach(Array(points), jobs: jobs, keep: true).map { $0! }
    }

    /// Loads and validates `points` like ``prepare(points:jobs:)`` but keeps none: memory stays at one experiment
    /// per thread. Loading stops at the first bad point found.
    /// - Throws: ``StoreError`` naming the first bad point in grid order, its axis value and the loader's message.
    public func check(points: some Collection<SweepPoint>, jobs: Int = 1) throws {
        _ = try loadEach(Array(points), jobs: jobs, keep: false)
    }

    private func loadEach(_ points: [SweepPoint], jobs: Int, keep: Bool) throws -> [PreparedPoint?] {
        let context = try PointLoader.context(for: self)
        let results = LoadResults(count: points.count)
        let workers = max(1, min(jobs, points.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let loader = PointLoader(spec: self, context: context)
            for i in stride(from: worker, to: points.count, by: workers) where !results.failedBefore(i) {
                results.set(i, Result { () throws -> PreparedPoint? in
                    let prepared = try loader.prepare(points[i])
                    return keep ? prepared : nil
                })
            }
        }
        // In grid order, the first failure comes before any point skipped because of it.
        return try results.values.map { try ($0 ?? .success(nil)).get() }
    }
}

/// Loaded points (or their errors) by position, filled by several threads.
private final class LoadResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Result<PreparedPoint?, Error>?]
    private var firstFailure = Int.max

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<PreparedPoint?, Error>) {
        lock.withLock {
            storage[index] = result
            if case .failure = result { firstFailure = min(firstFailure, index) }
        }
    }

    /// Whether a point before `index` failed (so loading `index` cannot change which error is reported).
    func failedBefore(_ index: Int) -> Bool { lock.withLock { firstFailure < index } }

    var values: [Result<PreparedPoint?, Error>?] { lock.withLock { storage } }
}
