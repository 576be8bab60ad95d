// Turning a share code into a share for the user who presents it. The accept-share page
// (`/hub/accept-share?code=…`, pages module) calls `exchangeShareCode`; the REST API only issues and
// revokes codes.
import Auth
import Store

/// Why a share code could not be exchanged; the page shows `message` (400 in JupyterHub).
public enum ShareCodeExchangeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Unknown, expired or revoked code.
    case invalidCode
    /// The owner of the server tried to accept their own code.
    case ownServer

    public var message: String {
        switch self {
        case .invalidCode: return "Invalid share code"
        case .ownServer: return "You can't share with yourself!"
        }
    }

    public var description: String { message }
}

/// What an accepted code granted: the share and where it points.
public struct AcceptedShare: Sendable {
    /// The share as stored after the exchange (scopes merged with any earlier share).
    public let share: Share
    /// The shared server's owner and name.
    public let owner: String
    public let serverName: String
    /// The server's URL path (`/user/alice/` …), the page's default redirect target.
    public let serverURL: String
}

extension Hub {
    /// Exchanges `code` for a share of its server granted to `user`: scopes are merged into an existing
    /// share, the exchange is counted, and cached identities are invalidated so the grant applies at once.
    public func exchangeShareCode(_ code: String, for user: User) async throws -> AcceptedShare {
        guard let record = try await findShareCode(code) else { throw ShareCodeExchangeError.invalidCode }
        guard let server = try await store.server(id: record.serverID),
              let owner = try await store.user(id: server.userID) else { throw ShareCodeExchangeError.invalidCode }
        guard owner.id != user.id else { throw ShareCodeExchangeError.ownServer }
        let share: Share
        do {
            share = try await store.exchangeShareCode(id: record.id, grantee: .user(user.id))
        } catch StoreError.notFound {
            throw ShareCodeExchangeError.invalidCode  // expired or revoked between lookup and exchange
        }
        identitiesChanged()
        logger.info("exchanged share code", metadata: ["id": "sc_\(record.id.rawValue)", "grantee": "\(user.name)",
                                                       "server": "\(owner.name)/\(server.name)"])
        return AcceptedShare(share: share, owner: owner.name, serverName: server.name,
                             serverURL: HubURLs(baseURL: baseURL).serverURL(user: owner.name, server: server.name))
    }

    /// The unexpired share code whose clear text is `code` (prefix lookup, constant-time hash compare).
    public func findShareCode(_ code: String) async throws -> ShareCode? {
        guard !code.isEmpty, code.utf8.count <= TokenRules.maxLength else { return nil }
        let candidates = try await store.shareCodes(withPrefix: TokenRules.prefix(of: code))
        return candidates.first { candidate in
            (try? TokenHash(parsing: candidate.hashed))?.matches(code) ?? false
        }
    }
}
