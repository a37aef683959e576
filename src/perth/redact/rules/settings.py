"""Secrets in the ways configuration languages, devices, secret stores and people write them down.

* a named secret given to a command that stores one, by option (``--name db-password ...
  --value X``, ``--key SMTP_PASSWORD --value X``, ``--form key=NAME --form value=X``) or
  positionally after the subcommand (``env set NAME X``, ``env:set NAME X``, ``secrets create
  NAME X``, ``write SERVICE NAME X``);
* a directive that sets a named variable (nginx ``fastcgi_param``, Apache ``SetEnv``, CMake
  ``set(NAME "v")``, Caddy's ``dns PROVIDER TOKEN``);
* a value written as a Python bytes, raw or triple-quoted string, a T-SQL ``N'...'`` string or
  a double-quoted SQL password (SAP HANA's ``PASSWORD "..."``);
* a literal default behind an environment lookup (``os.getenv("DB_PASSWORD", "...")``,
  ``ENV.fetch('X') { '...' }``, ``${DB_PASSWORD:-...}``, ``process.env.X || "..."``);
* network-device configuration (Cisco ``enable secret 0``, ``username ... password 0``,
  TACACS+/RADIUS ``key``, SNMP communities and ``createUser`` pass-phrases, Junos
  ``plain-text-password-value``);
* an option and its value as items of an exec-form array (``["--password", "..."]``);
* isync's ``Pass``, ``DENO_AUTH_TOKENS``;
* a value printed into a file named like a secret with a format (``printf '%s' X > .../passphrase``),
  a random-looking value copied to the clipboard, and a password stated in prose ("the password
  is X", "new password X", with a high-entropy value);
* an AWS access key ID followed by its 40-character secret (``s3('...', 'AKIA...', '...')``), a
  C# ``AuthenticationHeaderValue(scheme, token)``, a Nostr secret key (``nsec1``).
"""

from __future__ import annotations

from perth.redact.rules.model import ALNUM, BASE64, GENERIC, LOWER, PROVIDER, SYNTAX, UPPER, Rule, fake, join

_LB = r"(?<![A-Za-z0-9_-])"
_PW = fake(ALNUM, 13, "settings-pw") + "^"
#: A name that says it holds a secret, anywhere in it.
_WORD = (r"(?i:pass(?:word|wd|phrase)?|pass[_-]phrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
         r"|auth[_-]?key|salt|credentials?)")
_NAME = r"[A-Za-z0-9_.:/-]{0,60}" + _WORD + r"[A-Za-z0-9_.:/-]{0,40}"
#: A quoted or bare value (never another option, never a variable).
_VALUE = (r'''(?!-[A-Za-z-]{0,40}(?:[ \t=]|$))'''
          r'''(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?P<secret_dq>[^"\r\n$]{1,256}+)"|'''
          r"""(?P<secret>[^\s"'`|;&<>()$]{1,256}+))""")
_QUOTED = r'''(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?P<secret_dq>[^"\r\n$]{1,256}+)")'''
_CMD = r"[^\n|;&]{0,200}?[ \t]"


