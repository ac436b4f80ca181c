import GraceSimTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GraceSimStore
import Testing

/// Guards `gracesim report`: the figures each sweep shape gets, and the page as a browser shows it (headless
/// Chromium: the page loads with every figure, no broken image, no script error, a screenshot that is not blank).
@Suite(.serialized) struct ReportCommandTests {
    /// A rate sweep with per-request rows and series (lines, CDFs of TTFT and TBT, time series with link traffic),
    /// a strategies-only sweep (bars) and an ablation (an option crossed with the rate: grouped bars per rate).
    static func sweeps(in folder: ScratchFolder) throws -> [String] {
        let base = GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/experiments/default.yaml").path
        let rates = try folder.write("rates.yaml", """
            name: report-rates
            base: \(base)
            set: {workload.max_requests: 150}
            axes:
              strategy: [recompute, remap]
              workload.arrivals.rate: [4, 12]
            seeds: [1]
            store: {requests: true, series: true}
            """)
        let bars = try folder.write("bars.yaml", """
            name: report <bars> & "ablation"
            base: \(base)
            set: {workload.max_requests: 100}
            axes:
              strategy: [recompute, swap]
            """)
        let ablation = try folder.write("ablation.yaml", """
            name: report-ablation
            base: \(base)
            set: {workload.max_requests: 100, strategy: {kind: remap}}
            axes:
              strategy.victim: [lru, mru]
              workload.arrivals.rate: [4, 12]
            """)
        return [rates, bars, ablation]
    }

