import Foundation
import GraceSimTestSupport
import Testing
@testable import GraceSim

/// `docs/calibration.md`: its pieces worked by hand, bounds on its headline numbers, and the committed page.
@Suite struct KernelCalibrationTests {
    /// The whole calibration, computed once for every test here (about five seconds in a debug build).
    static let report = Result { try KernelCalibration.report(root: Repository.root.path) }

    @Test func leaveOneOutOfAPowerLawIsExact() {
        // t = 3 µs × n^1.5 is a straight line in log-log: every interior point is predicted exactly.
        let sizes = [1.0, 2, 4, 16, 64].map { log($0) }
        let values = sizes.map { log(3e-6) + 1.5 * $0 }
        var predicted: [Int] = []
        KernelCalibration.predictInterior(sizes, values) { index, value in
            predicted.append(index)
            #expect(abs(value - values[index]) < 1e-12)
        }
        #expect(predicted == [1, 2, 3])
    }

    @Test func leaveOneOutPredictsFromTheNeighboursOnly() {
        // 10, 40 (a bump), 40 µs at 1, 2, 4: without the bump the line is flat at 10 → 40 over 1 → 4, i.e. 20 µs at 2.
        let sizes = [1.0, 2, 4].map { log($0) }
        let values = [10e-6, 40e-6, 40e-6].map { log($0) }
        KernelCalibration.predictInterior(sizes, values) { _, value in
            #expect(abs(exp(value) - 20e-6) < 1e-15)
        }
    }

    @Test func proportionalFillsAreFlaggedToTheFilesRounding() {
        // 12.34 µs at k = 1024, filled at 2048 and 4096 as 24.68 and 49.36 µs; 70.00 at 8192 is measured.
        let sizes = [1024.0, 2048, 4096, 8192].map { log($0) }
        let filled = KernelCalibration.proportionalFills(sizes, [12.34e-6, 24.68e-6, 49.36e-6, 70.00e-6].map { log($0) })
        #expect(filled == [true, true, true, false])
        // A measured point 0.3% off proportional is not a fill.
        let measured = KernelCalibration.proportionalFills(sizes, [12.34e-6, 24.75e-6, 52.00e-6, 70.00e-6].map { log($0) })
        #expect(measured == [false, false, false, false])
    }

    @Test func errorSummaryTakesMedianP90AndTheSignedWorst() {
        var collector = ErrorCollector()
        for (index, error) in [0.01, -0.02, 0.03, -0.5, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09].enumerated() {
            collector.add(error: error) { "point \(index)" }
        }
        let summary = collector.summary
        #expect(summary.count == 10)
        #expect(abs(summary.medianAbsolute - 0.055) < 1e-12)
        #expect(abs(summary.medianSigned - 0.045) < 1e-12)
        #expect(summary.p90Absolute == 0.09)
        #expect(summary.worst == -0.5 && summary.worstAt == "point 3")
    }

    @Test func headlineNumbersStayWithinBounds() throws {
        let report = try Self.report.get()
        #expect(report.leaveOneOut.count == KernelCalibration.gpus.count * 7)
        for row in report.leaveOneOut {
            #expect(row.errors.count > 2000, "\(row.gpu) \(row.kernel) along \(row.axis)")
            #expect(row.errors.medianAbsolute <= 0.08, "\(row.gpu) \(row.kernel) along \(row.axis)")
        }
        for row in report.leaveOneOut where row.gpu == "h100-sxm" && row.kernel == "GEMM" {
            #expect(row.errors.medianAbsolute <= 0.05, "H100 GEMM along \(row.axis)")
        }
        // No prefill attention point is faster than the GPU's peak: the extractor fills missing ones as the square
        // of the prompt's length.
        for row in report.prefillPhysics {
            #expect(row.fasterThanPeak == 0, "\(row.gpu)")
        }
        // Vidur's table: the tables measure newer, faster kernels and stay within 15%. The roofline's GEMMs are fitted
        // to the tables, not to Vidur's table (only its elementwise constants are), so it is as far from Vidur's layer
        // times as the tables are (≈ 13% fast) and its GEMMs carry the tables' bias within 3 points.
        #expect(report.vidur.rows.count == 261)
        #expect(report.vidur.tables.medianAbsolute <= 0.15 && abs(report.vidur.tables.worst) <= 0.4)
        #expect(report.vidur.roofline.medianAbsolute <= 0.15 && abs(report.vidur.roofline.worst) <= 0.35)
        #expect(abs(report.vidur.rooflineGEMMs.medianSigned - report.vidur.tablesGEMMs.medianSigned) <= 0.03)
        // inference-sim: the tables agree within 10% on GEMMs and 20% on attention of a usual step. On attention they
        // beat the roofline; on GEMMs and the LM head the roofline, fitted to the same kind of measurements, is
        // within 8% (no better or worse than the tables by construction).
        #expect(report.inferenceSim.count == 15)
        for row in report.inferenceSim where !row.kernel.hasSuffix("more tokens") {
            let gemm = row.kernel.contains("GEMM") || row.kernel == "LM head"
            #expect(row.tables.medianAbsolute <= (row.kernel.contains("GEMM") ? 0.1 : 0.2), "\(row.model) \(row.kernel)")
            if gemm {
                #expect(row.roofline.medianAbsolute <= 0.08, "\(row.model) \(row.kernel)")
            } else {
                #expect(row.tables.medianAbsolute < row.roofline.medianAbsolute, "\(row.model) \(row.kernel)")
            }
        }
        // The roofline against the H100 tables it is fitted to: GEMMs within 8% at the median, decode attention within
        // 20% and prefill attention within 30% (one η_a cannot follow several short prompts and one long one).
        let h100 = try #require(report.roofline.first { $0.gpu == "h100-sxm" })
        #expect(h100.gemm.count == 140 && h100.gemm.medianAbsolute <= 0.08)
        #expect(h100.decode.medianAbsolute <= 0.2 && h100.prefill.medianAbsolute <= 0.3)
    }

    @Test func theCommittedPageIsTheGeneratorsOutput() throws {
        let page = try String(contentsOfFile: Repository.path("docs/calibration.md"), encoding: .utf8)
        let generated = try Self.report.get().markdown()
        guard page != generated else { return }
        let old = page.split(separator: "\n", omittingEmptySubsequences: false)
        let new = generated.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(old.count, new.count)
        let fix = "run `\(CalibrationReport.command)` from the repository root"
        Issue.record("docs/calibration.md differs from line \(line + 1): \(fix)")
    }
}
