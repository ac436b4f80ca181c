import GraceSimTestSupport
import Foundation
import Testing

/// One bad input to any `gracesim` command, as data: the files it needs, the command line, the environment,
/// and what the one error line must name.
///
/// `files` are written to a fresh temporary folder; `$DIR` in their text, in `arguments`, `environment`,
/// `before`, `sql`, `file` and `mentions` stands for that folder. A case with the default `status` 2 must
/// print exactly one line, `error: <file>: <key>: ...` (or `error: <file>: ...` when `key` is empty), with no
/// crash text and nothing on standard output; a case with another status must end with it, with no crash
/// text and each of `mentions` in its output.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    var name: String
    var files: [String: String] = [:]
    var arguments: [String]
    var environment: [String: String] = [:]
    /// The file, `<command line>` or environment variable the line must start with.
    var file: String
    /// The key path or flag the line must name next ("" for none).
    var key: String
    var mentions: [String] = []
    /// The exit status expected.
    var status: Int32 = 2
    /// `gracesim` commands run first, each of which must succeed (to make a results database, say).
    var before: [[String]] = []
    /// SQL run on a database file of the folder after `before` (foreign keys off), by file name: a hand edit.
    var sql: [String: String] = [:]
    /// A database file of the folder (by name) that another connection holds with `BEGIN EXCLUSIVE` while the
    /// command runs, as another process would.
    var lockedDatabase: String?

    var testDescription: String { name }
}

enum BadInputCorpus {
    /// A small, fast experiment whose workload, lengths and model are replaced by each case.
    static func experiment(model: String = "llama-3-8b", instance: String = "", workload: String = "",
                           arrivals: String = "{kind: poisson, rate: 4}",
                           lengths: String = "{kind: fixed, prompt: 64, output: 16}", extra: String = "") -> String {
        """
        name: corpus
        hardware: gh200-96gb
        instances:
          - model: \(model)
            memory_fraction: 0.9\(instance)
        workload:
          max_requests: 50\(workload)
          arrivals: \(arrivals)
          lengths: \(lengths)
        \(extra)
        """
    }

    static let experimentPath = "$DIR/experiment.yaml"

    /// `gracesim run` on `experiment.yaml` with these `files` (which should include it).
    static func run(_ name: String, _ files: [String: String], key: String, file: String = experimentPath,
                    mentions: [String] = [], extra: [String] = []) -> BadInputCase {
        BadInputCase(name: name, files: files, arguments: ["run", experimentPath] + extra, file: file, key: key, mentions: mentions)
    }

    /// `gracesim validate` on `name` of `files`.
    static func validate(_ name: String, _ fileName: String, _ text: String, key: String, mentions: [String] = []) -> BadInputCase {
        BadInputCase(name: name, files: [fileName: text], arguments: ["validate", "$DIR/\(fileName)"],
                     file: "$DIR/\(fileName)", key: key, mentions: mentions)
    }

    /// `gracesim run` of a valid experiment with command-line flags.
    static func flags(_ name: String, _ command: String, _ flags: [String], key: String, mentions: [String] = []) -> BadInputCase {
        BadInputCase(name: name, files: ["experiment.yaml": experiment()],
                     arguments: [command, experimentPath] + flags, file: "<command line>", key: key, mentions: mentions)
    }

    /// A Llama model file from `Configs/models/llama-3-8b.yaml` with `old` replaced by `new`.
    static func llamaFile(_ old: String, _ new: String) -> String {
        let text = """
            name: custom
            family: llama
            layers: 32
            hidden_size: 4096
            attention_heads: 32
            kv_heads: 8
            head_dim: 128
            ffn_size: 14336
            vocab_size: 128256
            max_context_tokens: 8192

            """
        precondition(text.contains(old), "\(old) is not in the model file")
        return text.replacingOccurrences(of: old, with: new)
    }

    /// A Hugging Face `config.json` of a small Llama with `key` set to `value`.
    static func hfConfig(_ key: String, _ value: String) -> String {
        var fields = ["model_type": "\"llama\"", "hidden_size": "4096", "num_attention_heads": "32",
                      "num_key_value_heads": "8", "num_hidden_layers": "32", "intermediate_size": "14336",
                      "vocab_size": "128256", "max_position_embeddings": "8192"]
        fields[key] = value
        return "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}\n"
    }

