// The Store module has a class named `Store`, so `Store.Role` cannot name its record type from files
// that also import Auth (which has its own `Role`). This file imports only Store to spell them.
import Store

/// A role row as stored (scopes unparsed).
public typealias StoredRole = Role
