import Foundation
import GraceSimTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Output flags (`--save-result`, `--requests-csv`, `trace --out`) write through whatever the user's path is: a
/// regular file is replaced whole, a symbolic link keeps pointing where it did, a FIFO is fed and a device stays a
/// device; a directory is refused in one line.
@Suite struct OutputPathTests {
    private static let run = ["run", CLI.defaultExperiment] + CLI.quick

    private static func fileType(_ path: String) -> FileAttributeType? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
    }

    @Test func aRegularFileIsReplacedWhole() async throws {
        let folder = try ScratchFolder(); defer { folder.remove() }
        let path = try folder.write("run.json", String(repeating: "old ", count: 500_000))
        expectSuccess(try await GraceSimProcess.run(Self.run + ["--save-result", path]))
        let written = try #require(FileManager.default.contents(atPath: path))
        #expect(try JSONSerialization.jsonObject(with: written) is [String: Any], "not the whole new JSON")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0 != "run.json" }
        #expect(leftovers.isEmpty, "staging files left: \(leftovers)")
    }

    @Test(arguments: ["--save-result", "--requests-csv", "trace"])
    func aSymbolicLinkKeepsPointingAtItsTarget(_ flag: String) async throws {
        let folder = try ScratchFolder(); defer { folder.remove() }
        let target = folder.path("target.out"), link = folder.path("link.out")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let arguments = flag == "trace" ? ["trace", CLI.defaultExperiment] + CLI.quick + ["--out", link]
                                        : Self.run + [flag, link]
        expectSuccess(try await GraceSimProcess.run(arguments))
        #expect(Self.fileType(link) == .typeSymbolicLink, "the link was replaced")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        let size = (try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        #expect(size > 1_000, "the target holds \(size) bytes")
    }

    @Test func aFIFOIsFedAndStaysAFIFO() async throws {
        let folder = try ScratchFolder(); defer { folder.remove() }
        let fifo = folder.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = Task.detached { FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data() }
        expectSuccess(try await GraceSimProcess.run(Self.run + ["--save-result", fifo]))
        let received = await reader.value
        #expect(try JSONSerialization.jsonObject(with: received) is [String: Any], "\(received.count) bytes through the FIFO")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO became something else")
    }

    /// A null device made in the scratch folder where the tests may make devices (as root); `/dev/null` itself
    /// otherwise, which an unprivileged process could not replace anyway. Device 1,3 is Linux's null device.
    @Test func aDeviceStaysADevice() async throws {
        let folder = try ScratchFolder(); defer { folder.remove() }
        var device = folder.path("null")
        if mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) != 0 { device = "/dev/null" }
        expectSuccess(try await GraceSimProcess.run(Self.run + ["--save-result", device]))
        #expect(Self.fileType(device) == .typeCharacterSpecial, "\(device) is no longer a character device")
    }

    @Test func aDirectoryIsRefusedInOneLine() async throws {
        let folder = try ScratchFolder(); defer { folder.remove() }
        let result = try await GraceSimProcess.run(Self.run + ["--save-result", folder.url.path])
        expectBadInput(result, file: "<command line>", key: "--save-result", mentions: ["directory"])
    }
}