def _stores() -> tuple[Rule, ...]:
    return (
        Rule("named-secret-option-value", "value given to a secret store or CI variable command after a name "
             "option that says it is a secret (--name db-password --value X, --key SMTP_PASSWORD --value X, "
             "--form key=NAME --form value=X)",
             _LB + r"(?:--name|--key)(?:=|[ \t]{1,4})[\"']?" + _NAME + r"[\"']?" + _CMD
             + r"(?:--value|--body|--secret-value|-v)(?:=|[ \t]{1,4})(?![/@*])" + _VALUE
             + r"|(?<![A-Za-z0-9_-])key=" + _NAME + r"[\"']?" + _CMD + r"(?:--form|-F|--data|-d)[ \t]{1,4}[\"']?value="
             r"(?P<secret_form>[^\s\"'&]{1,256}+)",
             ("pass", "pwd", "secret", "token", "key", "salt", "credential", "auth"),
             (f"woodpecker-cli secret add --global --name registry_password --value {_PW}",
              f"coolify env create --uuid x --key SMTP_PASSWORD --value '{_PW}'",
              f"curl -X POST api/v4/projects/42/variables --form key=DB_PASSWORD --form value={_PW}"),
             ("az keyvault secret set --name db-password --value @secret.txt",
              "woodpecker-cli secret add --name registry_password --value $REGISTRY_PASSWORD",
              "kubectl get secret -n prod --key token -v 6"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("set-named-secret-positional", "value given positionally after a secret's name to a command that sets "
             "one (env set NAME X, env:set NAME X, secrets create NAME X, write SERVICE NAME X)",
             _LB + r"(?:env(?::set|[ \t]{1,4}set)|secrets?[ \t]{1,4}(?:create|set|add|put)|write|variable:set)"
             r"(?:[ \t]{1,4}--?[a-z-]{1,20}(?:=[^\s]{1,60})?)?[ \t]{1,4}(?:[A-Za-z0-9_.-]{1,64}[ \t]{1,4})?"
             r"[\"']?" + _NAME + r"[\"']?[ \t]{1,4}(?![/@*=])" + _VALUE,
             ("pass", "pwd", "secret", "token", "key", "salt", "credential", "auth"),
             (f"clever env set DB_PASSWORD '{_PW}'", f"php artisan env:set MAIL_PASSWORD '{_PW}'",
              f"chamber write api db_password '{_PW}'", f"tea actions secrets create REGISTRY_TOKEN {_PW}"),
             ("clever env set DB_PASSWORD", "chamber write api db_password -", "php artisan env:set APP_DEBUG true",
              "tea actions secrets create REGISTRY_TOKEN $TOKEN"),
             category=SYNTAX, min_length=3, values="token"),
    )


def _definitions() -> tuple[Rule, ...]:
    return (
        Rule("directive-named-secret", "secret set by a directive that names a variable (nginx fastcgi_param, "
             "Apache SetEnv, CMake set())",
             _LB + r"(?:(?:fastcgi_param|uwsgi_param|scgi_param|SetEnv|SetEnvIf|setenv)[ \t]{1,4}|set\([ \t]{0,4})"
             + _NAME + r"[ \t]{1,8}" + _QUOTED,
             ("pass", "pwd", "secret", "token", "key", "salt", "credential", "auth"),
             (f'fastcgi_param DB_PASSWORD "{_PW}";', f'SetEnv proxy_password "{_PW}"', f'set(API_TOKEN "{_PW}")'),
             ('fastcgi_param DB_PASSWORD "$db_password";', "SetEnv APP_ENV production"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("caddy-dns-token", "API token of a Caddyfile dns provider directive (dns cloudflare TOKEN)",
             r"(?<![^\s])dns[ \t]{1,4}[a-z0-9_]{2,30}[ \t]{1,4}(?P<secret>[A-Za-z0-9_.-]{20,200}+)"
             r"(?=[ \t]{0,8}(?:\r?\n|$))",
             ("dns",),
             (f"\tdns cloudflare {fake(ALNUM, 40, 'settings-caddy')}",),
             ("dns cloudflare {env.CF_TOKEN}", "dns route53 example-zone-name-here"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("literal-string-secret", "secret assigned as a Python bytes, raw or triple-quoted string, or a T-SQL "
             "N'...' string (app.secret_key = b'...', password = \"\"\"...\"\"\", @rmtpassword = N'...')",
             r"(?<![A-Za-z0-9_@$])[@$]?[A-Za-z0-9_]{0,30}" + _WORD
             + r"[A-Za-z0-9_]{0,20}['\"\]]{0,2}[ \t]{0,8}=[ \t]{0,4}"
             r"(?:[bBrRuU]{1,2}'(?P<secret_sq>[^'\\\r\n]{1,256}+)'|[bBrRuU]{1,2}\"(?P<secret_dq>[^\"\\\r\n]{1,256}+)\""
             r"|\"\"\"(?P<secret_tq>[^\"\r\n]{1,256}+)\"\"\"|'''(?P<secret_tsq>[^'\r\n]{1,256}+)'''"
             r"|N'(?P<secret_n>[^'\r\n]{1,256}+)')",
             ("pass", "pwd", "secret", "token", "key", "salt", "credential"),
             (f"app.secret_key = b'{_PW}'", f'password = """{_PW}"""', f"@rmtpassword = N'{_PW}'",
              f"$settings['hash_salt'] = r'{_PW}'"),
             ("app.secret_key = b''", "password = N'$(PASSWORD)'", "token = r'\\w+'"),
             category=SYNTAX, min_length=3),
        Rule("sql-password-double-quoted", "password in SQL written double-quoted (CREATE/ALTER USER ... PASSWORD "
             "\"...\", SAP HANA)",
             r"(?<![A-Za-z0-9_])(?i:user)[ \t]{1,4}[^\s;]{1,64}[ \t]{1,4}(?:(?i:with)[ \t]{1,4})?"
             r"(?i:password)[ \t]{1,4}"
             r"\"(?P<secret>[^\"\r\n]{1,128}+)\"",
             ("password",),
             (f'CREATE USER deploy PASSWORD "{_PW}" NO FORCE_FIRST_PASSWORD_CHANGE;',),
             ('ALTER USER deploy PASSWORD "${PW}"', "CREATE USER deploy PASSWORD 'x'"),
             category=SYNTAX, min_length=3),
        Rule("env-lookup-default", "literal default behind an environment lookup of a secret "
             "(os.getenv(\"DB_PASSWORD\", \"...\"), ENV.fetch('X') { '...' })",
             r"(?:getenv|environ\.get|env\.get|ENV\.fetch|env|Getenv|GetEnvironmentVariable)\([ \t]{0,4}['\"]"
             + _NAME + r"['\"][ \t]{0,4}(?:,[ \t]{0,4}|\)[ \t]{0,4}\{[ \t]{0,4})" + _QUOTED,
             ("pass", "pwd", "secret", "token", "key", "salt", "credential", "auth"),
             (f"password: <%= ENV.fetch('DB_PASSWORD') {{ '{_PW}' }} %>",),
             ("password = os.getenv('DB_PASSWORD', '')", "os.getenv('DB_HOST', 'localhost')"),
             category=SYNTAX, min_length=3),
        Rule("js-env-fallback", "literal fallback after a secret's process.env lookup "
             "(process.env.API_TOKEN || \"...\")",
             r"(?<![A-Za-z0-9_$])process\.env\.[A-Za-z0-9_]{0,40}" + _WORD
             + r"[A-Za-z0-9_]{0,40}[ \t]{0,4}(?:\|\||\?\?)[ \t]{0,4}" + _QUOTED,
             ("pass", "pwd", "secret", "token", "key", "salt", "credential", "auth"),
             (f"const key = process.env.API_TOKEN || '{_PW}';",),
             ("const key = process.env.API_TOKEN || '';", "process.env.API_TOKEN ?? fallback"),
             category=SYNTAX, min_length=3),
        Rule("shell-default-secret", "literal default of a shell parameter expansion whose name says it holds a "
             "secret (${DB_PASSWORD:-...})",
             r"\$\{" + _NAME + r":?-(?P<secret>[^\s}'\"$]{1,256}+)\}",
             ("pass", "pwd", "secret", "token", "key", "salt", "credential", "auth"),
             (f"psql \"password=${{PGPASSWORD:-{_PW}}}\"",), ("${DB_PASSWORD:-changeme}", "${API_TOKEN:-$FALLBACK}"),
             category=SYNTAX, min_length=3),
        Rule("network-device-secret", "password in network-device configuration (Cisco enable secret/password 0, "
             "username ... secret/password 0)",
             r"(?<![^\n])[ \t]{0,8}(?:enable"
             r"|username[ \t]{1,4}[^\s]{1,64}(?:[ \t]{1,4}privilege[ \t]{1,4}[0-9]{1,2})?)"
             r"[ \t]{1,4}(?:secret|password)(?:[ \t]{1,4}level[ \t]{1,4}[0-9]{1,2})?(?:[ \t]{1,4}[07](?=[ \t]))?"
             r"[ \t]{1,4}"
             r"(?:\"(?P<secret_dq>[^\"\r\n]{1,128}+)\"|(?P<secret>[^\s\"]{3,128}+))",
             ("secret", "pass"),
             (f"enable secret 0 {_PW}", f"username admin privilege 15 password 0 {_PW}"),
             ("enable secret 9 $9$abc", "username admin privilege 15"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("network-device-key", "shared key or community in network-device configuration (TACACS+/RADIUS key, "
             "SNMP community, snmpd rocommunity/rwcommunity)",
             r"(?<![^\n])[ \t]{0,8}(?:(?:tacacs-server|radius-server)(?:[ \t]{1,4}host[ \t]{1,4}[^\s]{1,64})?"
             r"[ \t]{1,4}key"
             r"|snmp-server[ \t]{1,4}community|r[ow]community6?)(?:[ \t]{1,4}[07](?=[ \t]))?[ \t]{1,4}"
             r"(?:\"(?P<secret_dq>[^\"\r\n]{1,128}+)\"|(?P<secret>[^\s\"]{3,128}+))",
             ("key", "community"),
             (f"tacacs-server host 10.0.0.2 key {_PW}", f"rocommunity {fake(ALNUM, 20, 'settings-snmp')} 10.0.0.0/8"),
             ("rocommunity public 10.0.0.0/8", "tacacs-server host 10.0.0.2"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("junos-plain-text-password", "password in a Junos plain-text-password-value statement",
             r"(?<![A-Za-z0-9_-])plain-text-password-value[ \t]{1,4}\"(?P<secret>[^\"\r\n]{1,128}+)\"",
             ("plain-text-password-value",),
             (f'set system root-authentication plain-text-password-value "{_PW}"',),
             ("set system root-authentication plain-text-password",),
             category=SYNTAX, min_length=3),
        Rule("snmpd-create-user-privacy", "privacy pass-phrase of a net-snmp createUser directive (after DES/AES)",
             r"(?<![A-Za-z0-9_])createUser[ \t]{1,4}[^\s]{1,64}[ \t]{1,4}(?i:MD5|SHA[A-Z0-9-]{0,8})[ \t]{1,4}"
             r"(?:\"[^\"\r\n]{1,128}\"|[^\s\"]{1,128})[ \t]{1,4}(?i:DES|AES[0-9]{0,3})[ \t]{1,4}"
             r"(?:\"(?P<secret_dq>[^\"\r\n]{1,128}+)\"|(?!createUser(?![A-Za-z0-9_]))(?P<secret>[^\s\"]{1,128}+))",
             ("createuser",),
             (f'createUser monitor SHA-256 "{_PW}" AES "{_PW}x"',),
             ("createUser monitor SHA-256 auth", 'createUser monitor SHA "x" AES $PRIV'),
             category=SYNTAX, min_length=3),
        Rule("exec-array-option-secret", "secret after a password or token option in an exec-form array "
             "([\"--password\", \"...\"], Kubernetes args, Dockerfile CMD)",
             r"(?:(?<=\"-)|(?<='-))-?[A-Za-z0-9-]{0,30}(?i:password|passwd|pass|pwd|token|secret|api-key|apikey)"
             r"[\"'][ \t]{0,4},"
             r"[ \t]{0,4}(?:\"(?P<secret_dq>[^\"\r\n$]{1,256}+)\"|'(?P<secret_sq>[^'\r\n$]{1,256}+)')",
             ("pass", "pwd", "token", "secret", "key"),
             (f'args: ["--password", "{_PW}", "--host", "localhost"]',),
             ('args: ["--password", "$(DB_PASSWORD)"]', 'CMD ["--token-file", "/run/secrets/token"]'),
             category=SYNTAX, min_length=3, values="token"),
    )


def _files() -> tuple[Rule, ...]:
    return (
        Rule("isync-pass", "password in an isync/mbsync configuration's Pass line",
             r"(?<![^\n])[ \t]{0,8}Pass[ \t]{1,8}\"(?P<secret>[^\"\r\n]{1,128}+)\"",
             ("pass",), (f'Pass "{_PW}"',), ('PassCmd "pass show mail"', 'Pass "$MAIL_PW"'),
             category=SYNTAX, min_length=3),
        Rule("deno-auth-tokens", "token in DENO_AUTH_TOKENS (token@host;...)",
             r"(?<![A-Za-z0-9_])DENO_AUTH_TOKENS[\"']?[ \t]{0,4}[=:][ \t]{0,4}[\"']?(?P<secret>[^\s@;\"']{8,256}+)@",
             ("deno_auth_tokens",), (f"DENO_AUTH_TOKENS={fake(ALNUM, 40, 'settings-deno')}@deno.acme.test",),
             ("DENO_AUTH_TOKENS=$TOKENS",),
             category=SYNTAX, min_length=3),
        Rule("printf-secret-to-file", "value printed with a format into a file named like a secret "
             "(printf '%s' '...' > ~/.config/borg/passphrase)",
             _LB + r"printf[ \t]{1,4}['\"]%s[^'\"\n]{0,8}['\"][ \t]{1,4}" + _VALUE
             + r"[ \t]{0,4}>{1,2}[ \t]{0,4}[^\s|;&]{0,200}?(?i:pass|pwd|secret|token|cred|key|auth)",
             ("printf",),
             (f"printf '%s' '{_PW}' > ~/.config/borg/passphrase",),
             ("printf '%s' \"$PW\" > ~/.config/borg/passphrase", "printf '%s' hello > notes.txt"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("clipboard-copy-secret", "random-looking value copied to the clipboard (pbcopy, xclip, xsel, "
             "wl-copy, clip)",
             _LB + r"(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?(?:[ \t]{1,4}['\"]%s['\"])?[ \t]{1,4}"
             r"(?:'(?P<secret_sq>[^'\r\n]{8,256}+)'|\"(?P<secret_dq>[^\"\r\n$]{8,256}+)\"|(?P<secret>[^\s\"'`|;&<>()$]{8,256}+))"
             r"[ \t]{0,4}\|[ \t]{0,4}(?:pbcopy|xclip|xsel|wl-copy|clip(?:\.exe)?|termux-clipboard-set)"
             r"(?![A-Za-z0-9_-])",
             ("pbcopy", "xclip", "xsel", "wl-copy", "clip"),
             (f"printf '%s' '{fake(ALNUM, 15, 'settings-clip-pw')}~' | pbcopy",
              f"echo -n {fake(ALNUM, 40, 'settings-clip')} | xclip -selection clipboard"),
             ("echo 'hello world' | pbcopy", "echo $TOKEN | pbcopy", "echo 'docs/readme.md' | pbcopy"),
             category=GENERIC, entropy=3.0, min_length=8),
        Rule("prose-password-statement", "password stated in prose (\"the password is X\", \"new password X\") "
             "with a high-entropy value",
             r"(?<![A-Za-z0-9_-])(?i:password|passphrase|passwd)[ \t]{1,4}(?:(?i:is|was|now|to|:|=)[ \t]{1,4})?"
             r"(?P<secret>[^\s'\"`]{8,128}+)(?<![,.;:!?)])",
             ("password", "passphrase", "passwd"),
             (f"ok the staging password is {_PW} until friday", f"# new password {_PW}"),
             ("the password is required", "password policy: minimum12chars", "password is stored in the vault",
              "sends the user name and password base64-encoded, so use TLS"),
             category=GENERIC, entropy=3.0, min_length=8),
    )


def _tokens() -> tuple[Rule, ...]:
    secret = fake(BASE64, 40, "settings-aws")
    return (
        Rule("aws-key-pair-inline", "AWS secret access key written right after its access key ID (function "
             "arguments, CSV, key:secret)",
             r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}['\"]?[ \t]{0,4}[,:;|][ \t]{0,4}['\"]?"
             r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
             ("akia", "asia"),
             (join("SELECT * FROM s3('https://b.s3.amazonaws.com/*.csv', 'AK", "IA", fake(UPPER + "0123456789", 16,
                   "settings-akia"), "', '", secret, "')"),),
             ("AKIAIOSFODNN7EXAMPLE, not a pair",),
             category=SYNTAX, values="token"),
        Rule("csharp-auth-header-value", "token passed to C#'s AuthenticationHeaderValue(scheme, token)",
             r"(?<![A-Za-z0-9_])AuthenticationHeaderValue\([ \t]{0,4}\"[A-Za-z]{1,20}\"[ \t]{0,4},[ \t]{0,4}"
             r"\"(?P<secret>[^\"\r\n]{8,512}+)\"",
             ("authenticationheadervalue",),
             (f'new AuthenticationHeaderValue("Bearer", "{fake(ALNUM, 40, "settings-cs")}")',),
             ('new AuthenticationHeaderValue("Bearer", token)',),
             category=SYNTAX, values="token"),
        Rule("nostr-secret-key", "Nostr secret key (nsec1 and 58 bech32 characters)",
             r"(?<![A-Za-z0-9])nsec1[0-9a-z]{58}(?![A-Za-z0-9])", ("nsec1",),
             (join("NOSTR_NSEC=ns", "ec1", fake("qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58, "settings-nsec")),),
             ("npub1" + fake(LOWER, 58, "settings-npub"),),
             category=PROVIDER),
    )


RULES: tuple[Rule, ...] = _stores() + _definitions() + _files() + _tokens()

__all__ = ["RULES"]
