import Foundation
import GraceSim

/// Writes one CSV row per request of a finished run, for analysis outside gracesim.
///
/// Columns: id, instance, arrival_s, first_token_s, finish_s (empty when the event did not happen), prompt_tokens,
/// output_tokens, generated_tokens, preemptions, max_tbt_ms (µs resolution), status, tpot_ms (empty unless finished
/// with two or more tokens) and max_itl_ms (the longest gap between tokens, to the ns; empty before a second token).
enum RequestsCSV {
    static func write(_ simulator: Simulator, to path: String) throws {
        var text = "id,instance,arrival_s,first_token_s,finish_s,prompt_tokens,output_tokens,generated_tokens,preemptions,max_tbt_ms,status,tpot_ms,max_itl_ms\n"
        func seconds(_ ns: Int64) -> String { ns < 0 ? "" : String(format: "%.9f", Double(ns) / 1e9) }
        func milliseconds(_ ns: Int64) -> String { String(format: "%.6f", Double(ns) / 1e6) }
        for (id, r) in simulator.requests.states.enumerated() {
            let instance = simulator.instances[Int(r.instance)].spec.name
            text += "\(id),\(instance),\(seconds(r.arrivalNs)),\(seconds(r.firstTokenNs)),\(seconds(r.finishNs)),"
            text += "\(r.promptTokens),\(r.outputTokens),\(r.generatedTokens),\(r.preemptions),"
            text += String(format: "%.3f", Double(r.maxTokenGapUs) / 1e3) + ",\(r.outcome.rawValue),"
            text += (r.timePerOutputTokenNs.map { milliseconds($0) } ?? "") + ","
            text += (r.generatedTokens > 1 ? milliseconds(r.maxTokenGapNs) : "") + "\n"
        }
        do { try OutputFile.write(Data(text.utf8), to: path) } catch let failure as OutputFile.Failure {
            throw ConfigError(file: path, key: "", "cannot write the per-request CSV here: \(failure.reason)")
        }
    }
}
