#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore

/// OCI content descriptor.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?
    public var platform: Platform?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }
}

public struct Platform: Codable, Hashable, Sendable {
    public var architecture: String
    public var os: String
    public var variant: String?

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }
}

public struct Manifest: Codable, Sendable {
    public var schemaVersion: Int = 2
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(config: Descriptor, layers: [Descriptor]) {
        self.mediaType = MediaType.ociManifest
        self.config = config
        self.layers = layers
    }
}

public struct ImageIndex: Codable, Sendable {
    public var schemaVersion: Int = 2
    public var mediaType: String?
    public var manifests: [Descriptor]

    public init(manifests: [Descriptor]) {
        self.mediaType = MediaType.ociIndex
        self.manifests = manifests
    }
}

/// The image configuration (OCI config, which docker's config extends with the same names).
public struct ImageConfig: Codable, Sendable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var variant: String?
    public var config: ContainerConfig?
    public var rootfs: RootFS
    public var history: [History]?

    public init(created: String?, architecture: String = ImageConfig.hostArchitecture, os: String = "linux",
                config: ContainerConfig? = ContainerConfig(), diffIDs: [Digest], history: [History]) {
        self.created = created
        self.architecture = architecture
        self.os = os
        self.config = config
        self.rootfs = RootFS(diffIDs: diffIDs)
        self.history = history
    }

    public static var hostArchitecture: String {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }
}

public struct RootFS: Codable, Sendable {
    public var type: String
    public var diffIDs: [Digest]

    public init(diffIDs: [Digest]) {
        self.type = "layers"
        self.diffIDs = diffIDs
    }

    enum CodingKeys: String, CodingKey {
        case type
        case diffIDs = "diff_ids"
    }
}

public struct History: Codable, Sendable {
    public var created: String?
    public var createdBy: String?
    public var author: String?
    public var comment: String?
    public var emptyLayer: Bool?

    public init(created: String?, createdBy: String?, comment: String? = nil, emptyLayer: Bool? = nil) {
        self.created = created
        self.createdBy = createdBy
        self.comment = comment
        self.emptyLayer = emptyLayer
    }

    enum CodingKeys: String, CodingKey {
        case created
        case createdBy = "created_by"
        case author
        case comment
        case emptyLayer = "empty_layer"
    }
}

/// The runtime defaults an image carries (the `config` object), with docker's field names.
public struct ContainerConfig: Codable, Sendable, Equatable {
    public var user: String?
    public var exposedPorts: [String: EmptyObject]?
    public var env: [String]?
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var volumes: [String: EmptyObject]?
    public var workingDir: String?
    public var labels: [String: String]?
    public var stopSignal: String?
    public var shell: [String]?
    public var onBuild: [String]?
    public var healthcheck: Healthcheck?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case user = "User"
        case exposedPorts = "ExposedPorts"
        case env = "Env"
        case entrypoint = "Entrypoint"
        case cmd = "Cmd"
        case volumes = "Volumes"
        case workingDir = "WorkingDir"
        case labels = "Labels"
        case stopSignal = "StopSignal"
        case shell = "Shell"
        case onBuild = "OnBuild"
        case healthcheck = "Healthcheck"
    }
}

public struct Healthcheck: Codable, Sendable, Equatable {
    public var test: [String]?
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var startInterval: Int64?
    public var retries: Int?

    public init(test: [String]?) { self.test = test }

    enum CodingKeys: String, CodingKey {
        case test = "Test"
        case interval = "Interval"
        case timeout = "Timeout"
        case startPeriod = "StartPeriod"
        case startInterval = "StartInterval"
        case retries = "Retries"
    }
}

/// `{}` in `ExposedPorts` and `Volumes`.
public struct EmptyObject: Codable, Sendable, Equatable, Hashable {
    public init() {}
}
