// Prometheus metrics with CHP's names (contract §7), written in the text exposition format by
// hand: the format is small, and plain atomics keep the per-request cost to a few relaxed
// increments with no lock and no extra package in the build.
import Synchronization
import Glibc

/// A monotonically increasing counter.
public final class MetricCounter: Sendable {
    private let storage = Atomic<Int>(0)
    public init() {}
    @inline(__always) public func increment(by n: Int = 1) { storage.add(n, ordering: .relaxed) }
    public var value: Int { storage.load(ordering: .relaxed) }
}

/// A gauge that goes up and down.
public final class MetricGauge: Sendable {
    private let storage = Atomic<Int>(0)
    public init() {}
    @inline(__always) public func increment() { storage.add(1, ordering: .relaxed) }
    @inline(__always) public func decrement() { storage.subtract(1, ordering: .relaxed) }
    public var value: Int { storage.load(ordering: .relaxed) }
}

/// Counters labelled by HTTP status (100–599); one atomic per code, no lock.
public final class StatusCounter: Sendable {
    private let counters: [MetricCounter] = (0..<500).map { _ in MetricCounter() }
    public init() {}
    @inline(__always) public func increment(status: Int) {
        counters[min(max(status, 100), 599) - 100].increment()
    }
    /// Non-zero counts by status.
    public var values: [(Int, Int)] {
        counters.enumerated().compactMap { $0.element.value > 0 ? ($0.offset + 100, $0.element.value) : nil }
    }
}

/// Durations as a histogram (seconds) with sum and count in microseconds.
public final class DurationHistogram: Sendable {
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let buckets: [MetricCounter] = DurationHistogram.bounds.map { _ in MetricCounter() }
    private let sumMicros = MetricCounter()
    private let total = MetricCounter()
    public init() {}

    /// Records one observation.
    public func observe(microseconds: Int) {
        let seconds = Double(microseconds) / 1_000_000
        if let index = DurationHistogram.bounds.firstIndex(where: { seconds <= $0 }) { buckets[index].increment() }
        sumMicros.increment(by: microseconds)
        total.increment()
    }

    var count: Int { total.value }
    var sumSeconds: Double { Double(sumMicros.value) / 1_000_000 }
    var cumulativeBuckets: [(Double, Int)] {
        var running = 0
        return zip(DurationHistogram.bounds, buckets).map { bound, counter in
            running += counter.value
            return (bound, running)
        }
    }
}

/// Every metric the proxy exports.
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

    /// The exposition text; `routes` is the current table size.
    public func render(routes: Int) -> String {
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
