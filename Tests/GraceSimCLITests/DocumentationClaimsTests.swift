import GraceSimTestSupport
import Foundation
import Testing

/// Guards what the README and `docs/` say about the code: every file or folder they name exists, and every
/// command line in the README's "Commands" block names a real subcommand and real options.
@Suite struct DocumentationClaimsTests {
    static let root = GraceSimProcess.repositoryRoot

    /// The README and every page under `docs/`, as (path relative to the root, text).
    static func documents() throws -> [(path: String, text: String)] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        return try (["README.md"] + docs).map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// Top-level folders whose paths the documents name.
    static let roots = ["Sources/", "Tests/", "Configs/", "Workloads/", "Results/", "Scripts/", "docs/", ".ci/"]

    /// Paths a document names: code spans and link targets that start with a top-level folder, and link targets
    /// relative to the document. Globs, placeholders and paths a command writes are left out.
    static func namedPaths(in text: String, document: String) -> [String] {
        var paths: [String] = []
        let folder = (document as NSString).deletingLastPathComponent
        for span in matches(of: #"`([^`\n]+)`"#, in: text) {
            for word in span.split(separator: " ").map(String.init) where roots.contains(where: word.hasPrefix) {
                paths.append(word)
            }
        }
        for target in matches(of: #"\]\(([^)#\s]+)(?:#[^)]*)?\)"#, in: text) where !target.contains("://") {
            paths.append(folder.isEmpty ? target : "\(folder)/\(target)")
        }
        return paths.map { path in
            var path = path
            while let last = path.last, ",.;:()".contains(last) { path.removeLast() }
            return path
        }
            .filter { path in !path.contains { "*<>{}$|…".contains($0) } && !isPlaceholder(path) }
    }

    /// Placeholder words in documented paths (`Results/NAME.sqlite`), which name no file.
    static let placeholders: Set<String> = ["NAME", "FILE", "DIR", "OUT", "N", "i"]

    static func isPlaceholder(_ path: String) -> Bool {
        path.split(separator: "/").contains { component in
            component.split(whereSeparator: { ".-".contains($0) }).contains { placeholders.contains(String($0)) }
        }
    }

    static func matches(of pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }
    }

    @Test func everyNamedPathExists() throws {
        var missing: [String] = []
        for (document, text) in try Self.documents() {
            for path in Self.namedPaths(in: text, document: document) {
                let resolved = (Self.root.appendingPathComponent(path).path as NSString).standardizingPath
                if !FileManager.default.fileExists(atPath: resolved) { missing.append("\(document): \(path)") }
            }
        }
        #expect(missing.isEmpty, "named but not in the repository:\n\(missing.joined(separator: "\n"))")
    }

    /// The README's command lines: `gracesim <subcommand> …` inside its "Commands" code block.
    static func commandLines() throws -> [String] {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let section = readme.range(of: "## Commands"),
              let open = readme.range(of: "```", range: section.upperBound..<readme.endIndex),
              let close = readme.range(of: "```", range: open.upperBound..<readme.endIndex) else { return [] }
        return readme[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("gracesim ") }
    }

    @Test func theCommandsBlockIsNotEmpty() throws {
        #expect(try Self.commandLines().count >= 10)
    }

    /// Each command line's subcommand answers `--help`, and each option the line shows is in that help.
    @Test(arguments: (try? commandLines()) ?? [])
    func commandLineMatchesItsHelp(line: String) async throws {
        let code = line.components(separatedBy: "#")[0]
        let words = code.split(separator: " ").map(String.init)
        let subcommand = words[1]
        let result = try await GraceSimProcess.run([subcommand, "--help"])
        expectSuccess(result)
        let options = Self.matches(of: #"(--[a-z][a-z0-9-]*)"#, in: code)
        for option in options where option != "--help" {
            #expect(result.stdoutText.contains(option), "`gracesim \(subcommand) --help` does not list \(option)")
        }
    }
}
