/// Greedy line filling for the text tables of `diff` and `compare`, which keep to a width.
public enum TextWrap {
    /// `pieces` (a text cut where its lines may break) joined into lines of at most `width` characters where they
    /// can be: a piece that would pass the width starts a new line, `indent` and then the piece without its leading
    /// spaces, unless the line so far is blank or the piece is spaces only. A piece longer than a line stands alone.
    public static func fill<S: StringProtocol>(_ pieces: [S], width: Int, indent: String) -> [String] {
        var lines: [String] = []
        var line = ""
        for piece in pieces {
            if line.contains(where: { $0 != " " }), piece.contains(where: { $0 != " " }), line.count + piece.count > width {
                lines.append(line)
                line = indent + piece.drop { $0 == " " }
            } else {
                line += piece
            }
        }
        lines.append(line)
        return lines
    }
}
