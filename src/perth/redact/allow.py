"""The built-in allow-list: values a rule matched that are not secrets.

Each rule names a profile of checks (``Rule.value_checks``):

``exact``     provider formats: placeholders (``xxxx``, ``<YOUR_TOKEN>``, ``****``) and documented
              example keys (AWS's ``...EXAMPLE`` keys, Stripe's and jwt.io's published samples).
``assigned``  credential syntax: also variables (``$TOKEN``, ``${TOKEN}``, ``{{ .Values.x }}``),
              placeholder words (``changeme``, ``password``, ``secret``, ``dummy``, ``...``),
              code (``self.password``, ``os.environ[...]``), paths, YAML tags and aliases,
              references to a secret store (``op://...``, any ``scheme://`` URL), the
              pass-phrase sources of OpenSSL and apksigner (``env:VAR``, ``file:path``,
              ``fd:N``, ``stdin``), systemd's ``ID:/path`` credentials and names of secrets
              (``db-password``).
``token``     tokens and keys: also numbers and plain lowercase words (``same-origin``, ``none``).
``entropy``   keyword-adjacent values: also git SHAs, content hashes (``sha256:...``), UUIDs, and
              anything below the rule's Shannon-entropy threshold or without both a letter and
              a digit.
"""

from __future__ import annotations

import math
import re
from itertools import pairwise

PLACEHOLDER_WORDS = frozenset({
    "changeme", "change_me", "change-me", "changeit", "password", "passwd", "pass", "secret",
    "secrets", "token", "example", "dummy", "test", "testing", "sample", "placeholder",
    "redacted", "none", "null", "nil", "true", "false", "yes", "no", "on", "off", "undefined",
    "empty", "foo", "bar", "baz", "foobar", "todo", "tbd", "default", "your-api-key",
    "your_api_key", "yourapikey", "your-token", "your_token", "your-secret", "your_secret",
    "your-password", "your_password", "apikey", "api_key", "api-key", "mysecret", "mypassword",
    "my-secret", "my_secret", "secret_key", "str", "string", "int", "bool", "bytes", "optional",
    "any", "object", "number", "boolean", "required", "hidden", "masked", "env", "auto", "prompt",
    # "password" in the languages of interface translations (an i18n file's value is a label)
    "passwort", "kennwort", "wachtwoord", "contraseña", "contrasena", "senha", "mot de passe", "parola",
    "lösenord", "losenord", "adgangskode", "passord", "salasana", "hasło", "haslo", "heslo", "jelszó",
    "пароль", "密码", "密碼", "パスワード", "비밀번호",
})
_PLACEHOLDER_CHARS = frozenset("xX*.•#_-0 ")
_PLACEHOLDER_PARTS = re.compile(
    r"(?i:example|placeholder|dummy|changeme|redacted|replace[_-]?me|fill[_-]?me|set[_-]?me|your[_ -]?(?:api"
    r"|access|secret|token|key|pass|auth|client|own)|\*{3}|\.\.\.|\u2026)"
    r"|<(?:[a-z][a-z0-9 _.:/@-]{2,60}|[A-Z][A-Z0-9 _.:/@-]{2,60})>")
#: The branches of ``_PLACEHOLDER_PARTS`` but ``your...`` and ``<word>``, as lowercase literals.
_PLACEHOLDER_LITERALS = ("example", "placeholder", "dummy", "changeme", "redacted", "***", "...",
                         "\u2026", "replaceme", "replace-me", "replace_me", "fillme", "fill-me", "fill_me",
                         "setme", "set-me", "set_me")
#: Whole-value placeholder shapes: a bracketed word (``[FILTERED]`` in Rails logs, ``[PASSWORD]``
#: in manuals), a token-replacement marker (``__DB_PASSWORD__``, ``%DB_PASSWORD%``, ``@DB_PASSWORD@``),
#: and a value that tells the reader what to put there (``password_here``, ``put your unique
#: phrase here``: WordPress's wp-config-sample.php).
_PLACEHOLDER_SHAPES = re.compile(
    r"\[[A-Za-z][A-Za-z0-9 _.-]{0,40}\]|__[A-Za-z][A-Za-z0-9_]{0,60}__|%[A-Z][A-Z0-9_]{1,60}%"
    r"|@[A-Z][A-Z0-9_]{1,60}@|[A-Za-z0-9 _-]{0,60}[ _-](?i:here)")
