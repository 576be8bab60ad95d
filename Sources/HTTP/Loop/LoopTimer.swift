/// A timer owned by one event loop. It sits in its loop's heap only while armed, so a disarmed
/// timer (and what its action captures) is released at once.
final class LoopTimer {
    /// Absolute monotonic deadline in ns; 0 when disarmed.
    var deadline: UInt64 = 0
    /// Position in the loop's heap; -1 when not in it.
    var heapIndex = -1
    var action: () -> Void

    init(_ action: @escaping () -> Void) { self.action = action }

    var isArmed: Bool { deadline != 0 }
}

/// A binary min-heap of timers keyed by deadline. Each timer knows its position, so re-arming
/// moves it and disarming removes it in O(log n). (An earlier lazy scheme left disarmed entries
/// queued until their deadline: under upstream connection churn, 10 s connect timers kept ~200
/// bytes per closed connection alive — tens of MiB at 20,000 new connections a second.)
struct TimerQueue {
    private var heap: [LoopTimer] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Earliest armed deadline.
    var nextDeadline: UInt64? { heap.first?.deadline }

    mutating func arm(_ timer: LoopTimer, at deadline: UInt64) {
        let deadline = max(deadline, 1)
        let old = timer.deadline
        timer.deadline = deadline
        if timer.heapIndex < 0 {
            timer.heapIndex = heap.count
            heap.append(timer)
            siftUp(timer.heapIndex)
        } else if deadline < old {
            siftUp(timer.heapIndex)
        } else if deadline > old {
            siftDown(timer.heapIndex)
        }
    }

    mutating func disarm(_ timer: LoopTimer) {
        timer.deadline = 0
        let index = timer.heapIndex
        guard index >= 0, index < heap.count, heap[index] === timer else { return }
        remove(at: index)
    }

    /// The next timer due at `now`, already disarmed, or nil. The caller runs its action outside
    /// any access to the queue: actions may arm and disarm timers themselves.
    mutating func popDue(now: UInt64) -> LoopTimer? {
        guard let top = heap.first, top.deadline <= now else { return nil }
        remove(at: 0)
        top.deadline = 0
        return top
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
            if heap[parent].deadline <= heap[child].deadline { break }
            swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count && heap[right].deadline < heap[smallest].deadline { smallest = right }
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
