#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore
import CellImage
import Testing
@testable import CellContainers

/// config.json written without JSONEncoder (ContainerRecordJSON) is JSONEncoder's bytes.
@Suite struct ContainerRecordJSONTests {
    /// A record with every field set, nested ones too, and strings that need escaping.
    static let everything = #"""
    {"id":"0123","name":"web/\"1\"","created":"2026-12-05T00:00:00.000000001Z","image":"busybox","imageID":"sha256:ab",
     "path":"sh","args":["-c","echo \u0001\t\n\\ é 日本"],
     "config":{"hostname":"h","user":"1:2","env":["A=1","B="],"cmd":["x"],"entrypoint":["/bin/sh"],"workingDir":"/w",
               "labels":{"b":"2","a10":"x","a9":"y","Z":"z","":"empty"},"exposedPorts":["80/tcp"],"stopSignal":"SIGINT",
               "stopTimeout":-1,"tty":true,"openStdin":false,"volumes":["/data"],"stdinOnce":true,
               "healthcheck":{"Test":["CMD","true"],"Interval":1,"Timeout":2,"StartPeriod":3,"StartInterval":4,"Retries":5}},
     "hostConfig":{"binds":["/a:/b:ro"],"portBindings":[{"containerPort":80,"proto":"tcp","hostIP":"127.0.0.1","hostPort":65535}],
                   "publishAllPorts":true,"networkMode":"bridge","autoRemove":false,"readonlyRootfs":true,"tmpfs":{"/t":"size=1m"},
                   "initProcess":true,"privileged":false,"capAdd":["NET_ADMIN"],"capDrop":["ALL"],"securityOpt":["no-new-privileges"],
                   "extraHosts":["a:1.2.3.4"],
                   "resources":{"memory":1,"memorySwap":2,"memoryReservation":3,"nanoCpus":4,"cpuQuota":5,"cpuPeriod":6,"cpuShares":7,
                                "cpusetCpus":"0-1","pidsLimit":-1,"cpusetMems":"0","memorySwappiness":60,"oomKillDisable":true,
                                "blkioWeight":500},
                   "groupAdd":["audio"],"devices":[{"pathOnHost":"/dev/null","pathInContainer":"/dev/x","cgroupPermissions":"rw"}],
                   "deviceCgroupRules":["c 1:3 r"],"usernsMode":"host","maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"],
                   "ulimits":[{"name":"nofile","soft":1024,"hard":9223372036854775807}],"sysctls":{"net.ipv4.ip_forward":"1"},
                   "shmSize":67108864,"oomScoreAdj":-1000,"cgroups":"private","dns":["1.1.1.1"],"dnsSearch":["lan"],
                   "dnsOptions":["ndots:2"],"logConfig":{"type":"json-file","config":{"max-size":"1m"}},
                   "restartPolicy":{"name":"on-failure","maximumRetryCount":3},"pidMode":"host","ipcMode":"shareable","utsMode":"host"},
     "mountPoints":[{"name":"v","destination":"/data","readOnly":false,"anonymous":true}],
     "networks":{"bridge":{"networkID":"n1","endpointID":"e1","ipAddress":"172.17.0.2","prefixLength":16,"gateway":"172.17.0.1",
                           "macAddress":"02:42:ac:11:00:02","aliases":["web"]},"a-net":{"networkID":"n2","endpointID":"e2",
                           "ipAddress":"10.0.0.2","prefixLength":24,"gateway":"10.0.0.1","macAddress":"02:42:0a:00:00:02","aliases":[]}},
     "layerDirectories":["/l/1","/l/2"]}
    """#

    @Test func writesJSONEncodersBytes() throws {
        let record = try JSONDecoder().decode(ContainerRecord.self, from: Data(ContainerRecordJSONTests.everything.utf8))
        // Every field set: a field added to the record's types is missing here until it is set,
        // and then missing from the bytes below until ContainerRecordJSON writes it.
        #expect(ContainerRecordJSONTests.unset(in: record).isEmpty, "\(ContainerRecordJSONTests.unset(in: record))")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(record), as: UTF8.self)
        #expect(String(decoding: try StoredJSON.encode(record), as: UTF8.self) == expected)
    }

    @Test func aRecordWithNothingOptionalReadsBackAlike() throws {
        var record = try JSONDecoder().decode(ContainerRecord.self, from: Data(ContainerRecordJSONTests.everything.utf8))
        record.mountPoints = nil
        record.networks = nil
        record.config.cmd = nil
        record.config.healthcheck = nil
        record.hostConfig = try JSONDecoder().decode(ContainerRecord.HostConfig.self, from: Data(#"""
            {"binds":[],"portBindings":[],"publishAllPorts":false,"networkMode":"none","autoRemove":true,"readonlyRootfs":false,
             "tmpfs":{},"initProcess":false,"privileged":false,"capAdd":[],"capDrop":[],"securityOpt":[],"extraHosts":[]}
            """#.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try StoredJSON.encode(record) == Array(try encoder.encode(record)))
    }

    /// The paths of nil optionals and empty collections in `value`, at any depth.
    static func unset(in value: Any, path: String = "") -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first else { return [path] }
            return unset(in: wrapped.value, path: path)
        case .collection, .dictionary, .set:
            if mirror.children.isEmpty && !path.hasSuffix("aliases") { return [path] }
        default: break
        }
        return mirror.children.enumerated().flatMap { index, child in
            unset(in: child.value, path: path + "." + (child.label ?? String(index)))
        }
    }
}
