import Foundation
import GraceSim
import GraceSimStore

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

/// A sweep's grid as a lazy, random-access collection: the product of the axis groups (zipped axes advance
/// together, the first group outermost), each point computed from its index when it is read. Building a grid
/// costs the same for ten points as for 10¹⁸.
public struct SweepGrid: RandomAccessCollection, Sendable {
    public let axes: [SweepSpec.Axis]
    /// The number of values of each group of axes, first group outermost.
    public let lengths: [Int]
    /// The group of each axis.
    private let groupOfAxis: [Int]
    /// How far apart in the grid two neighbouring values of each group are: the product of the later groups' lengths.
    private let strides: [Int]
    public let count: Int

    /// - Throws: ``StoreError`` naming `file` when a group has no values, or when the product of the lengths
    ///   does not fit an `Int`.
    init(axes: [SweepSpec.Axis], groups: [[Int]], file: String) throws {
        let lengths = groups.map { axes[$0[0]].values.count }
        guard !groups.isEmpty, !lengths.contains(0) else { throw StoreError(file: file, "the grid is empty (an axis has no values)") }
        var strides = Array(repeating: 1, count: lengths.count)
        var total = 1
        for g in lengths.indices.reversed() {
            strides[g] = total
            let (product, overflow) = total.multipliedReportingOverflow(by: lengths[g])
            guard !overflow else {
                let sizes = lengths.map(String.init).joined(separator: " × ")
                throw StoreError(file: file, "axes: the grid of \(sizes) points is too large to count; expected a product of the axis sizes of at most \(Int.max)")
            }
            total = product
        }
        var groupOfAxis = Array(repeating: 0, count: axes.count)
        for (g, group) in groups.enumerated() { for axis in group { groupOfAxis[axis] = g } }
        self.axes = axes
        self.lengths = lengths
        self.groupOfAxis = groupOfAxis
        self.strides = strides
        self.count = total
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> SweepPoint { point(at: position) }

    /// The point at `index` (0 ≤ index < count).
    public func point(at index: Int) -> SweepPoint {
        precondition(index >= 0 && index < count, "grid index \(index) outside 0..<\(count)")
        let values = axes.indices.map { axis in
            let g = groupOfAxis[axis]
            return (axis: axes[axis].key, value: axes[axis].values[index / strides[g] % lengths[g]])
        }
        return SweepPoint(index: index, values: values)
    }

    /// The indices, in grid order, of the first point of each value of each group (all other groups at their first
    /// value): every value of every axis appears in one of them. At most the sum of the lengths.
    public var firstPointOfEachValue: [Int] {
        var indices: [Int] = [0]
        for g in lengths.indices {
            for value in 1..<lengths[g] { indices.append(value * strides[g]) }
        }
        return indices.sorted()
    }
}

extension SweepSpec {
    /// The grid, lazily: points are computed from their index when read.
    /// - Throws: ``StoreError`` when the grid is empty, or too large to count (its size does not fit an `Int`).
    public func grid() throws -> SweepGrid {
        try SweepGrid(axes: axes, groups: groups, file: file)
    }
}
