/// Replays one expressible row of the silicon table the way aiperf measures it (`--concurrency C
/// --warmup-request-count 2C --request-count 20C`), and sets the simulated mean TTFT and TPOT beside the measured ones.
///
/// Two phases on the row's ``SiliconSetup``, each a closed loop of C clients whose every request has exactly the row's
/// prompt and output lengths: the warm-up sends ``SiliconSetup/warmupRequests`` requests; once the last of them has
/// ended (aiperf waits for every warm-up response before it measures), the measured phase starts with all C clients at
/// once and sends ``SiliconSetup/measuredRequests``. Only the measured phase counts. The measured phase is simulated on a
/// fresh engine and its times are shifted to start where the warm-up ended, so the prefix cache the warm-up filled is
/// not carried over [a simplification: the measured phase's first use of each of the pool's prompts misses, where on
/// the real server the warm-up may have cached it].
///
/// TTFT = first token − arrival; TPOT = (last token − first token) / (output − 1), per request; both averaged over the
/// measured requests that finished (the table does not say whether its figures are means; aiperf reports both means
/// and percentiles).
public enum SiliconReplay {
    /// One simulated request; times in nanoseconds of simulated time from the start of the warm-up.
    public struct Request: Sendable, Equatable {
        public var arrivalNs: Int64
        /// −1 when the request produced no token.
        public var firstTokenNs: Int64
        /// −1 when the request did not finish.
        public var finishNs: Int64
        public var generatedTokens: Int
        public var outcome: RequestOutcome
        /// Whether the request belongs to the warm-up phase.
        public var isWarmup: Bool

        /// When the request stopped holding its client: its last token, or its arrival if it was rejected; nil while
        /// it was still running when the run stopped.
        public var endNs: Int64? {
            switch outcome {
            case .finished: return finishNs
            case .rejected: return arrivalNs
            case .unfinished: return nil
            }
        }
    }

    /// The simulated side of one row, beside its measured TTFT and TPOT.
    public struct Result: Sendable {
        public var row: SiliconRow
        public var setup: SiliconSetup
        /// Every request of both phases: the warm-up's, then the measured phase's, each phase in the order sent.
        public var requests: [Request]
        /// Mean TTFT and TPOT of the measured requests that finished, in milliseconds (nil when none did, or for
        /// TPOT when every output is a single token).
        public var ttftMs: Double?
        public var tpotMs: Double?

        /// Measured requests (not the warm-up's) that finished.
        public var measuredFinished: Int { requests.filter { !$0.isWarmup && $0.outcome == .finished }.count }
        /// Requests of either phase that did not finish (rejected, or still running when the run stopped).
        public var unfinished: Int { requests.filter { $0.outcome != .finished }.count }
        /// (simulated − real) / real of the mean TTFT, nil without a simulated value.
        public var ttftError: Double? { ttftMs.map { ($0 - row.ttftMs) / row.ttftMs } }
        /// (simulated − real) / real of the mean TPOT, nil without a simulated value.
        public var tpotError: Double? { tpotMs.map { ($0 - row.tpotMs) / row.tpotMs } }

        /// Requests in flight (arrived and not yet ended) just after everything that happened at `ns`.
        public func inFlight(atNs ns: Int64) -> Int {
            requests.filter { $0.arrivalNs <= ns && ($0.endNs ?? .max) > ns }.count
        }
    }

    /// Simulates `row` on `setup` (from ``SiliconClassifier/classify(_:)``), with `catalog`'s presets.
    public static func run(_ row: SiliconRow, setup: SiliconSetup, catalog: PresetCatalog) throws -> Result {
        let warmup = try phase(row, setup: setup, requests: setup.warmupRequests, isWarmup: true, startNs: 0,
                               catalog: catalog)
        // The measured phase starts when the warm-up's last request has ended (a run that stops early ends there).
        let drainedNs = warmup.map { $0.endNs ?? $0.arrivalNs }.max() ?? 0
        let measured = try phase(row, setup: setup, requests: setup.measuredRequests, isWarmup: false,
                                 startNs: drainedNs, catalog: catalog)
        var ttfts: [Double] = []
        var tpots: [Double] = []
        for request in measured where request.outcome == .finished && request.firstTokenNs >= 0 {
            ttfts.append(Double(request.firstTokenNs - request.arrivalNs) / 1e6)
            if request.generatedTokens > 1 {
                tpots.append(Double(request.finishNs - request.firstTokenNs) / 1e6 / Double(request.generatedTokens - 1))
            }
        }
        return Result(row: row, setup: setup, requests: warmup + measured, ttftMs: mean(ttfts), tpotMs: mean(tpots))
    }

    /// One phase: a closed loop sending `requests` requests on a fresh simulator, its times shifted by `startNs`.
    private static func phase(_ row: SiliconRow, setup: SiliconSetup, requests: Int, isWarmup: Bool, startNs: Int64,
                              catalog: PresetCatalog) throws -> [Request] {
        guard requests > 0 else { return [] }
        let name = isWarmup ? "\(row.id) (warm-up)" : row.id
        let experiment = try setup.experiment(name: name, file: row.id, requests: requests, catalog: catalog)
        let simulator = try Simulator(experiment: experiment)
        _ = simulator.run()
        func shifted(_ ns: Int64) -> Int64 { ns < 0 ? ns : ns + startNs }
        return simulator.requests.states.map { state in
            Request(arrivalNs: shifted(state.arrivalNs), firstTokenNs: shifted(state.firstTokenNs),
                    finishNs: shifted(state.finishNs), generatedTokens: Int(state.generatedTokens),
                    outcome: state.outcome, isWarmup: isWarmup)
        }
    }

    /// The mean of `values`, summed in order; nil when empty.
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
