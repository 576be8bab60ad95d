// The single place where anything a handler throws becomes an HTTP answer. Store and parse errors
// map to client errors; everything else is a 500 whose detail goes to the log, never to the client.
import HTTP
import HTTPTypes
import Logging
import Store

enum ErrorResponses {
    /// The `HubError` an arbitrary error stands for; unknown errors are logged and become a generic 500.
    static func hubError(for error: any Error, logger: Logger, context: @autoclosure () -> String) -> HubError {
        switch error {
        case let error as HubError:
            return error
        case let error as StoreError:
            switch error {
            case .notFound(let entity, let key): return HubError(.notFound, "No such \(entity): \(key)")
            case .alreadyExists(let entity, let key): return HubError(.conflict, "\(entity) \(key) already exists")
            case .invalidValue, .invalidReference: return HubError(.badRequest, error.description)
            case .databaseFromNewerVersion, .database:
                logger.error("database failure", metadata: ["request": "\(context())", "error": "\(error)"])
                return HubError(.internalServerError, "Unhandled error in the hub's database")
            }
        case let error as BodyTooLarge:
            return HubError(.contentTooLarge, "Request body exceeds \(error.limit) bytes")
        case let error as JSONParseError:
            return HubError(.badRequest, error.description)
        case is CancellationError:
            return HubError(.serviceUnavailable, "Request cancelled")
        default:
            logger.error("unhandled error", metadata: ["request": "\(context())", "error": "\(String(reflecting: error))"])
            return HubError(.internalServerError, "Unhandled error")
        }
    }

    /// The JSON response for an API error.
    static func json(_ error: HubError) -> HTTPServerResponse {
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        writer.key("status"); writer.int(error.status.code)
        writer.key("message"); writer.string(error.message)
        writer.endObject()
        var headers = error.headers
        headers[.contentType] = "application/json"
        return HTTPServerResponse(status: error.status, headers: headers, body: .bytes(writer.bytes))
    }

    /// A minimal HTML error page for non-API hub paths (the pages helper replaces it with templates).
    static func html(_ error: HubError) -> HTTPServerResponse {
        let reason = HTMLText.escape(error.message ?? error.status.reasonPhrase)
        let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\(error.status.code) \(HTMLText.escape(error.status.reasonPhrase))</title></head>"
            + "<body><h1>\(error.status.code) : \(HTMLText.escape(error.status.reasonPhrase))</h1><p>\(reason)</p></body></html>"
        var headers = error.headers
        headers[.contentType] = "text/html; charset=UTF-8"
        return HTTPServerResponse(status: error.status, headers: headers, body: .bytes(Array(page.utf8)))
    }
}

/// Escaping text for HTML bodies and attributes.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