#: A run of x's this long, and a quarter of the value at least, masks it (``ghp_xxxx...``).
_X_RUN = re.compile(r"[xX]{4,}")
#: A reference to a secret kept elsewhere: a Vault path (``vault:secret/data/app#key``,
#: ``secret/data/db:password``), an AWS Secrets Manager, SSM or KMS ARN, Ruby's ``ENV[...]``,
#: a Concourse/CredHub ``((name))``, a URL (``op://vault/item/field``, ``vault://``,
#: ``https://...``: a URL's own password is the ``url-password`` rule's), a pass-phrase source of
#: OpenSSL (``env:``, ``file:``, ``fd:``, ``stdin``) or apksigner, or a systemd credential
#: ``ID:/path`` (``LoadCredential=``).
_STORE_REFERENCE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s]{0,400}|(?:env|file|fd):[^\s]{1,200}|stdin"
                              r"|vault:[A-Za-z0-9_.-]{1,60}/[A-Za-z0-9_./-]{0,200}(?:#[A-Za-z0-9_.-]{1,100})?"
                              r"|(?:secret|kv|kv-v2)/data/[A-Za-z0-9_./-]{1,200}(?:[#:][A-Za-z0-9_.-]{1,100})?"
                              r"|arn:aws[a-z-]{0,12}:(?:secretsmanager|ssm|kms):[^\s]{1,300}"
                              r"|ENV\[[\"']?[A-Za-z_][A-Za-z0-9_.-]{0,100}[\"']?\]|\(\([A-Za-z0-9_./-]{1,100}\)\)")
_CREDENTIAL_PATH = re.compile(r"[A-Za-z0-9_.@-]{1,64}:(?P<path>(?:/|~/)[^\s:]{0,300})")
#: Keywords that start an expression (``password = await password(...)``): code, not a value.
_CODE_KEYWORDS = frozenset({"await", "new", "yield", "typeof", "lambda", "function", "async", "require",
                            "import", "getpass", "input", "prompt"})
#: The name of a secret rather than its value (``gcloud secrets ... --secret=db-password``).
_SECRET_NAME = re.compile(r"[a-z]{1,30}(?:[-_.][a-z]{1,30}){0,6}[-_.](?:password|passwd|secret|token|key|credentials?"
                          r"|pass|pwd)(?:[-_.][a-z]{1,30}){0,3}")
_VARIABLE = re.compile(r"[$%]\{|[$][A-Za-z_(]|%\(?[A-Za-z_]|\{\{|\$\$|#\{|<%|<\?(?:=|php)")
#: A value encrypted at rest by a secrets tool: SOPS and hiera-eyaml (``ENC[AES256_GCM,data:...]``,
#: ``ENC[PKCS7,...]``), Vault transit (``vault:v1:...``), Jasypt (``ENC(...)``), EJSON
#: (``EJ[1:...]``), dotenvx (``encrypted:...``), an AWS KMS ciphertext blob in base64 (version 1,
#: ``AQIBAHg``/``AQICAHg``/``AQIDAHg``), a Bitwarden cipher string (``2.iv|data|mac``), age and
#: OpenPGP armour.
_ENCRYPTED = re.compile(r"ENC\[[A-Z0-9_]{2,20},|ENC\(|vault:v[0-9]{1,4}:|\$ANSIBLE_VAULT;|EJ\[[0-9]:"
                        r"|encrypted:[A-Za-z0-9+/]{40}|AQI[BCD]AH[gh][A-Za-z0-9+/]{40}"
                        r"|[0-9]\.[A-Za-z0-9+/]{16,64}={0,2}\|[A-Za-z0-9+/]{16,}={0,2}\|"
                        r"|-----BEGIN (?:AGE ENCRYPTED FILE|PGP MESSAGE)-----")
