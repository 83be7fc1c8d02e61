import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Free ports, waits and child processes on 127.0.0.1 for the end-to-end tests.
enum Loopback {
    /// A port that was free a moment ago (bound to 0, read back, released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls `condition` every 100 ms for at most `seconds`; true when it held.
    static func waitFor(seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    /// A GET on 127.0.0.1; the status code, or nil when nothing answers.
    static func status(_ url: String) -> Int? {
        let out = try? Executable.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-k", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url])
        return out.flatMap { Int($0.stdout) }.flatMap { $0 == 0 ? nil : $0 }
    }

    /// A temporary directory removed by the caller.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harbinger-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// A child process started in the background and stopped by PID.
final class ChildProcess {
    let process = Process()
    let log: URL

    /// Starts `program` with `arguments`, appending its output to `log`.
    init(_ program: URL, _ arguments: [String], log: URL, environment: [String: String]? = nil, directory: URL? = nil) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = program
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        if let directory { process.currentDirectoryURL = directory }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds.
    func stop(grace: Double = 10) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        if !Loopback.waitFor(seconds: grace, { !process.isRunning }) { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGKILL at once: a crash.
    func crash() {
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    deinit { if process.isRunning { kill(pid, SIGKILL) } }
}

/// `harbinger serve` on a free port, in its own directory.
final class ServerProcess {
    let port: Int
    let child: ChildProcess
    let directory: URL

    init(rules: URL, directory: URL, environment: [String: String] = [:], port: Int = Loopback.freePort(),
         arguments: [String] = []) throws {
        self.port = port
        self.directory = directory
        child = try ChildProcess(Executable.harbinger, ["serve", "--rules", rules.path, "--listen", "127.0.0.1:\(port)",
                                                         "--store", "sqlite:" + directory.appendingPathComponent("harbinger.db").path]
                                                         + arguments,
                                 log: directory.appendingPathComponent("serve-\(port).log"), environment: environment, directory: directory)
        guard Loopback.waitFor(seconds: 30, { Loopback.status("http://127.0.0.1:\(port)/healthz") == 200 }) else {
            child.stop()
            throw ServerError.didNotStart(child.output)
        }
    }

    var base: String { "http://127.0.0.1:\(port)" }
    var store: String { "sqlite:" + directory.appendingPathComponent("harbinger.db").path }

    enum ServerError: Error { case didNotStart(String) }
}
