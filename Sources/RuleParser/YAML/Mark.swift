/// A position in a rules file: 1-based line and column, as every error message prints it.
import Synchronization

/// A mark is twelve bytes with no reference in it: the parser makes one per YAML event and every node
/// keeps one, so the file name is stored as an index into a process-wide table of names rather than
/// as a `String`, which would cost a retain and release on every copy of every node.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    private let fileID: UInt32
    private let storedLine: Int32
    private let storedColumn: Int32

    /// The file the position is in, as the user named it.
    public var file: String { FileNames.shared.name(fileID) }
    /// The 1-based line.
    public var line: Int { Int(storedLine) }
    /// The 1-based column, counted in characters.
    public var column: Int { Int(storedColumn) }

    /// Creates a mark from 1-based coordinates.
    public init(file: String, line: Int, column: Int) {
        self.init(fileID: FileNames.shared.id(file), line: line, column: column)
    }

    /// Creates a mark in a file already named by `FileNames.id` (the parser's fast path).
    init(fileID: UInt32, line: Int, column: Int) {
        self.fileID = fileID
        storedLine = Int32(clamping: line)
        storedColumn = Int32(clamping: column)
    }

    /// The same position `offset` characters further along the line.
    public func advanced(by offset: Int) -> Mark {
        Mark(fileID: fileID, line: line, column: column + offset)
    }

    /// `file:line:col`.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        if lhs.fileID != rhs.fileID { return lhs.file < rhs.file }
        return (lhs.storedLine, lhs.storedColumn) < (rhs.storedLine, rhs.storedColumn)
    }
}

/// The file names marks refer to, each stored once for the life of the process (a server reloading
/// the same rules files adds nothing).
final class FileNames: Sendable {
    static let shared = FileNames()

    private struct Table {
        var names: [String] = []
        var ids: [String: UInt32] = [:]
    }

    private let table = Mutex(Table())

    /// The index of `name`, added on first use.
    func id(_ name: String) -> UInt32 {
        table.withLock { table in
            if let id = table.ids[name] { return id }
            let id = UInt32(table.names.count)
            table.names.append(name)
            table.ids[name] = id
            return id
        }
    }

    /// The name at `id`.
    func name(_ id: UInt32) -> String {
        table.withLock { $0.names[Int(id)] }
    }
}
