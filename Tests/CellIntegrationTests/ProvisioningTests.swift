import Foundation
import Testing

/// The provisioning tools people already have (Ansible, Testinfra, Serverspec, dgoss), run for
/// real against cell under the names `docker` and `podman`. Their files are the examples in
/// examples/provisioning, which users read too.
@Suite("provisioning testbed: Ansible, Testinfra, Serverspec, dgoss through cell")
struct ProvisioningTests {
    /// A private CELL_ROOT with `docker` (cell's own alias) and `podman` naming cell first on PATH.
    final class Testbed {
        let root: CellRoot
        let bin: String
        let environment: [String: String]

        init() throws {
            root = try CellRoot()
            bin = root.file("bin")
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            try root.cell("system", "install-docker-alias", bin).expectSuccess()
            try FileManager.default.createSymbolicLink(atPath: "\(bin)/podman", withDestinationPath: Paths.cell)
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            environment = [
                "CELL_ROOT": root.path, "PATH": "\(bin):/usr/sbin:/usr/bin:/sbin:/bin:\(path)",
                // Nothing written next to the examples or in the user's home.
                "PYTHONDONTWRITEBYTECODE": "1", "ANSIBLE_LOCAL_TEMP": root.file("ansible-tmp"),
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "0",
            ]
        }

        /// A tool from Debian's packages (installed by .ci/install-deps), with cell as docker.
        func tool(_ executable: String, _ arguments: [String], extra: [String: String] = [:]) throws -> CommandResult {
            try Command.run(executable, arguments, environment: environment.merging(extra) { $1 })
        }

        func docker(_ arguments: String...) throws -> CommandResult {
            try tool("\(bin)/docker", arguments)
        }

