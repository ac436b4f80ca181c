/// A decision of a memory strategy that observers may want to see (traces); reported through
/// ``SimulationContext/note(_:)``. Strategies need not know who listens.
///
/// Open: a strategy declares its events in its own file (`extension StrategyEvent { static func remap(...) }`),
/// as a name, the values a trace shows with it and, if it moves one, a counter track.
public struct StrategyEvent: Sendable, Equatable {
    /// What happened, as a trace names the instant ("remap").
    public var name: String
    /// The instance the event concerns.
    public var instance: Int
    /// Integer values shown with the event, by name, in order.
    public var values: [Value]
    /// The counter track the event sets, if any.
    public var counter: Counter?

    /// One named integer value.
    public struct Value: Sendable, Equatable {
        public var name: String
        public var value: Int

        public init(_ name: String, _ value: Int) {
            self.name = name
            self.value = value
        }
    }

    /// A counter track of an instance ("remapped layers"), set to `value` under the argument name `argument`.
    public struct Counter: Sendable, Equatable {
        /// The track's name; a trace appends the instance's name.
        public var name: String
        public var argument: String
        public var value: Int

        public init(name: String, argument: String, value: Int) {
            self.name = name
            self.argument = argument
            self.value = value
        }
    }

    public init(name: String, instance: Int, values: [Value] = [], counter: Counter? = nil) {
        self.name = name
        self.instance = instance
        self.values = values
        self.counter = counter
    }
}
