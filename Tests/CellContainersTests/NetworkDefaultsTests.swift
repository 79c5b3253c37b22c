import CellContainers
import CellCore
import CellNetwork
import Foundation
import Testing

@Suite struct NetworkDefaultsTests {
    func directory(with text: String?) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("netdefaults-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if let text { try text.write(toFile: "\(path)/network.json", atomically: true, encoding: .utf8) }
        return path
    }

    @Test func dockersDefaultsWithoutAFile() throws {
        let path = try directory(with: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let defaults = try NetworkDefaults(reading: path)
        #expect(defaults.bridgeGateway.description == "172.17.0.1/16")
        #expect(defaults.pools.first?.base.description == "172.17.0.0/16" && defaults.pools.last?.base.description == "192.168.0.0/16")
        #expect(defaults.pools.last?.size == 20)
    }

    @Test func daemonJSONsWords() throws {
        let path = try directory(with: #"{"bip": "10.99.0.1/24", "default-address-pools": [{"base": "10.100.0.0/16", "size": 24}]}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let defaults = try NetworkDefaults(reading: path)
        #expect(defaults.bridgeGateway.description == "10.99.0.1/24")
        #expect(defaults.pools == [NetworkDefaults.Pool(base: IPv4Subnet("10.100.0.0/16")!, size: 24)])
    }

    @Test func mistakesAreOneLine() throws {
        for text in [#"{"bip": "10.99.0.1"}"#, #"{"default-address-pools": [{"base": "10.100.0.0/16", "size": 8}]}"#,
                     #"{"default-address-pools": [{"base": "10.100.0.1/16", "size": 24}]}"#, #"{"fixed-cidr": "10.0.0.0/8"}"#, "not json"] {
            let path = try directory(with: text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: CellError.self, "\(text)") { try NetworkDefaults(reading: path) }
        }
    }
}
