# Serverspec against a running container, through the docker CLI (cell):
#   TARGET_CONTAINER=NAME rspec spec/testbed_spec.rb
# specinfra's own :docker backend drives a Docker daemon's HTTP API (the docker-api gem), which
# `cell system service` serves (DOCKER_HOST=unix://...); this backend needs no service: it runs
# every check with `docker exec NAME /bin/sh -c ...` and sends files with `docker cp`, as
# Testinfra's and Ansible's docker connections do.
require 'serverspec'
require 'shellwords'

module Specinfra
  module Backend
    class DockerCli < Exec
      def build_command(cmd)
        ['docker', 'exec', *user_option, container, '/bin/sh', '-c', cmd.is_a?(Array) ? cmd.shelljoin : cmd.to_s].shelljoin
      end

      def send_file(from, to)
        system('docker', 'cp', from, "#{container}:#{to}", exception: true)
      end
      alias send_directory send_file

      private

      def container
        get_config(:docker_container) || ENV.fetch('TARGET_CONTAINER')
      end

      def user_option
        user = get_config(:docker_user)
        user ? ['-u', user] : []
      end
    end
  end
end

set :backend, :docker_cli
set :docker_container, ENV.fetch('TARGET_CONTAINER')
