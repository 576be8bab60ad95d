@testable import Auth

/// Parses scope strings that a test knows are valid; a typo fails the test through the thrown error.
func scopes(_ texts: String..., in hierarchy: ScopeHierarchy = .standard) throws -> [Scope] {
    try Scope.parseAll(texts, in: hierarchy)
}

/// Expanded scopes from wire strings (already concrete, no metascopes).
func expanded(_ texts: String...) throws -> ExpandedScopes {
    ExpandedScopes(try Scope.parseAll(texts))
}

let noGroups = StaticGroupMembership()