#: Rails encrypted credentials (``credentials.yml.enc``, ``*.key``-sealed): three base64 parts
#: joined by ``--`` (ciphertext, IV, authentication tag).
_RAILS_ENCRYPTED = re.compile(r"[A-Za-z0-9+/]{16,65536}={0,2}--[A-Za-z0-9+/]{16,64}={0,2}--[A-Za-z0-9+/]{16,64}={0,2}")
#: Bitnami sealed-secrets ``encryptedData`` values: base64 of a 2-byte length (0x0200, the
#: RSA-4096 wrapped session key) and the ciphertext, so ``AgA``-``AgD`` and a long run of base64.
_SEALED_SECRET = re.compile(r"Ag[A-D][A-Za-z0-9+/]{100,65536}={0,2}")
#: A PowerShell cmdlet (``Read-Host``, ``ConvertTo-SecureString``): a command, not a value.
_CMDLET = re.compile(r"[A-Z][a-z]{1,15}-[A-Z][A-Za-z]{1,40}")
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,60}(?:\.[A-Za-z_][A-Za-z0-9_]{0,60}){1,8}")
#: Objects a code reference starts with (``self.password``, ``settings.DB_PASSWORD``): with
#: them a dotted name is code even with digits in it; without, only when it has none
#: (``abc.DEF123ghi`` is a password).
_CODE_OBJECTS = frozenset({
    "self", "this", "cls", "config", "conf", "cfg", "settings", "os", "env", "process", "values",
    "secrets", "vars", "args", "params", "options", "opts", "ctx", "context", "app", "request",
    "req", "data", "props", "creds", "credentials", "auth", "user", "account", "client", "db",
    "database", "module", "window", "global", "globals", "import", "inputs", "steps", "needs",
    "matrix", "github", "runner", "local", "var", "each", "item", "ansible_facts", "hostvars",
    "Bun", "Deno",
})
#: An identifier in a naming style: snake_case, UPPER_CASE, camelCase or PascalCase.
_NAME = re.compile(r"_?(?:[a-z][a-z0-9_]*|[A-Z][A-Z0-9_]*|[A-Za-z][a-z0-9]+(?:[A-Z][a-z0-9]+)*[A-Z]?)")
#: A function call (``getpass.getpass("Password: ")``, ``read_secret(path)``, Elixir's
#: ``System.fetch_env!("X")``), with what follows it (``client.get_secret("x").value``,
#: ``questionary.password("Password:").ask()``).
_CALL = re.compile(r"(?:(?:await|new|yield)[ \t]{1,4})?[A-Za-z_][A-Za-z0-9_.]{0,80}[!?]?\([^()]{0,300}\)"
                   r"(?:\[[\"'][^\"'\]]{1,80}[\"']\]){0,4}(?:\.[A-Za-z_][A-Za-z0-9_]{0,40}(?:\([^()]{0,100}\))?){0,3}"
                   r"(?:[ \t]{1,4}as\??[ \t]{1,4}[A-Za-z_][A-Za-z0-9_.<>]{0,60}\??)?")
