# What playbook.yml provisioned, checked by Serverspec through `docker exec` (cell).
require_relative 'spec_helper'

describe file('/srv/www/index.html') do
  it { should be_file }
  it { should be_owned_by 'www-data' }
  it { should be_mode 644 }
  its(:content) { should eq "hello from the testbed\n" }
end

describe user('deploy') do
  it { should exist }
  it { should belong_to_group 'www-data' }
  it { should have_login_shell '/bin/bash' }
end

describe file('/etc/default/greeter') do
  its(:content) { should match(/^GREETING=hello$/) }
end

describe command('service greeter status') do
  its(:exit_status) { should eq 0 }
end

describe process('python3') do
  it { should be_running }
  its(:user) { should eq 'www-data' }
end

describe port(8080) do
  it { should be_listening.with('tcp') }
end

describe package('python3') do
  it { should be_installed }
end
