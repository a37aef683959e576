"""Credential-bearing syntax: key blocks, JWTs, URLs with passwords, assignments, CLI flags.

These rules know where a secret sits rather than what it looks like, so their values go through
value checks (placeholders, variables, code, paths, booleans) before they are redacted; the
``generic-api-key`` and ``bearer-token`` rules also need a high-entropy value.
"""

from __future__ import annotations

from perth.redact.rules.model import (
    ALNUM,
    BASE64,
    GENERIC,
    LOWER,
    PROVIDER,
    SYNTAX,
    UPPER,
    URLSAFE,
    Rule,
    fake,
    join,
)

#: An assignment operator, with the closing quote of a quoted key before it.  A bare ``:`` must
#: be followed by a blank or a quote (YAML), so ``user:token@host`` in a URL is not a key-value.
#: Blanks before ``=`` may align a block (Terraform, INI): up to 32.  Make's ``?=``, ``+=`` and
#: ``::=`` assign too, and a typed declaration names its type before ``=`` (``const API_TOKEN:
#: &str = ...``, ``password: str = ...``, ``val token: String = ...``).
#: A subscript key closes with its bracket (``$cfg['Servers'][$i]['password'] = ...``,
#: ``app.config["SECRET_KEY"] = ...``).
_OP = (r"""(?:(?:["']\]|["'])?[ \t]{0,32}(?:=>|::=|:=|\|\|=|\?\?=|\?=|\+=|=)|["'][ \t]{0,4}:"""
       r"""|[ \t]{0,4}:[ \t]{0,4}&?(?:'static[ \t]{1,4})?[A-Za-z][A-Za-z0-9_.<>\[\]]{0,40}\??[ \t]{0,4}=(?![=>])"""
       r"""|[ \t]{0,4}:(?=[ \t"'`]))"""
       r"[ \t]{0,4}")
#: A value: double-quoted (also with escaped quotes, JSON inside a string), single-quoted,
#: back-quoted without blanks (Gitea's app.ini quotes values holding ``#`` or ``;`` so; not a
#: lowercase word, a shell command substitution such as ```pwgen```) or bare
#: (a bare value followed by ``(`` or ``[`` is code, by ``<`` a template such as ``pypi-<token>``;
#: a comma ends it when a blank or the end follows).
_VALUE = (r'''(?:\\"(?P<secret_esc>[^"\\\r\n]{1,300}+)|"(?P<secret_dq>[^"\r\n]{1,300}+)'''
          r'''|'(?P<secret_sq>[^'\r\n]{1,300}+)|`(?![a-z_-]{1,40}`)(?P<secret_bq>[^`\s]{1,300}+)`|'''
          r"""(?P<secret>(?:[^\s"'`,;|&<>(){}\[\]\\]|,(?![\s,"'`)\]}]|$)){1,300}+)"""
          r"""(?![(\[])(?!<[A-Za-z][A-Za-z0-9 _.-]{0,40}>))""")
#: The value of a command-line option (never another option).
_ARG = (r'''(?!-[A-Za-z-]{0,40}(?:[ \t=]|$))(?:"(?P<secret_dq>[^"\r\n]{1,256}+)"?|'(?P<secret_sq>[^'\r\n]{1,256}+)'?|'''
        r"""(?P<secret>[^\s"'`|;&<>()]{1,256}+)(?!<[A-Za-z][A-Za-z0-9 _.-]{0,40}>))""")

_PW_NAMES = (
    r"(?:(?:(?<![A-Za-z0-9])|(?<=\\[nrt]))(?i:pass(?:word|wd|phrase)?|pwd|pw|psk)"
    r"|(?<=[A-Za-z])(?:password|passwd|passphrase)|(?<![A-Za-z0-9])(?i:bind|root|admin)pw"
    r"|(?<=[a-z])(?:Pass(?:word|wd|phrase)?|Pwd)|(?<=[A-Z])(?:PASS(?:WORD|WD)?|PWD))")
#: Names of keys that are public by design (``ALGOLIA_SEARCH_ONLY_API_KEY``, ``PUBLIC_KEY``).
_NOT_PUBLIC = (r"(?<![Pp]ublic[_.-])(?<!PUBLIC[_.-])(?<![Pp]ublishable[_.-])(?<!PUBLISHABLE[_.-])"
               r"(?<![Ss]earch[_.-]only[_.-])(?<!SEARCH[_.-]ONLY[_.-])(?<![Ss]ite[_.-])(?<!SITE[_.-])"
               r"(?<![Pp]age[_.-])(?<!PAGE[_.-])(?<![Ss]torefront[_.-])(?<!STOREFRONT[_.-])(?<![Bb]rowser[_.-])"
               r"(?<!BROWSER[_.-])")
