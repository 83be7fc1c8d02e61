/// Where a `shell` action's program is, and the clear statuses for one that cannot start.
import Foundation

extension ShellAction {
    /// Why a program cannot start, for the attempt's status.
    struct StartProblem: Error {
        /// "no such file", "not found in PATH", ...
        let reason: String
    }

    /// The executable `program` names: a path (with a `/`) against `workdir`, or a bare name looked up in
    /// `searchPath` (the child's PATH) as exec would; checked first so the status is clearer than an errno.
    static func locate(_ program: String, workdir: String?, searchPath: String?) -> Result<String, StartProblem> {
        let directory = workdir ?? FileManager.default.currentDirectoryPath
        var isDirectory: ObjCBool = false
        if let workdir {
            guard FileManager.default.fileExists(atPath: workdir, isDirectory: &isDirectory), isDirectory.boolValue else {
                return .failure(StartProblem(reason: "workdir '\(workdir)' is not a directory"))
            }
        }
        if program.contains("/") {
            let path = absolute(program, in: directory)
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                return .failure(StartProblem(reason: "no such file"))
            }
            if isDirectory.boolValue { return .failure(StartProblem(reason: "is a directory")) }
            guard FileManager.default.isExecutableFile(atPath: path) else {
                return .failure(StartProblem(reason: "not executable"))
            }
            return .success(path)
        }
        // exec's default when PATH is unset; an empty entry is the (child's) current directory.
        for entry in (searchPath ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let path = absolute((entry.isEmpty ? "." : entry) + "/" + program, in: directory)
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: path) {
                return .success(path)
            }
        }
        return .failure(StartProblem(reason: "not found in PATH"))
    }

    /// `path` made absolute against `directory`.
    static func absolute(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
