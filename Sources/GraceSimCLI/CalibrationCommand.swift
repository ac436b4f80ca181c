import ArgumentParser
import Foundation
import GraceSim

/// `gracesim calibration`: print docs/calibration.md.
struct CalibrationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibration",
        abstract: "Print docs/calibration.md: the kernel tables and the roofline against held-out and outside measurements.",
        discussion: """
            Run from the repository root: reads Configs/kernels, Configs/models and Configs/calibration. \
            Write the page with `gracesim calibration > docs/calibration.md`.
            """
    )

    func run() throws {
        let report = try InputFailure.guarding { try KernelCalibration.report(root: FileManager.default.currentDirectoryPath) }
        print(report.markdown(), terminator: "")
    }
}