#: (The public-name look-behinds follow the word boundary, which fails first at most positions;
#: a name glued to a letter cannot follow ``public_``, so the other branches need no check.)
_CREDENTIAL_NAMES = (
    r"(?:(?<![A-Za-z0-9])" + _NOT_PUBLIC + r"(?i:token|secret|credentials?|auth|apikey|api[_.-]key"
    r"|(?:access|auth|refresh|api|session|id|bearer|client|bot)token"
    r"|(?:client|app|shared|signing|webhook|jwt|consumer)secret"
    r"|private[_.-]?key[_.-]?id"
    r"|(?:secret|private|access|master|encryption|signing|auth|app|license|service|preshared"
    r"|account|subscription|client|consumer|session)[_.-]?key)"
    r"|(?<=[a-z])(?<!Page)(?:Token|Secret|SecretKey|ApiKey|AccessKey|PrivateKey|Credentials?)"
    r"|(?<=[A-Z])(?:TOKEN|SECRET))(?:[_.-]?(?i:base64|base|b64|value))?")
_CLI_NAMES = (r"password|passwd|passphrase|pass|pwd|pw|token|secret|api[-_]key|apikey|api[-_]token|auth[-_]token"
              r"|private[-_]key|certificate[-_]key|requirepass|masterauth|plaintext"
              r"|access[-_]token|client[-_]secret|secret[-_]key|secret-string|secret-binary|private[-_]token"
              r"|key-password|store-password|storepasswd|(?:account|master|encryption|license|sas|shared"
              r"|subscription)[-_]key"
              r"|db-password|admin-password|root-password|http-password|proxy-password|storepass"
              r"|keypass|srcstorepass|deststorepass|srckeypass|destkeypass|auth[-_]key|authkey"
              r"|access[-_]key|secret[-_]access[-_]key")


def _pem_sample(kind: str, seed: str) -> str:
    body = "\n".join(fake(BASE64, 64, f"{seed}-{i}") for i in range(5))
    label = f"{kind} PRIVATE KEY".strip()
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


def _blocks() -> tuple[Rule, ...]:
    header = join("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", ".")
    jwt = header + "eyJ" + fake(URLSAFE, 60, "jwt") + "." + fake(URLSAFE, 43, "jwt-sig")
    return (
        Rule("pem-private-key", "PEM / OpenSSH / PGP private key block (BEGIN ... END replaced whole)",
             r"-----BEGIN[ ]?(?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP|SSH2 ENCRYPTED|SSH2)[ ])?"
             r"PRIVATE KEY(?:[ ]BLOCK)?-----",
             ("private key",),
             (_pem_sample("RSA", "pem-rsa"), _pem_sample("OPENSSH", "pem-ssh"),
              _pem_sample("", "pem-pkcs8"), _pem_sample("EC", "pem-ec")),
             ("-----BEGIN CERTIFICATE-----", "-----BEGIN PUBLIC KEY-----",
              "ssh-keygen writes the private key to ~/.ssh/id_ed25519"),
             category=PROVIDER, kind="pem-block"),
        Rule("jwt", "JSON Web Token (eyJ....eyJ....sig)",
             r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}+\.eyJ[A-Za-z0-9_-]{8,8192}+"
             r"\.[A-Za-z0-9_-]{0,2048}+(?![A-Za-z0-9_-])",
             ("eyj",),
             (f"curl -H 'Authorization: Bearer {jwt}' https://api.acme.test/me", f"id_token={jwt}"),
             (header[:-1], "eyJhbGciOiJIUzI1NiJ9.payload.sig")),
    )


