import GraceSimTestSupport
import Foundation
import PropertyBased
import Testing
@testable import GraceSim

/// Guards the issue "No crash on any input": the shipped experiments, model and hardware presets, a Hugging Face
/// `config.json`, and the heads of the length and trace files, each with one mutation (a number turned into 0,
/// −1, 2³¹−1, 2⁶³−1, 2⁶⁴, ±1e300, 1e−300 or NaN; a line deleted, duplicated or cut short), either load and run
/// a few thousand events or are refused with a one-line ``ConfigError``.
///
/// The cases run in this process, not in a `gracesim` subprocess each: a subprocess costs a process launch and a
/// full load per case, which would allow a few dozen cases in the time these take, and a trap fails the test
/// run either way. Each case prints its description before it runs, so a trap that kills the process still
/// names the last case, and the fixed seed replays the same cases in every run.
@Suite struct MutatedInputFuzzTests {
    /// A file to mutate and the experiment that reads it.
    struct Target: Sendable {
        var name: String
        /// Files written to the case's folder; `$DIR` stands for that folder.
        var files: [String: String]
        /// The file of `files` that is mutated.
        var mutated: String
        /// The experiment of `files` that is loaded and run.
        var experiment: String = "experiment.yaml"
    }

    static let root = TestExperiments.repositoryRoot

