# Checks what busybox-playbook.yml provisioned, through `docker exec` (cell):
#   python3 -m pytest --hosts=docker://NAME test_busybox.py


def test_the_page(host):
    page = host.file("/srv/www/index.html")
    assert page.is_file
    assert page.content_string == "hello from busybox\n"


def test_the_user(host):
    assert host.file("/etc/passwd").contains("^deploy:x:1001:")


def test_the_service_answers(host):
    assert host.check_output("wget -q -O - http://127.0.0.1:8080/index.html") == "hello from busybox"
