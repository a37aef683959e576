"""Properties over the credential classes of the secret filter's tool and file-format rules, in
forms written from the tools' manuals and the files' documented layouts (not from the evaluation
corpus, whose lines stay unread here).  Values come from hypothesis-drawn seeds.

* idempotence: redacting the output again changes nothing;
* no secret grows back: no secret value is left in the output, whichever entry point redacts
  it (``redact``, ``redact_lines``, ``redact_stream`` in small pieces, ``redact_block``) and
  whatever text surrounds the line;
* lines without a secret (encrypted values, templates, prompts, public keys, identifiers, globs)
  are reported clean and left as they are.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.independent.values import fill
from tests.redact.checks import no_secret_grows_back

from perth.redact import SecretFilter

CLI, SET, CONFIG, CONN, FILE, HEADER, NAMED, PROVIDER, WEBHOOK = (
    "cli-password-flag", "set-secret-command", "config-definition", "connection-string", "credential-file",
    "http-header", "named-secret", "provider-token", "chat-webhook")
POSITIVE = (
    ("form:skopeo-dest-creds", CLI, "skopeo copy docker://a/b:1 docker://{host}/b:1 --dest-creds={user}:{pw}"),
    ("form:podman-creds", CLI, "podman pull --creds {user}:{pw} {host}/team/api:2"),
    ("form:etcdctl-user-eq", CLI, "ETCDCTL_API=3 etcdctl --user={user}:{pw} member list"),
    ("form:crane-auth", CLI, "crane auth login {host} --username {user} --password {pw}"),
    ("form:regctl", CLI, "regctl registry login {host} -u {user} -p {pw}"),
    ("form:mosquitto-passwd-c", CLI, "sudo mosquitto_passwd -c -b /etc/mosquitto/pwfile {user} {pw}"),
    ("form:htpasswd-nb", CLI, "htpasswd -nb {user} {pw} >> .htpasswd"),
    ("form:openssl-passwd-1", CLI, "openssl passwd -1 -salt xyz {pw}"),
    ("form:snmpget", CLI, "snmpget -v 3 -u {user} -l authPriv -a SHA-256 -A {pw} -x AES -X {pw} {host} sysName.0"),
    ("form:snmptable", CLI, "snmpbulkwalk -v3 -l authNoPriv -u {user} -a MD5 -A '{pwq}' {host} ifTable"),
    ("form:chpasswd-printf", CLI, "printf '{user}:{pw}' | chpasswd"),
    ("form:schtasks-p", CLI, "schtasks /run /s {host} /u ACME\\{user} /p {pw} /tn backup"),
    ("form:securestring-dq", CLI, '$secure = ConvertTo-SecureString -String "{pwj}" -AsPlainText -Force'),
    ("form:nuget-update", CLI, "dotnet nuget update source acme --username {user} --password {pw}"),
    ("form:poetry-token", CLI, "poetry config pypi-token.pypi pypi-{key:u:60}"),
    ("form:cf-auth-quoted", CLI, "cf auth {user} '{pwq}'"),
    ("form:swift-key", CLI, "swift --os-auth-url https://{host}/v3 -U {user} --key {pw} upload c f"),
    ("form:neo4j", CLI, "bin/neo4j-admin dbms set-initial-password '{pwq}'"),
    ("form:keychain-internet", SET, "security add-internet-password -a {user} -s {host} -w {pw}"),
    ("form:ngrok", NAMED, "ngrok authtoken {key:n:48}"),
    ("form:wandb", NAMED, "wandb login {key:x:40}"),
    ("form:vault-login", NAMED, "vault login {key:n:26}"),
    ("form:codecov-sh", NAMED, "bash <(curl -s https://codecov.io/bash) -t {suuid}"),
    ("form:doppler-set", SET, "doppler secrets set DB_PASSWORD '{pwq}' --project api"),
    ("form:netlify-set", SET, "netlify env:set STRIPE_SECRET_KEY {key:n:40}"),
    ("form:glab-update", SET, "glab variable update API_TOKEN --value {key:n:32}"),
    ("form:echo-fly", SET, "echo {pw} | fly secrets import -a api"),
    ("form:printf-secret-tool", SET, "printf '{pwq}' | secret-tool store --label=db service db user {user}"),
    ("form:herestring-docker", SET, "podman login -u {user} --password-stdin {host} <<< '{pwq}'"),
    ("form:npm-config", SET, "npm config set //npm.acme.test/:_authToken {key:n:36}"),
    ("form:consul-put", SET, "consul kv put -cas -modify-index=12 service/api/token {key:n:32}"),
    ("form:mysql-set-pw", SET, "mysql -e \"SET PASSWORD FOR '{user}'@'localhost' = '{pwq}'\""),
    ("form:mssql-login", SET, "sqlcmd -Q \"CREATE LOGIN {user} WITH PASSWORD = '{pwq}'\""),
    ("form:mongo-change", SET, "mongosh --eval 'db.changeUserPassword(\"{user}\", \"{pw}\")'"),
    ("form:mysqladmin", SET, "mysqladmin -u root password {pw}"),
    ("form:imaplib", CONFIG, "mail.login('{email}', '{pwq}')"),
    ("form:httpx-auth", CONFIG, "httpx.get(url, auth=('{user}', '{pwq}'))"),
    ("form:es-basic-auth", CONFIG, "es = Elasticsearch('https://{host}:9200', basic_auth=('elastic', '{pwq}'))"),
    ("form:go-basic", CONFIG, "req.SetBasicAuth(\"{user}\", \"{pwj}\")"),
    ("form:java-creds", CONFIG, "new UsernamePasswordCredentials(\"{user}\", \"{pwj}\")"),
    ("form:php-ftp", CONFIG, "ftp_login($ftp, '{user}', '{pwq}');"),
    ("form:php-ldap", CONFIG, "ldap_bind($ds, 'cn=admin,dc=acme,dc=test', '{pwq}');"),
    ("form:go-plainauth", CONFIG, "auth := smtp.PlainAuth(\"\", \"{email}\", \"{pwj}\", \"{host}\")"),
    ("form:ruby-smtp-start", CONFIG, "smtp.start('acme.test', '{user}', '{pwq}', :login)"),
    ("form:ecs-env", CONFIG, '{{"name": "API_SECRET", "value": "{key:n:32}"}},'),
    ("form:k8s-flow-token", CONFIG, "  env: [{{name: SLACK_TOKEN, value: {key:n:32}}}]"),
    ("form:tf-default", CONFIG, 'variable "api_token" {{ default = "{key:n:32}" }}'),
    ("form:tf-aligned", CONFIG, '  administrator_login_password     = "{pwj}"'),
    ("form:java-prop", CONFIG, 'System.setProperty("mail.smtp.password", "{pwj}");'),
    ("form:dotnet-env", CONFIG, 'Environment.SetEnvironmentVariable("API_TOKEN", "{key:n:32}");'),
    ("form:ruby-or-assign", CONFIG, "ENV['SMTP_PASSWORD'] ||= '{pwq}'"),
    ("form:go-setenv", CONFIG, 'os.Setenv("GITHUB_TOKEN", "{key:n:36}")'),
    ("form:sudo-stdin", CLI, "echo '{pwq}' | sudo -S -u {user} ls /root"),
    ("form:passwd-stdin", CLI, "echo {pw} | sudo passwd --stdin {user}"),
    ("form:smbpasswd-s", CLI, "printf '{pwq}\\n{pwq}\\n' | smbpasswd -a -s {user}"),
    ("form:reg-autologon", CONFIG, 'reg add "HKLM\\SOFTWARE\\Acme\\Agent" /v ApiToken /t REG_SZ /d {key:n:32} /f'),
    ("form:java-setpassword", CONFIG, 'hikari.setPassword("{pwj}");'),
    ("form:rust-builder", CONFIG, 'let client = Client::builder().api_key("{key:u:40}").build()?;'),
    ("form:ftplib", CONFIG, "ftp = ftplib.FTP_TLS('{host}', '{user}', '{pwq}')"),
    ("form:oracle-ezconnect", CONN, "DB_DSN={user}/{pwp}@//{host}:1521/ORCLPDB1"),
    ("form:js-setitem", CONFIG, "localStorage.setItem('auth_token', '{key:u:40}');"),
    ("form:go-dsn-unix", CONN, 'db, _ := sql.Open("mysql", "{user}:{pwp}@unix(/var/run/mysqld/mysqld.sock)/{db}")'),
    ("form:jdbc-oracle-oci", CONN, "url=jdbc:oracle:oci:{user}/{pwp}@{host}:1521/ORCL"),
    ("form:odbc-braces", CONN, "Driver={{PostgreSQL Unicode}};Server={host};Uid={user};Pwd={{{pwp};x}};"),
    ("form:pgbouncer-md5", FILE, '"{user}" "md5{key:x:32}"'),
    ("form:postfix-relay", FILE, "[email-smtp.eu-west-1.amazonaws.com]:587 {user}:{pwp}"),
    ("form:davfs2", FILE, "https://{host}/remote.php/dav/files/{user}/ {user} {pwp}"),
    ("form:chrony-keys", FILE, "25 SHA256 HEX:{key:X:64}"),
    ("form:haproxy-stats", FILE, "  stats auth {user}:{pwp}"),
    ("form:ipsec-psk", FILE, '{host} %any : PSK "{pwp}"'),
    ("form:dovecot-plain", FILE, "{user}:{{PLAIN}}{pwp}:1001:1001::/home/{user}::"),
    ("form:fetchmail-pass", FILE, "poll imap.acme.test with proto IMAP user '{user}' there with password '{pwq}' is {user} here"),
    ("form:sssd-authtok", FILE, "ldap_default_authtok = {pwp}"),
    ("form:splunk-header", HEADER, 'curl -k https://{host}:8088/services/collector -H "Authorization: Splunk {suuid}"'),
    ("form:cookie-header", HEADER, "curl -H 'Cookie: lang=en; sessionid={key:a0:32}' https://{host}/admin/"),
    ("form:curl-cookie", HEADER, "curl --cookie \"PHPSESSID={key:a0:26}\" https://{host}/"),
    ("form:sonar-token", NAMED, "sonar-scanner -Dsonar.projectKey=api -Dsonar.login={key:x:40}"),
    ("form:pd-routing", NAMED, "PAGERDUTY_ROUTING_KEY={key:x:32}"),
    ("form:gcp-key-id", NAMED, '"private_key_id": "{key:x:40}",'),
    ("form:master-key", NAMED, "printf {key:x:32} > config/master.key"),
    ("form:crates", PROVIDER, "export CARGO_REGISTRIES_CRATES_IO_TOKEN=cio{key:n:32}"),
    ("form:sourcegraph", PROVIDER, "src login https://sourcegraph.acme.test --token sgp_local_{key:x:40}"),
    ("form:circleci-project", PROVIDER, "CIRCLE_TOKEN: CCIPRJ_{key:n:22}_{key:x:40}"),
    ("form:maxmind", PROVIDER, "LicenseKey {key:n:6}_{key:n:29}_mmk"),
    ("form:launchdarkly", PROVIDER, "ld_client = LDClient('sdk-{suuid}')"),
    ("form:plink", CLI, "plink -batch -pw {pw} {user}@{host} uptime"),
    ("form:winrs", CLI, "winrs -r:{host} -u:{user} -p:{pw} hostname"),
    ("form:7z-quoted", CLI, "7z a -p'{pwq}' -mhe=on backup.7z docs/"),
    ("form:ssh-keygen", CLI, "ssh-keygen -t rsa -b 4096 -N '{pwq}' -f ~/.ssh/id_backup"),
    ("form:pdftk", CLI, "pdftk report.pdf output locked.pdf owner_pw {pw} allow printing"),
    ("form:mysqlsh", CLI, "mysqlsh {user}:{pw}@{host}:3306 --js"),
    ("form:impacket", CLI, "impacket-wmiexec acme/{user}:{pw}@{host}"),
    ("form:tsql", CLI, "tsql -S {host} -U {user} -P {pw}"),
    ("form:racadm", CLI, "racadm -r {host} -u root -p {pw} getsysinfo"),
    ("form:az-account-key", CLI, "az storage container list --account-name acme --account-key {key:b:86}=="),
    ("form:x11vnc", CLI, "x11vnc -storepasswd {pw} ~/.vnc/passwd"),
    ("form:flock", WEBHOOK, "curl -X POST https://api.flock.com/hooks/sendMessage/{suuid} -d @msg.json"),
)
NEGATIVE = (
    ("form:neg:sops-yaml", "prompt-or-indirection",
     "api_token: ENC[AES256_GCM,data:{rand:b:40},iv:{rand:b:43}=,tag:{rand:b:22}==,type:str]"),
    ("form:neg:eyaml", "prompt-or-indirection", "db_password: ENC[PKCS7,{rand:b:80}]"),
    ("form:neg:jasypt", "prompt-or-indirection", "spring.datasource.password=ENC({rand:b:44})"),
    ("form:neg:vault-transit", "prompt-or-indirection", "secret: vault:v1:{rand:b:60}"),
    ("form:neg:erb", "prompt-or-indirection", "  password: <%= ENV['DB_PASSWORD'] %>"),
    ("form:neg:php-short-echo", "prompt-or-indirection", "  'password' => '<?= $db_password ?>',"),
    ("form:neg:read-host", "prompt-or-indirection", '$token = Read-Host -Prompt "API token"'),
    ("form:neg:get-credential", "prompt-or-indirection", "$cred = Get-Credential -UserName {user}"),
    ("form:neg:json-null", "placeholder", '    "api_key": null,'),
    ("form:neg:js-env", "prompt-or-indirection", "    secret: process.env.JWT_SECRET,"),
    ("form:neg:python-lookup", "prompt-or-indirection", "    'PASSWORD': os.environ['POSTGRES_PASSWORD'],"),
    ("form:neg:hub-sig-256", "digest-or-identifier", "X-Hub-Signature-256: sha256={rand:x:64}"),
    ("form:neg:anon-key", "public-by-design", "SUPABASE_ANON_KEY={pjwt}"),
    ("form:neg:datadog-rum", "public-by-design", "DD_CLIENT_TOKEN=pub{rand:x:32}"),
    ("form:neg:braintree", "public-by-design", "BRAINTREE_TOKENIZATION_KEY=sandbox_{rand:a0:8}_{rand:a0:16}"),
    ("form:neg:razorpay", "public-by-design", "RAZORPAY_KEY_ID=rzp_test_{rand:n:14}"),
    ("form:neg:wg-pubkey", "public-by-design", "PublicKey = {rand:b:43}="),
    ("form:neg:session-log", "digest-or-identifier", "level=info msg=login session_id={rand:x:16} user={user}"),
    ("form:neg:docker-user", "mention", "docker run --rm --user 1000:1000 -v $PWD:/src alpine ls"),
    ("form:neg:htpasswd-prompt", "prompt-or-indirection", "htpasswd -c /etc/nginx/.htpasswd {user}"),
    ("form:neg:openssl-stdin", "prompt-or-indirection", "openssl passwd -6 -stdin < pw.txt"),
    ("form:neg:gh-secret-file", "prompt-or-indirection", "gh secret set DEPLOY_KEY < ~/.ssh/deploy_key"),
    ("form:neg:config-set-plain", "mention", "npm config set registry https://{host}/npm/"),
    ("form:neg:consul-file", "prompt-or-indirection", "consul kv put service/api/token @token.txt"),
    ("form:neg:herestring-var", "prompt-or-indirection", 'docker login -u {user} --password-stdin {host} <<< "$CI_JOB_TOKEN"'),
    ("form:neg:login-call-vars", "prompt-or-indirection", "server.login(os.environ['SMTP_USER'], os.environ['SMTP_PASS'])"),
    ("form:neg:chap-glob", "mention", "grep -rn TODO src *"),
    ("form:neg:ntp-sum", "mention", "sha256sum --check SHA256SUMS"),
    ("form:neg:setter-ttl", "mention", "cache.set('token_ttl', '{num}')"),
    ("form:neg:pdftk-prompt", "prompt-or-indirection", "pdftk secured.pdf input_pw PROMPT output plain.pdf"),
    ("form:neg:openssl-passwd-in", "prompt-or-indirection", "openssl passwd -6 -in passwords.txt"),
    ("form:neg:password-stdin-host", "mention", "docker login -u {user} --password-stdin {host}"),
    ("form:neg:ssh-keygen-empty", "mention", "ssh-keygen -t ed25519 -N '' -f ~/.ssh/id_{word}"),
    ("form:neg:sudo-tee", "mention", "echo '{word} {num}' | sudo tee -a /etc/hosts"),
    ("form:neg:reg-query", "mention", 'reg query "HKLM\\SOFTWARE\\Acme" /v ApiToken'),
    ("form:neg:setpassword-env", "prompt-or-indirection", 'ds.setPassword(System.getenv("DB_PASSWORD"));'),
    ("form:neg:ezconnect-wallet", "mention", "sqlplus /@//{host}:1521/ORCLPDB1"),
)


SECRETS = SecretFilter()
#: Lines of credential files are lines of a file (the file-format rules read a whole line): they
#: are put in the contexts a file gives them; commands and code in those a shell or a diff gives.
FILE_LINES = tuple(t for t in POSITIVE if t[1] == FILE)
COMMANDS = tuple(t for t in POSITIVE if t[1] != FILE)
_BEFORE = st.sampled_from(["", "$ ", "+", "  - ", "sudo ", "(cd /srv && ", "# ", "\t", "prev line\n"])
_AFTER = st.sampled_from(["", " && echo done", " # rotated", ")", "\n", "\r\n", " | tee log.txt", "\nnext line\n"])
_FILE_BEFORE = st.sampled_from(["", "  ", "\t", "# managed by ansible\n", "other = 1\n"])
_FILE_AFTER = st.sampled_from(["", "\n", "\r\n", "   \n", "\nnext value\n"])
_SETTINGS = settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _ids(templates: tuple[tuple[str, str, str], ...]) -> list[str]:
    return [kind for kind, _, _ in templates]


@pytest.mark.parametrize("template", COMMANDS, ids=_ids(COMMANDS))
@_SETTINGS
@given(seed=st.integers(0, 2**32), before=_BEFORE, after=_AFTER)
def test_no_secret_grows_back_and_redaction_is_idempotent(
        template: tuple[str, str, str], seed: int, before: str, after: str) -> None:
    _no_secret_grows_back(template, seed, before, after)


@pytest.mark.parametrize("template", FILE_LINES, ids=_ids(FILE_LINES))
@_SETTINGS
@given(seed=st.integers(0, 2**32), before=_FILE_BEFORE, after=_FILE_AFTER)
def test_no_secret_of_a_file_line_grows_back(template: tuple[str, str, str], seed: int, before: str,
                                             after: str) -> None:
    _no_secret_grows_back(template, seed, before, after)


def _no_secret_grows_back(template: tuple[str, str, str], seed: int, before: str, after: str) -> None:
    text, secrets = fill(template[2], random.Random(seed))
    assert secrets, template[0]
    no_secret_grows_back(SECRETS, before + text + after, secrets, template[0])


@pytest.mark.parametrize("template", NEGATIVE, ids=_ids(NEGATIVE))
@_SETTINGS
@given(seed=st.integers(0, 2**32))
def test_lines_without_secrets_are_left_alone(template: tuple[str, str, str], seed: int) -> None:
    text, secrets = fill(template[2], random.Random(seed))
    assert not secrets, template[0]
    assert SECRETS.findings(text) == [], (template[0], text)
    assert SECRETS.redact(text) == text


def test_every_class_has_forms_of_its_own() -> None:
    classes = {klass for _, klass, _ in POSITIVE}
    assert classes >= {CLI, SET, CONFIG, CONN, FILE, HEADER, NAMED, PROVIDER, WEBHOOK}
    assert len({kind for kind, _, _ in POSITIVE + NEGATIVE}) == len(POSITIVE + NEGATIVE)


@pytest.mark.parametrize("line", [
    "pdftk in.pdf output out.pdf owner_pw {a} user_pw {b}",
    "openssl passwd -6 '{a}'; openssl passwd -6 '{b}'",
    "mysql -u root -p{a} -e 'select 1' && mysql -u app -p{b}",
])
def test_every_password_option_of_a_command_is_redacted(line: str) -> None:
    """A command's second password option hides behind the first match: the next pass finds it (a
    value already replaced is never a value)."""
    first, second = "Qx7" + "t" * 3 + "9mZ2pL", "Wv4" + "k" * 3 + "8nR5sJ"
    out = str(SecretFilter().redact(line.format(a=first, b=second)))
    assert first not in out and second not in out, out
