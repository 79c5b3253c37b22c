import Foundation
import Testing

/// The tools issue 18 names, as their users run them against `cell system service` through
/// DOCKER_HOST: testcontainers-python, Ansible's community.docker modules, Serverspec's stock
/// `:docker` backend (the docker-api gem). What each client prints and returns is the assertion.
@Suite struct EngineAPIClientsTests {
    /// testcontainers-python is not packaged by Debian: .ci/install-deps puts it in this virtualenv.
    static let testcontainersPython = "/opt/cell-test-python/bin/python"
    static var hasTestcontainers: Bool {
        ((try? Command.run(testcontainersPython, ["-c", "import testcontainers"]))?.status ?? 1) == 0
    }

    /// A client run under coreutils' `timeout`: one that hangs on the service fails the test.
    static func client(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> CommandResult {
        try Command.run("/usr/bin/timeout", ["300", executable] + arguments, environment: environment)
    }

    /// The body of `http://127.0.0.1:PORT/PATH`, once something answers there (bounded).
    static func fetch(port: Int, _ path: String) -> String? {
        var body: String?
        _ = waitUntil(timeout: 20) {
            let result = try? Command.run("/usr/bin/python3", ["-c", """
                import urllib.request, sys
                sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())
                """, "http://127.0.0.1:\(port)\(path)"])
            body = result?.status == 0 ? result?.stdout : nil
            return body != nil
        }
        return body
    }

    /// An image context: busybox's httpd serving a file the build wrote.
    static func webContext(in root: CellRoot, from base: String, greeting: String) throws -> String {
        let context = root.file("web-context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try """
            FROM \(base)
            RUN echo "\(greeting)" > /index.html
            EXPOSE 8080
            CMD ["httpd", "-f", "-p", "8080", "-h", "/"]

            """.write(toFile: "\(context)/Dockerfile", atomically: true, encoding: .utf8)
        return context
    }

    /// testcontainers' own API, as a test suite of a Python project uses it: a container from a
    /// local image whose log line `wait_for_logs` waits for, and whose published port the client
    /// maps; then an image it builds itself (`DockerImage`), run with a bind mount and an exec;
    /// both removed by the context managers.
    @Test(.enabled(if: EngineAPIClientsTests.hasTestcontainers,
                   "needs testcontainers in /opt/cell-test-python: run .ci/install-deps"))
    func testcontainersWaitsForALogLineAndReachesThePublishedPort() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let context = try Self.webContext(in: root, from: "busybox", greeting: "built by testcontainers")
        let result = try EngineAPIClientsTests.client(EngineAPIClientsTests.testcontainersPython, ["-W", "ignore", "-c", """
            import json, sys, time, urllib.request
            from testcontainers.core.container import DockerContainer
            from testcontainers.core.image import DockerImage
            from testcontainers.core.waiting_utils import wait_for_logs

            def fetch(container, port):
                url = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(port)}/index.html"
                deadline = time.time() + 20
                while True:
                    try:
                        return urllib.request.urlopen(url, timeout=5).read().decode()
                    except OSError:
                        if time.time() > deadline:
                            raise
                        time.sleep(0.05)

            out = {}
            command = 'echo "$GREETING" > /tmp/index.html; echo listening; exec httpd -f -p 8080 -h /tmp'
            with DockerContainer("busybox").with_exposed_ports(8080).with_env("GREETING", "hello from busybox") \\
                    .with_command(["sh", "-c", command]) as container:
                wait_for_logs(container, "listening", timeout=30)
                out["reply"] = fetch(container, 8080)
                out["logs"] = container.get_logs()[0].decode()
            with DockerImage(path=sys.argv[1], tag="tc-web:1") as image:
                out["image"] = str(image)
                with DockerContainer(str(image)).with_exposed_ports(8080).with_volume_mapping(sys.argv[1], "/context", "ro") as container:
                    code, output = container.exec(["head", "-n", "1", "/context/Dockerfile"])
                    out["exec"] = [code, output.decode()]
                    out["built"] = fetch(container, 8080)
            print(json.dumps(out))
            """, context], environment: ["DOCKER_HOST": service.dockerHost, "TESTCONTAINERS_RYUK_DISABLED": "true"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(out["reply"] as? String == "hello from busybox\n")
        #expect(out["logs"] as? String == "listening\n")
        #expect(out["image"] as? String == "tc-web:1")
        #expect(out["exec"] as? [AnyHashable] == [0, "FROM busybox\n"])
        #expect(out["built"] as? String == "built by testcontainers\n")
        // The context managers removed what they made, through the API: the CLI sees it gone.
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        #expect(try root.cell("images", "--format", "{{.Repository}}").stdout == "busybox\n")
        try expectNothingLeft(root)
    }

    /// A play with `docker_image` (pulled from a loopback registry, then built from a path on top
    /// of it) and `docker_container` (published port, environment, labels, restart policy): the
    /// first run changes, the second changes nothing (the modules compare inspect's fields with
    /// the play), and `state: absent` removes the container and the images.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ansible-playbook") && EngineService.hasDockerPy,
                   "needs Debian's ansible and python3-docker"))
    func ansiblePullsBuildsRunsIdempotentlyAndRemoves() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let registry = try LocalRegistry()
        try registry.push("busybox:latest", from: root, as: "tools/busybox:1")
        try root.cell("rmi", "busybox:latest").expectSuccess()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let base = "\(registry.address)/tools/busybox:1"
        let context = try Self.webContext(in: root, from: base, greeting: "built by ansible")
        let port = try LocalRegistry.freePort()
        let playbook = root.file("web.yml")
        try """
            - hosts: localhost
              connection: local
              gather_facts: false
              vars:
                present: "{{ state == 'present' }}"
              module_defaults:
                group/community.docker.docker:
                  docker_host: "\(service.dockerHost)"
              tasks:
                - name: the base image, from the registry
                  community.docker.docker_image:
                    name: "\(base)"
                    source: pull
                  when: present
                - name: the web image, built from a path
                  community.docker.docker_image:
                    name: ansible-web
                    tag: "1"
                    source: build
                    build:
                      path: "\(context)"
                  when: present
                - name: the web container
                  community.docker.docker_container:
                    name: web
                    image: ansible-web:1
                    env:
                      GREETING: hello
                    labels:
                      role: web
                    restart_policy: unless-stopped
                    published_ports: ["127.0.0.1:\(port):8080"]
                    state: "{{ 'started' if present else 'absent' }}"
                - name: the web image is gone
                  community.docker.docker_image:
                    name: ansible-web
                    tag: "1"
                    state: absent
                  when: not present
                - name: the base image is gone
                  community.docker.docker_image:
                    name: "\(base)"
                    state: absent
                  when: not present

            """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let environment = [
            "PYTHONDONTWRITEBYTECODE": "1", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": root.file("ansible-local"), "ANSIBLE_REMOTE_TEMP": root.file("ansible-remote"),
            "HOME": root.scratch,
        ]
        func play(_ state: String) throws -> CommandResult {
            // Debian's python3, whose python3-docker the modules import.
            try EngineAPIClientsTests.client("/usr/bin/ansible-playbook",
                                             ["-i", "localhost,", "-e", "ansible_python_interpreter=/usr/bin/python3",
                                              "-e", "state=\(state)", playbook], environment: environment)
        }
        func recap(_ result: CommandResult) -> String {
            result.stdout.split(separator: "\n").first { $0.hasPrefix("localhost ") }.map(String.init) ?? result.stdout
        }

        let first = try play("present")
        #expect(first.status == 0 && recap(first).contains("ok=3    changed=3    unreachable=0    failed=0"), "\(first.stdout)\(first.stderr)")
        #expect(EngineAPIClientsTests.fetch(port: port, "/index.html") == "built by ansible\n")
        #expect(try root.cell("inspect", "-f", "{{.Config.Labels.role}} {{.HostConfig.RestartPolicy.Name}}", "web").stdout
                == "web unless-stopped\n")
        #expect(try root.cell("exec", "web", "sh", "-c", "echo $GREETING").stdout == "hello\n")
        let again = try play("present")
        #expect(again.status == 0 && recap(again).contains("ok=3    changed=0    unreachable=0    failed=0"),
                "a second run changes nothing: \(again.stdout)\(again.stderr)")

        let absent = try play("absent")
        #expect(absent.status == 0 && recap(absent).contains("ok=3    changed=3    unreachable=0    failed=0"), "\(absent.stdout)\(absent.stderr)")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        #expect(try root.cell("images", "-q").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    /// Serverspec with specinfra's own `:docker` backend, which speaks the API through the
    /// docker-api gem: once from an image (the backend creates and starts a container, runs each
    /// check as an exec, and stops and deletes it when rspec exits), once against a running
    /// container by name.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/rspec")
                       && FileManager.default.fileExists(atPath: "/usr/lib/ruby/vendor_ruby/docker.rb"),
                   "needs Debian's ruby-serverspec and ruby-docker-api"))
    func serverspecsDockerBackendChecksAContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let spec = root.file("busybox_spec.rb")
        try """
            require 'serverspec'
            set :backend, :docker
            if ENV['TARGET_IMAGE']
              set :docker_image, ENV['TARGET_IMAGE']
              # sh as pid 1 ignores the stop's SIGTERM: an init passes it on.
              set :docker_container_create_options, { 'HostConfig' => { 'Init' => true } }
            else
              set :docker_container, ENV.fetch('TARGET_CONTAINER')
            end
            # busybox is no distribution specinfra detects.
            set :os, family: 'linux'

            describe file('/etc/passwd') do
              it { should be_file }
              it { should be_owned_by 'root' }
              its(:content) { should match(/^root:x:0:0:/) }
            end
            describe command('echo out; echo err >&2; exit 3') do
              its(:stdout) { should eq "out\\n" }
              its(:stderr) { should eq "err\\n" }
              its(:exit_status) { should eq 3 }
            end
            describe user('root') do
              it { should exist }
              it { should have_uid 0 }
              it { should belong_to_group 'root' }
            end

            """.write(toFile: spec, atomically: true, encoding: .utf8)
        // docker-api reads DOCKER_HOST as the docker CLI does.
        func rspec(_ target: [String: String]) throws -> CommandResult {
            try EngineAPIClientsTests.client("/usr/bin/rspec", [spec],
                                             environment: target.merging(["DOCKER_HOST": service.dockerHost, "HOME": root.scratch]) { $1 })
        }

        let fromImage = try rspec(["TARGET_IMAGE": "busybox"])
        #expect(fromImage.status == 0 && fromImage.stdout.contains("9 examples, 0 failures"), "\(fromImage.stdout)\(fromImage.stderr)")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty, "the backend's container is gone when rspec exits")

        try root.cell("run", "-d", "--name", "checked", "busybox", "sleep", "100000").expectSuccess()
        let running = try rspec(["TARGET_CONTAINER": "checked"])
        #expect(running.status == 0 && running.stdout.contains("9 examples, 0 failures"), "\(running.stdout)\(running.stderr)")
        let missing = try rspec(["TARGET_CONTAINER": "nosuch"])
        #expect(missing.status != 0 && (missing.stdout + missing.stderr).contains("No such container: nosuch"), "\(missing.stdout)\(missing.stderr)")
        try root.cell("rm", "-f", "checked").expectSuccess()
        try expectNothingLeft(root)
    }
}
