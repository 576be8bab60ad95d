// Prometheus metrics with CHP's names (contract §7), written in the text exposition format by
// hand: the format is small, and plain atomics keep the per-request cost to a few relaxed
// increments with no lock and no extra package in the build.
import CSystem
import Glibc

/// A monotonically increasing counter.
/// Counter cells sharded per event loop: each loop adds to its own cache lines (a shared atomic
/// bounced between the cores on every request, ~10 times per request), readers sum the shards.
final class ShardedCells: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Int64>
    private let stride: Int
    private static let shards = Int(CSYSTEM_COUNTER_SHARDS)

    init(count: Int) {
        stride = (count + 7) / 8 * 8  // whole 64-byte lines per shard: no false sharing
        let raw = UnsafeMutableRawPointer.allocate(byteCount: stride * Self.shards * 8, alignment: 64)
        base = raw.initializeMemory(as: Int64.self, repeating: 0, count: stride * Self.shards)
    }

    deinit { base.deallocate() }

    @inline(__always) func add(_ index: Int, _ n: Int) {
        csystem_counter_add(base + Int(csystem_counter_shard()) * stride + index, Int64(n))
    }

    func sum(_ index: Int) -> Int {
        var total: Int64 = 0
        for shard in 0..<Self.shards { total &+= csystem_counter_load(base + shard * stride + index) }
        return Int(total)
    }
}

public final class MetricCounter: Sendable {
    private let cells = ShardedCells(count: 1)
    public init() {}
    @inline(__always) public func increment(by n: Int = 1) { cells.add(0, n) }
    public var value: Int { cells.sum(0) }
}

public final class MetricGauge: Sendable {
    private let cells = ShardedCells(count: 1)
    public init() {}
    @inline(__always) public func increment() { cells.add(0, 1) }
    @inline(__always) public func decrement() { cells.add(0, -1) }
    public var value: Int { cells.sum(0) }
}

public final class StatusCounter: Sendable {
    private let cells = ShardedCells(count: 500)
    public init() {}
    @inline(__always) public func increment(status: Int) {
        cells.add(min(max(status, 100), 599) - 100, 1)
    }
    public var values: [(Int, Int)] {
        (0..<500).compactMap { offset in
            let value = cells.sum(offset)
            return value > 0 ? (offset + 100, value) : nil
        }
    }
}

public final class DurationHistogram: Sendable {
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// The same bounds in microseconds: an observation compares integers.
    private static let boundsMicros: [Int] = bounds.map { Int(($0 * 1_000_000).rounded()) }
    /// Cells: one per bucket, then the sum (µs), then the count.
    private let cells = ShardedCells(count: DurationHistogram.bounds.count + 2)
    public init() {}

    public func observe(microseconds: Int) {
        let bounds = Self.boundsMicros
        var index = 0
        while index < bounds.count && microseconds > bounds[index] { index += 1 }
        if index < bounds.count { cells.add(index, 1) }
        cells.add(bounds.count, microseconds)
        cells.add(bounds.count + 1, 1)
    }

    var count: Int { cells.sum(Self.bounds.count + 1) }
    var sumSeconds: Double { Double(cells.sum(Self.bounds.count)) / 1_000_000 }
    var cumulativeBuckets: [(Double, Int)] {
        var running = 0
        return Self.bounds.indices.map { index in
            running += cells.sum(index)
            return (Self.bounds[index], running)
        }
    }
}

public final class ProxyMetrics: Sendable {
    public let apiRouteGet = MetricCounter()
    public let apiRouteAdd = MetricCounter()
    public let apiRouteDelete = MetricCounter()
    public let requestsWeb = MetricCounter()
    public let requestsWs = MetricCounter()
    public let requestsProxy = StatusCounter()
    public let requestsApi = StatusCounter()
    /// Route lookups (CHP's `find_target_for_req` summary: sum and count).
    public let findTarget = DurationHistogram()
    /// Time from request to upstream response head, proxied requests only.
    public let proxyLatency = DurationHistogram()
    public let openRequests = MetricGauge()
    public let openWebSockets = MetricGauge()
    private let startTime = Timestamp.now()

    public init() {}

    /// The exposition text; `routes` is the current table size, `connections` the open client connections.
    public func render(routes: Int, connections: Int? = nil) -> String {
        var out = ""
        out.reserveCapacity(4096)
        func counter(_ name: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        func gauge(_ name: String, _ help: String, _ value: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
        }
        func labelled(_ name: String, _ help: String, _ counter: StatusCounter) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
            for (status, value) in counter.values { out += "\(name){status=\"\(status)\"} \(value)\n" }
        }
        func summary(_ name: String, _ help: String, _ h: DurationHistogram) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) summary\n"
            out += "\(name)_sum \(h.sumSeconds)\n\(name)_count \(h.count)\n"
        }
        counter("api_route_get", "Count of API route get requests", apiRouteGet.value)
        counter("api_route_add", "Count of API route add requests", apiRouteAdd.value)
        counter("api_route_delete", "Count of API route delete requests", apiRouteDelete.value)
        counter("requests_ws", "Count of websocket requests", requestsWs.value)
        counter("requests_web", "Count of web requests", requestsWeb.value)
        labelled("requests_proxy", "Count of proxy requests", requestsProxy)
        labelled("requests_api", "Count of API requests", requestsApi)
        summary("find_target_for_req", "Summary of find target requests", findTarget)
        let name = "proxy_request_duration_seconds"
        out += "# HELP \(name) Time from request to upstream response head\n# TYPE \(name) histogram\n"
        for (bound, count) in proxyLatency.cumulativeBuckets { out += "\(name)_bucket{le=\"\(bound)\"} \(count)\n" }
        out += "\(name)_bucket{le=\"+Inf\"} \(proxyLatency.count)\n"
        out += "\(name)_sum \(proxyLatency.sumSeconds)\n\(name)_count \(proxyLatency.count)\n"
        gauge("routes", "Number of routes in the table", String(routes))
        if let connections { gauge("open_connections", "Client connections open on the public port", String(connections)) }
        gauge("open_requests", "Proxied HTTP requests in flight", String(openRequests.value))
        gauge("open_websockets", "WebSocket tunnels open", String(openWebSockets.value))
        out += ProcessMetrics.render(startTime: startTime)
        return out
    }
}

/// prom-client's default process metrics that matter for a leak hunt (CHP #388, #434).
enum ProcessMetrics {
    static func render(startTime: Timestamp) -> String {
        var out = ""
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = readFile("/proc/self/statm") {
            let fields = statm.split(whereSeparator: { $0 == " " || $0 == "\n" })
            if fields.count > 1, let resident = Int(fields[1]), let virtualPages = Int(fields[0]) {
                out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                out += "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes \(resident * page)\n"
                out += "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
                out += "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes \(virtualPages * page)\n"
            }
        }
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            out += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
            out += "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total \(cpu)\n"
        }
        if let dir = opendir("/proc/self/fd") {
            var count = 0
            while readdir(dir) != nil { count += 1 }
            closedir(dir)
            out += "# HELP process_open_fds Number of open file descriptors.\n"
            out += "# TYPE process_open_fds gauge\nprocess_open_fds \(max(0, count - 3))\n"
        }
        out += "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
        out += "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds \(startTime.milliseconds / 1000)\n"
        return out
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
