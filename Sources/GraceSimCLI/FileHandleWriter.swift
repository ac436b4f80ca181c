import Foundation

/// Writes text to the standard streams without buffering surprises.
enum FileHandleWriter {
    static func writeToStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
