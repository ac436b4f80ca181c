import GraceSimTestSupport
import Foundation
import Testing

/// One broken input for `gracesim validate` and `gracesim run`, and what the error line must say.
///
/// `files` are written to a fresh temporary folder; `$DIR` in their text, in `key` and in `mentions` stands
/// for that folder. The experiment is `experiment.yaml` unless `files` does not contain one.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var files: [String: String]
    /// The key path the message must name ("" for a problem with the whole file).
    var key: String
    /// Further text the message must contain.
    var mentions: [String] = []
    /// The file the message must name, when not the experiment itself.
    var reportedFile: String? = nil

    var testDescription: String { name }

    /// A small valid experiment: one Llama-3-8B on gh200-96gb, 50 requests, ShareGPT lengths named
    /// relative to the repository root.
    static let baseExperiment = """
        name: cli-test
        seed: 1
        hardware: gh200-96gb
        instances:
          - model: llama-3-8b
            memory_fraction: 0.9
        workload:
          max_requests: 50
          arrivals: {kind: poisson, rate: 4}
          lengths: {kind: file, path: Workloads/lengths/sharegpt-multiturn.csv, max_prompt: 4096}

        """

    /// `baseExperiment` with `old` replaced by `new` (which must occur).
    static func base(replacing old: String, with new: String) -> String {
        precondition(baseExperiment.contains(old), "\(old) is not in the base experiment")
        return baseExperiment.replacingOccurrences(of: old, with: new)
    }

    /// An experiment whose arrivals replay the trace at `$DIR/trace.csv`.
    static func traceExperiment(_ trace: String) -> [String: String] {
        ["experiment.yaml": """
            hardware: gh200-96gb
            instances:
              - model: llama-3-8b
                memory_fraction: 0.9
            workload:
              arrivals: {kind: trace, path: $DIR/trace.csv}

            """,
         "trace.csv": trace]
    }

    static func twoInstances(_ a: String, _ b: String) -> String {
        """
        hardware: gh200-96gb
        instances:
          - {\(a)}
          - {\(b)}
        workload:
          max_requests: 50
          arrivals: {kind: poisson, rate: 4}
          lengths: {kind: fixed, prompt: 64, output: 16}

        """
    }

    static let all: [BadInput] = [
        BadInput(name: "unknown top-level key",
                 files: ["experiment.yaml": baseExperiment + "colour: blue\n"],
                 key: "colour", mentions: ["unknown key", "instances", "workload"]),
        BadInput(name: "unknown key in an instance",
                 files: ["experiment.yaml": base(replacing: "memory_fraction: 0.9", with: "memory_fraction: 0.9\n    colour: blue")],
                 key: "instances.0.colour", mentions: ["unknown key", "memory_fraction"]),
        BadInput(name: "wrong type",
                 files: ["experiment.yaml": base(replacing: "memory_fraction: 0.9", with: "memory_fraction: \"lots\"")],
                 key: "instances.0.memory_fraction", mentions: ["expected a number", "lots"]),
        BadInput(name: "unknown model",
                 files: ["experiment.yaml": base(replacing: "model: llama-3-8b", with: "model: llama-9-9b")],
                 key: "instances.0.model", mentions: ["llama-9-9b", "llama-3-8b"]),
        BadInput(name: "unknown hardware",
                 files: ["experiment.yaml": base(replacing: "hardware: gh200-96gb", with: "hardware: gh900")],
                 key: "hardware", mentions: ["gh900", "gh200-96gb"]),
        BadInput(name: "rate 0",
                 files: ["experiment.yaml": base(replacing: "rate: 4", with: "rate: 0")],
                 key: "workload.arrivals.rate", mentions: ["greater than 0"]),
        BadInput(name: "rate -1",
                 files: ["experiment.yaml": base(replacing: "rate: 4", with: "rate: -1")],
                 key: "workload.arrivals.rate", mentions: ["greater than 0"]),
        BadInput(name: "two llama-2-70b do not fit gh200-96gb",
                 files: ["experiment.yaml": twoInstances("model: llama-2-70b, memory_fraction: 0.5",
                                                         "model: llama-2-70b, memory_fraction: 0.5")],
                 key: "instances.0.memory_fraction", mentions: ["llama-2-70b", "does not fit", "gh200-96gb"]),
        BadInput(name: "memory fractions sum over 1",
                 files: ["experiment.yaml": twoInstances("model: llama-3-8b, memory_fraction: 0.6",
                                                         "model: llama-2-7b, memory_fraction: 0.6")],
                 key: "instances", mentions: ["add up to 1.2"]),
        BadInput(name: "empty trace file",
                 files: traceExperiment(""),
                 key: "workload.arrivals.path", mentions: ["$DIR/trace.csv", "empty"]),
        BadInput(name: "trace with a header only",
                 files: traceExperiment("TIMESTAMP,ContextTokens,GeneratedTokens\n"),
                 key: "workload.arrivals.path", mentions: ["$DIR/trace.csv", "no data rows"]),
        BadInput(name: "trace with a bad timestamp",
                 files: traceExperiment("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,4808,10\nyesterday,100,10\n"),
                 key: "workload.arrivals.path", mentions: ["$DIR/trace.csv", "line 3", "TIMESTAMP", "yesterday"]),
        BadInput(name: "YAML syntax error",
                 files: ["experiment.yaml": "hardware: gh200-96gb\ninstances:\n  - model: [llama\n"],
                 key: "", mentions: ["not valid YAML", "line"]),
        BadInput(name: "missing file",
                 files: [:],
                 key: "", mentions: ["no such file"]),
        BadInput(name: "huge duration",
                 files: ["experiment.yaml": base(replacing: "max_requests: 50", with: "duration_s: 1e300")],
                 key: "workload.duration_s", mentions: ["seconds"]),
        BadInput(name: "huge token budget",
                 files: ["experiment.yaml": base(replacing: "memory_fraction: 0.9", with: "memory_fraction: 0.9\n    max_num_batched_tokens: 100000000000000")],
                 key: "instances.0.max_num_batched_tokens", mentions: ["up to"]),
        BadInput(name: "negative SLO",
                 files: ["experiment.yaml": baseExperiment + "slo: {ttft_ms: -1, tpot_ms: 50}\n"],
                 key: "slo.ttft_ms", mentions: ["milliseconds from 0", "-1"]),
        BadInput(name: "unknown SLO key",
                 files: ["experiment.yaml": baseExperiment + "slo: {ttft_ms: 200, itl_ms: 50}\n"],
                 key: "slo.itl_ms", mentions: ["unknown key", "tpot_ms"]),
    ]
}
