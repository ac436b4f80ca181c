import Foundation

extension SiliconReport {
    /// The report as plain text: a table of the replayed rows, then the others counted by reasons and by group.
    public func text() -> String {
        var out = "\(file): \(rowCount) rows, \(replays.count) expressible, \(unexpressed.count) not expressible yet\n\n"
        if replays.isEmpty {
            out += "No row is expressible yet.\n"
        } else {
            let width = max(3, replays.map(\.row.id.count).max() ?? 0)
            out += "Expressible rows (mean TTFT and TPOT, ms; error = (simulated − real) / real):\n"
            out += "row".padding(toLength: width, withPad: " ", startingAt: 0)
            for label in ["TTFT real", "simulated", "error", "TPOT real", "simulated", "error"] { out += label.leftPadded(11) }
            out += "\n"
            for result in replays {
                out += result.row.id.padding(toLength: width, withPad: " ", startingAt: 0)
                out += Self.cells(result).map { $0.leftPadded(11) }.joined() + "\n"
            }
            for group in (errorsOverall.map { [$0] } ?? []) + errorsByPhase + errorsByModel {
                out += "\(group.name): \(group.rows) rows, median |error| TTFT \(Self.percent(group.ttftMedian)), "
                out += "TPOT \(Self.percent(group.tpotMedian)); bias TTFT \(Self.signedPercent(group.ttftBias)), "
                out += "TPOT \(Self.signedPercent(group.tpotBias))\n"
            }
            let unfinished = replays.reduce(0) { $0 + $1.unfinished }
            if unfinished > 0 { out += "\(unfinished) simulated requests did not finish\n" }
        }
        guard !unexpressed.isEmpty else { return out }
        out += "\nNot expressible yet, by reasons:\n" + "rows".leftPadded(6) + "  reasons\n"
        for (combination, rows) in reasonCombinations { out += "\(rows)".leftPadded(6) + "  \(combination)\n" }
        out += "\nNot expressible yet, by system, model, weights and tensor parallel size:\n"
        let systemWidth = max(6, groups.map(\.system.count).max() ?? 0)
        let modelWidth = max(5, groups.map(\.model.count).max() ?? 0)
        out += "system".padding(toLength: systemWidth, withPad: " ", startingAt: 0) + "  "
        out += "model".padding(toLength: modelWidth, withPad: " ", startingAt: 0) + "  weights" + "TP".leftPadded(4)
        out += "rows".leftPadded(6) + "  reasons\n"
        for group in groups {
            out += group.system.padding(toLength: systemWidth, withPad: " ", startingAt: 0) + "  "
            out += group.model.padding(toLength: modelWidth, withPad: " ", startingAt: 0) + "  "
            out += group.precision.padding(toLength: 7, withPad: " ", startingAt: 0) + "\(group.tensorParallel)".leftPadded(4)
            out += "\(group.rows)".leftPadded(6) + "  " + Self.reasonList(group.reasons) + "\n"
        }
        return out
    }

