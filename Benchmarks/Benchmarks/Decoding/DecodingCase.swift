/// A decoding benchmark's input: one sender's push fixture, read once, and that sender's decoder.
import Foundation
import Router

struct DecodingCase: Sendable {
    /// What went wrong while preparing a case.
    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    /// The sender.
    let kind: SourceKind
    /// `Fixtures/<directory>/<name>.json` and `.headers`.
    let directory: String
    let name: String

    /// Each sender's main push fixture. The generic CloudEvents fixtures carry an unknown type,
    /// so CloudEvents uses Harbor's CloudEvents-format push.
    static let all: [DecodingCase] = [
        .init(kind: .harbor, directory: "harbor", name: "push-artifact"),
        .init(kind: .distribution, directory: "distribution-captured", name: "03-push-manifest"),
        .init(kind: .dockerhub, directory: "dockerhub", name: "push"),
        .init(kind: .quay, directory: "quay", name: "repo_push"),
        .init(kind: .ghcr, directory: "ghcr", name: "package-published"),
        .init(kind: .acr, directory: "acr", name: "push"),
        .init(kind: .artifactory, directory: "artifactory", name: "docker-pushed"),
        .init(kind: .nexus, directory: "nexus", name: "component-created"),
        .init(kind: .gar, directory: "gar", name: "insert-tag"),
        .init(kind: .ecr, directory: "ecr", name: "image-push"),
        .init(kind: .cloudevents, directory: "harbor", name: "cloudevents-push-artifact"),
        .init(kind: .alinio, directory: "alinio", name: "push"),
    ]

    /// The case the JSONSerialization baseline parses.
    static let distribution = all[1]

    /// The context every case decodes with.
    static let context = DecodeContext(sourceName: "bench", registry: "registry.example.com")

    /// The fixture's directory, found from this file's path (Benchmarks/Benchmarks/Decoding/<file>).
    static let fixturesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/RouterTests/Fixtures")

    /// The fixture body's URL.
    var bodyURL: URL {
        DecodingCase.fixturesDirectory.appendingPathComponent(directory).appendingPathComponent("\(name).json")
    }

    /// The stored request as a payload: the body bytes and the `Name: value` header lines.
    func payload() throws -> Payload {
        let body = try Data(contentsOf: bodyURL)
        let headersURL = bodyURL.deletingPathExtension().appendingPathExtension("headers")
        var headers: [(name: String, value: String)] = []
        if let text = try? String(contentsOf: headersURL, encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { headers.append((name, value)) }
            }
        }
        return Payload(body: Array(body), headers: headers)
    }

    /// The decoder and payload, checked to decode to at least one push.
    func prepared() throws -> PreparedDecoding {
        guard let decoder = SourceDecoders.decoder(for: kind) else {
            throw SetupError(description: "no decoder for \(kind.rawValue)")
        }
        let payload = try payload()
        let events = try decoder.decode(payload, context: DecodingCase.context)
        guard events.contains(where: { $0.type == .push }) else {
            throw SetupError(description: "\(directory)/\(name) decoded to \(events.map(\.type.rawValue)), no push")
        }
        return PreparedDecoding(decoder: decoder, payload: payload, bytes: payload.body.count)
    }
}

/// What the measured loop needs, built before the iterations.
struct PreparedDecoding: Sendable {
    let decoder: any SourceDecoder
    let payload: Payload
    let bytes: Int
}
