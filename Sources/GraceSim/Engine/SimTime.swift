/// A point in simulated time, or a span of it, in integer nanoseconds.
///
/// The simulator never stores time as floating-point seconds: conversion happens only at the edges
/// (configs in, reports out), so equal inputs give equal event orders on every machine.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the start of the simulation (or the length of a span).
    public var ns: Int64

    @inlinable public init(ns: Int64) { self.ns = ns }

    public static let zero = SimTime(ns: 0)
    public static let infinity = SimTime(ns: .max)
    /// The latest time a run reaches, 10¹⁸ ns (about 31.7 years, the longest time a config may give): a run
    /// stops there, and a duration computed by a model is capped at it, so that adding one to a time never
    /// overflows.
    public static let horizon = SimTime(ns: 1_000_000_000_000_000_000)

    /// `seconds` in whole nanoseconds rounded by `rule`, from 0 up to ``horizon`` (a computed duration too long
    /// for the run): how a model's computed time becomes simulated time.
    @inlinable public static func capped(seconds: Double,
                                         rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> SimTime {
        let ns = nanoseconds(fromSeconds: seconds, rounding: rule)
        return ns >= Double(horizon.ns) ? horizon : SimTime(ns: ns > 0 ? Int64(ns) : 0)
    }

    /// `seconds` as whole nanoseconds, rounded by `rule` (to the nearest by default), for a value already known
    /// to be in range (a config's time, checked where it is read). With ``capped(seconds:rounding:)``, built on
    /// ``nanoseconds(fromSeconds:rounding:)``, the one place where seconds become nanoseconds.
    @inlinable public static func seconds(_ seconds: Double,
                                          rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> SimTime {
        SimTime(ns: Int64(nanoseconds(fromSeconds: seconds, rounding: rule)))
    }

    /// `seconds` in nanoseconds, rounded by `rule`, still as a Double: for callers that must check the range
    /// before they make an Int64 of it, or compare it with a count of nanoseconds.
    @inlinable public static func nanoseconds(fromSeconds seconds: Double,
                                              rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> Double {
        (seconds * 1e9).rounded(rule)
    }

    /// `ns` nanoseconds: a hand-worked time in a test or a count of nanoseconds read from a compact record.
    @inlinable public static func nanoseconds(_ ns: Int64) -> SimTime { SimTime(ns: ns) }

    @inlinable public static func milliseconds(_ ms: Double) -> SimTime {
        SimTime(ns: Int64((ms * 1e6).rounded()))
    }

    @inlinable public static func microseconds(_ us: Double) -> SimTime {
        SimTime(ns: Int64((us * 1e3).rounded()))
    }

    /// This time in seconds, for reports.
    @inlinable public var seconds: Double { Double(ns) / 1e9 }
    /// This time in milliseconds, for reports.
    @inlinable public var milliseconds: Double { Double(ns) / 1e6 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.ns < b.ns }
    @inlinable public static func + (a: SimTime, b: SimTime) -> SimTime { SimTime(ns: a.ns + b.ns) }
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimTime { SimTime(ns: a.ns - b.ns) }
    @inlinable public static func += (a: inout SimTime, b: SimTime) { a.ns += b.ns }
    @inlinable public static func -= (a: inout SimTime, b: SimTime) { a.ns -= b.ns }
    /// `count` spans of `span` (a layer's time times a number of layers).
    @inlinable public static func * (span: SimTime, count: Int) -> SimTime { SimTime(ns: span.ns * Int64(count)) }

    /// The start of the sample interval of length `interval` that holds this time (intervals `[k·interval,
    /// (k+1)·interval)` from 0), for series that keep one point per interval.
    @inlinable public func intervalStart(every interval: SimTime) -> SimTime {
        SimTime(ns: ns / interval.ns * interval.ns)
    }

    /// Whether this is a real time rather than ``infinity`` (the "not scheduled" value).
    @inlinable public var isFinite: Bool { ns != .max }

    public var description: String {
        if ns >= 1_000_000_000 { return "\(seconds) s" }
        if ns >= 1_000_000 { return "\(milliseconds) ms" }
        return "\(ns) ns"
    }
}