    static let azureHeader = "TIMESTAMP,ContextTokens,GeneratedTokens\n"
    static let azureRow = "2023-11-16 18:17:03.9799600,100,10\n"
    static let traceArrivals = "{kind: trace, path: $DIR/trace.csv}"
    static let mooncakeArrivals = "{kind: trace, path: $DIR/trace.jsonl}"

    /// A sweep over `axes` axes of `values` values each, on `experiment.yaml`.
    static func sweep(axes: Int, values: Int) -> String {
        let keys = ["workload.arrivals.rate", "workload.max_requests", "instances.0.max_num_seqs", "instances.0.watermark",
                    "instances.0.memory_fraction", "instances.0.max_num_batched_tokens", "metrics.sample_interval_s"]
        let list = "[" + (1...values).map(String.init).joined(separator: ", ") + "]"
        return "name: huge\nbase: experiment.yaml\naxes:\n" + keys.prefix(axes).map { "  \($0): \(list)\n" }.joined() + "seeds: [1]\n"
    }

    /// The shipped gh200-96gb preset with `old` replaced by `new`.
    static func hardwareFile(_ old: String, _ new: String) -> String {
        let text = (try? String(contentsOf: GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/hardware/gh200-96gb.yaml"),
                                encoding: .utf8)) ?? ""
        precondition(text.contains(old), "\(old) is not in the hardware preset")
        return text.replacingOccurrences(of: old, with: new)
    }

    static let database = "$DIR/results.sqlite"
    /// The files and the first command of a case on `results.sqlite` holding a one-point sweep.
    static let sweptFiles = ["experiment.yaml": experiment(), "sweep.yaml": sweep(axes: 1, values: 1)]
    static let sweepFirst = [["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"]]

    /// A case on `results.sqlite` after a one-point sweep (and an optional hand edit).
    static func onDatabase(_ name: String, _ arguments: [String], file: String = database, key: String = "",
                           mentions: [String] = [], status: Int32 = 2, sql: String? = nil,
                           files extra: [String: String] = [:]) -> BadInputCase {
        BadInputCase(name: name, files: sweptFiles.merging(extra) { $1 }, arguments: arguments, file: file, key: key,
                     mentions: mentions, status: status, before: sweepFirst, sql: sql.map { ["results.sqlite": $0] } ?? [:])
    }

    static let all: [BadInputCase] = original + hardware + spans + sweeps + databases + commands + precision + vllmVocabulary
        + runFiles + loops

    /// Hardware presets, checked alone and used by an experiment.
    static let hardware: [BadInputCase] = [
        validate("validate: hardware file with peak_tflops 1e-300", "hardware.yaml", hardwareFile("peak_tflops: 989", "peak_tflops: 1e-300"),
                 key: "gpu.peak_tflops", mentions: ["0.001"]),
        validate("validate: hardware file with a link latency of 1e300 µs", "hardware.yaml", hardwareFile("latency_us: 2 ", "latency_us: 1e300 "),
                 key: "link.latency_us", mentions: ["1000000"]),
        validate("validate: hardware file with NaN host-to-device bandwidth", "hardware.yaml", hardwareFile("h2d_gb_per_s: 427", "h2d_gb_per_s: .nan"),
                 key: "link.h2d_gb_per_s", mentions: ["expected a number"]),
        run("hardware file with peak_tflops 1e-300 (a step too long to count)",
            ["experiment.yaml": experiment().replacingOccurrences(of: "gh200-96gb", with: "$DIR/hardware.yaml"),
             "hardware.yaml": hardwareFile("peak_tflops: 989", "peak_tflops: 1e-300")],
            key: "gpu.peak_tflops", file: "$DIR/hardware.yaml", mentions: ["0.001"]),
        run("hardware file with an HBM bandwidth of 1e300 GB/s",
            ["experiment.yaml": experiment().replacingOccurrences(of: "gh200-96gb", with: "$DIR/hardware.yaml"),
             "hardware.yaml": hardwareFile("hbm_gb_per_s: 4000", "hbm_gb_per_s: 1e300")],
            key: "gpu.hbm_gb_per_s", file: "$DIR/hardware.yaml", mentions: ["1000000"]),
    ]

