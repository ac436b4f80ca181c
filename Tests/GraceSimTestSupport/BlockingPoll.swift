import Foundation

/// Checks a condition on the calling thread every `interval` seconds until it holds or `timeout` seconds pass;
/// returns whether it held.
///
/// Blocking on purpose, for a test that must act while a background process is mid-way (kill a sweep after its
/// third run): a `Task.sleep` hands the thread back to Swift's cooperative pool, which has one thread per core, and
/// while other tests run long synchronous simulations on those threads the poll may not resume until the process
/// has finished.
@discardableResult
public func pollBlocking(every interval: TimeInterval, timeout: TimeInterval, until condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return condition()
}
