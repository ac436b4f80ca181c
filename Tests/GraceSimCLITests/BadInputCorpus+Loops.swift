/// Runs that cannot advance simulated time, and searches that would not end.
extension BadInputCorpus {
    /// A closed loop of 2 clients with no think time whose every prompt is longer than `max_model_len`, bounded by
    /// `duration_s` only.
    static let stuckLoop = experiment(instance: "\n    max_model_len: 100",
                                      arrivals: "{kind: closed, clients: 2, think_time_s: 0}",
                                      lengths: "{kind: fixed, prompt: 200, output: 16}")
        .replacingOccurrences(of: "max_requests: 50", with: "duration_s: 10")

    /// Two users in sessions with no think time whose every turn is too long: each rejected turn ends its session
    /// (the next would be longer still) and the user starts the next one at once.
    static let stuckSessions = experiment(instance: "\n    max_model_len: 100",
                                          arrivals: "{kind: sessions, users: 2, turns: 3, think_time_s: 0}",
                                          lengths: "{kind: fixed, prompt: 200, output: 16}")
        .replacingOccurrences(of: "max_requests: 50", with: "duration_s: 10")

    static let loops: [BadInputCase] = [
        run("closed loop whose every request is rejected, with no think time", ["experiment.yaml": stuckLoop],
            key: "workload.arrivals.think_time_s", mentions: ["cannot advance", "prompt-too-long"]),
        run("sessions whose every turn is rejected, with no think time", ["experiment.yaml": stuckSessions],
            key: "workload.arrivals.think_time_s", mentions: ["cannot advance", "prompt-too-long"]),
        run("sessions with zero turns", ["experiment.yaml": experiment(arrivals: "{kind: sessions, users: 2, turns: 0}")],
            key: "workload.arrivals.turns", mentions: ["positive integer"]),
        BadInputCase(name: "sweep of a closed loop whose every request is rejected",
                     files: ["experiment.yaml": stuckLoop, "sweep.yaml": "name: stuck\nbase: experiment.yaml\naxes:\n  seed: [1]\n"],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"], file: "", key: "",
                     mentions: ["1 failed", "stored with their error"], status: 1),
        BadInputCase(name: "capacity of a closed loop whose every request is rejected", files: ["experiment.yaml": stuckLoop],
                     arguments: ["capacity", experimentPath, "--slo", "ttft_p99_ms=500"], file: experimentPath,
                     key: "workload.arrivals.think_time_s", mentions: ["cannot advance"]),
        flags("capacity --tolerance 1e-300", "capacity", ["--slo", "ttft_p99_ms=19", "--tolerance", "1e-300"], key: "--tolerance",
              mentions: ["0.01%", "\"1e-300\""]),
        flags("capacity --max-steps 1000000000", "capacity", ["--slo", "ttft_p99_ms=19", "--max-steps", "1000000000"], key: "--max-steps",
              mentions: ["1 to 60"]),
    ]
}