#: A lookup in code (``os.environ["DB_PASSWORD"]``, ``config["db"]["password"]``).
_LOOKUP = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,80}(?:\[[\"'][^\"'\]]{1,80}[\"']\]){1,4}")
#: A constant's name (``API_TOKEN``): a prompt's variable or a reference, not a value.
_CONSTANT = re.compile(r"[A-Z]{2,40}[0-9]{0,2}(?:_[A-Z]{1,40}[0-9]{0,2}){1,8}")
#: Keys that are public by design: Stripe and Clerk publishable keys, Supabase publishable
#: keys, Mapbox public tokens, PostHog project keys, Razorpay key ids (the secret is a separate
#: value), Paystack and Flutterwave public keys, Midtrans client keys, Xendit public keys.
_PUBLIC_PREFIXES = ("pk_live_", "pk_test_", "sb_publishable_", "pk.eyJ", "phc_", "rzp_live_", "rzp_test_",
                    "FLWPUBK-", "FLWPUBK_TEST-", "Mid-client-", "SB-Mid-client-", "xnd_public_")
#: Public by design, by documented format: Datadog browser client tokens (``pub`` and 32 hex
#: digits), Braintree tokenization keys (``production_``/``sandbox_``, 8 and 16 characters).
#: Paddle client-side tokens (``live_``/``test_`` and 27 lowercase hex digits), Adyen client
#: keys (``live_``/``test_`` and 32 upper-case letters and digits), age recipients (``age1``
#: and 58 bech32 characters), base64 of a PEM certificate or public key (kubeconfig's
#: ``certificate-authority-data``), GitHub OAuth and App client IDs (``Ov23li``, ``Iv23li``,
#: ``Iv1.``), GrowthBook client keys (``sdk-`` and 16), Statsig client SDK keys (``client-`` and
#: 43) and Web Push VAPID application-server keys (an uncompressed P-256 point: ``B`` and 86
#: base64url characters).
_PUBLIC_FORMATS = re.compile(r"pub[0-9a-f]{32}|(?:production|sandbox|development)_[a-z0-9]{8}_[a-z0-9]{16}"
                             r"|Ov23li[A-Za-z0-9]{14}|Iv1\.[0-9a-f]{16}|Iv23li[A-Za-z0-9]{14}|sdk-[A-Za-z0-9]{16}"
                             r"|client-[A-Za-z0-9]{43}|B[A-Za-z0-9_-]{86}"
                             r"|(?:live|test)_(?:[0-9a-f]{27}|[A-Z0-9]{32})|age1[02-9ac-hj-np-z]{58}"
                             r"|LS0tLS1CRUdJTiB(?:DRVJUSUZJQ0FURS0tLS0t|QVUJMSUMgS0VZLS0tLS|SU0EgUFVCTElDIEtFWS0tLS0t"
                             r"|FQyBQVUJMSUMgS0VZLS0tLS|PUEVOU1NIIFBVQkxJQyBLRVktLS0tL)[A-Za-z0-9+/=]{0,65536}")
#: An OpenSSH public key line (``authorized_keys``, ``known_hosts``, ``*.pub``): the key type, then
#: base64 of the key blob, which starts with the length of the type name (``AAAA``).
_SSH_PUBLIC_KEY = re.compile(r"(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp[0-9]{3}"
                             r"|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)[ \t]{1,4}AAAA")
#: The claim of a JWT that makes it a public, browser-side key (Supabase's ``anon`` key).
_ANON_ROLE = re.compile(r'"role"[ \t]{0,4}:[ \t]{0,4}"anon"')
_PATH = re.compile(r"(?:~?/|\.\.?/|[A-Za-z]:\\)")
_WORDS = re.compile(r"[a-z]{1,40}(?:[-_. ][a-z]{1,40}){0,8}")
_HEX = re.compile(r"(?:0x)?(?:[0-9a-f]{1,256}|[0-9A-F]{1,256})")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DIGEST = re.compile(r"(?i:md5|sha1|sha224|sha256|sha384|sha512|blake2b|xxh64)[:=-]")
_TAGGED_HASH = re.compile(r"[A-Za-z][A-Za-z0-9.]{0,30}[-_:@](?:[0-9a-f]{7,128}|[0-9A-F]{7,128})")
_OPTION_LIST = re.compile(r"(?:id|src|source|env|file|type|target|name|dst)=")
_BASE64_KEY = re.compile(r"[A-Za-z0-9+/]{20,}={0,2}")
_HASH_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/]{8,4096}={0,2}")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")
_TEXT_RUN = re.compile(r"[a-z]+|[A-Z][a-z]*|[A-Z]+|[0-9]+")
_PROSE_RUN = re.compile(r"[a-z]+[0-9]{0,4}|[A-Z][a-z]*[0-9]{0,4}|[A-Z]+|[0-9]+")
_COOKIE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")

#: sha256 digests of example credentials published in vendor documentation.
DOCUMENTED_EXAMPLES = frozenset({
    # Stripe's documented test secret key (sk_test_4eC39...).
    "2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326",
    # The HS256 sample token shown on jwt.io (subject 1234567890, "John Doe").
    "7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606",
})


def strip_quotes(value: str) -> str:
    """The value without surrounding whitespace and quotes."""
    return value.strip().strip("\"'`").strip()


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in map(value.count, set(value)))


def is_placeholder(value: str) -> bool:
    """``xxxx``, ``<YOUR_TOKEN>``, ``****``, ``...``, an example or documented key."""
    if not value or value.lower().rstrip(",;") in PLACEHOLDER_WORDS:
        return True
    if set(value) <= _PLACEHOLDER_CHARS or _PLACEHOLDER_SHAPES.fullmatch(value):
        return True
    if _has_placeholder_part(value) or _masked(value):
        return True
    return is_documented_example(value)


def _masked(value: str) -> bool:
    return any(len(run) * 4 >= len(value) for run in _X_RUN.findall(value))


def _has_placeholder_part(value: str) -> bool:
    """``_PLACEHOLDER_PARTS.search(value)``, answered with plain substring tests for ASCII
    values that cannot hold its only composite branch (``your...``)."""
    if not value.isascii():
        return _PLACEHOLDER_PARTS.search(value) is not None
    low = value.lower()
    if "your" in low or "<" in low:
        return _PLACEHOLDER_PARTS.search(value) is not None
    return any(part in low for part in _PLACEHOLDER_LITERALS)


def is_documented_example(value: str) -> bool:
    """True for the published example keys whose sha256 digest is in :data:`DOCUMENTED_EXAMPLES`."""
    if len(value) < 16:
        return False
    import hashlib

    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest() in DOCUMENTED_EXAMPLES


