/// Traits of `Culler`, PawsHub's built-in idle culler (jupyterhub-idle-culler's options, z2jh's defaults).
public struct CullerSettings: Sendable, Equatable {
    /// `false` turns the built-in culler off (an external one may still run as a service).
    public var enabled = true
    /// Servers idle this long are stopped.
    public var timeout: Duration = .seconds(3600)
    /// How often to look for idle servers.
    public var every: Duration = .seconds(600)
    /// Servers older than this are stopped even when busy; 0 = no age limit.
    public var maxAge: Duration = .zero
    /// Also delete users without running servers who were idle for `timeout`.
    public var cullUsers = false
    /// Admins' servers are culled too.
    public var cullAdminUsers = true
    /// Delete named servers instead of only stopping them.
    public var removeNamedServers = false
    /// Servers stopped at once.
    public var concurrency = 10

    public init() {}

    /// The sweep interval actually used: `every`, or half the timeout when `every` is 0 (jupyterhub-idle-culler's rule).
    public var sweepInterval: Duration { every == .zero ? timeout / 2 : every }

    static var traits: [Trait<Self>] {
        [
            .bool("enabled", \.enabled),
            .seconds("timeout", \.timeout),
            .seconds("every", \.every),
            .seconds("max_age", \.maxAge),
            .bool("cull_users", \.cullUsers),
            .bool("cull_admin_users", \.cullAdminUsers),
            .bool("remove_named_servers", \.removeNamedServers),
            .int("concurrency", \.concurrency, minimum: 1),
        ]
    }
}
