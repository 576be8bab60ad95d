/// A timer owned by one event loop.
final class LoopTimer {
    /// Absolute monotonic deadline in ns; 0 when disarmed.
    var deadline: UInt64 = 0
    /// The key of its heap entry (never later than `deadline` while armed); see `TimerQueue`.
    fileprivate var queuedAt: UInt64 = 0
    /// Position in the loop's heap; -1 when not in it.
    fileprivate(set) var heapIndex = -1
    var action: () -> Void

    init(_ action: @escaping () -> Void) { self.action = action }

    var isArmed: Bool { deadline != 0 }
}

/// A binary min-heap of timers, each knowing its position. The per-request pattern (arm a read
/// deadline, disarm it when input arrives, arm it later again) stays O(1): disarming and
/// re-arming to a later deadline only update fields, and an entry that comes due early is re-keyed
/// to its timer's real deadline or dropped. `cancel` removes an entry at once: owners call it when
/// they close, so a closed connection's timers (and what their actions capture) go with it. (A
/// purely lazy heap kept them until their old deadlines: under upstream connection churn, 10 s
/// connect timers held ~200 bytes per closed connection, tens of MiB at 20,000 connections a second.)
struct TimerQueue {
    private var heap: [LoopTimer] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Earliest queued key (may belong to a disarmed or postponed timer: waking early is harmless).
    var nextDeadline: UInt64? { heap.first?.queuedAt }

    mutating func arm(_ timer: LoopTimer, at deadline: UInt64) {
        let deadline = max(deadline, 1)
        timer.deadline = deadline
        if timer.heapIndex < 0 {
            timer.queuedAt = deadline
            timer.heapIndex = heap.count
            heap.append(timer)
            siftUp(timer.heapIndex)
        } else if deadline < timer.queuedAt {
            timer.queuedAt = deadline
            siftUp(timer.heapIndex)
        }
    }

    /// Stops `timer` from firing; its entry leaves the heap when it comes due (or on `cancel`).
    func disarm(_ timer: LoopTimer) { timer.deadline = 0 }

    /// Disarms `timer` and removes its entry now (its owner is going away).
    mutating func cancel(_ timer: LoopTimer) {
        timer.deadline = 0
        let index = timer.heapIndex
        guard index >= 0, index < heap.count, heap[index] === timer else { return }
        remove(at: index)
    }

    /// The next timer due at `now`, already disarmed, or nil. The caller runs its action outside
    /// any access to the queue: actions may arm and disarm timers themselves.
    mutating func popDue(now: UInt64) -> LoopTimer? {
        while let top = heap.first, top.queuedAt <= now {
            if top.deadline == 0 {
                remove(at: 0)  // disarmed meanwhile
            } else if top.deadline > now {
                top.queuedAt = top.deadline  // postponed meanwhile: re-key
                siftDown(0)
            } else {
                remove(at: 0)
                top.deadline = 0
                return top
            }
        }
        return nil
    }

    /// Fires every timer due at `now` (for code that owns the queue outright, like tests).
    mutating func fireDue(now: UInt64) {
        while let timer = popDue(now: now) { timer.action() }
    }

    private mutating func remove(at index: Int) {
        let removed = heap[index]
        removed.heapIndex = -1
        let last = heap.count - 1
        if index != last {
            heap[index] = heap[last]
            heap[index].heapIndex = index
        }
        heap.removeLast()
        if index < heap.count {
            siftDown(index)
            siftUp(index)
        }
        // A heap that held many timers (a burst of connections) gives its storage back.
        if heap.capacity > 1024 && heap.count < heap.capacity / 4 {
            var compact: [LoopTimer] = []
            compact.reserveCapacity(heap.count * 2)
            compact.append(contentsOf: heap)
            heap = compact
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            if heap[parent].queuedAt <= heap[child].queuedAt { break }
            swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].queuedAt < heap[smallest].queuedAt { smallest = left }
            if right < heap.count && heap[right].queuedAt < heap[smallest].queuedAt { smallest = right }
            if smallest == parent { break }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        heap[a].heapIndex = a
        heap[b].heapIndex = b
    }
}
