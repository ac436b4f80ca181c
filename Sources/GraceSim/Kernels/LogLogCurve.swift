import Foundation

/// A measured latency as a function of one size (tokens, sequences, context), interpolated in log–log.
///
/// Between two measured sizes the latency is a power law through both points (linear in log size and log
/// latency). Below the smallest size it is the smallest size's latency: tiny kernels are bound by their fixed
/// cost, not their work. Above the largest size it grows in proportion to the size from the largest point: the
/// work of every kernel here (GEMM rows, sequences, context tokens) is linear in its size once the GPU is full.
/// Sizes and latencies are positive; lookups are O(log n) and allocate nothing.
public struct LogLogCurve: Sendable, Equatable {
    /// Natural logs of the measured sizes, strictly increasing.
    public let logSizes: [Double]
    /// Natural logs of the latencies at those sizes, in seconds.
    public let logSeconds: [Double]

    /// A curve through `points` (size, seconds), sizes strictly increasing and everything positive.
    public init(sizes: [Double], seconds: [Double]) {
        precondition(sizes.count == seconds.count && !sizes.isEmpty, "a curve needs one latency per size")
        logSizes = sizes.map { log($0) }
        logSeconds = seconds.map { log($0) }
    }

    init(logSizes: [Double], logSeconds: [Double]) {
        self.logSizes = logSizes
        self.logSeconds = logSeconds
    }

    /// The latency at `size`, in seconds; zero for a size of zero or less.
    @inlinable public func seconds(at size: Double) -> Double {
        guard size > 0 else { return 0 }
        return exp(logSeconds(at: log(size)))
    }

    /// The log latency at log size `x`.
    @inlinable public func logSeconds(at x: Double) -> Double {
        logSeconds(at: LogLogCurve.position(logSizes, x))
    }

    /// The log latency at a `position` located on this curve's sizes (or on any curve's with the same sizes).
    @inlinable func logSeconds(at position: (index: Int, fraction: Double, beyond: Double)) -> Double {
        let i = position.index, next = min(i + 1, logSeconds.count - 1)
        return logSeconds[i] + position.fraction * (logSeconds[next] - logSeconds[i]) + position.beyond
    }

    /// Where log size `x` falls on `axis`: the lower index, the fraction of the way to the next, and the log growth
    /// beyond the last size (the proportional extension); below the first size, the first, with nothing beyond.
    @inlinable static func position(_ axis: [Double], _ x: Double) -> (index: Int, fraction: Double, beyond: Double) {
        let last = axis.count - 1
        if x <= axis[0] { return (0, 0, 0) }
        if x >= axis[last] { return (last, 0, x - axis[last]) }
        let (i, t) = bracket(axis, x)
        return (i, t, 0)
    }

    /// The index i with `axis[i] ≤ x < axis[i + 1]` and the fraction of the way from one to the other, for x
    /// strictly inside the axis.
    @inlinable static func bracket(_ axis: [Double], _ x: Double) -> (Int, Double) {
        var low = 0, high = axis.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if axis[mid] <= x { low = mid } else { high = mid }
        }
        return (low, (x - axis[low]) / (axis[high] - axis[low]))
    }
}

/// A measured latency as a function of two sizes (sequences and context tokens, say), interpolated bilinearly in
/// log sizes and log latency, with each axis extended as ``LogLogCurve`` extends its one: constant below the
/// smallest size, in proportion above the largest — or, along the columns, as the `columnGrowth` power of the size
/// (2 for a prompt's length, whose causal attention work grows with its square).
public struct LogLogSurface: Sendable, Equatable {
    /// Natural logs of the first axis's sizes, strictly increasing.
    public let logRows: [Double]
    /// Natural logs of the second axis's sizes, strictly increasing.
    public let logColumns: [Double]
    /// Natural logs of the latencies in seconds, row-major: `logSeconds[row * columns + column]`.
    public let logSeconds: [Double]
    /// The power of the column size the latency grows with beyond the last column.
    public let columnGrowth: Double

    /// A surface on the grid `rows` × `columns` with `seconds` row-major; every value positive.
    public init(rows: [Double], columns: [Double], seconds: [Double], columnGrowth: Double = 1) {
        precondition(seconds.count == rows.count * columns.count, "a surface needs one latency per grid point")
        logRows = rows.map { log($0) }
        logColumns = columns.map { log($0) }
        logSeconds = seconds.map { log($0) }
        self.columnGrowth = columnGrowth
    }

    init(logRows: [Double], logColumns: [Double], logSeconds: [Double], columnGrowth: Double = 1) {
        self.logRows = logRows
        self.logColumns = logColumns
        self.logSeconds = logSeconds
        self.columnGrowth = columnGrowth
    }

    /// The latency at (`row`, `column`), in seconds; zero when either size is zero or less.
    @inlinable public func seconds(row: Double, column: Double) -> Double {
        guard row > 0, column > 0 else { return 0 }
        return exp(logSeconds(logRow: log(row), logColumn: log(column)))
    }

    /// The log latency at (log row, log column).
    @inlinable public func logSeconds(logRow x: Double, logColumn y: Double) -> Double {
        let (i, s, extraX) = LogLogCurve.position(logRows, x)
        let (j, t, extraY) = LogLogCurve.position(logColumns, y)
        let n = logColumns.count
        let i1 = min(i + 1, logRows.count - 1), j1 = min(j + 1, n - 1)
        let a = logSeconds[i * n + j], b = logSeconds[i * n + j1]
        let c = logSeconds[i1 * n + j], d = logSeconds[i1 * n + j1]
        let top = a + t * (b - a), bottom = c + t * (d - c)
        return top + s * (bottom - top) + extraX + columnGrowth * extraY
    }
}
