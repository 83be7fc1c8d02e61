/// Short duration text for attempt statuses (`timeout after 15s`).

extension Duration {
    /// `15s`, `1.5s` or `250ms`: whole seconds where the duration has no fraction.
    var attemptText: String {
        let millis = milliseconds
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        if millis < 1000 { return "\(millis)ms" }
        let tenths = (millis + 50) / 100
        return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
    }
}