def _urls_and_commands() -> tuple[Rule, ...]:
    pw = fake(ALNUM, 14, "url-pw")
    return (
        Rule("url-password", "password in a URL (scheme://user:password@host), any scheme; the user "
             "name may hold an unencoded @ (smtp://me@acme.test:password@smtp.acme.test)",
             r"(?<![A-Za-z0-9.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s:/?#'\"`<>\[\]]{0,200}+:"
             r"(?P<secret>[^\s/?'\"`<>\[\]]{1,300})@",
             ("://",),
             (f"psql postgres://app:{pw}@db.internal:5432/app",
              f"MONGO_URL=mongodb+srv://svc:{pw}@cluster0.example.net/db",
              f"redis-cli -u rediss://:{pw}@cache:6380/0", f"amqps://guest:{pw}@mq:5671/vhost",
              f"+DATABASE_URL=clickhouse://app:{pw}.x@db:9000/app",
              f"MAIL_URL=smtp://ci@acme.test:{pw};@smtp.acme.test:587"),
             ("https://example.com:8443/path", "git@github.com:acme/app.git",
              "https://user@example.com/repo.git", "http://localhost:8080/api?x=1"),
             category=SYNTAX),
        Rule("go-dsn-password", "password in a Go database DSN (user:password@tcp(host)/db)",
             r"(?<![A-Za-z0-9_.:/@-])[A-Za-z0-9_.-]{1,64}(?=:)[^\n](?P<secret>[^\s\"'`]{1,256}?)@(?:tcp6?|unix|udp)\(",
             (":",),
             (f'dsn := "app:{pw}.x@tcp(db.internal:3306)/orders?parseTime=true"',
              f"DSN=app:{pw}@unix(/run/mysqld/mysqld.sock)/app"),
             ('dsn := "app@tcp(db:3306)/orders"', 'dsn := fmt.Sprintf("%s:%s@tcp(%s)/%s", u, p, h, d)'),
             category=SYNTAX),
        Rule("jdbc-oracle-password", "password in an Oracle JDBC URL (jdbc:oracle:thin:user/password@host)",
             r"(?i:jdbc:oracle:(?:thin|oci8?|kprb)):[A-Za-z0-9_$#.-]{1,64}/(?P<secret>[^\s@/'\"]{1,128}+)@",
             ("oracle",),
             (f"jdbc:oracle:thin:scott/{pw}@db.internal:1521:ORCL",),
             ("jdbc:oracle:thin:@db.internal:1521:ORCL", "jdbc:oracle:thin:@//db.internal:1521/app"),
             category=SYNTAX),
        Rule("mysql-password", "MySQL / MariaDB password glued to -p (mysql -uroot -pSECRET)",
             r"(?<![A-Za-z0-9_-])(?:mysql(?:dump|admin|import|check|show|sh|binlog|pump|slap|_upgrade)?|mariadb"
             r"(?:-dump|-admin|dump|admin)?)(?![A-Za-z0-9_-])[^\n|;&]{0,200}?(?:[ \t]|(?<=[ \t,]\"))-p"
             r"""(?:"(?P<secret_dq>[^"\r\n]{1,128}+)"?|'(?P<secret_sq>[^'\r\n]{1,128}+)'?|"""
             r"""(?P<secret>[^\s"'|;&<>]{1,128}+))""",
             ("mysql", "mariadb"),
             ("mysql -h db.internal -uroot -p" + fake(ALNUM, 12, "mysql") + " app",
              "mysqldump -u backup -p'" + fake(ALNUM, 10, "mysqldump") + "' --all-databases",
              'test: ["CMD", "mysqladmin", "ping", "-p' + fake(ALNUM, 12, "mysql-exec") + '"]'),
             ("mysql -u root -p app", "mkdir -p build/out", "ssh -p 2222 deploy@host",
              "mysql -P 3306 -h db"),
             category=SYNTAX),
        Rule("sshpass-password", "password given to sshpass -p",
             r"(?<![A-Za-z0-9_-])sshpass[ \t]{1,4}-p[ \t]{0,4}" + _ARG, ("sshpass",),
             ("sshpass -p '" + fake(ALNUM, 12, "sshpass") + "' ssh deploy@10.0.0.12",),
             ("sshpass -f ~/.pw ssh deploy@host", "sshpass -e ssh host"),
             category=SYNTAX),
        Rule("docker-login-password", "registry password given to docker/podman/helm login -p",
             r"(?<![A-Za-z0-9_-])(?:docker|podman|buildah|skopeo|nerdctl|oras|helm[ \t]{1,4}"
             r"registry)[ \t]{1,4}login(?![A-Za-z0-9_-])[^\n|;&]{0,200}?[ \t]-p[ \t]{0,4}" + _ARG,
             ("login",),
             ("docker login -u ci -p " + fake(ALNUM, 16, "docker") + " registry.acme.test",),
             ("docker login -u ci --password-stdin registry.acme.test", "docker run -p 80:80 nginx"),
             category=SYNTAX),
        Rule("curl-user-password", "password in curl -u user:password (or -U/--proxy-user)",
             r"(?<![A-Za-z0-9_-])curl(?![A-Za-z0-9_-])[^\n|;&]{0,300}?[ \t](?:-u|--user|-U|--proxy-user)"
             r"(?:=|[ \t]{0,4})"
             r"""["']?[^\s:"']{1,100}+:(?:'(?P<secret_sq>[^'\r\n]{1,200}+)'|"(?P<secret_dq>[^"\r\n]{1,200}+)"|"""
             r"""(?P<secret>[^\s"']{1,200}+))""",
             ("curl",),
             ("curl -u admin:" + fake(ALNUM, 12, "curl") + " https://jenkins.acme.test/api/json",
              "curl --proxy-user bob:" + fake(ALNUM, 12, "curl-proxy") + " -x http://proxy:3128 https://a.test",
              "curl -s -u alice:'" + fake(ALNUM, 12, "curl-sq") + "*/x' https://ci.acme.test/api/json"),
             ("curl -u admin https://jenkins.acme.test", "curl -s https://api.acme.test/u:1"),
             category=SYNTAX),
        Rule("openssl-password", "passphrase given to openssl as pass:...",
             r"""(?<![A-Za-z0-9_-])-pass(?:in|out)?[ \t]{1,4}["']?pass:(?:'(?P<secret_sq>[^'\r\n]{1,200}+)'"""
             r"""|"(?P<secret_dq>[^"\r\n]{1,200}+)"|(?P<secret>[^\s"']{1,200}+))""",
             ("pass:",),
             ("openssl pkcs12 -export -in c.pem -out c.p12 -passout pass:" + fake(ALNUM, 10, "ossl"),
              "openssl pkcs12 -export -in c.pem -out c.p12 -passout pass:'" + fake(ALNUM, 10, "ossl") + " x!'"),
             ("openssl rsa -in k.pem -passin env:KEY_PASS", "openssl rsa -passin file:pw.txt"),
             category=SYNTAX),
        Rule("netrc-password", "password in a .netrc machine line or a .fetchmailrc poll line",
             r"(?<![A-Za-z0-9_-])(?:machine|default|poll)(?![A-Za-z0-9_-])[^\n]{0,200}?(?:[ \t]|\\n)"
             r"(?:password|passwd|pass)[ \t]{1,4}(?:\"(?P<secret_dq>[^\"\r\n]{1,200}+)\"|'(?P<secret_sq>"
             r"[^'\r\n]{1,200}+)'|(?P<secret>[^\s]{1,200}+))",
             ("pass",),
             ("machine api.heroku.com login me@acme.test password " + fake(ALNUM, 12, "netrc"),
              'poll imap.acme.test proto IMAP user "me" password "' + fake(ALNUM, 12, "fetchmail") + ' x"',
              "printf 'machine nexus.acme.test\\nlogin ci\\npassword " + fake(ALNUM, 12, "netrc-printf")
              + "\\n' > ~/.netrc"),
             ("machine github.com login octocat", "password policy: 12 characters minimum"),
             category=SYNTAX),
    )


