/// Real runs given to `gracesim replay`: every number of a run file is range-checked where it is read.
extension BadInputCorpus {
    /// `gracesim replay` of `run.json` (a `--save-result` file) or `requests.jsonl` holding `text`, on a valid
    /// experiment.
    static func replay(_ name: String, _ text: String, jsonl: Bool = false, key: String, mentions: [String] = [],
                       extra: [String] = []) -> BadInputCase {
        let run = jsonl ? "requests.jsonl" : "run.json"
        return BadInputCase(name: name, files: ["experiment.yaml": experiment(), run: text],
                            arguments: ["replay", "$DIR/\(run)", "--experiment", experimentPath] + extra,
                            file: "$DIR/\(run)", key: key, mentions: mentions)
    }

    /// A save-result file of one request with these fields (JSON text) replacing the defaults.
    static func saveResult(inputs: String = "[10]", outputs: String = "[5]", ttfts: String = "[0.1]",
                           itls: String = "[[0.01, 0.01, 0.01, 0.01]]", rate: String = "4") -> String {
        "{\"input_lens\": \(inputs), \"output_lens\": \(outputs), \"ttfts\": \(ttfts), \"itls\": \(itls), \"request_rate\": \(rate)}\n"
    }

    /// One line of a `requests.jsonl` arriving at `arrival` (client clock) and served on the engine's clock.
    static func requestLine(arrival: String, queued: String, first: String, last: String, input: String = "10") -> String {
        "{\"input_toks\": \(input), \"output_toks\": 5, \"arrival_time\": \(arrival), \"queued_ts\": \(queued), "
            + "\"first_token_ts\": \(first), \"last_token_ts\": \(last)}\n"
    }

    static let runFiles: [BadInputCase] = [
        replay("replay of a save-result at request_rate 1e-300", saveResult(rate: "1e-300"), key: "request_rate",
               mentions: ["1e+07 s", "\"inf\""]),
        replay("replay of a save-result with an input of 2³¹ tokens", saveResult(inputs: "[2147483648]"), key: "input_lens.0",
               mentions: ["100000000"]),
        replay("replay of a save-result with an output of 2³¹ tokens", saveResult(outputs: "[2147483648]"), key: "output_lens.0",
               mentions: ["100000000"]),
        replay("replay of a save-result with input_lens [1e300]", saveResult(inputs: "[1e300]"), key: "input_lens.0",
               mentions: ["100000000"]),
        replay("replay --json of ITLs that sum to infinity", saveResult(itls: "[[1e308, 1e308]]"), key: "itls.0.0",
               mentions: ["1e+07 s"], extra: ["--json"]),
        replay("replay --json of ITLs that add up to more than 10⁷ s", saveResult(itls: "[[9000000, 9000000]]"), key: "itls.0",
               mentions: ["add up to", "1e+07 s"], extra: ["--json"]),
        replay("replay of a TTFT of 1e300 s", saveResult(ttfts: "[1e300]"), key: "ttfts.0", mentions: ["1e+07 s"]),
        replay("replay of arrivals spanning 10¹⁰ s",
               requestLine(arrival: "0", queued: "0", first: "1", last: "2")
                   + requestLine(arrival: "1e10", queued: "1e10", first: "1e10", last: "1e10"),
               jsonl: true, key: "line 2.arrival_time", mentions: ["1e+10 s", "1e+07 s"]),
        replay("replay of engine timestamps 2e300 s apart",
               requestLine(arrival: "0", queued: "-1e300", first: "1e300", last: "1e300"), jsonl: true,
               key: "line 1.first_token_ts", mentions: ["1e+07 s"]),
        replay("replay of client and engine clocks that drift by 2·10⁷ s",
               requestLine(arrival: "0", queued: "0", first: "1", last: "2")
                   + requestLine(arrival: "1", queued: "-2e7", first: "-19999999", last: "-19999998"),
               jsonl: true, key: "line 1", mentions: ["differ by a constant"]),
        replay("replay of a requests.jsonl with 2³¹ input tokens",
               requestLine(arrival: "0", queued: "0", first: "1", last: "2", input: "2147483648"), jsonl: true,
               key: "line 1.input_toks", mentions: ["100000000"]),
    ]
}
