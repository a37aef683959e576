"""Properties over generated lines of the classes the breadth rules close (password options
from tools' manuals, stdin readers, secret-store commands, JSON and XML credential keys,
provider formats, webhooks, configuration directives, device configs, prose)
and of the allow-list entries added with them (references, ciphertext, public keys, prompts,
types, placeholders).

The templates are written here from the tools' manuals and formats, in forms of their own
(other tools, options and layouts than the evaluation corpus); values come from hypothesis
seeds through the corpus's value generator.

* idempotence: redacting the output again changes nothing;
* no secret grows back: no secret value is left, whichever entry point redacts the line and
  whatever surrounds it;
* lines without a secret are left alone (nothing reported), and redacting them is a no-op.
"""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.independent.values import fill
from tests.redact.checks import no_secret_grows_back

from perth.redact import SecretFilter

POSITIVE: tuple[tuple[str, str], ...] = (
    # a user option, then a short password option, in the same command
    ("user-then-p", "cbimport json -c couchbase://{host} -u {user} -p {pw} -b orders -d file://data.json"),
    ("user-then-pw", "nzsql -host {host} -u {user} -pw {pw} -d {db}"),
    ("dn-then-w", "ldapvi --host {host} -D uid={user},ou=people,dc=acme,dc=test -w {pw} --base dc=acme,dc=test"),
    ("user-then-pas", "gfix -user {user} -pas {pw} -shut full -force 0 {host}:/data/app.fdb"),
    ("glued-name", "installer --quiet --rootpassword={pw} --dbuser {user}"),
    ("quoted-name-value", "terraform apply -var 'admin_password={pwq}' -auto-approve"),
    ("build-arg", "docker build --build-arg 'PIP_INDEX_TOKEN={pwq}' -t app ."),
    ("pkcs12", "signtool sign /f release.pfx /p {pw} /t http://timestamp.acme.test app.msi"),
    ("kerberos", "kadmin -p {user}/admin -w {pw} -q 'getprinc {user}'"),
    ("hash-generator", "slappasswd -h '{{SSHA}}' -s {pw}"),
    ("user-password-pair", "bin/solr auth enable -type basicAuth -credentials {user}:{pw}"),
    # a value echoed into a command that reads it from standard input
    ("stdin-cryptsetup", "echo -n '{pwq}' | cryptsetup open /dev/sdb1 vault -"),
    ("stdin-vncpasswd", "printf '%s\\n' '{pwq}' | vncpasswd -f > ~/.vnc/passwd"),
    ("stdin-two-values", "printf '%s\\n%s\\n' '{pwq}' '{pwq}' | grub-mkpasswd-pbkdf2"),
    ("stdin-option", "echo '{pwq}' | openconnect --protocol=gp --user={user} --passwd-on-stdin vpn.acme.test"),
    ("herestring", "wg set wg1 private-key /dev/stdin <<< '{key:b:43}='"),
    # secret stores and CI variables
    ("store-name-value", "woodpecker-cli secret add --repository acme/api --name deploy_token --value {pw}"),
    ("store-positional", "clever env set SMTP_PASSWORD {pw} --alias prod"),
    ("store-write", "chamber write billing stripe_secret_key {pw}"),
    # JSON and XML bodies
    ("json-any-key", "curl -X PATCH https://{host}/api/me -d '{{\"login\":\"{user}\",\"new_password\":\"{pw}\"}}'"),
    ("json-escaped", "\"body\": \"{{\\\"refresh_token\\\":\\\"{key:n:40}\\\"}}\""),
    ("xml-namespaced", "<ns1:ApiToken>{key:n:32}</ns1:ApiToken>"),
    # provider formats and webhooks
    ("openrouter", "export OPENROUTER_KEY=sk-or-v1-{key:x:64}"),
    ("trello", "trello_token: ATTA{key:x:64}{key:X:8}"),
    ("nostr", "nak event --sec nsec1{key:q:58} -c hello"),
    ("cronitor", "curl -fsS https://cronitor.link/p/{key:x:32}/backup-job?state=run"),
    ("apprise", "apprise -b 'deploy done' 'discord://{key:0:19}/{key:u:68}'"),
    # configuration, devices, files
    ("directive", "fastcgi_param STRIPE_SECRET \"{pw}\";"),
    ("cmake", "set(REGISTRY_TOKEN \"{pw}\")"),
    ("bytes-literal", "SECRET_KEY = b'{key:n:40}'"),
    ("env-default", "password = os.environ.get(\"SMTP_PASSWORD\", \"{pw}\")"),
    ("shell-default", "psql \"host={host} password=${{PGPASSWORD:-{pw}}}\""),
    ("cisco-enable", "enable secret 0 {pw}"),
    ("tacacs", "tacacs-server host {host} key {pw}"),
    ("exec-array", "command: [\"/bin/app\", \"--api-token\", \"{pw}\"]"),
    ("clipboard", "echo -n {key:n:30}9 | wl-copy"),
    ("prose", "fyi the db password is {key:n:18}7x until we rotate it"),
    ("aws-pair", "aws_keys.csv: AKIA{key:A0:16},{key:b:40}"),
)
NEGATIVE: tuple[tuple[str, str], ...] = (
    ("ports", "docker run -u {user} -p 8080:80 nginx"),
    ("ssh-port", "ssh -l {user} -p {port} {host}"),
    ("process", "ps -u {user} -p {num}"),
    ("stdin-variable", "printf '%s\\n' \"$PASSPHRASE\" | zfs load-key tank/secure"),
    ("checksum", "echo '{sha:64}  app.tgz' | sha256sum -c -"),
    ("vault-path", "DB_PASSWORD=vault:secret/data/{db}#password"),
    ("secrets-arn", "API_TOKEN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:{db}-token"),
    ("credhub", "smtp_password: (({db}_smtp_password))"),
    ("token-type", "{{\"access_token_type\": \"Bearer\", \"token_type\": \"Bearer\"}}"),
    ("i18n", "\"password\": \"Passwort\","),
    ("validation", "'password' => 'required|string|min:12|confirmed',"),
    ("annotation", "db_password: str | None = None"),
    ("client-id", "GITHUB_CLIENT_ID=Ov23li{rand:n:14}"),
    ("vapid", "applicationServerKey: 'B{rand:u:86}'"),
    ("ejson", "\"smtp_password\": \"EJ[1:{rand:b:44}:{rand:b:32}:{rand:b:40}]\""),
    ("placeholder", "docker run -e ELASTIC_PASSWORD=replace-me elasticsearch:8"),
    ("prompt", "token = questionary.text('API token:').ask()"),
    ("gif", "thumbnail: R0lGODlh{rand:b:40}"),
    ("store-reference", "woodpecker-cli secret add --name deploy_token --value @token.txt"),
)
SECRETS = SecretFilter()
_AROUND = st.sampled_from(["", "$ ", "+", "  - ", "sudo ", "(cd /srv && ", "# "])
_AFTER = st.sampled_from(["", " && echo done", " # deploy", ")", "\n", " | tee log.txt"])


