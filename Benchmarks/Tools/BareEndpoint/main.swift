/// The floor for `bench/serve.sh`: a Hummingbird endpoint on `POST /hooks/{source}` that answers 202,
/// optionally after reading the body or decoding it with Foundation's JSONDecoder.
///
/// Usage: BareEndpoint PORT [bare|collect|jsondecoder]
///   bare          answers 202 without reading the body (Hummingbird drains it before the next request)
///   collect       reads the whole body first
///   jsondecoder   reads the body and decodes it as a CNCF Distribution envelope with JSONDecoder
import Foundation
import Hummingbird

/// What the endpoint does before answering.
enum Mode: String {
    case bare, collect, jsondecoder
}

/// The fields of a Distribution notification that Harbinger's canonical event uses.
struct Envelope: Decodable {
    struct Entry: Decodable {
        struct Target: Decodable {
            let mediaType: String?
            let size: Int?
            let digest: String?
            let length: Int?
            let repository: String
            let url: String?
            let tag: String?
        }
        struct Request: Decodable { let host: String? }
        struct Actor: Decodable { let name: String? }
        let id: String?
        let timestamp: String?
        let action: String
        let target: Target
        let request: Request?
        let actor: Actor?
    }
    let events: [Entry]
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let port = Int(arguments[1]),
      let mode = Mode(rawValue: arguments.count > 2 ? arguments[2] : "bare")
else {
    FileHandle.standardError.write(Data("usage: BareEndpoint PORT [bare|collect|jsondecoder]\n".utf8))
    exit(2)
}

let router = Router()
router.post("/hooks/{source}") { request, _ -> Response in
    switch mode {
    case .bare:
        break
    case .collect:
        _ = try await request.body.collect(upTo: 1 << 20)
    case .jsondecoder:
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let envelope = try JSONDecoder().decode(Envelope.self, from: Data(buffer.readableBytesView))
        guard !envelope.events.isEmpty else { return Response(status: .badRequest) }
    }
    return Response(status: .accepted)
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