    /// Quantization, KV-cache dtype and experts: on the instance and in a model file.
    static let precision: [BadInputCase] = [
        run("unknown quantization", ["experiment.yaml": experiment(instance: "\n    quantization: int3")],
            key: "instances.0.quantization", mentions: ["fp8", "awq"]),
        run("int4 without a group size", ["experiment.yaml": experiment(instance: "\n    quantization: gptq")],
            key: "instances.0.group_size", mentions: ["gptq"]),
        run("group size of 1e300", ["experiment.yaml": experiment(instance: "\n    quantization: awq\n    group_size: 1e300")],
            key: "instances.0.group_size", mentions: []),
        run("unknown dtype", ["experiment.yaml": experiment(instance: "\n    dtype: int8")],
            key: "instances.0.dtype", mentions: ["bfloat16"]),
        run("expert routing on a dense model", ["experiment.yaml": experiment(instance: "\n    expert_routing: uniform")],
            key: "instances.0.expert_routing", mentions: ["dense"]),
        run("routing skew of NaN", ["experiment.yaml": experiment(model: "qwen3-30b-a3b", instance: "\n    expert_routing: {power_law: .nan}")
                .replacingOccurrences(of: "gh200-96gb", with: "gh200-144gb")],
            key: "instances.0.expert_routing.power_law", mentions: []),
        run("fp8 KV cache on tables without fp8-KV attention", ["experiment.yaml": experiment(instance: "\n    kv_cache_dtype: fp8")
                .replacingOccurrences(of: "gh200-96gb", with: "x86-a100-pcie4")],
            key: "instances.0.kv_cache_dtype", mentions: ["a100-sxm"]),
        run("model file: more experts per token than experts",
            ["experiment.yaml": experiment(model: "$DIR/model.yaml"),
             "model.yaml": "name: m\nfamily: llama\nlayers: 2\nhidden_size: 64\nattention_heads: 4\nffn_size: 128\nvocab_size: 100\nmax_context_tokens: 512\nmoe: {experts: 4, experts_per_token: 8, expert_ffn_size: 32}\n"],
            key: "moe.experts_per_token", file: "$DIR/model.yaml", mentions: ["at most experts"]),
        run("model file: 1e300 experts",
            ["experiment.yaml": experiment(model: "$DIR/model.yaml"),
             "model.yaml": "name: m\nfamily: llama\nlayers: 2\nhidden_size: 64\nattention_heads: 4\nffn_size: 128\nvocab_size: 100\nmax_context_tokens: 512\nmoe: {experts: 1e300, experts_per_token: 2, expert_ffn_size: 32}\n"],
            key: "moe.experts", file: "$DIR/model.yaml", mentions: []),
    ]

    /// Runs whose arrivals would span more metric samples than memory holds.
    static let spans: [BadInputCase] = [
        run("duration of 10⁹ s at one sample a second",
            ["experiment.yaml": experiment(arrivals: "{kind: poisson, rate: 0.000001}").replacingOccurrences(of: "max_requests: 50", with: "duration_s: 1000000000")],
            key: "metrics.sample_interval_s", mentions: ["1e+07 samples", "at least 100 s"]),
        run("closed loop thinking 10⁹ s between 10⁹ requests",
            ["experiment.yaml": experiment(arrivals: "{kind: closed, clients: 1, think_time_s: 1000000000}")
                .replacingOccurrences(of: "max_requests: 50", with: "max_requests: 1000000000")],
            key: "metrics.sample_interval_s", mentions: ["a shorter run"]),
        run("arrivals over 10⁷ s at 1 ms samples",
            ["experiment.yaml": experiment(arrivals: "{kind: poisson, rate: 0.0001}", extra: "metrics: {sample_interval_s: 0.001}")
                .replacingOccurrences(of: "max_requests: 50", with: "max_requests: 1000")],
            key: "metrics.sample_interval_s", mentions: ["at least 1 s"]),
    ]

    /// Sweep files.
    static let sweeps: [BadInputCase] = [
        BadInputCase(name: "sweep with an empty axis",
                     files: ["experiment.yaml": experiment(), "sweep.yaml": "name: e\nbase: experiment.yaml\naxes:\n  workload.arrivals.rate: []\n"],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"],
                     file: "$DIR/sweep.yaml", key: "axes.workload.arrivals.rate", mentions: ["at least one value"]),
        BadInputCase(name: "sweep zipping axes of different lengths",
                     files: ["experiment.yaml": experiment(),
                             "sweep.yaml": "name: z\nbase: experiment.yaml\naxes:\n  workload.arrivals.rate: [1, 2]\n  instances.0.memory_fraction: [0.5]\nzip: [[workload.arrivals.rate, instances.0.memory_fraction]]\n"],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"],
                     file: "$DIR/sweep.yaml", key: "zip.0.1", mentions: ["2 values", "has 1"]),
        BadInputCase(name: "sweep axis on an unknown key",
                     files: ["experiment.yaml": experiment(), "sweep.yaml": "name: u\nbase: experiment.yaml\naxes:\n  workload.colour: [1, 2]\n"],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"],
                     file: "$DIR/sweep.yaml", key: "axis workload.colour = 1", mentions: ["unknown key"]),
        BadInputCase(name: "GRACESIM_SHARD_COUNT of 0", files: sweptFiles,
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--shard", "auto", "--quiet"],
                     environment: ["JOB_COMPLETION_INDEX": "0", "GRACESIM_SHARD_COUNT": "0"],
                     file: "GRACESIM_SHARD_COUNT", key: "", mentions: ["positive number of shards", "found 0"]),
        BadInputCase(name: "GRACESIM_BUSY_TIMEOUT_S that is not a number", files: sweptFiles,
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"],
                     environment: ["GRACESIM_BUSY_TIMEOUT_S": "soon"],
                     file: "GRACESIM_BUSY_TIMEOUT_S", key: "", mentions: ["86400", "\"soon\""]),
    ]

