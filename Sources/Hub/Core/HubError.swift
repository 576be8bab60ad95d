// The one error type handlers throw for an HTTP answer other than success.
import HTTPTypes

/// An HTTP error with JupyterHub's JSON body `{"status": N, "message": …}`.
public struct HubError: Error, Sendable, CustomStringConvertible {
    /// The status code to answer with.
    public var status: HTTPResponse.Status
    /// The message; nil gives `"message": null` (JupyterHub's bare 403/404).
    public var message: String?
    /// Extra response headers (`Retry-After`, `Allow`, …).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message ?? status.reasonPhrase)" }

    /// 400 with a message.
    public static func badRequest(_ message: String) -> HubError { HubError(.badRequest, message) }
    /// 404; nil message like JupyterHub's bare `HTTPError(404)`.
    public static func notFound(_ message: String? = nil) -> HubError { HubError(.notFound, message) }
    /// 403; nil message like JupyterHub's bare `HTTPError(403)`.
    public static func forbidden(_ message: String? = nil) -> HubError { HubError(.forbidden, message) }
    /// 409 with a message.
    public static func conflict(_ message: String) -> HubError { HubError(.conflict, message) }
    /// 403 "Missing or invalid credentials." for a request with no usable credentials.
    public static let missingCredentials = HubError(.forbidden, "Missing or invalid credentials.")
}
