import Yams

/// How user and server names become Kubernetes object names.
public enum SlugScheme: String, Sendable, CaseIterable {
    /// KubeSpawner 6.x: `-XX` hex escapes; what existing PAWS pods are named with.
    case escape
    /// KubeSpawner 7.x: always-valid DNS labels with a hash suffix.
    case safe
}

/// `imagePullPolicy` of the notebook container.
public enum ImagePullPolicy: String, Sendable, CaseIterable {
    case always = "Always", ifNotPresent = "IfNotPresent", never = "Never"
}

/// Traits of `KubeSpawner`: the pod each single-user server runs in.
public struct KubeSpawnerSettings: Sendable, Equatable {
    /// Namespace for user pods; nil = the hub's own (service-account namespace, `POD_NAMESPACE`, then `default`).
    public var namespace: String?
    /// Notebook image.
    public var image = "quay.io/jupyterhub/singleuser:latest"
    /// nil = leave `imagePullPolicy` out of the pod.
    public var imagePullPolicy: ImagePullPolicy?
    /// Names of image pull secrets.
    public var imagePullSecrets: [String] = []
    /// `runAsUser` of the notebook container.
    public var uid: Int?
    /// `runAsGroup` of the notebook container.
    public var gid: Int?
    /// Pod `fsGroup`.
    public var fsGid: Int?
    public var allowPrivilegeEscalation: Bool? = false
    /// Pod name template; `{username}`, `{escaped_username}`, `{servername}`, `{wiki_user_id}` expand.
    public var podNameTemplate = "jupyter-{username}--{servername}"
    public var slugScheme = SlugScheme.escape
    /// Port the notebook listens on in the pod.
    public var port = 8888
    /// Pod volumes (Kubernetes objects; templates expand in them).
    public var volumes: [ConfigValue] = []
    /// Notebook container volume mounts.
    public var volumeMounts: [ConfigValue] = []
    public var extraLabels: [String: String] = [:]
    public var extraAnnotations: [String: String] = [:]
    /// Labels on every object the spawner makes.
    public var commonLabels = ["app": "jupyterhub", "heritage": "jupyterhub"]
    public var nodeSelector: [String: String] = [:]
    public var tolerations: [ConfigValue] = []
    /// Merged into the pod spec last-but-one.
    public var extraPodConfig: [String: ConfigValue] = [:]
    /// Merged into the notebook container last.
    public var extraContainerConfig: [String: ConfigValue] = [:]
    public var serviceAccount: String?
    public var automountServiceAccountToken: Bool?
    /// Grace period given to a deleted pod.
    public var deleteGracePeriod: Duration = .seconds(1)
    /// Delete pods whose notebook container has exited.
    public var deleteStoppedPods = true
    /// Show Kubernetes events as spawn progress.
    public var eventsEnabled = true
    /// Timeout of one Kubernetes API request.
    public var k8sAPIRequestTimeout: Duration = .seconds(3)
    /// Total time an API request is retried.
    public var k8sAPIRequestRetryTimeout: Duration = .seconds(30)

    public init() {}

    static var traits: [Trait<Self>] {
        [
            .optionalString("namespace", \.namespace),
            .typed("image", \.image, read: { $0.nonEmptyString($1, $2) }, show: YAMLText.scalar),
            .optional("image_pull_policy", \.imagePullPolicy, read: { $0.choice($1, $2) },
                      show: { YAMLText.scalar($0.rawValue) }),
            .stringList("image_pull_secrets", \.imagePullSecrets),
            .optionalInt("uid", \.uid),
            .optionalInt("gid", \.gid),
            .optionalInt("fs_gid", \.fsGid),
            .optional("allow_privilege_escalation", \.allowPrivilegeEscalation, read: { $0.bool($1, $2) },
                      show: { String($0) }),
            .typed("pod_name_template", \.podNameTemplate, read: { $0.nonEmptyString($1, $2) },
                   show: YAMLText.scalar),
            .choice("slug_scheme", \.slugScheme),
            .typed("port", \.port, read: { $0.int($1, $2, minimum: 1) }, show: { String($0) }),
            .typed("volumes", \.volumes, read: { $0.objectList($1, $2, required: ["name"]) },
                   show: { YAMLText.value(.list($0)) }),
            .typed("volume_mounts", \.volumeMounts, read: { $0.objectList($1, $2, required: ["name", "mountPath"]) },
                   show: { YAMLText.value(.list($0)) }),
            .stringMap("extra_labels", \.extraLabels),
            .stringMap("extra_annotations", \.extraAnnotations),
            .stringMap("common_labels", \.commonLabels),
            .stringMap("node_selector", \.nodeSelector),
            .typed("tolerations", \.tolerations, read: { $0.objectList($1, $2, required: []) },
                   show: { YAMLText.value(.list($0)) }),
            .typed("extra_pod_config", \.extraPodConfig, read: { $0.objectMap($1, $2) },
                   show: { YAMLText.value(.map($0)) }),
            .typed("extra_container_config", \.extraContainerConfig, read: { $0.objectMap($1, $2) },
                   show: { YAMLText.value(.map($0)) }),
            .optionalString("service_account", \.serviceAccount),
            .optional("automount_service_account_token", \.automountServiceAccountToken,
                      read: { $0.bool($1, $2) }, show: { String($0) }),
            .seconds("delete_grace_period", \.deleteGracePeriod),
            .bool("delete_stopped_pods", \.deleteStoppedPods),
            .bool("events_enabled", \.eventsEnabled),
            .seconds("k8s_api_request_timeout", \.k8sAPIRequestTimeout),
            .seconds("k8s_api_request_retry_timeout", \.k8sAPIRequestRetryTimeout),
        ]
    }
}

extension ConfigReader {
    /// A list of mappings (Kubernetes objects), each with the `required` string fields.
    func objectList(_ node: Node, _ path: String, required: [String]) -> [ConfigValue]? {
        if isNull(node) { return [] }
        guard let items = sequence(node, path) else { return nil }
        var result: [ConfigValue] = []
        var ok = true
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard case .map(let fields) = value(item, itemPath) else {
                fail(itemPath, item, "expected a mapping, got \(kind(of: item))")
                ok = false
                continue
            }
            for field in required where fields[field]?.stringValue?.isEmpty ?? true {
                fail("\(itemPath).\(field)", item, fields[field] == nil ? "is required" : "must be a non-empty string")
                ok = false
            }
            result.append(.map(fields))
        }
        return ok ? result : nil
    }

    /// A mapping of free-form values (`extra_pod_config`).
    func objectMap(_ node: Node, _ path: String) -> [String: ConfigValue]? {
        if isNull(node) { return [:] }
        guard mapping(node, path) != nil, case .map(let fields) = value(node, path) else { return nil }
        return fields
    }
}