    /// Results databases: mix-ups, foreign files and hand edits.
    static let databases: [BadInputCase] = [
        onDatabase("another sweep file under a stored sweep's name", ["sweep", "$DIR/other.yaml", "--db", database, "--quiet"],
                   file: "$DIR/other.yaml", mentions: ["already holds a sweep named \"huge\"", "$DIR/sweep.yaml", "--as"],
                   files: ["other.yaml": sweep(axes: 2, values: 1)]),
        onDatabase("compare --baseline nosuch", ["compare", "--db", database, "--baseline", "nosuch"], mentions: ["--baseline", "known: recompute"]),
        onDatabase("compare --scope nosuch", ["compare", "--db", database, "--scope", "nosuch"], mentions: ["--scope", "overall"]),
        onDatabase("compare --metric nosuch", ["compare", "--db", database, "--metric", "nosuch"], mentions: ["--metric", "ttft_p99_ms"]),
        onDatabase("diff --metrics matching nothing", ["diff", database, database, "--metrics", "nosuch_*"], file: "<command line>",
                   key: "--metrics", mentions: ["\"nosuch_*\"", "matches no stored metric"]),
        onDatabase("sweep --jobs -1", ["sweep", "$DIR/sweep.yaml", "--db", database, "--jobs", "-1"], file: "<command line>",
                   mentions: ["--jobs", "1 to 256", "-1"]),
        onDatabase("sweep --jobs 100000", ["sweep", "$DIR/sweep.yaml", "--db", database, "--jobs", "100000"], file: "<command line>",
                   mentions: ["--jobs", "1 to 256"]),
        onDatabase("report --baseline nosuch", ["report", "--db", database, "--out", "$DIR/report", "--baseline", "nosuch"],
                   mentions: ["--baseline", "known: recompute"]),
        onDatabase("compare of a metric edited to text", ["compare", "--db", database],
                   mentions: ["ttft_p99_ms", "\"abc\"", "not a number"], sql: "UPDATE metrics SET value = 'abc' WHERE metric = 'ttft_p99_ms'"),
        onDatabase("compare of a run status edited by hand", ["compare", "--db", database],
                   mentions: ["table runs", "\"done\""], sql: "UPDATE runs SET status = 'done'"),
        onDatabase("merge of a run whose sweep is missing", ["merge", "$DIR/merged.sqlite", database],
                   mentions: ["sweep_id 99"], sql: "UPDATE runs SET sweep_id = 99"),
        onDatabase("diff with runs missing from NEW", ["diff", database, "$DIR/empty.sqlite"],
                   mentions: ["MISSING", "--allow-missing"], status: 1).withBefore(sweepFirst + [["sweep", "$DIR/sweep.yaml", "--db", "$DIR/empty.sqlite", "--shard", "1/2", "--quiet"]]),
        BadInputCase(name: "sweep --db on another program's SQLite file", files: sweptFiles,
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"], file: database, key: "",
                     mentions: ["not a gracesim results database", "t"], sql: ["results.sqlite": "CREATE TABLE t (x)"]),
        BadInputCase(name: "sweep --db on a text file", files: sweptFiles.merging(["results.sqlite": "not a database\n"]) { $1 },
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"], file: database, key: "",
                     mentions: ["not an SQLite database"]),
        BadInputCase(name: "sweep on a database locked by another process", files: sweptFiles,
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"],
                     environment: ["GRACESIM_BUSY_TIMEOUT_S": "1"], file: database, key: "",
                     mentions: ["locked by another process"],
                     lockedDatabase: "results.sqlite").withBefore([["sweep", "$DIR/sweep.yaml", "--db", database, "--quiet"]]),
        BadInputCase(name: "merge of a missing database", arguments: ["merge", "$DIR/merged.sqlite", "$DIR/nosuch.sqlite"],
                     file: "$DIR/nosuch.sqlite", key: "", mentions: ["no such database"]),
    ]

