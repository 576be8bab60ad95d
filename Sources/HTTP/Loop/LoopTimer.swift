/// A timer owned by one event loop. Re-arming to a later deadline only updates a field (the heap
/// entry re-queues itself when it comes due), so per-request timeout resets cost no heap work.
final class LoopTimer {
    /// Absolute monotonic deadline in ns; 0 when disarmed.
    var deadline: UInt64 = 0
    /// The deadline this timer's live heap entry was pushed with; 0 when it has no live entry.
    var queuedDeadline: UInt64 = 0
    var action: () -> Void

    init(_ action: @escaping () -> Void) { self.action = action }

    var isArmed: Bool { deadline != 0 }
}

/// A binary min-heap of timers keyed by deadline, with lazy deletion of stale entries.
struct TimerQueue {
    private var heap: [(deadline: UInt64, timer: LoopTimer)] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Earliest queued deadline (may belong to a stale entry: waking early is harmless).
    var nextDeadline: UInt64? { heap.first?.deadline }

    mutating func arm(_ timer: LoopTimer, at deadline: UInt64) {
        let deadline = max(deadline, 1)
        timer.deadline = deadline
        if timer.queuedDeadline == 0 || deadline < timer.queuedDeadline {
            timer.queuedDeadline = deadline
            push(deadline, timer)
        }
    }

    func disarm(_ timer: LoopTimer) { timer.deadline = 0 }

    /// Fires every timer due at `now`; timers armed by actions for later are left queued.
    mutating func fireDue(now: UInt64) {
        while let top = heap.first, top.deadline <= now {
            pop()
            let timer = top.timer
            guard timer.queuedDeadline == top.deadline else { continue }  // superseded entry
            timer.queuedDeadline = 0
            guard timer.deadline != 0 else { continue }
            if timer.deadline > now {
                timer.queuedDeadline = timer.deadline
                push(timer.deadline, timer)
                continue
            }
            timer.deadline = 0
            timer.action()
        }
    }

    private mutating func push(_ deadline: UInt64, _ timer: LoopTimer) {
        heap.append((deadline, timer))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if heap[parent].deadline <= heap[child].deadline { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func pop() {
        let last = heap.count - 1
        heap.swapAt(0, last)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count && heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
