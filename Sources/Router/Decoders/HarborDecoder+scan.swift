/// Harbor's `scan_overview`: a map keyed by report media type, read whatever the key.
extension HarborDecoder {
    /// The scan of the first report (by key) that has results; nil when none has (a failed or stopped
    /// scan reports `"severity": ""` and `"summary": null`).
    static func scan(overview: JSONCursor?) throws(DecodeError) -> Scan? {
        guard let overview else { return nil }
        for (_, report) in try overview.members() {
            guard case .object = report.value else { continue }
            let severityCursor = try report.optional("severity")
            let severityName = (try severityCursor?.string()).nonEmpty
            let summary = try report.optional("summary")
            guard severityName != nil || summary != nil else { continue }
            var severity = Severity.none
            if let severityCursor, let severityName {
                severity = try level(severityName, path: severityCursor.path)
            }
            var counts: [Severity: Int] = [:]
            for (name, count) in try summary?.optional("summary")?.members() ?? [] {
                try Scan.add(count, to: try level(name, path: count.path), in: &counts)
            }
            let fixable = try summary?.int("fixable").map { Int($0) }
            let scanner = try report.optional("scanner")?.string("name").nonEmpty
            return Scan(severity: severity, counts: counts, fixable: fixable, scanner: scanner)
        }
        return nil
    }

    /// Harbor's `Critical`/`High`/`Medium`/`Low`/`Negligible`/`Unknown`/`None`.
    static func level(_ name: String, path: String) throws(DecodeError) -> Severity {
        guard let level = Severity(name: name) else { throw DecodeError(path: path, "unknown severity '\(name)'") }
        return level
    }
}