def _line(template: tuple[str, str], seed: int) -> tuple[str, tuple[str, ...]]:
    return fill(template[1], random.Random(seed))


def _words(template: str) -> list[str]:
    """The template's own words (four letters or more, apart from its fields): only secrets are
    replaced, so they all stay."""
    literal = re.sub(r"\{[a-z]+(?::[^{}]*)?\}", "\0", template.replace("{{", "(").replace("}}", ")"))
    return re.findall(r"(?<![A-Za-z0-9_\0-])[A-Za-z]{4,}(?![A-Za-z0-9_\0-])", literal)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(POSITIVE), st.integers(0, 2**32))
def test_every_breadth_class_is_redacted_idempotently(template: tuple[str, str], seed: int) -> None:
    text, secrets = _line(template, seed)
    out = SECRETS.redact(text)
    assert not any(secret in out for secret in secrets), (template[0], text, out)
    assert SECRETS.redact(out) == out, (template[0], text)
    assert all(word in out for word in _words(template[1])), (template[0], out)


#: Line formats of files take their whole line: they are not put after a prompt or a command.
_WHOLE_LINE = frozenset({"cisco-enable", "tacacs"})


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(POSITIVE), st.integers(0, 2**32), _AROUND, _AFTER)
def test_no_breadth_secret_grows_back_in_context(template: tuple[str, str], seed: int, before: str,
                                                 after: str) -> None:
    text, secrets = _line(template, seed)
    if template[0] in _WHOLE_LINE:
        before, after = "", "\n"
    no_secret_grows_back(SECRETS, before + text + after, secrets, template[0])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(NEGATIVE), st.integers(0, 2**32))
def test_breadth_negatives_are_left_alone(template: tuple[str, str], seed: int) -> None:
    text, _ = _line(template, seed)
    assert SECRETS.findings(text) == [], (template[0], text, SECRETS.findings(text))
    assert SECRETS.redact(text) == text