#: A prompt or a label shown to the user (``Enter password:``, ``Passwort vergessen?``): words,
#: blanks, ending in ``:`` or ``?``.
_PROMPT = re.compile(r"[A-Z\u00c0-\uffff][^\s:?]{0,30}(?: [^\s:?]{1,30}){1,8}[ ]?[:?]")
#: A type in a declaration (``str | None = None``, ``Annotated[str, ...]``, GraphQL's ``String!``).
_TYPE = re.compile(r"(?:str|bytes|int|SecretStr|SecretBytes|Optional\[[^\]]{1,60}\]|Annotated\[.{1,200}\]"
                   r"|String|Int|ID)(?:[ \t]{0,4}\|[ \t]{0,4}None)?!?"
                   r"(?:[ \t]{0,4}=[ \t]{0,4}(?:None|\.\.\.|Field\([^()]{0,100}\)))?,?")
#: A validation rule list (``required|string|min:12|confirmed``: Laravel, vee-validate).
_VALIDATION = re.compile(r"[a-z_]{2,30}(?::[^|\s]{1,40})?(?:\|[a-z_]{2,30}(?::[^|\s]{1,40})?){1,20}")


def is_reference(value: str) -> bool:
    """A variable, template, code expression, path, YAML tag or alias: not a literal secret."""
    if _PROMPT.fullmatch(value) or _TYPE.fullmatch(value) or _VALIDATION.fullmatch(value):
        return True
    if _VARIABLE.match(value) or value[0] in "!&*@" or _OPTION_LIST.match(value) or _ENCRYPTED.match(value):
        return True
    value = value.rstrip(",;")  # the end of a JSON, YAML flow or JavaScript item
    if not value or value in _CODE_KEYWORDS or _is_stored_elsewhere(value):
        return True
    if (_is_path(value) or _CONSTANT.fullmatch(value) or _is_code(value) or _CALL.fullmatch(value)
            or _LOOKUP.fullmatch(value) or _CMDLET.fullmatch(value)):
        return True
    return not any(char.isalnum() for char in value)


def _is_stored_elsewhere(value: str) -> bool:
    """A reference to a secret store, a pass-phrase source, a ``ID:/path`` credential, the name
    of a secret, or TypeScript's non-null assertion on a code reference (``process.env.X!``)."""
    if _STORE_REFERENCE.fullmatch(value) or _SECRET_NAME.fullmatch(value):
        return True
    credential = _CREDENTIAL_PATH.fullmatch(value)
    if credential and _is_path(credential.group("path")):
        return True
    return value.endswith("!") and _is_code(value[:-1]) and value.split(".", 1)[0] in _CODE_OBJECTS


def _is_path(value: str) -> bool:
    """A file path; not a base64 secret that happens to start with ``/`` (one long segment of
    mixed case and digits)."""
    if _PATH.match(value) is None or _is_base64_key(value):
        return False
    segment = value.lstrip("/")
    return "/" in segment or len(segment) < 20 or not (
        any(c.isupper() for c in segment) and any(c.islower() for c in segment)
        and any(c.isdigit() for c in segment))


def _is_base64_key(value: str) -> bool:
    """Base64 of a random key (``/T9PR.../ijZ/Dx...``): slashes, but no path."""
    return _BASE64_KEY.fullmatch(value) is not None and _has_letter_and_digit(value) and any(
        c.isupper() for c in value) and any(c.islower() for c in value)


def _is_code(value: str) -> bool:
    """``self.password``, ``settings.DB_PASSWORD``: dotted names, each a word in some naming
    style; with digits only after a known object (``abc.DEF123ghi`` is a password)."""
    if _CODE.fullmatch(value) is None:
        return False
    if value.split(".", 1)[0] in _CODE_OBJECTS:
        return True
    return not any(char.isdigit() for char in value) and all(
        _NAME.fullmatch(part) for part in value.split("."))


def is_ciphertext(value: str) -> bool:
    """A value encrypted to be committed (SOPS, hiera-eyaml, Vault transit, Jasypt, Ansible Vault,
    sealed-secrets)."""
    return (_ENCRYPTED.match(value) is not None or _SEALED_SECRET.fullmatch(value) is not None
            or ("--" in value and _RAILS_ENCRYPTED.fullmatch(value) is not None))


def is_public(value: str) -> bool:
    """A key that is public by design (publishable, client-side, an SSH public key line): never
    redacted.  Set ``redact.extra_patterns`` to redact one anyway."""
    return (value.startswith(_PUBLIC_PREFIXES) or _PUBLIC_FORMATS.fullmatch(value) is not None
            or _SSH_PUBLIC_KEY.match(value) is not None
            or (value.startswith("eyJ") and _anonymous_jwt(value)))


