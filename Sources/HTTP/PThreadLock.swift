import Glibc

/// A small mutex for state shared across threads (event loops, tasks). `Synchronization.Mutex`
/// needs a noncopyable owner; this one fits in a final class field.
public final class PThreadLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    public init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }
    @inline(__always) public func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) public func unlock() { pthread_mutex_unlock(mutex) }
    @inline(__always) public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock(); defer { unlock() }; return try body()
    }
}
