/// A decision of a memory strategy that observers may want to see (traces); reported through
/// ``SimulationContext/note(_:)``. Strategies need not know who listens.
public enum StrategyEvent: Sendable, Equatable {
    /// A weight layer of `instance` was remapped to KV; `remappedLayers` is its α afterwards.
    case remap(instance: Int, remappedLayers: Int)
    /// A remapped layer of `instance` was loaded back for good; `remappedLayers` is its α afterwards.
    case reversion(instance: Int, remappedLayers: Int)

    /// The instance the event concerns.
    public var instance: Int {
        switch self {
        case .remap(let instance, _), .reversion(let instance, _): return instance
        }
    }
}
