/// Structured logs: one JSON object per line on standard error (`--log-format json`).
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
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
