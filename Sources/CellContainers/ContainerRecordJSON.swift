import CellCgroups
import CellFormat
import CellImage
import CellNetwork
import CellRuntime

// config.json as every `cell run` writes it, without JSONEncoder (see StoredJSONEncodable):
// the members are the synthesized Encodable's, under the same keys, nil ones left out.
// ContainerRecordJSONTests compares the bytes with JSONEncoder's for a record whose every
// field (nested ones too) is set, and fails for a field added to the types but not here.

extension ContainerRecord: StoredJSONEncodable {
    public var storedJSONValue: JSONValue {
        .sortedObject([
            ("id", .string(id)), ("name", .string(name)), ("created", .string(created)), ("image", .string(image)),
            ("imageID", .string(imageID)), ("path", .string(path)), ("args", .strings(args)),
            ("config", config.storedJSONValue), ("hostConfig", hostConfig.storedJSONValue),
            ("mountPoints", mountPoints.map { .array($0.map(\.storedJSONValue)) }),
            ("networks", networks.map { networks in .sortedObject(networks.map { ($0.key, $0.value.storedJSONValue) }) }),
            ("layerDirectories", .strings(layerDirectories)),
        ])
    }
}

extension ContainerRecord.MountPoint {
    var storedJSONValue: JSONValue {
        .sortedObject([("name", .string(name)), ("destination", .string(destination)), ("readOnly", .bool(readOnly)),
                       ("anonymous", .bool(anonymous))])
    }
}

extension ContainerRecord.Config {
    var storedJSONValue: JSONValue {
        .sortedObject([
            ("hostname", .string(hostname)), ("user", .string(user)), ("env", .strings(env)), ("cmd", cmd.map(JSONValue.strings)),
            ("entrypoint", entrypoint.map(JSONValue.strings)), ("workingDir", .string(workingDir)),
            ("labels", .sortedObject(labels)), ("exposedPorts", .strings(exposedPorts)), ("stopSignal", stopSignal.map(JSONValue.string)),
            ("stopTimeout", stopTimeout.map(JSONValue.int)), ("tty", .bool(tty)), ("openStdin", .bool(openStdin)),
            ("volumes", .strings(volumes)), ("stdinOnce", stdinOnce.map(JSONValue.bool)),
            ("healthcheck", healthcheck.map { check in
                .sortedObject([("Test", check.test.map(JSONValue.strings)), ("Interval", check.interval.map(JSONValue.int)),
                               ("Timeout", check.timeout.map(JSONValue.int)), ("StartPeriod", check.startPeriod.map(JSONValue.int)),
                               ("StartInterval", check.startInterval.map(JSONValue.int)), ("Retries", check.retries.map(JSONValue.int))])
            }),
        ])
    }
}

extension ContainerRecord.HostConfig {
    var storedJSONValue: JSONValue {
        .sortedObject([
            ("binds", .strings(binds)), ("portBindings", .array(portBindings.map(\.storedJSONValue))),
            ("publishAllPorts", .bool(publishAllPorts)), ("networkMode", .string(networkMode)), ("autoRemove", .bool(autoRemove)),
            ("readonlyRootfs", .bool(readonlyRootfs)), ("tmpfs", .sortedObject(tmpfs)), ("initProcess", .bool(initProcess)),
            ("privileged", .bool(privileged)), ("capAdd", .strings(capAdd)), ("capDrop", .strings(capDrop)),
            ("securityOpt", .strings(securityOpt)), ("extraHosts", .strings(extraHosts)), ("resources", resources?.storedJSONValue),
            ("groupAdd", groupAdd.map(JSONValue.strings)), ("devices", devices.map { .array($0.map(\.storedJSONValue)) }),
            ("deviceCgroupRules", deviceCgroupRules.map(JSONValue.strings)), ("usernsMode", usernsMode.map(JSONValue.string)),
            ("maskedPaths", maskedPaths.map(JSONValue.strings)), ("readonlyPaths", readonlyPaths.map(JSONValue.strings)),
            ("ulimits", ulimits.map { .array($0.map(\.storedJSONValue)) }), ("sysctls", sysctls.map(JSONValue.sortedObject)),
            ("shmSize", shmSize.map(JSONValue.int)), ("oomScoreAdj", oomScoreAdj.map(JSONValue.int)),
            ("cgroups", cgroups.map(JSONValue.string)), ("dns", dns.map(JSONValue.strings)), ("dnsSearch", dnsSearch.map(JSONValue.strings)),
            ("dnsOptions", dnsOptions.map(JSONValue.strings)),
            ("logConfig", logConfig.map { .sortedObject([("type", .string($0.type)), ("config", .sortedObject($0.config))]) }),
            ("restartPolicy", restartPolicy.map {
                .sortedObject([("name", .string($0.name)), ("maximumRetryCount", .int($0.maximumRetryCount))])
            }),
            ("pidMode", pidMode.map(JSONValue.string)), ("ipcMode", ipcMode.map(JSONValue.string)), ("utsMode", utsMode.map(JSONValue.string)),
        ])
    }
}

extension PortBinding {
    var storedJSONValue: JSONValue {
        .sortedObject([("containerPort", .int(containerPort)), ("proto", .string(proto)), ("hostIP", .string(hostIP)),
                       ("hostPort", .int(hostPort))])
    }
}

extension ResourceLimits {
    var storedJSONValue: JSONValue {
        .sortedObject([
            ("memory", memory.map(JSONValue.int)), ("memorySwap", memorySwap.map(JSONValue.int)),
            ("memoryReservation", memoryReservation.map(JSONValue.int)), ("nanoCpus", nanoCpus.map(JSONValue.int)),
            ("cpuQuota", cpuQuota.map(JSONValue.int)), ("cpuPeriod", cpuPeriod.map(JSONValue.int)), ("cpuShares", cpuShares.map(JSONValue.int)),
            ("cpusetCpus", cpusetCpus.map(JSONValue.string)), ("pidsLimit", pidsLimit.map(JSONValue.int)),
            ("cpusetMems", cpusetMems.map(JSONValue.string)), ("memorySwappiness", memorySwappiness.map(JSONValue.int)),
            ("oomKillDisable", oomKillDisable.map(JSONValue.bool)), ("blkioWeight", blkioWeight.map(JSONValue.int)),
        ])
    }
}

extension DeviceOptions.Mapping {
    var storedJSONValue: JSONValue {
        .sortedObject([("pathOnHost", .string(pathOnHost)), ("pathInContainer", .string(pathInContainer)),
                       ("cgroupPermissions", .string(cgroupPermissions))])
    }
}

extension Ulimit {
    var storedJSONValue: JSONValue {
        .sortedObject([("name", .string(name)), ("soft", .int(soft)), ("hard", .int(hard))])
    }
}

extension NetworkEndpoint {
    var storedJSONValue: JSONValue {
        .sortedObject([("networkID", .string(networkID)), ("endpointID", .string(endpointID)), ("ipAddress", .string(ipAddress)),
                       ("prefixLength", .int(prefixLength)), ("gateway", .string(gateway)), ("macAddress", .string(macAddress)),
                       ("aliases", .strings(aliases))])
    }
}