    /// The section of `docs/validation.md`, headed `heading`.
    public func markdown(heading: String) -> String {
        var out = "## \(heading)\n\n"
        out += "NVIDIA measured vLLM serving runs of several models on several GPUs, each at one prompt length (isl), "
        out += "output length (osl) and client concurrency C, and recorded one TTFT and one TPOT per run (`\(file)`: "
        out += "\(rowCount) rows, vLLM's aggregated-serving rows of aiconfigurator's `silicon_sample.csv`; origin, "
        out += "columns and what the source does not record, such as whether its figures are means or medians, in "
        out += "`Workloads/silicon/SOURCE.md`). `gracesim replay --silicon \(file)` replays each row gracesim can "
        out += "express on the hardware and model presets with vLLM V1's scheduler and default engine arguments "
        out += "(prefix caching, chunked prefill, "
        out += "`gpu_memory_utilization` 0.9, the GPU's default batch limits: on an H100 `max_num_batched_tokens` 8192 "
        out += "and `max_num_seqs` 1024, raised to C when C is larger; engine overhead `vllm-v1`), as aiperf runs a "
        out += "closed loop of C clients: \(SiliconSetup.warmupPerClient) × C warm-up requests, a wait for the last "
        out += "of them, then \(SiliconSetup.measuredPerClient) × C measured ones, every request exactly isl prompt "
        out += "and osl output tokens. That benchmark is aiconfigurator's own aiperf template; that these rows were "
        out += "measured with it is an assumption; so is the prompts' reuse: that template leaves aiperf its default "
        out += "pool of \(SiliconSetup.promptPool) distinct prompts in its default order (`\(SiliconSetup.promptSampling)`: "
        out += "each prompt once per round of \(SiliconSetup.promptPool), each round shuffled), so that a prompt sent again "
        out += "finds its blocks in the prefix cache (each phase starts with an empty cache). A row's model is its "
        out += "preset's checkpoint (`gpt-oss-120b`'s MXFP4 experts, "
        out += "whatever the table's `nvfp4` label on Hopper); a 16-bit preset with an `fp8` row is quantized at load, "
        out += "as `--quantization fp8` does; the KV cache is 16-bit (vLLM's `auto`) in every row. Error = (simulated "
        out += "− real) / real, simulated being the mean over the measured requests; bias is the median signed error "
        out += "(positive: gracesim slower).\n\n"
        if replays.isEmpty {
            out += "None of the \(rowCount) rows is expressible yet, so there is no error to report: every row needs "
            out += "something gracesim does not model (listed below).\n"
        } else {
            out += "### Accuracy\n\n"
            out += Self.errorTable(first: "which rows", (errorsOverall.map { [$0] } ?? []) + errorsByPhase + errorsByGPU)
            out += "\nPer model (system, model, weights as the table labels them):\n\n"
            out += Self.errorTable(first: "system, model, weights, TP", errorsByModel)
            out += "\n| row | TTFT real (ms) | simulated | error | TPOT real (ms) | simulated | error |\n"
            out += "|---|---:|---:|---:|---:|---:|---:|\n"
            for result in replays { out += "| \(result.row.id) | " + Self.cells(result).joined(separator: " | ") + " |\n" }
        }
        guard !unexpressed.isEmpty else { return out }
        out += "\n### What cannot be expressed yet, and why\n\n"
        out += "Rows by the combination of reasons that keep them out (a row may have several):\n\n"
        out += "| rows | reasons |\n|---:|---|\n"
        for (combination, rows) in reasonCombinations { out += "| \(rows) | \(combination) |\n" }
        out += "\nBy system, model, weights and tensor parallel size (TP):\n\n"
        out += "| system | model | weights | TP | rows | reasons |\n|---|---|---|---:|---:|---|\n"
        for group in groups {
            out += "| \(group.system) | \(group.model) | \(group.precision) | \(group.tensorParallel) | \(group.rows) | "
            out += Self.reasonList(group.reasons) + " |\n"
        }
        return out
    }

    /// A markdown table of error groups, the first column headed `first`.
    static func errorTable(first: String, _ groups: [ErrorGroup]) -> String {
        var out = "| \(first) | rows | TTFT median \\|error\\| | TTFT P90 | TTFT bias | TPOT median \\|error\\| | TPOT P90 | TPOT bias |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for group in groups {
            let cells = [Self.percent(group.ttftMedian), Self.percent(group.ttftP90), Self.signedPercent(group.ttftBias),
                         Self.percent(group.tpotMedian), Self.percent(group.tpotP90), Self.signedPercent(group.tpotBias)]
            out += "| \(group.name) | \(group.rows) | " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// A fraction as a signed percentage with one decimal, "n/a" for nil.
    static func signedPercent(_ value: Double?) -> String {
        value.map { String(format: "%+.1f%%", $0 * 100) } ?? "n/a"
    }

    /// TTFT real, simulated, error, TPOT real, simulated, error of one replayed row.
    static func cells(_ result: SiliconReplay.Result) -> [String] {
        [ReplayComparison.format(result.row.ttftMs), result.ttftMs.map(ReplayComparison.format) ?? "n/a",
         ReplayComparison.percent(result.ttftError), ReplayComparison.format(result.row.tpotMs),
         result.tpotMs.map(ReplayComparison.format) ?? "n/a", ReplayComparison.percent(result.tpotError)]
    }

    /// A fraction as an unsigned percentage with one decimal, "n/a" for nil.
    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a"
    }

    /// Whether the group tables' columns already name the particulars of `reason` (the model, the system).
    static func isNamedByColumns(_ reason: SiliconReason) -> Bool {
        switch reason {
        case .modelNotInCatalog, .noHardwarePreset: return true
        default: return false
        }
    }

    /// Reasons as one line for a group table, whose columns name the model and the system; parallel sizes of one
    /// kind are merged ("expert parallel 4, 16").
    static func reasonList(_ reasons: [SiliconReason]) -> String {
        var parts: [(kind: String, text: String)] = []
        for reason in reasons {
            let sizes: Int?
            switch reason {
            case .tensorParallel(let n), .pipelineParallel(let n), .attentionDataParallel(let n), .expertParallel(let n): sizes = n
            default: sizes = nil
            }
            if let sizes, let last = parts.last, last.kind == reason.kind {
                parts[parts.count - 1].text += ", \(sizes)"
            } else {
                parts.append((reason.kind, Self.isNamedByColumns(reason) ? reason.kind : reason.description))
            }
        }
        return parts.map(\.text).joined(separator: "; ")
    }
}