def _anonymous_jwt(value: str) -> bool:
    """A JWT whose payload gives it the ``anon`` role: a key shipped to browsers by design."""
    parts = value.split(".")
    if len(parts) != 3 or len(parts[1]) > 4096:
        return False
    import base64
    import binascii

    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
    except (binascii.Error, ValueError):
        return False
    return _ANON_ROLE.search(payload.decode("utf-8", "replace")) is not None


def is_alphabet(value: str) -> bool:
    """An alphabet or charset constant: eight characters in a row in ASCII order (``abcdefgh``,
    ``01234567``) or a keyboard row, which a random secret all but never holds."""
    run = 1
    for before, after in pairwise(value):
        run = run + 1 if ord(after) == ord(before) + 1 and after.isalnum() else 1
        if run >= 8:
            return True
    low = value.lower()
    return any(row in low for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm"))


def is_hash_like(value: str) -> bool:
    """A git SHA, a content hash (hex or ``sha256:...``), or a UUID."""
    if _UUID.fullmatch(value) or _DIGEST.match(value) or _TAGGED_HASH.fullmatch(value):
        return True
    bare = value[2:] if value.startswith("0x") else value
    return bool(_HEX.fullmatch(value)) and (len(bare) in _HASH_LENGTHS or len(bare) < 20)


def accepts(profile: str, value: str, min_length: int, min_entropy: float) -> bool:
    """Whether a matched ``value`` is redacted under the rule's value-check ``profile``."""
    if profile != "exact" and value[:1] in (" ", "\t"):
        return False  # the quote closed a prompt ("Token: " VAR), it did not open a value
    value = strip_quotes(value)
    if len(value) < min_length or is_placeholder(value) or is_public(value) or is_ciphertext(value):
        return False
    if profile == "exact":
        return True
    if is_alphabet(value) or is_reference(value):
        return False
    return profile == "assigned" or _looks_random(value, min_entropy if profile == "entropy" else None)


def _looks_random(value: str, min_entropy: float | None) -> bool:
    """Token checks (not a number, plain words, an upper-case word such as a manual's ``TEXT``
    or ``PASSWORD`` metavariable, or base64 of ordinary text) and, given a threshold, entropy
    checks."""
    if value.isdigit() or _WORDS.fullmatch(value) or (value.isalpha() and value.isupper()):
        return False
    if is_encoded_text(value):
        return False
    if min_entropy is None:
        return True
    if not _has_letter_and_digit(value) or is_hash_like(value):
        return False
    return shannon_entropy(value) >= min_entropy


#: Base64 of a file format's magic bytes: GIF, PNG, JPEG, PDF, ZIP, gzip, XML, SVG, WebP/RIFF.
_FILE_MAGIC = ("R0lGOD", "iVBORw0KGgo", "/9j/", "JVBERi0", "UEsDB", "H4sI", "PD94bWwg", "PHN2Zy", "UklGR")


def is_encoded_text(value: str) -> bool:
    """Base64 of ordinary text (``aGVsbG8gd29ybGQ=``, a pagination cursor) or of a file format's
    header (an inline image, ``R0lGOD...``, ``iVBORw0KGgo...``): every run of letters
    and digits it decodes to is a word, a capitalised or upper-case word, or a number; a
    password or key decodes to bytes, or to runs that mix cases, letters and digits."""
    name, equals, encoded = value.partition("=")
    if equals and encoded.rstrip("=") and _COOKIE_NAME.fullmatch(name):
        value = encoded  # a cookie or form pair (consent=...)
    if len(value) < 12 or len(value) > 4096 or _BASE64_TEXT.fullmatch(value) is None:
        return False
    if value.startswith(_FILE_MAGIC):
        return True
    import base64
    import binascii

    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return False
    if not decoded.isprintable() or not any(c.isalpha() for c in decoded):
        return False
    runs = _PROSE_RUN if " " in decoded else _TEXT_RUN  # prose: words may carry numbers (v2)
    return all(runs.fullmatch(run) for run in _ALNUM_RUN.findall(decoded))


def _has_letter_and_digit(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


__all__ = [
    "DOCUMENTED_EXAMPLES",
    "PLACEHOLDER_WORDS",
    "accepts",
    "is_alphabet",
    "is_ciphertext",
    "is_encoded_text",
    "is_hash_like",
    "is_placeholder",
    "is_public",
    "is_reference",
    "shannon_entropy",
    "strip_quotes",
]
