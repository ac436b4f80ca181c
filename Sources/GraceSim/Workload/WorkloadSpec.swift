/// A parsed `workload:` section of an experiment: one or more request sources and the run's bounds.
///
/// Trace and length files are read once by ``load(from:instanceCount:projectRoot:baseDirectory:)`` into
/// compact arrays that every generator shares. The YAML format is described in `WorkloadSpec+Loading.swift`.
public struct WorkloadSpec: Sendable {
    /// One source of requests: the whole workload, or one tenant.
    struct Source: Sendable {
        var arrivals: ArrivalSpec
        var lengths: LengthSpec
        var clip: LengthClip
        var instance: InstanceChoice
        /// Most requests in flight at once (vLLM's `--max-concurrency` beside a rate); nil for no limit.
        var maxConcurrency: Int?
        /// Most requests this source generates.
        var maxRequests: Int?
        /// Arrivals at or after this time are dropped.
        var duration: SimTime?
        /// Prefix of the names of this source's random streams, e.g. `workload` or `workload.tenant.2`.
        var streamPrefix: String
        /// What the prompts share (a common prefix, a prompt pool, a trace's blocks); empty by default.
        var content = ContentSpec()

        /// The sessions the arrivals start, if any.
        var sessions: SessionSpec? {
            if case let .sessions(spec) = arrivals { return spec }
            return nil
        }

        /// The trace the arrivals replay, if any.
        var trace: TraceTable? {
            if case let .trace(table) = arrivals { return table }
            return nil
        }
    }

    /// The request sources, merged by arrival time (ties: lower index first).
    var sources: [Source]

    /// Whether any request says which of its tokens it shares with others (sessions, a shared prefix, a prompt pool,
    /// a trace's blocks): without that, a prefix cache can only find a request's own blocks again.
    public var carriesPrefixIdentity: Bool { sources.contains { $0.sessions != nil || !$0.content.isEmpty } }
    /// Most requests over all sources together.
    public var maxRequests: Int?
    /// Arrivals at or after this time are dropped (all sources).
    public var duration: SimTime?
    /// Number of model instances requests are spread over.
    public let instanceCount: Int

    /// The clients of the closed-loop sources, added up (0 for open arrivals).
    public var closedLoopClients: Int {
        sources.reduce(0) { total, source in
            if case let .closed(clients, _) = source.arrivals { return total + clients }
            if case let .sessions(spec) = source.arrivals, case let .users(users) = spec.start { return total + users }
            return total
        }
    }

    /// Builds a fresh generator; the same seed gives the same sequence, bit for bit.
    ///
    /// Each source draws from its own named streams (`<prefix>.arrivals`, `<prefix>.lengths`, `<prefix>.mix`, and
    /// for sessions and prompt pools `<prefix>.think`, `<prefix>.pool`, `<prefix>.pool.pick`), so adding a tenant
    /// does not change the requests of the others.
    public func makeGenerator(seed: UInt64) -> WorkloadGenerator {
        let streams = sources.map { source in
            let globalEnd = duration ?? .infinity
            return RequestStream(
                arrivals: ArrivalProcess(source.arrivals, random: RandomStream(seed: seed, name: "\(source.streamPrefix).arrivals")),
                lengths: LengthSampler(source.lengths, clip: source.clip, trace: source.trace,
                                       random: RandomStream(seed: seed, name: "\(source.streamPrefix).lengths")),
                instance: source.instance,
                mixRandom: RandomStream(seed: seed, name: "\(source.streamPrefix).mix"),
                maxInFlight: source.maxConcurrency,
                maxRequests: source.maxRequests ?? .max,
                end: min(source.duration ?? .infinity, globalEnd),
                content: source.content.isEmpty ? nil
                    : ContentSampler(source.content, lengths: source.lengths, clip: source.clip, trace: source.trace,
                                     prefix: source.streamPrefix, seed: seed),
                sessions: source.sessions.map { SessionBook($0, prefix: source.streamPrefix, seed: seed) })
        }
        return WorkloadGenerator(streams: streams, maxRequests: maxRequests ?? .max)
    }
}
