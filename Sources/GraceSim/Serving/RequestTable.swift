/// Every request of a run, indexed by request id (arrival order), shared by all instances.
///
/// A class so that instances and the simulator mutate one array in place without copies. The array is
/// `@exclusivity(unchecked)` because the single-threaded event loop touches it once per request per step.
public final class RequestTable {
    /// Request states; `states[Int(id)]` is request `id`.
    @exclusivity(unchecked) public var states: ContiguousArray<RequestState> = []
    /// What each request's tokens are, for requests whose workload says (prefix caching); absent otherwise.
    public var contents: [Int32: RequestContent] = [:]

    public init(reservingCapacity capacity: Int = 0) {
        states.reserveCapacity(capacity)
    }

    /// Adds a request and returns its id.
    public func append(_ state: RequestState, content: RequestContent? = nil) -> Int32 {
        states.append(state)
        let id = Int32(states.count - 1)
        if let content { contents[id] = content }
        return id
    }

    public var count: Int { states.count }
}
