import HTTPTypes
import Logging

/// Gzip for compressible response bodies (text, JSON, HTML, JavaScript, CSS, SVG) of at least 1 KiB
/// when the client accepts gzip and the handler did not encode the body itself.
enum ResponseCompression {
    static let minimumBytes = 1024

    static func compressIfWorthIt(_ bytes: [UInt8], headers: inout HTTPFields, request: RequestHead,
                                  logger: Logger) -> [UInt8] {
        guard bytes.count >= minimumBytes, !headers.contains(.contentEncoding),
              isCompressible(headers.value(.contentType)),
              Gzip.isAccepted(byAcceptEncoding: request.value(.acceptEncoding) ?? "")
        else { return bytes }
        do {
            let compressed = try Gzip.compress(bytes)
            addVary(&headers)
            guard compressed.count < bytes.count else { return bytes }
            headers[.contentEncoding] = "gzip"
            return compressed
        } catch {
            logger.debug("gzip failed; sending identity", metadata: ["error": "\(error)"])
            return bytes
        }
    }

    private static func addVary(_ headers: inout HTTPFields) {
        let vary = headers[values: .vary]
        if !vary.contains(where: { $0.lowercased().contains("accept-encoding") || $0 == "*" }) {
            headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
        }
    }

    static func isCompressible(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = String(contentType.lowercased().split(separator: ";", maxSplits: 1).first?
            .drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed() ?? [])
        if type.hasPrefix("text/") { return true }
        return ["application/json", "application/javascript", "application/x-javascript", "image/svg+xml",
                "application/xml", "application/manifest+json"].contains(type) || type.hasSuffix("+json")
    }
}
