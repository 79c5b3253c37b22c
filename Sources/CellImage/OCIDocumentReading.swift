import CellFormat

// The OCI documents every `cell run` reads (the index, a manifest, an image config), read from
// their fields without Codable (see JSONFields for why), with the same results and the same
// refusals as their synthesized Decodable: `OCIDocumentReadingTests` holds the two side by side.

extension Descriptor: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        self.init(mediaType: try fields.required("mediaType", fields.string),
                  digest: try fields.required("digest") { try fields.string($0, as: Digest.init(parsing:)) },
                  size: try fields.required("size", fields.int64),
                  annotations: try fields.stringMap("annotations"),
                  platform: try fields.object("platform", Platform.init(fields:)))
    }
}

extension Platform: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        self.init(architecture: try fields.required("architecture", fields.string), os: try fields.required("os", fields.string),
                  variant: try fields.string("variant"))
    }
}

// Fields are read in the order of their declarations, as Decodable reads them: the first
// refusal is the same.

extension ImageIndex: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        let schemaVersion = try fields.required("schemaVersion", fields.int)
        let mediaType = try fields.string("mediaType")
        self.init(manifests: try fields.required("manifests") { try fields.objects($0, Descriptor.init(fields:)) })
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
    }
}

extension Manifest: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        let schemaVersion = try fields.required("schemaVersion", fields.int)
        let mediaType = try fields.string("mediaType")
        self.init(config: try fields.required("config") { try fields.object($0, Descriptor.init(fields:)) },
                  layers: try fields.required("layers") { try fields.objects($0, Descriptor.init(fields:)) })
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        annotations = try fields.stringMap("annotations")
    }
}

extension ImageConfig: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        let created = try fields.string("created")
        let author = try fields.string("author")
        let architecture = try fields.required("architecture", fields.string)
        let os = try fields.required("os", fields.string)
        let variant = try fields.string("variant")
        let config = try fields.object("config", ContainerConfig.init(fields:))
        let rootfs = try fields.required("rootfs") { try fields.object($0, RootFS.init(fields:)) }
        self.init(created: created, architecture: architecture, os: os, config: config, diffIDs: [], history: [])
        self.author = author
        self.variant = variant
        self.rootfs = rootfs
        history = try fields.objects("history", History.init(fields:))
    }
}

extension RootFS: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        let type = try fields.required("type", fields.string)
        self.init(diffIDs: try fields.required("diff_ids") { try fields.strings($0, as: Digest.init(parsing:)) })
        self.type = type
    }
}

extension History: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        let created = try fields.string("created")
        let createdBy = try fields.string("created_by")
        let author = try fields.string("author")
        self.init(created: created, createdBy: createdBy, comment: try fields.string("comment"), emptyLayer: try fields.bool("empty_layer"))
        self.author = author
    }
}

extension ContainerConfig: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        self.init()
        user = try fields.string("User")
        exposedPorts = try fields.names("ExposedPorts").map(ContainerConfig.emptyObjects)
        env = try fields.strings("Env")
        entrypoint = try fields.strings("Entrypoint")
        cmd = try fields.strings("Cmd")
        volumes = try fields.names("Volumes").map(ContainerConfig.emptyObjects)
        workingDir = try fields.string("WorkingDir")
        labels = try fields.stringMap("Labels")
        stopSignal = try fields.string("StopSignal")
        shell = try fields.strings("Shell")
        onBuild = try fields.strings("OnBuild")
        healthcheck = try fields.object("Healthcheck", Healthcheck.init(fields:))
    }

    private static func emptyObjects(_ names: [String]) -> [String: EmptyObject] {
        var objects: [String: EmptyObject] = [:]
        for name in names { objects[name] = EmptyObject() }
        return objects
    }
}

extension Healthcheck: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        self.init(test: try fields.strings("Test"))
        interval = try fields.int64("Interval")
        timeout = try fields.int64("Timeout")
        startPeriod = try fields.int64("StartPeriod")
        startInterval = try fields.int64("StartInterval")
        retries = try fields.int("Retries")
    }
}
