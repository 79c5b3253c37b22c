#if canImport(Glibc)
import Glibc
#endif
import Testing
import CellCore
@testable import CellRegistry

@Suite("registry: credential files, registries.json, host names")
struct CredentialFileTests {
    /// A private folder, removed by `body`'s end.
    func inFolder(_ body: (String) throws -> Void) throws {
        let folder = try FileSystem.makeTemporaryDirectory(in: "/tmp", prefix: "cell-credentials-")
        defer { try? FileSystem.removeTree(folder) }
        try body(folder)
    }

    @Test func serverNamesReduceAsDockerReducesThem() {
        #expect(RegistryHost.hostname(ofServer: "https://registry.lan:5000/v2/") == "registry.lan:5000")
        #expect(RegistryHost.hostname(ofServer: "http://registry.lan") == "registry.lan")
        #expect(RegistryHost.hostname(ofServer: "registry.lan:5000") == "registry.lan:5000")
        #expect(RegistryHost.credentialKey(ofDomain: "docker.io") == "https://index.docker.io/v1/")
        #expect(RegistryHost.credentialKey(ofDomain: "ghcr.io") == "ghcr.io")
        #expect(RegistryHost.isLoopback("127.0.0.1:5000") && RegistryHost.isLoopback("[::1]:5000") && RegistryHost.isLoopback("localhost"))
        #expect(!RegistryHost.isLoopback("localhost.example.com") && !RegistryHost.isLoopback("10.0.0.1:5000"))
        #expect(RegistryHost.parts(ofURL: "https://auth.example/token?x=1")! == ("https", "auth.example"))
        #expect(RegistryHost.parts(ofURL: "file:///etc/passwd") == nil)
        #expect(RegistryHost.parts(ofURL: "https://user:pw@auth.example/token") == nil, "no credentials in a realm")
    }

