// Response shapes endpoints return; the pipeline adds the hub-wide headers.
import HTTP
import HTTPTypes

extension HTTPServerResponse {
    /// A JSON response from a writer's bytes.
    public static func json(_ writer: JSONWriter, status: HTTPResponse.Status = .ok) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [.contentType: "application/json"], body: .bytes(writer.bytes))
    }

    /// A JSON response for a value.
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> HTTPServerResponse {
        var writer = JSONWriter()
        writer.value(value)
        return json(writer, status: status)
    }

    /// An empty body with a content type (JupyterHub's start/stop answers are empty `text/plain`).
    public static func empty(_ status: HTTPResponse.Status, contentType: String = "text/plain") -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [.contentType: contentType], body: .empty)
    }
}