    @Test func theReportHasTheFiguresOfEachSweepShape() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = folder.path("results.sqlite")
        for sweep in try Self.sweeps(in: folder) { expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", db, "--quiet"])) }
        let out = folder.path("report")
        let result = try await GraceSimProcess.run(["report", "--db", db, "--out", out])
        expectSuccess(result)
        #expect(result.stdoutText.contains("figures for 3 sweep(s)"))

        let rates = try FileManager.default.contentsOfDirectory(atPath: out + "/report-rates").sorted()
        for expected in ["itl-p99-ms-vs-rate.svg", "ttft-p99-ms-vs-rate.svg", "output-tokens-per-s-vs-rate.svg",
                         "ccdf-ttft-rate-4.svg", "ccdf-ttft-rate-12.svg", "ccdf-max-itl-rate-4.svg", "series-kv-capacity-tokens.svg",
                         "series-remapped-layers.svg", "ccdf-itl-rate-4.svg", "ccdf-itl-rate-12.svg", "series-link-traffic.svg"] {
            #expect(rates.contains(expected), "missing \(expected) in \(rates)")
        }
        let bars = try FileManager.default.contentsOfDirectory(atPath: out + "/report-bars-ablation").sorted()
        #expect(bars == ["bars-itl-p99-ms.svg", "bars-output-tokens-per-s.svg", "bars-ttft-p99-ms.svg"])
        #expect(!rates.contains("series-tbt-cdf-ms.svg"), "the TBT distribution is not a time series")
        let link = try String(contentsOfFile: out + "/report-rates/series-link-traffic.svg", encoding: .utf8)
        #expect(link.contains("B/s)</text>") && link.contains("host to device") && link.contains("device to host"))
        #expect(link.contains(">direction</text>") && link.contains(">time (s)</text>"))
        // Latency distributions are CCDFs on a log axis, the strategies in their own colours under a titled legend.
        let ttft = try String(contentsOfFile: out + "/report-rates/ccdf-ttft-rate-12.svg", encoding: .utf8)
        #expect(ttft.contains("fraction of requests above, log scale</text>") && ttft.contains(">1</text>") && ttft.contains(">0.1</text>"))
        #expect(ttft.contains(">strategy</text>") && ttft.contains("stroke=\"#D55E00\"") && ttft.contains("stroke=\"#000000\""))

        // The ablation's option against the rate: one group of bars per rate, instead of two-point lines.
        let ablation = try FileManager.default.contentsOfDirectory(atPath: out + "/report-ablation").sorted()
        #expect(ablation == ["bars-itl-p99-ms-by-victim-vs-rate.svg", "bars-output-tokens-per-s-by-victim-vs-rate.svg",
                             "bars-ttft-p99-ms-by-victim-vs-rate.svg"])
        let victim = try String(contentsOfFile: out + "/report-ablation/bars-itl-p99-ms-by-victim-vs-rate.svg", encoding: .utf8)
        #expect(victim.contains(">rate = 4</text>") && victim.contains(">rate = 12</text>"))
        #expect(victim.contains("<title>mru, rate = 12: ") && victim.contains("%)</title>"), "the change against lru is in the tooltip")
        #expect(victim.contains(">victim</text>"), "the legend names the option it varies")

        let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(html.contains("report &lt;bars&gt; &amp; &quot;ablation&quot;"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"), "the page must not load anything from the network")
        // The table holds the cells of `gracesim compare --format markdown`.
        let compare = try await GraceSimProcess.run(["compare", "--db", db, "--sweep", "report-rates", "--format", "markdown"])
        expectSuccess(compare)
        let rows = compare.stdoutText.split(separator: "\n").filter { $0.hasPrefix("| ") }.dropFirst(2)
        #expect(!rows.isEmpty)
        for line in rows {
            for cell in line.dropFirst(2).dropLast(2).components(separatedBy: " | ") where !cell.isEmpty {
                #expect(html.contains(">\(cell)<"), "compare's \(cell) is not in the page")
            }
        }
        #expect(!html.contains("-0.0%") && !html.contains("n/a"))
        // The ablation has no recompute: its options are compared with its first one.
        #expect(html.contains("change of the mean vs strategy.victim=lru"))

        // Same database, same bytes.
        let again = folder.path("again")
        expectSuccess(try await GraceSimProcess.run(["report", "--db", db, "--out", again]))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/index.html")) == Data(contentsOf: URL(fileURLWithPath: again + "/index.html")))
        let figures = try FileManager.default.subpathsOfDirectory(atPath: out).filter { $0.hasSuffix(".svg") }.sorted()
        #expect(figures.count == 19 && figures.contains("report-rates/itl-p99-ms-vs-rate.svg"))
        for figure in figures {
            #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/" + figure)) == Data(contentsOf: URL(fileURLWithPath: again + "/" + figure)),
                    "\(figure) differs between two reports of the same database")
        }
    }

    @Test func aDatabaseWithoutFinishedRunsGetsOneLine() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let result = try await GraceSimProcess.run(["report", "--db", folder.path("missing.sqlite"), "--out", folder.path("out")])
        #expect(result.status == 2)
        #expect(result.stderrLines.count == 1)
    }

    @Test func theReportRendersInHeadlessChromium() async throws {
        guard let chromium = Chromium.executable else {
            let ci = ProcessInfo.processInfo.environment["CI"]
            #expect(ci == nil, "CI is set but chromium is not installed (apt-get install -y chromium)")
            print("ReportCommandTests: chromium not found; skipping the browser check (install the Debian package chromium)")
            return
        }
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = folder.path("results.sqlite")
        for sweep in try Self.sweeps(in: folder) { expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", db, "--quiet"])) }
        let out = folder.url.appendingPathComponent("report")
        expectSuccess(try await GraceSimProcess.run(["report", "--db", db, "--out", out.path]))
        let page = out.appendingPathComponent("index.html").absoluteString

        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                      "--user-data-dir=\(folder.path("profile"))", "--enable-logging=stderr", "--v=0",
                      "--virtual-time-budget=5000", "--window-size=1400,3000"]
        let dom = try Chromium.run(chromium, common + ["--dump-dom", page])
        #expect(dom.status == 0, "chromium --dump-dom exited \(dom.status): \(dom.stderr.suffix(2000))")
        #expect(dom.stdout.contains("<h1>gracesim report"), "the page did not load")
        #expect(!dom.stderr.contains("Uncaught"), "script error: \(dom.stderr.suffix(2000))")
        #expect(!dom.stderr.contains("Failed to load resource"), "broken resource: \(dom.stderr.suffix(2000))")

        let sources = Chromium.imageSources(dom.stdout)
        let written = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".svg") }
        #expect(Set(sources) == Set(written), "every figure written must be an <img> of the page, and only those")
        #expect(sources.count == 19)
        for source in sources {
            let file = out.appendingPathComponent(source)
            #expect(source.hasSuffix(".svg") && !source.contains(".."), "unexpected image \(source)")
            let data = try #require(try? Data(contentsOf: file), "the image \(source) does not exist")
            let parser = XMLParser(data: data)
            #expect(parser.parse(), "\(source) is not well-formed XML: \(String(describing: parser.parserError))")
            #expect(String(decoding: data.prefix(200), as: UTF8.self).contains("<svg"), "\(source) is not an SVG")
        }

        let screenshot = folder.path("report.png")
        let shot = try Chromium.run(chromium, common + ["--screenshot=\(screenshot)", page])
        #expect(shot.status == 0, "chromium --screenshot exited \(shot.status): \(shot.stderr.suffix(2000))")
        let png = try #require(try? Data(contentsOf: URL(fileURLWithPath: screenshot)), "no screenshot written")
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "the screenshot is not a PNG")
        // A blank 1400×3000 page compresses to a few kB; figures and tables make it far larger.
        #expect(png.count > 40_000, "the screenshot looks blank (\(png.count) bytes)")
        if let keep = ProcessInfo.processInfo.environment["GRACESIM_REPORT_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: screenshot, toPath: keep)
        }
    }
}

/// The headless browser used to check the report.
enum Chromium {
    /// `CHROMIUM` if set, else `chromium` or `chromium-browser` on PATH.
    static let executable: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }()

    /// Runs the browser and waits at most `timeoutSeconds`; standard output and error are read from files so a
    /// chatty browser cannot fill a pipe and stall.
    static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let stdoutPath = folder.path("stdout"), stderrPath = folder.path("stderr")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("chromium did not finish within \(timeoutSeconds) s")
        }
        process.waitUntilExit()
        let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, out, err)
    }

    /// The `src` of every `<img>` in serialized HTML, entity-decoded.
    static func imageSources(_ html: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "<img[^>]*\\ssrc=\"([^\"]*)\"")
        let range = NSRange(html.startIndex..., in: html)
        return pattern.matches(in: html, range: range).compactMap { match in
            Range(match.range(at: 1), in: html).map { String(html[$0]).replacingOccurrences(of: "&amp;", with: "&") }
        }
    }
}
