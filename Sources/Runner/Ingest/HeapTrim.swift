/// Hands memory the allocator holds but no longer uses back to the system, around rules loads.
import Foundation
#if canImport(Glibc)
internal import CMalloc
#endif

/// Loading rules builds a YAML node tree several times the size of the rules it yields and frees it
/// at once. glibc keeps those pages (mostly in a thread arena, where only the top can shrink), so
/// without a trim a server's resident size stays near the load's peak for its whole life.
public enum HeapTrim {
    /// The size from which blocks get their own mapping.
    public static let mappedBlockSize = 128 * 1024

    /// Keeps blocks of `mappedBlockSize` and more in their own mappings, unmapped when freed. glibc
    /// otherwise raises that threshold to the largest block freed so far (a rules file's bytes, say),
    /// after which such blocks come from the heap and their pages stay.
    public static func keepLargeBlocksMapped() {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, Int32(mappedBlockSize))
        #endif
    }

    /// Caps glibc's malloc arenas at one per core (at least two), unless the environment sets a cap.
    /// glibc allows eight per core, and every NIO or pool thread that allocates claims one; each keeps
    /// its own free pages. For a server that mostly waits on the network one per core is plenty.
    public static func limitArenas(environment: [String: String]) {
        #if canImport(Glibc)
        if environment["MALLOC_ARENA_MAX"] != nil || environment["GLIBC_TUNABLES"]?.contains("arena_max") == true { return }
        _ = mallopt(M_ARENA_MAX, Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
        #endif
    }

    /// Releases every free page of every malloc arena (`malloc_trim(0)`); a no-op off glibc.
    public static func releaseFreePages() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }
}
