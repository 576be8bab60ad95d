import Testing
@testable import Hub

/// PAWS production's hub settings (toolforge/paws on z2jh 3.3.8), written as a PawsHub file.
let pawsConfiguration = #"""
JupyterHub:
  bind_url: http://:8000
  hub_bind_url: http://:8081
  hub_connect_url: http://hub:8081
  db_url: sqlite:///jupyterhub.sqlite
  authenticator_class: mediawiki
  spawner_class: kubernetes
  proxy_class: configurable-http-proxy
  admin_access: true
  authenticate_prometheus: false
  cleanup_servers: false
  last_activity_interval: 60
  concurrent_spawn_limit: 64
  consecutive_failure_limit: 5
  allow_named_servers: false
  logo_file: /usr/local/share/jupyterhub/static/PAWS.svg
  template_vars:
    announcement: '<div class="alert alert-success">Welcome to PAWS. Report problems on <a href="https://phabricator.wikimedia.org/tag/paws/">Phabricator</a>.</div>'
  tornado_settings:
    slow_spawn_timeout: 0
OAuthenticator:
  admin_users: [Andrewbogott, APuthin-WMF, BDavis (WMF), DCaro (WMF), FNegri-WMF, Raymond Ndibe, Taavi, TLepage-WMF]
  allow_all: true
Authenticator:
  enable_auth_state: true
  auth_refresh_age: 300
  refresh_pre_spawn: true
MWOAuthenticator:
  mw_index_url: https://meta.wikimedia.org/w/index.php
  client_id_env: MW_CLIENT_ID
  client_secret_env: MW_CLIENT_SECRET
Spawner:
  start_timeout: 300
  mem_limit: 3G
  mem_guarantee: 0.70G
  cpu_limit: 1
  cpu_guarantee: 0.15
  environment:
    HUB_DOMAIN: hub-paws.wmcloud.org
    REFINE_DOMAIN: "*"
KubeSpawner:
  namespace: prod
  image: quay.io/wikimedia-paws-prod/singleuser:pr-512
  image_pull_policy: Always
  cmd: jupyterhub-singleuser
  uid: 52771
  fs_gid: 52771
  allow_privilege_escalation: false
  pod_name_template: jupyter-{username}--{servername}
  common_labels: {app: jupyterhub, heritage: jupyterhub, chart: jupyterhub-3.3.8, release: paws}
  extra_labels: {hub.jupyter.org/network-access-hub: "true"}
  tolerations:
    - {key: hub.jupyter.org/dedicated, operator: Equal, value: user, effect: NoSchedule}
    - {key: hub.jupyter.org_dedicated, operator: Equal, value: user, effect: NoSchedule}
  extra_pod_config:
    affinity:
      nodeAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference:
              matchExpressions: [{key: hub.jupyter.org/node-purpose, operator: In, values: [user]}]
  volumes:
    - name: home
      nfs: {server: paws-nfs.svc.paws.eqiad1.wikimedia.cloud, path: "/srv/paws/project/paws/userhomes/{wiki_user_id}"}
    - name: mnt-nfs
      hostPath: {path: /mnt/nfs}
  volume_mounts:
    - {name: home, mountPath: /home/paws}
    - {name: mnt-nfs, mountPath: /mnt/nfs, readOnly: true, mountPropagation: HostToContainer}
ConfigurableHTTPProxy:
  api_url: http://proxy-api:8001
  should_start: false
Culler:
  timeout: 86400
  every: 600
  concurrency: 10
"""#

@Suite("PAWS production values")
struct ConfigurationPAWSTests {
    let environment = [
        "MW_CLIENT_ID": "0123456789abcdef0123456789abcdef",
        "MW_CLIENT_SECRET": "0123456789abcdef0123456789abcdef01234567",
        "CONFIGPROXY_AUTH_TOKEN": "proxy-token-from-the-hub-secret",
        "JUPYTERHUB_CRYPT_KEY": String(repeating: "ab", count: 32),
    ]

    @Test("PAWS's settings load with their exact values")
    func pawsLoads() throws {
        let configuration = try loadConfiguration(pawsConfiguration, environment: environment)
        let hub = configuration.jupyterHub
        #expect(hub.bindURL.host == "" && hub.hubBindURL.port == 8081)
        #expect(hub.databaseURL.path == "jupyterhub.sqlite")
        #expect(hub.proxyClass == .configurableHTTPProxy)
        #expect(hub.lastActivityInterval == .seconds(60))
        #expect(hub.concurrentSpawnLimit == 64 && hub.consecutiveFailureLimit == 5)
        #expect(hub.cleanupServers == false && hub.authenticatePrometheus == false && hub.adminAccess)
        #expect(hub.slowSpawnTimeout == .zero)
        #expect(hub.templateVars["announcement"]?.contains("Welcome to PAWS") == true)
        #expect(configuration.authenticator.adminUsers.count == 8)
        #expect(configuration.authenticator.adminUsers.contains("BDavis (WMF)"))
        #expect(configuration.authenticator.allowAll == true)
        #expect(configuration.authenticator.enableAuthState && configuration.authenticator.refreshPreSpawn)
        #expect(configuration.spawner.startTimeout == .seconds(300))
        #expect(configuration.spawner.memLimit?.bytes == 3_221_225_472)
        #expect(configuration.spawner.memGuarantee?.bytes == 751_619_276)
        #expect(configuration.spawner.cpuLimit == 1 && configuration.spawner.cpuGuarantee == 0.15)
        #expect(configuration.spawner.cmd == ["jupyterhub-singleuser"])
        #expect(configuration.spawner.environment["REFINE_DOMAIN"] == "*")
        let kube = configuration.kubeSpawner
        #expect(kube.namespace == "prod" && kube.uid == 52771 && kube.fsGid == 52771)
        #expect(kube.imagePullPolicy == .always)
        #expect(kube.extraLabels["hub.jupyter.org/network-access-hub"] == "true")
        #expect(kube.tolerations.count == 2)
        #expect(kube.volumes.count == 2)
        #expect(kube.volumeMounts[1].mapValue?["readOnly"] == .bool(true))
        #expect(kube.extraPodConfig["affinity"] != nil)
        #expect(configuration.configurableHTTPProxy.apiURL.host == "proxy-api")
        #expect(configuration.configurableHTTPProxy.authToken?.source == .environment("CONFIGPROXY_AUTH_TOKEN"))
        #expect(configuration.cryptKeeper.keys.count == 1)
        #expect(configuration.culler.timeout == .seconds(86400))
    }

    @Test("PAWS's printed configuration shows where secrets come from, never the secrets")
    func pawsRenderingMasksSecrets() throws {
        let configuration = try loadConfiguration(pawsConfiguration, environment: environment)
        let text = ConfigurationRenderer.render(configuration)
        for secret in environment.values {
            #expect(!text.contains(secret))
        }
        #expect(text.contains("client_secret: <secret from env MW_CLIENT_SECRET>"))
        #expect(text.contains("auth_token: <secret from env CONFIGPROXY_AUTH_TOKEN>"))
        #expect(text.contains("mem_guarantee: 751619276"))
        #expect(text.contains("KubeSpawner:"))
        #expect(!text.contains("LocalProcessSpawner:"))
    }
}
