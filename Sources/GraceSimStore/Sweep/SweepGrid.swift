import Foundation
import GraceSim

/// One point of a sweep's grid: its axis values and the overrides that make its experiment.
public struct SweepPoint: Sendable, Equatable {
    /// Position in the grid (0-based, the first group of axes outermost).
    public var index: Int
    /// (axis key, value text) in the sweep file's axis order.
    public var values: [(axis: String, value: String)]

    /// `key=value` overrides: the sweep's fixed ones, then one per axis.
    public func overrides(fixed: [String]) -> [String] {
        fixed + values.map { "\($0.axis)=\($0.value)" }
    }

    /// The point as a short label, e.g. `strategy=recompute workload.arrivals.rate_scale=0.2`.
    public var label: String { values.map { "\($0.axis)=\($0.value)" }.joined(separator: " ") }

    public static func == (a: SweepPoint, b: SweepPoint) -> Bool {
        a.index == b.index && a.values.map(\.axis) == b.values.map(\.axis) && a.values.map(\.value) == b.values.map(\.value)
    }
}

extension SweepSpec {
    /// The most points a grid may have: each point is an experiment loaded in memory before any runs.
    public static let maxPoints = 1_000_000

    /// The grid: the product of the axis groups (zipped axes advance together), in a fixed order.
    /// - Throws: ``StoreError`` when the grid is empty.
    public func grid() throws -> [SweepPoint] {
        let lengths = groups.map { axes[$0[0]].values.count }
        var total = 1
        for length in lengths {
            let (product, overflow) = total.multipliedReportingOverflow(by: length)
            guard !overflow, product <= Self.maxPoints else {
                let sizes = lengths.map(String.init).joined(separator: " × ")
                throw StoreError(file: file, "axes: the grid of \(sizes) points has more than \(Self.maxPoints) points; expected at most \(Self.maxPoints)")
            }
            total = product
        }
        guard total > 0, !groups.isEmpty else { throw StoreError(file: file, "the grid is empty (an axis has no values)") }
        var points: [SweepPoint] = []
        points.reserveCapacity(total)
        for index in 0..<total {
            var remainder = index
            var choice = Array(repeating: 0, count: groups.count)
            for g in groups.indices.reversed() {
                choice[g] = remainder % lengths[g]
                remainder /= lengths[g]
            }
            var values: [(axis: String, value: String)] = []
            for axis in axes.indices {
                let g = groups.firstIndex { $0.contains(axis) }!
                values.append((axes[axis].key, axes[axis].values[choice[g]]))
            }
            points.append(SweepPoint(index: index, values: values))
        }
        return points
    }
}

/// A grid point ready to run: its experiment loaded and validated, its canonical config and hash.
public struct PreparedPoint: Sendable {
    public var point: SweepPoint
    public var experiment: Experiment
    public var configJSON: String
    public var configHash: String
}

extension SweepSpec {
    /// Loads every point's experiment (base file + fixed overrides + the point's axis values) and validates it,
    /// on up to `jobs` threads (loading reads the workload's trace and length files, so it is worth spreading).
    /// - Throws: ``StoreError`` naming the first bad point in grid order, its axis value and the loader's message.
    public func prepare(points: [SweepPoint], jobs: Int = 1) throws -> [PreparedPoint] {
        _ = try ConfigNode.load(path: basePath).resolvingBase()  // an unreadable base fails once, before any thread starts
        let baseDirectory = (basePath as NSString).deletingLastPathComponent
        guard let catalog = PresetCatalog.locate(startingAt: [baseDirectory.isEmpty ? "." : baseDirectory,
                                                             FileManager.default.currentDirectoryPath]) else {
            throw StoreError(file: basePath, "cannot find the Configs folder with hardware/ and models/ (set GRACESIM_CONFIGS)")
        }
        let results = PreparedResults(count: points.count)
        let workers = max(1, min(jobs, points.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // Each thread parses its own copy: Yams resolves tags lazily by mutating shared Tag objects.
            let ownBase = Result { try ConfigNode.load(path: basePath).resolvingBase() }
            for i in stride(from: worker, to: points.count, by: workers) {
                results.set(i, Result { try prepare(points[i], base: try ownBase.get(), baseDirectory: baseDirectory, catalog: catalog) })
            }
        }
        return try results.values.map { try $0!.get() }
    }

    private func prepare(_ point: SweepPoint, base: ConfigNode, baseDirectory: String, catalog: PresetCatalog) throws -> PreparedPoint {
        do {
            var root = base
            for text in point.overrides(fixed: fixed) { root = try ConfigOverride(parsing: text).apply(to: root) }
            // Over gracesim's earlier spellings, so that renaming a key to vLLM's name keeps every point's hash.
            let json = ConfigHash.canonicalJSON(SettingSpellings.earlierSpellings(root.node))
            let experiment = try Experiment.load(root, baseDirectory: baseDirectory, catalog: catalog)
            return PreparedPoint(point: point, experiment: experiment, configJSON: json, configHash: ConfigHash.hash(json))
        } catch let error as ConfigError {
            let culprit = point.values.first { error.key == $0.axis || error.key.hasPrefix($0.axis + ".") }
                ?? point.values.first { error.file == "<command line>" && error.key.hasPrefix($0.axis) }
            let which = culprit.map { "axis \($0.axis) = \($0.value)" } ?? "point \(point.index) (\(point.label))"
            throw StoreError(file: file, "\(which): \(error.description)")
        } catch let error as MemoryPartition.Problem {
            throw StoreError(file: file, "point \(point.index) (\(point.label)): \(error.message)")
        }
    }
}

/// Prepared points (or their errors) by grid position, filled by several threads.
private final class PreparedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Result<PreparedPoint, Error>?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<PreparedPoint, Error>) { lock.withLock { storage[index] = result } }

    var values: [Result<PreparedPoint, Error>?] { lock.withLock { storage } }
}