        /// Debian's python3 (not one earlier on PATH), with its pytest and testinfra.
        func testinfra(host: String, _ file: String) throws -> CommandResult {
            try tool("/usr/bin/python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--hosts=\(host)", file])
        }
    }

    static let examples = "\(Paths.packageRoot)/examples/provisioning"

    @Test func ansibleProvisionsABusyboxHostAndTestinfraChecksIt() throws {
        let bed = try Testbed()
        try bed.root.importBusybox()
        try bed.docker("run", "-d", "--init", "--name", "bbhost", "busybox", "sleep", "100000").expectSuccess()
        defer { _ = try? bed.docker("rm", "-f", "bbhost") }

        // No python in busybox: `raw` tasks, each one `docker exec -i bbhost /bin/sh -c ...`.
        let play = try bed.tool("/usr/bin/ansible-playbook", ["-i", "bbhost,", "-c", "community.docker.docker",
                                                              "\(ProvisioningTests.examples)/busybox-playbook.yml"])
        #expect(play.status == 0, "\(play.stdout)\(play.stderr)")
        #expect(play.stdout.contains("bbhost                     : ok=5    changed=3    unreachable=0    failed=0"), "\(play.stdout)")

        let check = try bed.testinfra(host: "docker://bbhost", "\(ProvisioningTests.examples)/test_busybox.py")
        #expect(check.status == 0 && check.stdout.contains("3 passed"), "\(check.stdout)\(check.stderr)")
        // A container that does not exist is reported as Docker's would be.
        let missing = try bed.testinfra(host: "docker://nosuchhost", "\(ProvisioningTests.examples)/test_busybox.py")
        #expect(missing.status != 0 && missing.stdout.contains("No such container: nosuchhost"), "\(missing.stdout)")
        let unreachable = try bed.tool("/usr/bin/ansible-playbook", ["-i", "nosuchhost,", "-c", "community.docker.docker",
                                                                     "\(ProvisioningTests.examples)/busybox-playbook.yml"])
        #expect(unreachable.status != 0 && unreachable.stdout.contains("No such container: nosuchhost"), "\(unreachable.stdout)")

        try bed.docker("rm", "-f", "bbhost").expectSuccess()
        try expectNothingLeft(bed.root)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: ImagefileExampleTests.debianFixture),
                   "the Debian fixture is not built on this machine: run rootfs-fixtures/debian.sh (debootstrap, minutes, once)"))
    func ansibleTestinfraAndServerspecOnTheDebianTestbed() throws {
        let bed = try Testbed()
        try bed.root.cell(["import", "-c", "CMD [\"bash\"]", ImagefileExampleTests.debianFixture, "cell-fixtures/debian:bookworm"])
            .expectSuccess()
        try bed.docker("build", "-q", "-t", "testbed", "\(ImagefileExampleTests.examples)/testbed").expectSuccess()
        try bed.docker("run", "-d", "--init", "--name", "web1", "testbed").expectSuccess()
        defer { _ = try? bed.docker("rm", "-f", "web1") }

        // Ansible's regular modules (copy, file, user, lineinfile, service, uri), becoming root
        // with sudo from the image's user, through the docker connection...
        let playbook = "\(ProvisioningTests.examples)/playbook.yml"
        let play = try bed.tool("/usr/bin/ansible-playbook", ["-i", "web1,", "-c", "community.docker.docker", playbook])
        #expect(play.status == 0, "\(play.stdout)\(play.stderr)")
        #expect(play.stdout.contains("web1                       : ok=9    changed=6    unreachable=0    failed=0"), "\(play.stdout)")
        let again = try bed.tool("/usr/bin/ansible-playbook", ["-i", "web1,", "-c", "community.docker.docker", playbook])
        #expect(again.stdout.contains("web1                       : ok=9    changed=0    unreachable=0    failed=0"),
                "a second run changes nothing: \(again.stdout)")

        // ...checked by Testinfra and by Serverspec, each through `docker exec`.
        let testinfra = try bed.testinfra(host: "docker://web1", "\(ProvisioningTests.examples)/test_testbed.py")
        #expect(testinfra.status == 0 && testinfra.stdout.contains("5 passed"), "\(testinfra.stdout)\(testinfra.stderr)")
        let serverspec = try bed.tool("/usr/bin/rspec", ["\(ProvisioningTests.examples)/spec/testbed_spec.rb"],
                                      extra: ["TARGET_CONTAINER": "web1"])
        #expect(serverspec.status == 0 && serverspec.stdout.contains("13 examples, 0 failures"), "\(serverspec.stdout)\(serverspec.stderr)")

        // The same host through the podman names: Ansible's podman connection with cell as its
        // executable, and Testinfra's podman:// backend.
        try bed.docker("run", "-d", "--init", "--name", "web2", "testbed").expectSuccess()
        defer { _ = try? bed.docker("rm", "-f", "web2") }
        let podmanPlay = try bed.tool("/usr/bin/ansible-playbook", ["-i", "web2,", "-c", "containers.podman.podman",
                                                                    "-e", "ansible_podman_executable=\(Paths.cell)", playbook])
        #expect(podmanPlay.status == 0 && podmanPlay.stdout.contains("changed=6"), "\(podmanPlay.stdout)\(podmanPlay.stderr)")
        let podmanCheck = try bed.testinfra(host: "podman://web2", "\(ProvisioningTests.examples)/test_testbed.py")
        #expect(podmanCheck.status == 0 && podmanCheck.stdout.contains("5 passed"), "\(podmanCheck.stdout)\(podmanCheck.stderr)")

        try bed.docker("rm", "-f", "web1", "web2").expectSuccess()
        try expectNothingLeft(bed.root)
    }

    @Test func dgossCommandsWorkAsItUsesThem() throws {
        // goss itself is not packaged by Debian: a stand-in `goss` checks the container from
        // inside, and the docker commands are dgoss's own, in its order and with its flags.
        let bed = try Testbed()
        try bed.root.importBusybox()
        let goss = bed.root.file("goss")
        try FileManager.default.createDirectory(atPath: goss, withIntermediateDirectories: true)
        try "file:\n  /etc/passwd:\n    exists: true\n".write(toFile: "\(goss)/goss.yaml", atomically: true, encoding: .utf8)
        try bed.root.writeExecutable("#!/bin/sh\n[ \"$1 $2 $3\" = '-g /goss/goss.yaml validate' ] && test -e /etc/passwd && echo 'Count: 1, Failed: 0'\n",
                                     to: "\(goss)/goss")

        // GOSS_FILES_STRATEGY=mount: run -d -v, logs -f in the background.
        let mounted = try bed.docker("run", "-d", "-v", "\(goss):/goss:z", "busybox", "sh", "-c", "echo started; sleep 100000")
        try mounted.expectSuccess()
        let id = mounted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let follower = try ChildProcess("\(bed.bin)/docker", ["logs", "-f", id], environment: bed.environment, captureOutput: true)
        #expect(try bed.docker("inspect", "-f", "{{.State.Running}}", id).stdout == "true\n")
        let validate = try bed.docker("exec", id, "sh", "-c", "/goss/goss -g /goss/goss.yaml validate")
        #expect(validate.status == 0 && validate.stdout == "Count: 1, Failed: 0\n", "\(validate.stderr)")
        #expect(try bed.docker("stop", "--time", "1", id).stdout == "\(id)\n")
        #expect(try bed.docker("rm", "-vf", id).stdout == "\(id)\n")
        let followed = follower.finish()
        #expect(followed.status == 0 && followed.stdout == "started\n", "logs -f ends with the container: \(followed.stderr)")

        // GOSS_FILES_STRATEGY=cp: create, cp DIR/. ID:/goss, start.
        let created = try bed.docker("create", "busybox", "sleep", "100000")
        try created.expectSuccess()
        let copied = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try bed.docker("cp", "\(goss)/.", "\(copied):/goss").expectSuccess()
        try bed.docker("start", copied).expectSuccess()
        #expect(try bed.docker("exec", copied, "sh", "-c", "/goss/goss -g /goss/goss.yaml validate").status == 0)
        // get_docker_file: test -e, then cp out.
        #expect(try bed.docker("exec", copied, "sh", "-c", "test -e /goss/goss.yaml").status == 0)
        let back = bed.root.file("back")
        try bed.docker("cp", "\(copied):/goss/goss.yaml", back).expectSuccess()
        #expect(FileManager.default.contents(atPath: back) == FileManager.default.contents(atPath: "\(goss)/goss.yaml"))
        try bed.docker("rm", "-vf", copied).expectSuccess()

        // Unknown containers: Docker's messages and exit codes, which the tools print.
        let exec = try bed.docker("exec", "nosuch", "true")
        #expect(exec.status == 1 && exec.stderr == "Error response from daemon: No such container: nosuch\n")
        let inspect = try bed.docker("inspect", "-f", "{{.State.Running}}", "nosuch")
        #expect(inspect.status == 1 && inspect.stderr.contains("No such object: nosuch"), "\(inspect.stderr)")
        let cp = try bed.docker("cp", "nosuch:/etc/passwd", back)
        #expect(cp.status == 1 && cp.stderr.contains("No such container: nosuch"), "\(cp.stderr)")
        try expectNothingLeft(bed.root)
    }
}
