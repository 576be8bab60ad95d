// Process-wide memory settings for `pawshub serve`. glibc gives every thread that allocates its own arena (up to
// 8 per core), and each arena keeps freed memory it cannot return; a hub whose work hops between event loops,
// the concurrency pool and SQLite's writer thread ends up holding several mostly-empty arenas. Two arenas are
// plenty for two event loops, and returning free pages after start-up and then once a minute keeps the idle
// footprint close to what is live (a spawn storm or a big listing leaves megabytes of freed heap behind).
import Glibc
import Store

enum MemoryPolicy {
    /// How often free heap pages are handed back to the kernel while serving.
    static let trimInterval: Duration = .seconds(60)

    // <malloc.h> is not in Swift's Glibc module; the two glibc calls are looked up at run time (absent on other
    // C libraries, where these settings are simply skipped).
    private typealias MalloptFunction = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrimFunction = @convention(c) (Int) -> Int32
    /// glibc's `M_ARENA_MAX` parameter number.
    private static let arenaMaxParameter: Int32 = -8

    private static func function<F>(_ name: String, as type: F.Type) -> F? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }  // RTLD_DEFAULT
        return unsafeBitCast(symbol, to: type)
    }

    /// Call before the hub starts its threads. `MALLOC_ARENA_MAX` in the environment, if set, wins.
    static func limitArenas() {
        guard getenv("MALLOC_ARENA_MAX") == nil, let mallopt = function("mallopt", as: MalloptFunction.self) else { return }
        _ = mallopt(arenaMaxParameter, 2)
    }

    /// Returns free pages at the top of the heap and inside every arena to the kernel.
    static func trim() {
        _ = function("malloc_trim", as: MallocTrimFunction.self)?(0)
    }

    /// SQLite's idle connections and caches first (released asynchronously, given a moment), then the heap.
    static func release(_ store: Store) async {
        store.releaseMemory()
        try? await Task.sleep(for: .milliseconds(200))
        trim()
    }

    /// Releases memory every `trimInterval` until cancelled.
    static func releasePeriodically(_ store: Store) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: trimInterval) } catch { return }
            await release(store)
        }
    }
}
