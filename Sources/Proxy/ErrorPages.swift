// What the client sees when the proxy itself fails (contract §5): a page from --error-target,
// a file from --error-path, or a small built-in page, always with the proxy's status code.
import Glibc
import HTTP
import HTTPTypes
import Logging

/// Builds error responses for 404 / 500 / 503.
struct ErrorPages: Sendable {
    let errorTarget: String?
    let errorPath: String?
    let client: HTTPClient?
    let logger: Logger

    /// The response for `status` on a request for `rawURL`.
    func response(_ status: HTTPResponse.Status, rawURL: String) async -> HTTPServerResponse {
        if let errorTarget, let client {
            if let page = await fetch(from: errorTarget, status: status, rawURL: rawURL, client: client) { return page }
            return Self.plain(status)
        }
        if let errorPath {
            for name in ["\(status.code).html", "error.html"] {
                if let bytes = Self.readFile(errorPath.hasSuffix("/") ? errorPath + name : errorPath + "/" + name) {
                    return HTTPServerResponse(status: status, headers: [.contentType: "text/html"], body: .bytes(bytes))
                }
            }
            logger.error("No error file for \(status.code) in \(errorPath)")
            return Self.plain(status)
        }
        return Self.builtIn(status)
    }

    /// GET `<target>/<code>?url=<encoded url>`; the body is streamed back under our status with
    /// only Content-Type and Content-Encoding copied. nil when the error target fails.
    func fetch(from target: String, status: HTTPResponse.Status, rawURL: String, client: HTTPClient) async -> HTTPServerResponse? {
        do {
            let upstream = try UpstreamTarget(url: target)
            var headers = HTTPFields()
            headers[ForwardedHeaders.host] = upstream.authority
            let requestTarget = upstream.basePath + "/" + String(status.code) + "?url=" + Self.queryEncode(rawURL)
            let head = RequestHead(method: .get, target: requestTarget, headers: headers)
            let answer = try await client.send(head, body: .empty, to: upstream, responseTimeout: .seconds(30))
            var out = HTTPFields()
            if let type = answer.head.headers[.contentType] { out[.contentType] = type }
            if let encoding = answer.head.headers[.contentEncoding] { out[.contentEncoding] = encoding }
            let body = answer.body
            return HTTPServerResponse(status: status, headers: out, body: .stream { writer in
                for try await chunk in body { try await writer.write(chunk) }
            })
        } catch {
            logger.error("Failed to get custom error page: \(error)")
            return nil
        }
    }

    /// The status text alone, as CHP answers when nothing better is available.
    static func plain(_ status: HTTPResponse.Status) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                           body: .bytes(Array(status.reasonPhrase.utf8)))
    }

    /// A minimal self-contained page; contains `<code>:` like CHP's built-in pages.
    static func builtIn(_ status: HTTPResponse.Status) -> HTTPServerResponse {
        let html = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>\(status.code) \(status.reasonPhrase)</title></head>
        <body style="font-family: sans-serif; margin: 3em"><h1>\(status.code): \(status.reasonPhrase)</h1>
        <p>\(status.code == 404 ? "No server is routed at this address." : "The server for this address is not responding.")</p>
        </body></html>\n
        """
        return HTTPServerResponse(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .bytes(Array(html.utf8)))
    }

    /// `application/x-www-form-urlencoded` escaping, as URLSearchParams writes the `url=` parameter.
    static func queryEncode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "*"):
                out.append(b)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a small file whole; nil if missing or unreadable.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
            if out.count > 16 << 20 { return nil }
        }
    }
}
