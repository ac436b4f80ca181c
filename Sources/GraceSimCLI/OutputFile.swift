import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a command's output file without replacing what the user pointed it at.
///
/// A new path or an existing regular file is written to a temporary file beside it and renamed into place, so a
/// reader never sees half a file and an interrupted write leaves the old one. Anything else that exists at the
/// path (a symbolic link, even one whose target is missing; a device such as `/dev/stdout`; a FIFO) is opened and
/// written *through*: the link keeps pointing where it did and the device stays a device. A directory is refused.
enum OutputFile {
    /// Why a write failed, in words for one line of output.
    struct Failure: Error {
        let reason: String
    }

    /// Writes `data` to `path` as described on the type.
    static func write(_ data: Data, to path: String) throws {
        switch try kind(of: path) {
        case .missing, .regular:
            try writeByRename(data, to: path)
        case .other:
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw Failure(reason: "cannot open it: \(errorText())") }
            defer { close(descriptor) }
            try writeAll(data, to: descriptor)
        }
    }

    /// Opens `path` for a stream of writes: created if missing, truncated if a regular file, written through if a
    /// symbolic link, device or FIFO. The caller closes the handle.
    static func openForStreaming(_ path: String) throws -> FileHandle {
        _ = try kind(of: path) // every kind but a directory is opened the same way
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(reason: "cannot open it: \(errorText())") }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    private enum Kind { case missing, regular, other }

    /// What is at `path`, without following a final symbolic link; a directory is refused here.
    private static func kind(of path: String) throws -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return .missing }
            throw Failure(reason: "cannot look at it: \(errorText())")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: throw Failure(reason: "it is a directory")
        case S_IFLNK:
            var target = stat()
            if stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFDIR {
                throw Failure(reason: "it is a link to a directory")
            }
            return .other
        default: return .other
        }
    }

    private static func writeByRename(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let staging = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial").path
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(reason: "cannot create a file in its folder: \(errorText())") }
        do {
            try writeAll(data, to: descriptor)
        } catch {
            close(descriptor)
            unlink(staging)
            throw error
        }
        close(descriptor)
        guard rename(staging, path) == 0 else {
            let reason = errorText()
            unlink(staging)
            throw Failure(reason: "cannot put it in place: \(reason)")
        }
    }

    private static func writeAll(_ data: Data, to descriptor: Int32) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Failure(reason: "cannot write it: \(errorText())")
                }
                offset += written
            }
        }
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}

/// POSIX `write(2)`, named apart from ``OutputFile/write(_:to:)``.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, bytes, count)
    #else
    return Darwin.write(descriptor, bytes, count)
    #endif
}
