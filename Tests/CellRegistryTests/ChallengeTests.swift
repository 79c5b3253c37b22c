import Testing
import CellCore
@testable import CellRegistry

@Suite("registry: authentication challenges, base64, platforms")
struct ChallengeTests {
    @Test func bearerChallengesAreReadAsRFC7235WritesThem() throws {
        let challenge = try #require(AuthenticationChallenge(header:
            #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#))
        #expect(challenge.scheme == "bearer")
        #expect(challenge.realm == "https://auth.docker.io/token")
        #expect(challenge.parameters["service"] == "registry.docker.io")
        #expect(challenge.parameters["scope"] == "repository:library/busybox:pull")
        let basic = try #require(AuthenticationChallenge(header: #"Basic realm="basic-realm""#))
        #expect(basic.scheme == "basic" && basic.realm == "basic-realm")
        let escaped = try #require(AuthenticationChallenge(header: #"Bearer realm="a\"b", error=insufficient_scope"#))
        #expect(escaped.realm == "a\"b" && escaped.parameters["error"] == "insufficient_scope")
        #expect(AuthenticationChallenge(header: "") == nil)
    }

    @Test func base64RoundTripsAndRefusesNonsense() {
        #expect(Base64.encode(Array("user:secret".utf8)) == "dXNlcjpzZWNyZXQ=")
        #expect(Base64.encode([]) == "")
        #expect(Base64.encode([0xff, 0xfe]) == "//4=")
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.decode("not base64!") == nil)
        #expect(Base64.decode("A") == nil)
    }

    @Test func platformsAreParsedAsDockerTakesThem() throws {
        #expect(try PlatformSelector(parsing: "linux/amd64") == PlatformSelector(os: "linux", architecture: "amd64"))
        #expect(try PlatformSelector(parsing: "linux/aarch64/v8") == PlatformSelector(os: "linux", architecture: "arm64", variant: "v8"))
        #expect(throws: CellError.self) { try PlatformSelector(parsing: "linux//") }
        #expect(URLQuery.escape("repository:a/b:pull") == "repository%3Aa%2Fb%3Apull")
    }
}
