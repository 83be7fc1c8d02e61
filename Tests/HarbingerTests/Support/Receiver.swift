import Foundation

/// The recording webhook receiver of Tests/RunnerTests/Support/receiver.py, as a child process.
final class Receiver {
    struct Request {
        var method: String
        var path: String
        var headers: [(String, String)]
        var body: Data

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    let child: ChildProcess
    let port: Int
    let logFile: URL

    /// Starts a receiver answering with `statuses` (the last repeats), optionally on a fixed port.
    init(directory: URL, statuses: String = "200", delay: Double = 0, port: Int? = nil) throws {
        let name = "receiver-\(UUID().uuidString.prefix(6))"
        let portFile = directory.appendingPathComponent("\(name).port")
        logFile = directory.appendingPathComponent("\(name).jsonl")
        let script = Executable.packageRoot.appendingPathComponent("Tests/RunnerTests/Support/receiver.py").path
        var arguments = [script, portFile.path, logFile.path, statuses]
        if delay > 0 { arguments += ["--delay", "\(delay)"] }
        if let port { arguments += ["--port", "\(port)"] }
        child = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments,
                                 log: directory.appendingPathComponent("\(name).log"))
        guard Loopback.waitFor(seconds: 20, { (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } != nil }),
              let text = try? String(contentsOf: portFile, encoding: .utf8),
              let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            child.stop()
            throw Failure.didNotStart(child.output)
        }
        self.port = bound
    }

    enum Failure: Error { case didNotStart(String) }

    /// The requests recorded so far.
    var requests: [Request] {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            let headers = (object["headers"] as? [[String]] ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
            return Request(method: object["method"] as? String ?? "", path: object["path"] as? String ?? "", headers: headers,
                           body: Data(base64Encoded: object["body"] as? String ?? "") ?? Data())
        }
    }

    func stop() { child.stop(grace: 5) }
}
