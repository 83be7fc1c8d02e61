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
        if let workdir, kind(of: workdir) != .directory {
            return .failure(StartProblem(reason: "workdir '\(workdir)' is not a directory"))
        }
        // Relative paths are checked against the workdir, or the server's directory (read only then).
        func resolved(_ path: String) -> String {
            path.hasPrefix("/") ? path : absolute(path, in: workdir ?? FileManager.default.currentDirectoryPath)
        }
        if program.contains("/") {
            let path = resolved(program)
            switch kind(of: path) {
            case .missing: return .failure(StartProblem(reason: "no such file"))
            case .directory: return .failure(StartProblem(reason: "is a directory"))
            case .file: return isExecutable(path) ? .success(path) : .failure(StartProblem(reason: "not executable"))
            }
        }
        // exec's default when PATH is unset; an empty entry is the (child's) current directory.
        for entry in (searchPath ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let path = resolved((entry.isEmpty ? "." : entry) + "/" + program)
            if kind(of: path) == .file, isExecutable(path) { return .success(path) }
        }
        return .failure(StartProblem(reason: "not found in PATH"))
    }

    /// What a path names, following symbolic links as exec does.
    private enum Kind { case missing, directory, file }

    /// One stat(2); FileManager's checks cost several times more on every attempt.
    private static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return info.st_mode & S_IFMT == S_IFDIR ? .directory : .file
    }

    /// Whether the server may execute `path` (access(2) with X_OK, as FileManager's check does).
    private static func isExecutable(_ path: String) -> Bool {
        access(path, X_OK) == 0
    }

    /// `path` made absolute against `directory`.
    static func absolute(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