def _flags_and_headers() -> tuple[Rule, ...]:
    bearer = fake(ALNUM, 40, "bearer")
    return (
        Rule("cli-password-flag", "secret given to a command-line option (--password X, --token=X)",
             r"(?<![A-Za-z0-9_-])--?(?!(?i:ask|no|prompt|read|show|reset|forgot|generate|min|max)[-_])"
             r"(?:[A-Za-z0-9]{1,24}[-_.])?(?:[A-Za-z0-9]{1,24}[-_.])?"
             rf"(?i:{_CLI_NAMES})(?:=|[ \t]{{1,4}})" + _ARG,
             ("-pass", "-pwd", "pw", "-token", "-secret", "-key", "-apikey", "storepass", "keypass",
              "authkey", "requirepass", "masterauth", "plaintext"),
             ("vault login --token=" + fake(ALNUM, 20, "cli-vault"),
              "psql --password " + fake(ALNUM, 12, "cli-psql") + " -h db",
              "keytool -importkeystore -srcstorepass " + fake(ALNUM, 10, "keytool"),
              "kubectl create secret docker-registry r --docker-password=" + fake(ALNUM, 12, "kubectl"),
              "gpg --batch --passphrase '" + fake(ALNUM, 12, "gpg") + "' -c notes.txt",
              "plink -ssh ops@10.0.0.5 -pw " + fake(ALNUM, 12, "plink") + " uptime",
              "az storage blob list -c logs --account-name acme --account-key " + fake(ALNUM, 40, "az-key") + "==",
              "aws secretsmanager create-secret --name db --secret-string '" + fake(ALNUM, 14, "asm") + "'",
              "forge script Deploy.s.sol --private-key 0x" + fake("0123456789abcdef", 64, "forge"),
              "kubeadm join 10.0.0.1:6443 --control-plane --certificate-key " + fake("0123456789abcdef", 64, "kubeadm"),
              "redis-server --requirepass '" + fake(ALNUM, 14, "requirepass") + "'",
              "caddy hash-password --plaintext '" + fake(ALNUM, 14, "caddy") + "'"),
             ("docker login --password-stdin", "gh auth login --with-token < token.txt",
              "cli --token $TOKEN", "tool --password --verbose", "wget --no-password-prompt x",
              "wget --user=ci --ask-password https://files.acme.test/a.zip", "tailscale up --authkey tskey-<key>",
              "  -p, --password TEXT   Password for the database user",
              "WARNING! Using --password via the CLI is insecure.", "openssl enc -d -in b.enc -pass stdin",
              "apksigner sign --ks release.jks --ks-pass env:KS_PASS app.apk",
              "gcloud secrets versions access latest --secret=db-password"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("authorization-header", "credential in an Authorization header (Bearer, Basic, token, ...)",
             r"(?<![A-Za-z0-9_-])(?i:(?:proxy-)?authorization)[\"']?\]?(?:[ \t]{0,4}[:=][ \t]{0,4}"
             r"|[ \t]{1,4}(?=[\"']))[\"']?"
             r"(?:(?i:bearer|basic|token|digest|ssws|apikey|api-key|bot|negotiate|ntlm|key|jwt|otp)"
             r"[ \t]{1,4}|[A-Z][A-Za-z0-9-]{1,30}[ \t]{1,4})?(?P<secret>[A-Za-z0-9_.~+/:-]{8,4096}+={0,2})",
             ("authorization",),
             (f"curl -H 'Authorization: Bearer {bearer}' https://api.acme.test",
              "Authorization: Basic " + fake(BASE64, 24, "basic") + "==",
              f'headers = {{"Authorization": "token {bearer}"}}',
              f'proxy_set_header Authorization "Bearer {bearer}";',
              "Authorization: GenieKey " + fake(ALNUM, 8, "genie") + "-" + fake(ALNUM, 12, "genie2")),
             ("Authorization: Bearer $TOKEN", "Authorization: Bearer <token>",
              "the authorization header is missing"),
             category=SYNTAX, min_length=8, values="token"),
        Rule("bearer-token", "high-entropy token after the word Bearer",
             r"(?<![A-Za-z0-9_-])(?i:bearer)[ \t]{1,4}(?P<secret>[A-Za-z0-9_.~+/-]{16,4096}+={0,2})"
             r"(?![A-Za-z0-9_.~+/=-])",
             ("bearer",),
             (f"-H Bearer {bearer}",),
             ("Bearer tokens expire after an hour", "bearer aaaaaaaaaaaaaaaaaaaaaaaa"),
             category=GENERIC, entropy=3.0, min_length=16),
    )


def _assignments() -> tuple[Rule, ...]:
    password = fake(ALNUM, 10, "pw") + "!"
    token = fake(ALNUM, 24, "token")
    return (
        Rule("password-assignment", "password assigned in shell, .env, YAML, TOML, JSON, INI or code",
             _PW_NAMES + _OP + _VALUE,
             ("pass", "pw", "psk"),
             (f"export DB_PASSWORD={password}", f'password = "{password}"',
              f'  "password": "{password}",', f"PGPASSWORD={password} psql -h db app",
              f"Server=db;Database=app;User Id=sa;Password={password};",
              'curl -d \'{"query": "mutation { login(password: \\"' + password + '\\") }"}\'',
              f"$cfg['Servers'][$i]['password'] = '{password}';", f'$wgDBpassword = "{password}";',
              f"  'dbpassword' => '{password}',", f"bindpw={password}", f"PASSWD = `{password}`",
              f"printf '[client]\\nuser=ci\\npassword={password}\\n' > ~/.my.cnf",
              f"password = {fake(UPPER + LOWER, 9, 'dotted')}.ggF"),
             ("password = get_password()", "password: str", 'password = "${DB_PASSWORD}"',
              "PASSWORD_MIN_LENGTH=12", "password=changeme", "self.password = password",
              "password = pypi-<your-token>", "DB_PASSWORD=__DB_PASSWORD__", 'password => "[FILTERED]"',
              "const password = await password({ message: 'Enter your password' });",
              "PASSWORD=`pwgen`", "nopassword = true", "LoadCredential=db_password:/etc/credstore/db_password"),
             category=SYNTAX, min_length=3),
        Rule("secret-assignment", "token, secret or API key assigned in shell, .env, YAML, JSON or code",
             _CREDENTIAL_NAMES + _OP + _VALUE,
             ("token", "secret", "key", "credential", "auth"),
             (f"export API_TOKEN={token}", f"client_secret: {token}", f'"apiKey": "{token}"',
              f"DEPLOY_TOKEN ?= {token}", f'const API_TOKEN: &str = "{token}";',
              f"SECRET_KEY_BASE={token}", f"app.config['SECRET_KEY'] = '{token}'"),
             ("token = os.environ['TOKEN']", "if config['secret'] == other:", "secret_name: prod/db",
              "credentials: same-origin",
              "TOKEN_TTL=3600", "api_key = settings.API_KEY", "API_TOKEN=${{ secrets.API_TOKEN }}",
              '"next_page_token": "' + fake(BASE64, 28, "page-token") + '",', "OPENAI_API_KEY=op://Eng/OpenAI/api-key",
              "const secret = process.env.JWT_SECRET!;",
              "    token: AgA" + fake(BASE64, 300, "sealed-secret")),
             category=SYNTAX, min_length=8, values="token"),
        Rule("xml-credential", "password, secret or token in an XML element (<password>...</password>)",
             r"<(?i:password|passwd|passphrase|pass|secret|token|apikey|api-key|privatekey|accesskey"
             r"|secretkey|client-secret)(?:[ \t][^<>\n]{0,200})?>(?P<secret>[^<\s]{3,300}+)</",
             ("pass", "secret", "token", "key"),
             ("    <password>" + password + "</password>",
              '<Pass encoding="base64">' + fake(BASE64, 16, "fz") + "==</Pass>"),
             ("    <password>${env.REPO_PASSWORD}</password>", "<username>ci</username>"),
             category=SYNTAX, min_length=3),
        Rule("generic-api-key", "high-entropy value next to a credential keyword",
             r"(?i:key(?<!sitekey)(?<!site[_-]key)(?<!public[_-]key)(?<!publickey)(?<!pubkey)(?<!encryptedkey)"
             r"(?<!publishable[_-]key)|token|secret|auth"
             r"|credential|pass|signature|session|cookie)"
             r"[A-Za-z0-9_.-]{0,20}?(?<!stdin)(?<![Cc]lient[_.-][Ii][Dd])(?<!CLIENT[_.-]ID)(?<!clientId)(?<!ClientId)"
             r"(?<![Ww]rite[_.-][Kk]ey)(?<!WRITE[_.-]KEY)(?<!writeKey)(?:" + _OP + r"|[ \t]{1,4})[\"'`]?"
             r"(?![A-Za-z_.-]{0,40}(?i:key|token|secret|auth)[ \t])"  # a keyed name, then its value
             r"(?P<secret>[A-Za-z0-9+/_.~=-]{16,256}+)(?![^\s\"'`,;)\]}&])",
             ("key", "token", "secret", "auth", "credential", "pass", "signature", "session",
              "cookie"),
             ("cache_signing_key 8f3kLq9ZtX2mB7wR4vN6", "X-Session: " + fake(ALNUM, 32, "session"),
              "RELEASE_KEY=" + fake(ALNUM, 28, "release-key")),
             ("CACHE_KEY=" + fake("0123456789abcdef", 64, "cache-key"),
              "session_id 550e8400-e29b-41d4-a716-446655440000",
              "primary_key: user_account_identifier", "gpg --recv-keys 4AEE18F83AFDEB23",
              'data-sitekey="6Lc' + fake(ALNUM, 37, "recaptcha") + '"',
              "VAPID_PUBLIC_KEY=B" + fake(URLSAFE, 86, "vapid"),
              "docker login -u ci --password-stdin registry-7.build.acme.test",
              "PublicKey = " + fake(BASE64, 43, "wg-public") + "="),
             category=GENERIC, entropy=3.5, min_length=16),
    )


RULES: tuple[Rule, ...] = _blocks() + _urls_and_commands() + _flags_and_headers() + _assignments()

__all__ = ["RULES"]
