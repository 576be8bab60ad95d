/// JupyterHub traits that PawsHub expresses differently, with the way to say the same thing here.
///
/// An admin's existing values should carry over; where one cannot, the error says what to write instead of
/// leaving them to guess from "unknown trait".
enum ReplacedTraits {
    static let hints: [String: String] = [
        "JupyterHub.base_url": "put the base path in bind_url (http://0.0.0.0:8000/prefix/)",
        "JupyterHub.ip": "put the address in bind_url",
        "JupyterHub.port": "put the port in bind_url",
        "JupyterHub.hub_ip": "put the address in hub_bind_url",
        "JupyterHub.hub_port": "put the port in hub_bind_url",
        "JupyterHub.hub_connect_ip": "use hub_connect_url",
        "JupyterHub.hub_connect_port": "use hub_connect_url",
        "JupyterHub.db_password": "PawsHub stores its data in SQLite; set db_url to sqlite:///path",
        "JupyterHub.internal_ssl": "PawsHub does not support internal TLS between hub and servers",
        "Spawner.mem_limit_bytes": "use mem_limit",
        "KubeSpawner.storage_pvc_ensure": "per-user volumes are given through volumes and volume_mounts",
    ]

    /// The advice for `Class.trait`, if it is a known JupyterHub trait PawsHub replaces.
    static func hint(for path: String) -> String? {
        hints[path]
    }
}
