import HTTPTypes

extension HTTPClient {
    /// GETs `url` and collects the body (up to 64 MiB).
    public func get(_ url: String, headers: HTTPFields = HTTPFields(), timeout: Duration? = .seconds(30)) async throws
        -> (ResponseHead, [UInt8]) {
        try await request(method: .get, url: url, headers: headers, body: [], timeout: timeout)
    }

    /// Sends one request with a complete body and collects the response body (up to 64 MiB).
    /// Sets `Host` and `Content-Length` unless given; `timeout` bounds the wait for the response head.
    public func request(method: HTTPRequest.Method, url: String, headers: HTTPFields = HTTPFields(), body: [UInt8] = [],
                        timeout: Duration? = .seconds(30)) async throws -> (ResponseHead, [UInt8]) {
        let (target, requestTarget) = try UpstreamTarget.parse(url)
        var fields = headers
        if fields[HTTPField.Name.hostField] == nil { fields[HTTPField.Name.hostField] = target.authority }
        let sendsBody = !body.isEmpty || method == .post || method == .put || method == .patch
        if sendsBody { fields[.contentLength] = String(body.count) }
        let head = RequestHead(method: method, target: requestTarget, headers: fields, framing: sendsBody ? .contentLength(body.count) : .none)
        let response = try await send(head, body: .bytes(body), to: target, responseTimeout: timeout)
        let collected = try await response.body.collect(upTo: 64 << 20)
        return (response.head, collected)
    }
}

extension HTTPField.Name {
    /// `Host`: HTTP/1.1 requests carry it as a field (HTTPTypes models it as the authority pseudo-header).
    static let hostField = HTTPField.Name("Host")!  // literal, valid token
}
