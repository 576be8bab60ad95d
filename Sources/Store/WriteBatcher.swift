// Group commit: writes that arrive while the writer connection is busy are run together in one transaction, each
// in its own savepoint, and committed once. In a spawn storm hundreds of small writes queue up behind each other;
// one commit (and one hop to the writer thread) per batch instead of per write is what keeps each spawn at a few
// milliseconds. Semantics per write are unchanged: a write that throws is rolled back alone (its savepoint) and
// gets its own error; the others still commit. Every caller is answered only after the commit that contains its
// write, so an acknowledged write is as durable as before.
import GRDB
import Synchronization

/// Runs write closures on one `DatabaseWriter`, grouping concurrent ones into shared transactions.
final class WriteBatcher: Sendable {
    /// One queued write: runs its body inside the batch's transaction and returns how to answer its caller once
    /// the transaction's fate is known (nil = committed) plus the body's error, if any.
    private struct Job: Sendable {
        let run: @Sendable (Database) -> (answer: @Sendable ((any Error)?) -> Void, error: (any Error)?)
        let fail: @Sendable (any Error) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        /// A drain is scheduled or running on the writer; new jobs join it.
        var draining = false
    }

    /// Most writes one transaction takes, so the first caller of a long queue is not kept waiting for all of it.
    static let maximumBatch = 256

    private let writer: any DatabaseWriter
    private let queue = Mutex(Queue())

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Runs `body` in a transaction (possibly shared with concurrent writes) and returns its result once committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(run: { db in
                let result: Result<T, any Error>
                do {
                    var value: T?
                    try db.inSavepoint {
                        value = try body(db)
                        return .commit
                    }
                    // inSavepoint ran the closure, which either set `value` or threw.
                    result = .success(value!)
                } catch {
                    result = .failure(error)
                }
                let error: (any Error)? = if case .failure(let failure) = result { failure } else { nil }
                return ({ transactionError in
                    if let transactionError { continuation.resume(throwing: transactionError) } else { continuation.resume(with: result) }
                }, error)
            }, fail: { continuation.resume(throwing: $0) })
            let startDrain = queue.withLock { queue -> Bool in
                queue.jobs.append(job)
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startDrain {
                writer.asyncWriteWithoutTransaction { [self] db in drain(db) }
            }
        }
    }

    /// On the writer: runs batches until the queue is empty.
    private func drain(_ db: Database) {
        while true {
            let jobs = queue.withLock { queue -> [Job] in
                guard !queue.jobs.isEmpty else {
                    queue.draining = false
                    return []
                }
                let taken = Array(queue.jobs.prefix(Self.maximumBatch))
                queue.jobs.removeFirst(taken.count)
                return taken
            }
            if jobs.isEmpty { return }
            run(jobs[...], db)
        }
    }

    /// Runs `jobs` in as few transactions as possible: one, unless SQLite aborts a transaction (I/O error, disk
    /// full), which fails the writes already in it and starts a new one for the rest.
    private func run(_ jobs: ArraySlice<Job>, _ db: Database) {
        var rest = jobs
        while !rest.isEmpty {
            do {
                try db.beginTransaction(.immediate)
            } catch {
                for job in rest { job.fail(error) }
                return
            }
            var answers: [@Sendable ((any Error)?) -> Void] = []
            var abort: (any Error)?
            while let job = rest.first {
                rest.removeFirst()
                let (answer, error) = job.run(db)
                answers.append(answer)
                if !db.isInsideTransaction {
                    // SQLite rolled the whole transaction back: every write in it is lost, not just this one.
                    abort = error ?? StoreError.database("the transaction was rolled back")
                    break
                }
            }
            if let abort {
                for answer in answers { answer(abort) }
                continue
            }
            do {
                try db.commit()
                for answer in answers { answer(nil) }
            } catch {
                try? db.rollback()
                for answer in answers { answer(error) }
            }
        }
    }
}
