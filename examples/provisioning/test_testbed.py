# Checks what playbook.yml provisioned, through `docker exec` (or `podman exec`), which is cell:
#   python3 -m pytest --hosts=docker://NAME test_testbed.py


def test_the_page_belongs_to_www_data(host):
    page = host.file("/srv/www/index.html")
    assert page.is_file
    assert page.user == "www-data"
    assert page.mode == 0o644
    assert page.content_string == "hello from the testbed\n"


def test_the_deploy_user(host):
    deploy = host.user("deploy")
    assert deploy.exists
    assert deploy.shell == "/bin/bash"
    assert "www-data" in deploy.groups


def test_the_setting(host):
    assert host.file("/etc/default/greeter").contains("^GREETING=hello$")


def test_the_service_runs_and_listens(host):
    assert host.run("service greeter status").rc == 0
    assert host.process.get(user="www-data", comm="python3") is not None
    assert host.socket("tcp://0.0.0.0:8080").is_listening


def test_python_is_installed(host):
    assert host.package("python3").is_installed