    @Test func authsAreFoundByKeyOrByHost() throws {
        try inFolder { folder in
            let path = "\(folder)/config.json"
            try FileSystem.writeAtomically(Array(#"""
                {"auths": {"https://registry.lan:5000/v1/": {"auth": "YWxpY2U6cDphc3M="},
                           "plain.lan": {"username": "bob", "password": "pw"},
                           "broken.lan": {"auth": "not base64!"}},
                 "credHelpers": {"ecr.lan": "ecr-login"}, "credsStore": "", "psFormat": "x"}
                """#.utf8), to: path)
            let file = try DockerConfigFile(path: path)
            let alice = try #require(file.credentials(for: "registry.lan:5000"))
            #expect(alice.username == "alice" && alice.password == "p:ass", "the password keeps its colons")
            #expect(file.credentials(for: "plain.lan")?.username == "bob")
            #expect(file.credentials(for: "broken.lan") == nil)
            #expect(file.credentials(for: "other.lan") == nil)
            #expect(file.credentialHelper(for: "ecr.lan") == "ecr-login")
            #expect(file.credentialsStore == nil, "an empty credsStore is none")
        }
    }

    @Test func writingKeepsOtherKeysAndIsPrivate() throws {
        try inFolder { folder in
            let path = "\(folder)/docker/config.json"
            var file = try DockerConfigFile(path: path)
            file.setCredentials(RegistryCredentials(username: "u", password: "p"), for: "b.lan")
            file.setCredentials(nil, for: "a.lan")
            try file.write()
            #expect(String(decoding: try FileSystem.readFile(path), as: UTF8.self)
                    == "{\n\t\"auths\": {\n\t\t\"a.lan\": {},\n\t\t\"b.lan\": {\n\t\t\t\"auth\": \"dTpw\"\n\t\t}\n\t}\n}")
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
            #expect(stat("\(folder)/docker", &info) == 0 && info.st_mode & 0o777 == 0o700)

            try FileSystem.writeAtomically(Array(#"{"HttpHeaders": {"X": "1"}, "auths": {"b.lan": {"auth": "dTpw"}}, "z": [1, 2]}"#.utf8), to: path)
            var again = try DockerConfigFile(path: path)
            let removed = again.removeCredentials(for: "b.lan")
            let removedTwice = again.removeCredentials(for: "b.lan")
            #expect(removed && !removedTwice)
            try again.write()
            #expect(String(decoding: try FileSystem.readFile(path), as: UTF8.self)
                    == "{\n\t\"HttpHeaders\": {\n\t\t\"X\": \"1\"\n\t},\n\t\"auths\": {},\n\t\"z\": [\n\t\t1,\n\t\t2\n\t]\n}")
            try FileSystem.writeAtomically(Array("[1]".utf8), to: path)
            #expect(throws: CellError.self) { try DockerConfigFile(path: path) }
        }
    }

    @Test func registriesJSONIsReadStrictly() throws {
        try inFolder { folder in
            let path = "\(folder)/\(RegistryConfiguration.fileName)"
            #expect(try RegistryConfiguration(reading: folder).mirrors.isEmpty, "no file, no settings")
            try FileSystem.writeAtomically(Array(#"{"insecure-registries": ["reg.lan:5000", "plain.lan", "10.1.0.0/16"], "registry-mirrors": ["https://mirror.lan/"]}"#.utf8), to: path)
            let configuration = try RegistryConfiguration(reading: folder)
            #expect(configuration.mirrors == ["https://mirror.lan"])
            #expect(configuration.isInsecure("reg.lan:5000") && !configuration.isInsecure("reg.lan:5001"))
            #expect(configuration.isInsecure("plain.lan:443") && configuration.isInsecure("plain.lan"))
            #expect(configuration.isInsecure("10.1.2.3:5000") && !configuration.isInsecure("10.2.0.1"))
            #expect(configuration.certificateDirectories(for: "reg.lan:5000") == ["\(folder)/certs.d/reg.lan:5000", "/etc/docker/certs.d/reg.lan:5000"])
            for bad in [#"{"insecure-registries": ["https://x"]}"#, #"{"registry-mirrors": ["https://m.lan/path"]}"#,
                        #"{"registry-mirrors": ["m.lan"]}"#, #"{"registry-mirrors": "https://m.lan"}"#, #"{"mirrors": []}"#, "nope"] {
                try FileSystem.writeAtomically(Array(bad.utf8), to: path)
                #expect(throws: CellError.self, "\(bad)") { try RegistryConfiguration(reading: folder) }
            }
        }
    }

    @Test func certsDFoldersAreReadAsDockerReadsThem() throws {
        try inFolder { folder in
            let hostFolder = "\(folder)/certs.d/reg.lan:5000"
            try FileSystem.createDirectory("\(folder)/certs.d")
            try FileSystem.createDirectory(hostFolder)
            try FileSystem.writeAtomically(Array("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----".utf8), to: "\(hostFolder)/ca.crt")
            try FileSystem.writeAtomically(Array("cert".utf8), to: "\(hostFolder)/client.cert")
            try FileSystem.writeAtomically(Array("key".utf8), to: "\(hostFolder)/client.key")
            let configuration = RegistryConfiguration(directory: folder)
            let security = try TransportSecurity.forHost("reg.lan:5000", configuration: configuration)
            #expect(security.verifiesPeer)
            #expect(String(decoding: security.extraAuthorities, as: UTF8.self).hasSuffix("-----END CERTIFICATE-----\n"))
            #expect(security.clientCertificate == "\(hostFolder)/client.cert" && security.clientKey == "\(hostFolder)/client.key")
            #expect(try TransportSecurity.forHost("other.lan", configuration: configuration) == TransportSecurity())
            unlink("\(hostFolder)/client.key")
            #expect(throws: CellError.self) { try TransportSecurity.forHost("reg.lan:5000", configuration: configuration) }
            let insecure = RegistryConfiguration(directory: folder, insecureRegistries: ["other.lan"])
            #expect(try !TransportSecurity.forHost("other.lan", configuration: insecure).verifiesPeer)
        }
    }

    @Test func refusedCertificatesAreSaidInGosWords() {
        #expect(HTTPTransfer.verificationFailure(20, url: "https://a:5000/v2/") == "tls: failed to verify certificate: x509: certificate signed by unknown authority")
        #expect(HTTPTransfer.verificationFailure(10, url: "https://a:5000/v2/") == "tls: failed to verify certificate: x509: certificate has expired or is not yet valid")
        #expect(HTTPTransfer.verificationFailure(0, url: "https://a.lan:5000/v2/") == "tls: failed to verify certificate: x509: certificate is not valid for a.lan")
    }
}