    /// Flags of the other commands.
    static let commands: [BadInputCase] = [
        flags("capacity --slo of an unknown metric", "capacity", ["--slo", "nosuch_ms=1"], key: "--slo", mentions: ["nosuch_ms", "ttft_p99_ms"]),
        flags("capacity --tolerance 200%", "capacity", ["--slo", "ttft_p99_ms=500", "--tolerance", "200%"], key: "--tolerance", mentions: ["\"200%\""]),
        BadInputCase(name: "replay of a missing run", files: ["experiment.yaml": experiment()],
                     arguments: ["replay", "$DIR/nosuch", "--experiment", experimentPath], file: "$DIR/nosuch", key: "", mentions: ["no such file"]),
        flags("bench --requests 0", "bench", ["--requests", "0"], key: "", mentions: ["--requests", "positive"]),
        flags("bench-sweep --points 0", "bench-sweep", ["--points", "0"], key: "", mentions: ["--points", "positive"]),
        BadInputCase(name: "list of an unknown subject", arguments: ["list", "nosuch"], file: "<command line>", key: "",
                     mentions: ["'nosuch'", "models"]),
        BadInputCase(name: "diff --tolerance abc", arguments: ["diff", "$DIR/a.sqlite", "$DIR/b.sqlite", "--tolerance", "abc"],
                     file: "<command line>", key: "--tolerance", mentions: ["\"abc\""]),
        BadInputCase(name: "run --save-result into a folder", files: ["experiment.yaml": experiment()],
                     arguments: ["run", experimentPath, "--save-result", "$DIR"], file: "<command line>", key: "--save-result",
                     mentions: ["directory"]),
        BadInputCase(name: "run --requests-csv into a folder", files: ["experiment.yaml": experiment()],
                     arguments: ["run", experimentPath, "--requests-csv", "$DIR"], file: "$DIR", key: "", mentions: ["directory"]),
        BadInputCase(name: "trace --out into a missing folder", files: ["experiment.yaml": experiment()],
                     arguments: ["trace", experimentPath, "--out", "$DIR/nosuch/trace.json"], file: "$DIR/nosuch/trace.json", key: "",
                     mentions: ["No such file"]),
        BadInputCase(name: "run of an unknown flag", files: ["experiment.yaml": experiment()], arguments: ["run", experimentPath, "--colour"],
                     file: "<command line>", key: "", mentions: ["'--colour'"]),
    ]

