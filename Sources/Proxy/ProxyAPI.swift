// configurable-http-proxy's REST API (contract §2) as an HTTPHandler for its own listener.
// Unlike CHP, authentication is checked before anything else, including the body.
import HTTP
import HTTPTypes
import Logging

/// The `/api/routes` REST API.
public struct ProxyAPI: HTTPHandler {
    let table: RouteTable
    let authToken: [UInt8]?
    let hostRouting: Bool
    let metrics: ProxyMetrics
    let logger: Logger
    /// Route data is small; anything bigger is a mistake or an attack.
    static let maxBodyBytes = 1 << 20

    /// `authToken` nil or empty leaves the API open (CHP logs a warning for that at start-up).
    public init(table: RouteTable, authToken: String?, hostRouting: Bool = false, metrics: ProxyMetrics, logger: Logger) {
        self.table = table
        self.authToken = authToken.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        self.hostRouting = hostRouting
        self.metrics = metrics
        self.logger = logger
    }

    public func handle(_ request: HTTPServerRequest) async throws -> HTTPServerResponse {
        let response = await respond(request)
        metrics.requestsApi.increment(status: response.status.code)
        let line = "\(response.status.code) \(request.head.method.rawValue) \(request.head.path)"
        switch response.status.code {
        case ..<400: logger.info("\(line)")
        case ..<500: logger.warning("\(line)")
        default: logger.error("\(line)")
        }
        return response
    }

    func respond(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        guard isAuthorized(request.head.value(.authorization)) else {
            logger.debug("Rejecting API request without a valid token")
            return HTTPServerResponse(status: .forbidden)
        }
        let path = request.head.path
        let base: Substring = "/api/routes"
        guard path.hasPrefix(base), path.count == base.count || path.dropFirst(base.count).first == "/" else {
            return Self.text(.notFound, "Not Found")
        }
        let rawTail: Substring? = path.count == base.count ? nil : path.dropFirst(base.count)
        var tail: String?
        if let rawTail {
            guard let decoded = PercentDecoding.decode(rawTail) else {
                return Self.text(.badRequest, "Invalid route path: bad percent-encoding")
            }
            tail = decoded
        }
        switch request.head.method {
        case .get: return getRoutes(tail: tail, query: request.head.query)
        case .post: return await postRoute(tail: tail, body: request.body)
        case .delete: return deleteRoute(tail: tail)
        default: return Self.text(.methodNotAllowed, "Method not supported")
        }
    }

    /// `Authorization` must contain `token <value>` with the configured value (CHP's `token\s+(\S+)`).
    func isAuthorized(_ header: String?) -> Bool {
        guard let expected = authToken else { return true }
        guard let header, let presented = Self.tokenValue(in: Array(header.utf8)) else { return false }
        return Self.constantTimeEquals(presented, expected)
    }

    static func tokenValue(in header: [UInt8]) -> ArraySlice<UInt8>? {
        let word = Array("token".utf8)
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }
        var start = 0
        while start + word.count < header.count {
            if header[start..<start + word.count].elementsEqual(word) {
                var i = start + word.count
                let spaceStart = i
                while i < header.count, isSpace(header[i]) { i += 1 }
                let valueStart = i
                while i < header.count, !isSpace(header[i]) { i += 1 }
                if i > spaceStart, valueStart > spaceStart, i > valueStart { return header[valueStart..<i] }
            }
            start += 1
        }
        return nil
    }

    /// Compares without an early exit so response timing does not reveal the token prefix.
    static func constantTimeEquals(_ a: ArraySlice<UInt8>, _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count {
            let x = i < a.count ? a[a.startIndex + i] : 0
            difference |= x ^ b[i]
        }
        return difference == 0
    }

    func getRoutes(tail: String?, query: Substring?) -> HTTPServerResponse {
        if let tail, !tail.isEmpty, tail != "/" {
            guard let route = table.route(forKey: tail) else { return HTTPServerResponse(status: .notFound) }
            return Self.json(route.json.serialized())
        }
        var cutoff: Timestamp?
        let parameters = QueryParameters(query)
        if let value = parameters.first("inactiveSince") ?? parameters.first("inactive_since"), !value.isEmpty {
            guard let parsed = DateParsing.parse(value) else {
                return Self.text(.badRequest, "Invalid datestamp '\(value)' must be ISO8601.")
            }
            cutoff = parsed
        }
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, route) in table.routes(inactiveSince: cutoff).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(route.key, into: &out)
            out.append(UInt8(ascii: ":"))
            route.json.write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
        metrics.apiRouteGet.increment()
        return HTTPServerResponse(status: .ok, headers: [.contentType: "application/json"], body: .bytes(out))
    }

    func postRoute(tail: String?, body: RequestBody) async -> HTTPServerResponse {
        let bytes: [UInt8]
        do {
            bytes = try await body.collect(upTo: Self.maxBodyBytes)
        } catch is BodyTooLarge {
            return Self.text(.contentTooLarge, "Body larger than \(Self.maxBodyBytes) bytes")
        } catch {
            return Self.text(.badRequest, "Body not valid JSON: \(error)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return Self.text(.badRequest, "Body not valid JSON: SyntaxError: \(error)")
        }
        guard case .object(var members) = value, value["target"]?.stringValue != nil else {
            logger.warning("Bad POST data: no string 'target'")
            return Self.text(.badRequest, "Must specify 'target' as string")
        }
        let key = RouteKey.normalize(tail ?? "/")
        if hostRouting, key != "/" {
            // CHP stores the key's first segment as `host` so listings show which host routes.
            let host = JSONValue.string(String(key.dropFirst().split(separator: "/", omittingEmptySubsequences: false).first ?? ""))
            if let index = members.firstIndex(where: { $0.0 == "host" }) { members[index].1 = host } else { members.append(("host", host)) }
        }
        let route = table.add(key: key, data: members)
        logger.info("Route added \(route.key) -> \(route.target)")
        metrics.apiRouteAdd.increment()
        return HTTPServerResponse(status: .created)
    }

    func deleteRoute(tail: String?) -> HTTPServerResponse {
        // CHP never answers `DELETE /api/routes`; a clear 404 is what a client can handle.
        guard let tail else { return HTTPServerResponse(status: .notFound) }
        metrics.apiRouteDelete.increment()
        guard table.remove(key: tail) else { return HTTPServerResponse(status: .notFound) }
        // Bulk deletes (JupyterHub's cleanup after a restart) free many small objects: let the
        // loop hand the pages back to the kernel once the burst is over.
        EventLoop.current?.noteMemoryReleased()
        logger.info("Route removed \(RouteKey.normalize(tail))")
        return HTTPServerResponse(status: .noContent)
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .bytes(Array(message.utf8)))
    }

    static func json(_ text: String) -> HTTPServerResponse {
        HTTPServerResponse(status: .ok, headers: [.contentType: "application/json"], body: .bytes(Array(text.utf8)))
    }
}
