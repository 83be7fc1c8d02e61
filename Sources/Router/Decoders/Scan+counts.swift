/// Vulnerability counts as senders write them, where several keys can name one level.
extension Scan {
    /// Adds the count at `cursor` to `level`: keys differing only in case (`Critical`, `critical`), or
    /// ECR's levels that all read as unknown, add up; a total beyond 64 bits is an error at the path, not a trap.
    static func add(_ cursor: JSONCursor, to level: Severity, in counts: inout [Severity: Int]) throws(DecodeError) {
        let (total, overflow) = counts[level, default: 0].addingReportingOverflow(Int(try cursor.int()))
        guard !overflow else { throw DecodeError(path: cursor.path, "the \(level.name) counts add up beyond a 64-bit integer") }
        counts[level] = total
    }
}