    /// The first cases: experiment, model and trace files, flags, environment variables and output folders.
    static let original: [BadInputCase] = [
        // Experiment YAML: lengths.
        run("fixed output of 2³¹−1", ["experiment.yaml": experiment(lengths: "{kind: fixed, prompt: 64, output: 2147483647}")],
            key: "workload.lengths.output", mentions: ["1 to 100000000"]),
        run("fixed prompt of 0", ["experiment.yaml": experiment(lengths: "{kind: fixed, prompt: 0, output: 16}")],
            key: "workload.lengths.prompt", mentions: ["1 to 100000000"]),
        run("uniform range up to 2³¹−1", ["experiment.yaml": experiment(lengths: "{kind: uniform, prompt: [1, 2147483647], output: [1, 8]}")],
            key: "workload.lengths.prompt.1", mentions: ["100000000"]),
        run("max_output of 2³¹−1", ["experiment.yaml": experiment(lengths: "{kind: fixed, prompt: 64, output: 16, max_output: 2147483647}")],
            key: "workload.lengths.max_output", mentions: ["100000000"]),
        run("length file with an output of 2³¹−1",
            ["experiment.yaml": experiment(lengths: "{kind: file, path: $DIR/lengths.csv}"),
             "lengths.csv": "num_prefill_tokens,num_decode_tokens\n10,20\n10,2147483647\n"],
            key: "workload.lengths.path", mentions: ["line 3", "num_decode_tokens", "100000000"]),
        run("length file with a negative prompt",
            ["experiment.yaml": experiment(lengths: "{kind: file, path: $DIR/lengths.csv}"),
             "lengths.csv": "num_prefill_tokens,num_decode_tokens\n-5,20\n"],
            key: "workload.lengths.path", mentions: ["line 2", "num_prefill_tokens"]),
        // Experiment YAML: arrivals and traces.
        run("Azure trace in the year 2263",
            ["experiment.yaml": experiment(workload: "", arrivals: traceArrivals, lengths: "{kind: trace}"),
             "trace.csv": azureHeader + azureRow + "2263-01-01 00:00:00.0,10,10\n"],
            key: "workload.arrivals.path", mentions: ["line 3", "TIMESTAMP", "2200"]),
        run("Azure trace with an output of 2³¹−1",
            ["experiment.yaml": experiment(arrivals: traceArrivals, lengths: "{kind: trace}"),
             "trace.csv": azureHeader + "2023-11-16 18:17:03.9799600,100,2147483647\n"],
            key: "workload.arrivals.path", mentions: ["line 2", "GeneratedTokens"]),
        run("Mooncake trace with a gap of 31 years",
            ["experiment.yaml": experiment(arrivals: mooncakeArrivals, lengths: "{kind: trace}"),
             "trace.jsonl": """
                {"timestamp": 0, "input_length": 10, "output_length": 10}
                {"timestamp": 1, "input_length": 10, "output_length": 10}
                {"timestamp": 1, "input_length": 10, "output_length": 10}
                {"timestamp": 999999999999, "input_length": 10, "output_length": 10}

                """],
            key: "workload.arrivals.path", mentions: ["spans"]),
        run("Mooncake trace with an output of 2³¹−1",
            ["experiment.yaml": experiment(arrivals: mooncakeArrivals, lengths: "{kind: trace}"),
             "trace.jsonl": "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 2147483647}\n"],
            key: "workload.arrivals.path", mentions: ["line 1", "output_length"]),
        run("Gamma cv 1e300", ["experiment.yaml": experiment(arrivals: "{kind: gamma, rate: 4, cv: 1e300}")],
            key: "workload.arrivals.cv", mentions: ["0.01 to 100"]),
        run("Gamma cv 1e-200", ["experiment.yaml": experiment(arrivals: "{kind: gamma, rate: 4, cv: 1e-200}")],
            key: "workload.arrivals.cv", mentions: ["0.01 to 100"]),
        run("rate 1e-300", ["experiment.yaml": experiment(arrivals: "{kind: poisson, rate: 1e-300}")],
            key: "workload.arrivals.rate", mentions: ["max_requests"]),
        run("max_requests 10¹⁵", ["experiment.yaml": experiment().replacingOccurrences(of: "max_requests: 50", with: "max_requests: 1000000000000000")],
            key: "workload.max_requests", mentions: ["1000000000"]),
        run("max_requests 1e15 written as a float", ["experiment.yaml": experiment().replacingOccurrences(of: "max_requests: 50", with: "max_requests: 1e15")],
            key: "workload.max_requests", mentions: ["integer"]),
        run("tenant max_requests 10¹⁵",
            ["experiment.yaml": experiment().replacingOccurrences(of: """
                  max_requests: 50
                  arrivals: {kind: poisson, rate: 4}
                  lengths: {kind: fixed, prompt: 64, output: 16}
                """, with: """
                  tenants:
                    - {max_requests: 1000000000000000, arrivals: {kind: poisson, rate: 4}, lengths: {kind: fixed, prompt: 64, output: 16}}
                """)],
            key: "workload.tenants.0.max_requests", mentions: ["1000000000"]),
        // Experiment YAML: instances, metrics, seed.
        run("block_size 7", ["experiment.yaml": experiment(instance: "\n    block_size: 7")],
            key: "instances.0.block_size", mentions: ["8, 16, 32, 64, 128", "7"]),
        run("block_size 256", ["experiment.yaml": experiment(instance: "\n    block_size: 256")],
            key: "instances.0.block_size", mentions: ["8, 16, 32, 64, 128"]),
        run("sample interval 1e-9 s", ["experiment.yaml": experiment(extra: "metrics: {sample_interval_s: 1e-9}")],
            key: "metrics.sample_interval_s", mentions: ["0.001"]),
        run("seed -1", ["experiment.yaml": experiment(extra: "seed: -1")],
            key: "seed", mentions: ["18446744073709551615"]),
        run("duplicate key", ["experiment.yaml": "hardware: gh200-96gb\n" + experiment()],
            key: "hardware", mentions: ["twice", "line 3"]),
        run("hardware named by a CSV file", ["experiment.yaml": experiment().replacingOccurrences(of: "gh200-96gb", with: "Workloads/lengths/sharegpt-multiturn.csv")],
            key: "hardware", mentions: ["sharegpt-multiturn.csv", "expected a mapping"]),
        // Models used by an experiment.
        run("config.json with hidden_size 2³²",
            ["experiment.yaml": experiment(model: "$DIR/config.json"), "config.json": hfConfig("hidden_size", "4294967296")],
            key: "hidden_size", file: "$DIR/config.json", mentions: ["1048576"]),
        run("model file with 2⁶³−1 layers",
            ["experiment.yaml": experiment(model: "$DIR/model.yaml"), "model.yaml": llamaFile("layers: 32", "layers: 9223372036854775807")],
            key: "layers", file: "$DIR/model.yaml", mentions: ["10000"]),
        run("model file with ffn_size 2⁶³−1",
            ["experiment.yaml": experiment(model: "$DIR/model.yaml"), "model.yaml": llamaFile("ffn_size: 14336", "ffn_size: 9223372036854775807")],
            key: "ffn_size", file: "$DIR/model.yaml", mentions: ["16777216"]),
        run("model whose weights overflow",
            ["experiment.yaml": experiment(model: "$DIR/model.yaml"),
             "model.yaml": llamaFile("layers: 32", "layers: 10000").replacingOccurrences(of: "ffn_size: 14336", with: "ffn_size: 16777216")
                .replacingOccurrences(of: "hidden_size: 4096", with: "hidden_size: 1048576")],
            key: "layers", file: "$DIR/model.yaml", mentions: ["bytes of weights"]),
        // Files checked alone.
        validate("validate: config.json with num_hidden_layers 2⁶³−1", "config.json", hfConfig("num_hidden_layers", "9223372036854775807"),
                 key: "num_hidden_layers", mentions: ["10000"]),
        validate("validate: config.json with intermediate_size 2⁶³−1", "config.json", hfConfig("intermediate_size", "9223372036854775807"),
                 key: "intermediate_size", mentions: ["16777216"]),
        validate("validate: config.json with a context of 2³¹−1", "config.json", hfConfig("max_position_embeddings", "2147483647"),
                 key: "max_position_embeddings", mentions: ["100000000"]),
        validate("validate: config.json with 2³² heads", "config.json", hfConfig("num_attention_heads", "4294967296"),
                 key: "num_attention_heads", mentions: ["16384"]),
        validate("validate: config.json with a vocabulary of 2⁶³−1", "config.json", hfConfig("vocab_size", "9223372036854775807"),
                 key: "vocab_size", mentions: ["16777216"]),
        validate("validate: model file with hidden_size 2³²", "model.yaml", llamaFile("hidden_size: 4096", "hidden_size: 4294967296"),
                 key: "hidden_size", mentions: ["1048576"]),
        validate("validate: model file with head_dim 2⁶³−1", "model.yaml", llamaFile("head_dim: 128", "head_dim: 9223372036854775807"),
                 key: "head_dim", mentions: ["16384"]),
        validate("validate: model file with a duplicate key", "model.yaml", llamaFile("layers: 32", "layers: 32\nlayers: 40"),
                 key: "layers", mentions: ["twice", "line 4"]),
        validate("validate: experiment with block_size 7", "experiment.yaml", experiment(instance: "\n    block_size: 7"),
                 key: "instances.0.block_size", mentions: ["8, 16"]),
        // Flags.
        flags("trace --to 1e10", "trace", ["--out", "$DIR/trace.json", "--to", "1e10"], key: "--to", mentions: ["1000000000"]),
        flags("trace --from 1e10", "trace", ["--out", "$DIR/trace.json", "--from", "1e10"], key: "--from", mentions: ["1000000000"]),
        flags("trace --to before --from", "trace", ["--out", "$DIR/trace.json", "--from", "5", "--to", "2"], key: "--to"),
        flags("run --seed -1", "run", ["--seed", "-1"], key: "--seed", mentions: ["18446744073709551615", "\"-1\""]),
        flags("run --seed 2⁶⁴", "run", ["--seed", "18446744073709551616"], key: "--seed", mentions: ["18446744073709551615"]),
        flags("run --seed abc", "run", ["--seed", "abc"], key: "--seed", mentions: ["\"abc\""]),
        BadInputCase(name: "run --set hardware=<a CSV file>", files: ["experiment.yaml": experiment()],
                     arguments: ["run", experimentPath, "--set", "hardware=Workloads/lengths/sharegpt-multiturn.csv"],
                     file: experimentPath, key: "hardware", mentions: ["expected a mapping"]),
        BadInputCase(name: "run --set an output of 2³¹−1", files: ["experiment.yaml": experiment()],
                     arguments: ["run", experimentPath, "--set", "workload.lengths.output=2147483647"],
                     file: experimentPath, key: "workload.lengths.output", mentions: ["100000000"]),
        BadInputCase(name: "run --set block_size=7", files: ["experiment.yaml": experiment()],
                     arguments: ["run", experimentPath, "--set", "instances.0.block_size=7"],
                     file: experimentPath, key: "instances.0.block_size"),
        // Environment variables and sweeps.
        BadInputCase(name: "SLURM_ARRAY_TASK_ID of −2⁶³", files: ["experiment.yaml": experiment(), "sweep.yaml": sweep(axes: 1, values: 2)],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", "$DIR/results.sqlite", "--shard", "auto", "--quiet"],
                     environment: ["SLURM_ARRAY_TASK_ID": "-9223372036854775808", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3"],
                     file: "SLURM_ARRAY_TASK_ID", key: "", mentions: ["-9223372036854775808"]),
        BadInputCase(name: "SLURM_ARRAY_TASK_ID past the count", files: ["experiment.yaml": experiment(), "sweep.yaml": sweep(axes: 1, values: 2)],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", "$DIR/results.sqlite", "--shard", "auto", "--quiet"],
                     environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3"],
                     file: "SLURM_ARRAY_TASK_ID", key: "", mentions: ["4/4"]),
        BadInputCase(name: "a resubmitted Slurm task with --shard auto", files: ["experiment.yaml": experiment(), "sweep.yaml": sweep(axes: 1, values: 2)],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", "$DIR/results.sqlite", "--shard", "auto", "--quiet"],
                     environment: ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "1", "SLURM_ARRAY_TASK_MIN": "7", "SLURM_ARRAY_TASK_MAX": "7"],
                     file: "--shard auto", key: "", mentions: ["GRACESIM_SHARD_COUNT", "--shard $SLURM_ARRAY_TASK_ID/N"]),
        BadInputCase(name: "SLURM_ARRAY_TASK_ID past GRACESIM_SHARD_COUNT", files: ["experiment.yaml": experiment(), "sweep.yaml": sweep(axes: 1, values: 2)],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", "$DIR/results.sqlite", "--shard", "auto", "--quiet"],
                     environment: ["SLURM_ARRAY_TASK_ID": "16", "GRACESIM_SHARD_COUNT": "16"],
                     file: "SLURM_ARRAY_TASK_ID", key: "", mentions: ["16/16", "GRACESIM_SHARD_COUNT"]),
        BadInputCase(name: "GRACESIM_CONFIGS without presets", files: ["experiment.yaml": experiment()],
                     arguments: ["run", "$DIR/experiment.yaml"], environment: ["GRACESIM_CONFIGS": "$DIR"],
                     file: "GRACESIM_CONFIGS", key: "", mentions: ["hardware/ and models/"]),
        BadInputCase(name: "GRACESIM_CONFIGS with empty preset folders",
                     files: ["experiment.yaml": experiment(), "presets/hardware/README": "", "presets/models/README": ""],
                     arguments: ["run", "$DIR/experiment.yaml"], environment: ["GRACESIM_CONFIGS": "$DIR/presets"],
                     file: "$DIR/experiment.yaml", key: "hardware", mentions: ["$DIR/presets/hardware", "no hardware presets"]),
        BadInputCase(name: "sweep of 7 axes of 1,000 values", files: ["experiment.yaml": experiment(), "sweep.yaml": sweep(axes: 7, values: 1000)],
                     arguments: ["sweep", "$DIR/sweep.yaml", "--db", "$DIR/results.sqlite", "--quiet"],
                     file: "$DIR/sweep.yaml", key: "", mentions: ["axes", "1000 × 1000", "too large to count"]),
        // Output folders.
        BadInputCase(name: "reproduce --out inside a file", files: ["file": "not a folder\n"],
                     arguments: ["reproduce", "--out", "$DIR/file/out", "--quiet"],
                     file: "$DIR/file/out", key: "", mentions: ["cannot create the output folder"]),
    ]
}

extension BadInputCase {
    /// This case with `commands` run first instead.
    func withBefore(_ commands: [[String]]) -> BadInputCase {
        var copy = self
        copy.before = commands
        return copy
    }
}
