/// How instances take turns on one GPU under temporal sharing: one iteration at a time, whole GPU.
public enum GPUSchedulerKind: String, Sendable, CaseIterable, Codable {
    /// Cycle through instances that have work, one iteration each (the default).
    case roundRobin = "round-robin"
    /// Keep running the instance that ran last while it has work; then move on in round-robin order.
    case runToIdle = "run-to-idle"
    /// The instance whose oldest queued or running request arrived first.
    case oldestFirst = "oldest-first"
}

/// Chooses which instance runs the next iteration under temporal sharing.
public struct GPUScheduler: Sendable {
    public let kind: GPUSchedulerKind
    private var lastIndex = -1
    /// Reused for ``order(of:requests:)`` so that choosing allocates nothing.
    private var candidates: [Int] = []

    public init(kind: GPUSchedulerKind) {
        self.kind = kind
    }

    /// Candidate instances in the order they should be tried, by index.
    mutating func order(of instances: [ServingInstance], requests: RequestTable) -> [Int] {
        let n = instances.count
        let start = lastIndex + 1
        candidates.removeAll(keepingCapacity: true)
        for offset in 0..<n where instances[(start + offset) % n].hasWork {
            candidates.append((start + offset) % n)
        }
        switch kind {
        case .roundRobin:
            break
        case .runToIdle:
            if lastIndex >= 0, instances[lastIndex].hasWork {
                candidates.removeAll { $0 == lastIndex }
                candidates.insert(lastIndex, at: 0)
            }
        case .oldestFirst:
            func oldest(_ i: Int) -> Int32 {
                let a = instances[i].running.first ?? .max
                let b = instances[i].waiting.first ?? .max
                return min(a, b)
            }
            candidates.sort { (oldest($0), $0) < (oldest($1), $1) }
        }
        return candidates
    }

    /// Notes that `index` was given the GPU.
    mutating func didRun(_ index: Int) {
        lastIndex = index
    }
}
