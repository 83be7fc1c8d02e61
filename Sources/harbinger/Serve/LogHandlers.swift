/// The server's log handlers: text lines (the default) or one JSON object per line (`--log-format json`), on
/// standard error.
import Foundation
import Logging
import RuleParser
import Runner

/// A swift-log handler that writes JSON lines: time, level, label, message and metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var members: [(String, JSON)] = [
            ("time", .string(rfc3339(millis: SystemClock().now()))),
            ("level", .string(event.level.rawValue)), ("label", .string(label)), ("message", .string(event.message.description)),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() { members.append((key, .string(merged[key]?.description ?? ""))) }
        FileHandle.standardError.write(Data((JSON.object(members).serialized() + "\n").utf8))
    }
}

/// swift-log's text lines, with the metadata set on a logger kept as it is until a line is written.
///
/// `StreamLogHandler` renders its metadata again each time an item is set. Hummingbird sets a request id
/// on the logger of every request its router answers (webhooks were among them until `HookChannelHandler`),
/// so each paid for a text that only a logged line needs (about 1.5% of a webhook's CPU when nothing is
/// logged at info).
struct TextLogHandler: LogHandler {
    /// Writes the lines; its own metadata stays empty.
    private var lines: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    /// A handler for `label` writing to `stream` (standard error by default).
    init(label: String, stream: (any TextOutputStream & Sendable)? = nil) {
        lines = stream.map { StreamLogHandler(label: label, stream: $0) } ?? StreamLogHandler.standardError(label: label)
    }

    var logLevel: Logger.Level {
        get { lines.logLevel }
        set { lines.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty { event.metadata = metadata.merging(event.metadata ?? [:]) { _, new in new } }
        lines.log(event: event)
    }
}

/// Log output formats.
enum LogFormat: String, CaseIterable {
    case text, json
}

/// Sets up swift-log once for the process.
func bootstrapLogging(format: LogFormat, level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        switch format {
        case .json:
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        case .text:
            var handler = TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