    static func shipped(_ path: String) -> String {
        (try? String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)) ?? ""
    }

    /// The first `lines` lines of a shipped data file.
    static func head(_ path: String, lines: Int = 60) -> String {
        shipped(path).split(separator: "\n", omittingEmptySubsequences: false).prefix(lines).joined(separator: "\n") + "\n"
    }

    static func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(folder)")) ?? []).sorted()
    }

    /// A small experiment over the case's own files.
    static func experiment(hardware: String = "gh200-96gb", model: String = "llama-3-8b",
                           arrivals: String = "{kind: poisson, rate: 20}",
                           lengths: String = "{kind: fixed, prompt: 128, output: 32}") -> String {
        """
        name: fuzz
        hardware: \(hardware)
        instances:
          - model: \(model)
            memory_fraction: 0.9
        workload:
          max_requests: 40
          arrivals: \(arrivals)
          lengths: \(lengths)

        """
    }

    static let huggingFaceConfig = """
        {"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8,
         "num_hidden_layers": 32, "intermediate_size": 14336, "vocab_size": 128256, "max_position_embeddings": 8192}

        """

    static let targets: [Target] = {
        var all: [Target] = []
        let experiments = files(in: "Configs/experiments").filter { $0.hasSuffix(".yaml") }
        let everyExperiment = Dictionary(uniqueKeysWithValues: experiments.map { ($0, shipped("Configs/experiments/\($0)")) })
        for name in experiments {
            // Every experiment file is written, so that `base:` finds its base next to it.
            all.append(Target(name: "Configs/experiments/\(name)", files: everyExperiment, mutated: name, experiment: name))
        }
        for name in files(in: "Configs/models") where name.hasSuffix(".yaml") {
            all.append(Target(name: "Configs/models/\(name)",
                              files: ["experiment.yaml": experiment(model: "$DIR/model.yaml"), "model.yaml": shipped("Configs/models/\(name)")],
                              mutated: "model.yaml"))
        }
        all.append(Target(name: "config.json", files: ["experiment.yaml": experiment(model: "$DIR/config.json"), "config.json": huggingFaceConfig],
                          mutated: "config.json"))
        for name in files(in: "Configs/hardware") where name.hasSuffix(".yaml") {
            all.append(Target(name: "Configs/hardware/\(name)",
                              files: ["experiment.yaml": experiment(hardware: "$DIR/hardware.yaml"), "hardware.yaml": shipped("Configs/hardware/\(name)")],
                              mutated: "hardware.yaml"))
        }
        for name in files(in: "Workloads/lengths") where name.hasSuffix(".csv") {
            all.append(Target(name: "Workloads/lengths/\(name)",
                              files: ["experiment.yaml": experiment(lengths: "{kind: file, path: $DIR/lengths.csv, max_prompt: 4096}"),
                                      "lengths.csv": head("Workloads/lengths/\(name)")],
                              mutated: "lengths.csv"))
        }
        for name in files(in: "Workloads/traces") {
            let file = name.hasSuffix(".jsonl") ? "trace.jsonl" : "trace.csv"
            all.append(Target(name: "Workloads/traces/\(name)",
                              files: ["experiment.yaml": experiment(arrivals: "{kind: trace, path: $DIR/\(file)}", lengths: "{kind: trace, max_prompt: 4096}"),
                                      file: head("Workloads/traces/\(name)")],
                              mutated: file))
        }
        return all
    }()

    /// The values a number is replaced by.
    static let extremes = ["0", "-1", "2147483647", "9223372036854775807", "18446744073709551616", "1e300", "-1e300",
                           "1e-300", ".nan", "NaN"]

    /// One mutation of a text, chosen by `kind` and `position` (reduced modulo what the text offers).
    struct Mutation {
        var kind: Int
        var position: Int
        var extreme: Int

        /// `text` mutated, and the description with the positions reduced to what `text` has.
        func apply(to text: String) -> (String, String) {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let line = position % max(lines.count, 1)
            switch kind {
            case 0:
                let numbers = Self.numbers(in: text)
                guard !numbers.isEmpty else { return (text, "no number to change") }
                let range = numbers[position % numbers.count]
                var changed = text
                changed.replaceSubrange(range, with: extremes[extreme])
                return (changed, "number \(text[range]) at offset \(text.distance(from: text.startIndex, to: range.lowerBound)) → \(extremes[extreme])")
            case 1:
                lines.remove(at: line)
                return (lines.joined(separator: "\n"), "delete line \(line + 1)")
            case 2:
                lines.insert(lines[line], at: line)
                return (lines.joined(separator: "\n"), "duplicate line \(line + 1)")
            default:
                let cut = (position / 7) % (lines[line].count + 1)
                lines[line] = String(lines[line].prefix(cut))
                return (lines.joined(separator: "\n"), "cut line \(line + 1) after \(cut) characters")
            }
        }

        /// The ranges of the runs of digits (with dots) in `text`.
        static func numbers(in text: String) -> [Range<String.Index>] {
            var ranges: [Range<String.Index>] = []
            var index = text.startIndex
            while index < text.endIndex {
                guard text[index].isASCII, text[index].isNumber else { index = text.index(after: index); continue }
                var end = index
                while end < text.endIndex, text[end].isASCII, text[end].isNumber || text[end] == "." { end = text.index(after: end) }
                ranges.append(index..<end)
                index = end
            }
            return ranges
        }
    }

    /// Most events each mutated experiment runs: enough to arrive, schedule, preempt and finish requests.
    static let eventLimit = 3000

    /// Loads the experiment of `target` with `mutation` applied and runs it for at most ``eventLimit`` events;
    /// returns a description of what went wrong (nil when it ran or was refused in one line).
    static func check(_ target: Target, _ mutation: Mutation) throws -> String? {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = scratch.url
        let expand = { (text: String) in text.replacingOccurrences(of: "$DIR", with: folder.path) }
        var described = ""
        for (name, text) in target.files.sorted(by: { $0.key < $1.key }) {
            var content = expand(text)
            if name == target.mutated { (content, described) = mutation.apply(to: content) }
            try Data(content.utf8).write(to: folder.appendingPathComponent(name))
        }
        let label = "\(target.name): \(described)"
        FileHandle.standardError.write(Data("fuzz case \(label)\n".utf8))
        do {
            let experiment = try Experiment.load(path: folder.appendingPathComponent(target.experiment).path,
                                                 catalog: TestExperiments.catalog)
            let simulator = try Simulator(experiment: experiment)
            var events = 0
            while events < eventLimit, simulator.step() { events += 1 }
            _ = simulator.report()
            return nil
        } catch let error as ConfigError {
            return error.description.contains("\n") ? "\(label): a message of several lines: \(error.description)" : nil
        } catch let problem as MemoryPartition.Problem {
            return problem.message.contains("\n") ? "\(label): a message of several lines: \(problem.message)" : nil
        } catch {
            return "\(label): not a ConfigError: \(error)"
        }
    }

    /// The seed of the cases: fixed, so that every run tries the same mutations and a failure repeats.
    /// `GRACESIM_FUZZ_SEED=N` tries other cases, `GRACESIM_FUZZ_CASES=N` more of them (for a longer search by hand).
    static let seed: (UInt64, UInt64, UInt64, UInt64) = {
        let chosen = ProcessInfo.processInfo.environment["GRACESIM_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_201
        return (chosen, 9, 60, 4)
    }()
    static let caseCount = ProcessInfo.processInfo.environment["GRACESIM_FUZZ_CASES"].flatMap { Int($0) } ?? 160

    @Test func mutatedShippedInputsLoadAndRunOrGiveOneLine() throws {
        let targets = Self.targets
        #expect(targets.count >= 40, "found \(targets.count) shipped files")
        let cases = zip(Gen.int(in: 0...(targets.count - 1)), Gen.int(in: 0...3), Gen.int(in: 0...1_000_000),
                        Gen.int(in: 0...(Self.extremes.count - 1)))
        var random = Xoshiro(seed: Self.seed)
        for index in 0..<Self.caseCount {
            let (target, kind, position, extreme) = cases.run(using: &random)
            let problem = try Self.check(targets[target], Mutation(kind: kind, position: position, extreme: extreme))
            #expect(problem == nil, "case \(index) of seed \(Self.seed): \(problem ?? "")")
        }
    }

    @Test func numbersAreFoundAndReplaced() {
        let text = "rate: 6\nmax_requests: 3000\nfraction: 0.9\n"
        #expect(Mutation.numbers(in: text).map { String(text[$0]) } == ["6", "3000", "0.9"])
        let (mutated, described) = Mutation(kind: 0, position: 4, extreme: 3).apply(to: text)
        #expect(mutated == "rate: 6\nmax_requests: 9223372036854775807\nfraction: 0.9\n")
        #expect(described == "number 3000 at offset 22 → 9223372036854775807")
        #expect(Mutation(kind: 1, position: 1, extreme: 0).apply(to: text).0 == "rate: 6\nfraction: 0.9\n")
        #expect(Mutation(kind: 2, position: 0, extreme: 0).apply(to: text).0 == "rate: 6\nrate: 6\nmax_requests: 3000\nfraction: 0.9\n")
    }
}
