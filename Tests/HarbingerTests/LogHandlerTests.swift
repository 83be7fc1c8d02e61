import Foundation
import Logging
import Synchronization
import Testing
@testable import harbinger

/// Collects what a handler writes.
private struct Lines: TextOutputStream, Sendable {
    final class Text: Sendable { let value = Mutex("") }
    let text = Text()
    mutating func write(_ string: String) { text.value.withLock { $0 += string } }
}

/// The text lines carry the logger's own metadata (Hummingbird's request id) with the line's, once each.
@Test func textLinesCarryTheLoggersMetadataAndTheLinesOwn() {
    let lines = Lines()
    var handler = TextLogHandler(label: "harbinger", stream: lines)
    handler.logLevel = .info
    handler[metadataKey: "hb.request.id"] = "7f"
    var logger = Logger(label: "harbinger", factory: { _ in handler })
    logger[metadataKey: "source"] = "registry"
    logger.info("accepted events", metadata: ["deliveries": "2", "source": "hub"])
    logger.debug("not written")
    let text = lines.text.value.withLock { $0 }
    #expect(text.hasSuffix(" info harbinger: deliveries=2 hb.request.id=7f source=hub [HarbingerTests] accepted events\n"), "\(text)")
    #expect(text.split(separator: "\n").count == 1)
    #expect(logger[metadataKey: "source"] == "registry")
}
