"""Secrets in the documented arguments, files and call signatures of more tools and libraries.

SQL and data stores: Oracle's ``IDENTIFIED BY`` with a double-quoted or bare password, Cypher's
``SET PASSWORD [FROM '...'] TO '...'``, SQLCipher's ``PRAGMA key``, Redis's ``AUTH`` command
and its ACL file's ``user ... >password`` lines, Sentinel's ``auth-pass``.  Tools: ``expect``'s
``send "...\\r"``, jq's ``--arg NAME VALUE`` for a credential name, curl's config-file ``user =
"name:password"`` and ``-u KEY:`` (an API key as the user name), SMTP/IMAP ``AUTH PLAIN``
initial responses, the ftp client's ``user NAME PASSWORD`` command, Squid's ``cache_peer ...
login=user:password``, ProFTPD's ``SQLConnectInfo``, Nagios ``$USERn$`` macros, Oracle
``mkstore -createCredential``, sbt ``Credentials(realm, host, user, password)``, Anaconda
token URLs (``/t/TOKEN/``), the argument a tool's manual documents as its password (net-snmp's
community ``-c``, the Jenkins CLI's ``-auth``, ApacheBench's ``-A``, mydumper, mssql-cli,
``az ... -p``, samba-tool, drush, mkpasswd, ``composer config http-basic``, curlftpfs, ``cf
set-env``, ``drone secret add --data``, ``sops --set``), a password file given as the process
substitution of a literal (``--vault-password-file <(echo ...)``), composer ``auth.json`` bearer and OAuth
maps, HTTPie header items
(``X-Api-Key:value``), and secrets passed positionally to library calls whose signature
documents them (PyJWT/jsonwebtoken ``encode``/``sign``, ldap3 ``Connection``, the AWS SDK for
Go's static credentials, Twilio's and Cohere's clients, requests' ``cookies.set``).
Providers: Kaggle's ``kaggle.json``, and health-check and automation webhook URLs
(Healthchecks.io ping URLs, Make and Pipedream webhooks, Uptime Kuma push URLs).
"""

from __future__ import annotations

from perth.redact.rules.model import ALNUM, HEX, LOWER, PROVIDER, SYNTAX, UPPER, Rule, fake, join, uuid_like

_LB = r"(?<![A-Za-z0-9_-])"
_PW = fake(ALNUM, 12, "tools-pw") + "~"
#: A single-, double-quoted or bare value.
_QUOTED_OR_BARE = (r'''(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?P<secret_dq>[^"\r\n]{1,256}+)"|'''
                   r"""(?P<secret>[^\s"'`|;&<>()]{1,256}+))""")
#: A quoted string argument.
_STRING = r'''(?:'[^'\r\n]{0,300}'|"[^"\r\n]{0,300}")'''
_CREDENTIAL_WORD = r"(?i:[A-Za-z0-9_]{0,30}(?:pass(?:word|wd|phrase)?|pwd|pw|secret|token|api_?key|key|auth))"


def _stores() -> tuple[Rule, ...]:
    return (
        Rule("sql-identified-by", "Oracle password after IDENTIFIED BY, double-quoted or bare",
             r"(?<![A-Za-z0-9_])(?i:identified)[ \t]{1,4}(?i:by)[ \t]{1,4}"
             r'(?:"(?P<secret_dq>[^"\r\n]{1,128}+)"|(?!(?i:values|externally|globally)(?![A-Za-z0-9_]))'
             r"(?P<secret>[A-Za-z0-9_#$.+~^!*%@-]{1,128}+)(?![A-Za-z0-9_#$.+~^!*%@'-]))",
             ("identified",),
             (f'CREATE USER app IDENTIFIED BY "{_PW}<x" DEFAULT TABLESPACE users;',
              f"ALTER USER system IDENTIFIED BY {_PW} ACCOUNT UNLOCK;"),
             ("ALTER USER app IDENTIFIED BY VALUES 'S:ABC'", "CREATE USER ops IDENTIFIED EXTERNALLY;",
              "ALTER USER app IDENTIFIED BY :new_password", "CREATE USER app IDENTIFIED BY &pw;"),
             category=SYNTAX, min_length=3),
        Rule("cypher-set-password", "password in Cypher SET PASSWORD [FROM '...'] TO '...' (Neo4j)",
             r"(?<![A-Za-z0-9_])(?i:set[ \t]{1,4}(?:plaintext[ \t]{1,4})?password)[ \t]{1,4}"
             r"(?:(?i:from)[ \t]{1,4}'(?P<secret_old>[^'\r\n]{1,128}+)'[ \t]{1,4}(?i:to)[ \t]{1,4})?"
             r"'(?P<secret>[^'\r\n]{1,128}+)'",
             ("password",),
             (f"ALTER CURRENT USER SET PASSWORD FROM 'old-{_PW}' TO '{_PW}';",),
             ("ALTER CURRENT USER SET PASSWORD FROM $old TO $new", "SET PASSWORD = ?"),
             category=SYNTAX, min_length=3),
        Rule("sqlcipher-key", "database key in SQLCipher's PRAGMA key / rekey",
             r"(?<![A-Za-z0-9_])(?i:pragma)[ \t]{1,4}(?i:re)?(?i:key)[ \t]{0,4}=[ \t]{0,4}"
             r"""(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?P<secret_dq>[^"\r\n]{1,256}+)")""",
             ("pragma",),
             (f"PRAGMA key = '{_PW}>x';", f"sqlcipher app.db \"PRAGMA key='{_PW}'; SELECT 1;\""),
             ("PRAGMA key = ?;", "PRAGMA journal_mode = 'wal';"),
             category=SYNTAX, min_length=3),
        Rule("redis-auth-command", "password given to Redis's AUTH command (AUTH [user] password) at "
             "the start of a command line",
             r"(?<![^\s>])AUTH [ \t]{0,3}(?:[^\s'\"]{1,64}[ \t]{1,4}(?=[^\s]))?" + _QUOTED_OR_BARE
             + r"(?=[ \t]{0,8}(?:\r?\n|$))",
             ("auth",),
             (f"AUTH worker {_PW}", f"127.0.0.1:6379> AUTH {_PW}"),
             ("AUTH PLAIN", "AUTH $REDIS_PASSWORD", "see AUTH in the manual for details"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("redis-acl-file-user", "password of a Redis ACL file or config user line (user NAME ... >password)",
             r"(?<![^\n])[ \t]{0,8}user [ \t]{0,3}[^\s>]{1,64}[ \t][^\n>]{0,400}+(?<=[ \t])>(?P<secret>[^\s]{1,256}+)",
             ("user",),
             (f"user worker on >{_PW} ~cache:* +get +set",),
             ("user worker on nopass ~* +@all", "user worker off", "user nginx;"),
             category=SYNTAX, min_length=3),
        Rule("sentinel-auth-pass", "master password in a Redis Sentinel configuration "
             "(sentinel auth-pass NAME PASSWORD)",
             _LB + r"sentinel[ \t]{1,4}auth-pass[ \t]{1,4}[^\s]{1,64}[ \t]{1,4}" + _QUOTED_OR_BARE,
             ("auth-pass",),
             (f"sentinel auth-pass mymaster {_PW}",),
             ("sentinel auth-user mymaster replica", "sentinel monitor mymaster 10.0.0.1 6379 2"),
             category=SYNTAX, min_length=3),
    )


def _commands() -> tuple[Rule, ...]:
    return (
        Rule("expect-send-secret", "word sent with expect's send \"...\\r\" (answering a password prompt)",
             _LB + r"send[ \t]{1,4}(?:--[ \t]{1,4})?\"(?P<secret>[^\"\s\\]{3,128}+)\\r\"",
             ("send",),
             (f'send "{_PW}\\r"', f"expect -c 'spawn ssh ops@db; expect \"password:\"; send \"{_PW}\\r\"; interact'"),
             ('send "yes\\r"', 'send "$password\\r"', 'send "exit\\r"', 'send "ls -la\\r"'),
             category=SYNTAX, values="token"),
        Rule("jq-arg-secret", "credential passed to jq as a named argument (--arg password VALUE)",
             _LB + r"--(?:arg|argjson)[ \t]{1,4}" + _CREDENTIAL_WORD + r"[ \t]{1,4}" + _QUOTED_OR_BARE,
             ("--arg",),
             (f"jq -n --arg pw '{_PW}' '{{password: $pw}}' > creds.json",
              f"jq --arg token {_PW} '.auth.token = $token' cfg.json"),
             ('jq -n --arg pw "$PW" \'{password: $pw}\'', "jq --arg name alice '.user = $name'"),
             category=SYNTAX, min_length=3),
        Rule("curl-config-user", "password in a curl config file's user = \"name:password\" (curl -K)",
             _LB + r"(?:user|proxy-user)[ \t]{0,4}=[ \t]{0,4}\"[^\":\s]{1,100}:(?P<secret>[^\"\r\n]{1,200}+)\"",
             ("user",),
             (f"curl -K - <<< 'user = \"ci:{_PW}\"' https://api.acme.test/export", f'proxy-user = "ops:{_PW}"'),
             ('user = "ci"', 'user = "ci:$PASSWORD"'),
             category=SYNTAX, min_length=3),
        Rule("curl-key-as-user", "API key given to curl as the user name with an empty password (-u KEY:)",
             r"(?<![A-Za-z0-9_-])curl(?![A-Za-z0-9_-])[^\n|;&]{0,300}?[ \t](?:-u|--user)(?:=|[ \t]{0,4})"
             r"[\"']?(?P<secret>[A-Za-z0-9_.-]{16,200}+):(?=[\"']?(?:[ \t]|$))",
             ("curl",),
             (f"curl https://api.acme.test/v1/letters -u live_{fake(HEX, 35, 'lob')}:",),
             ("curl -u alice: https://api.acme.test", "curl -u $API_KEY: https://api.acme.test"),
             category=SYNTAX, values="token"),
        Rule("curl-empty-user-password", "password given to curl after an empty user name (-u :TOKEN)",
             r"(?<![A-Za-z0-9_-])curl(?![A-Za-z0-9_-])[^\n|;&]{0,300}?[ \t](?:-u|--user)(?:=|[ \t]{0,4})"
             r"[\"']?:(?P<secret>[^\s\"']{8,200}+)",
             ("curl",),
             (f"curl -u :{fake(LOWER + '234567', 52, 'ado-pat')} https://dev.azure.com/acme/_apis/projects",),
             ("curl -u :$AZURE_DEVOPS_PAT https://dev.azure.com/acme", "curl -u : --negotiate https://intranet"),
             category=SYNTAX, values="token"),
        Rule("sasl-plain-response", "SASL PLAIN initial response (SMTP AUTH PLAIN, IMAP AUTHENTICATE PLAIN: "
             "base64 of the user name and password)",
             r"(?<![A-Za-z0-9_-])(?:AUTH|AUTHENTICATE|auth|authenticate)[ \t]{1,4}(?:PLAIN|plain)[ \t]{1,4}"
             r"(?P<secret>[A-Za-z0-9+/]{8,1024}+={0,2})",
             ("plain",),
             (f"printf 'AUTH PLAIN {fake(ALNUM, 32, 'sasl')}==\\r\\n' | openssl s_client -connect smtp:465",
              f"a1 AUTHENTICATE PLAIN {fake(ALNUM, 28, 'imap-sasl')}"),
             ("AUTH PLAIN", "250-AUTH PLAIN LOGIN", "AUTH LOGIN"),
             category=SYNTAX, values="token"),
        Rule("ftp-user-command", "password on an ftp client's user command (user NAME PASSWORD)",
             r"(?<![^\n])[ \t]{0,8}user [ \t]{0,3}[^\s]{1,64}[ \t]{1,4}(?P<secret>[^\s]{3,128}+)"
             r"(?=[ \t]{0,8}(?:\r?\n|$))",
             ("user",),
             (f"ftp -n files.acme.test <<END\nuser admin {_PW}\nput backup.tgz\nquit\nEND",),
             ("user www-data;", "user nobody nogroup", "User git", "user admin"),
             category=SYNTAX, values="token"),
        Rule("squid-peer-login", "password of a Squid cache_peer login=user:password option",
             _LB + r"cache_peer[^\n]{0,300}?[ \t]login=[^\s:]{1,64}:(?P<secret>[^\s]{1,256}+)",
             ("cache_peer",),
             (f"cache_peer proxy.acme.test parent 3128 0 no-query login={_PW[:4]}:{_PW}",),
             ("cache_peer proxy.acme.test parent 3128 0 no-query login=PASSTHRU",),
             category=SYNTAX, min_length=3),
        Rule("proftpd-sql-connect", "password in ProFTPD's SQLConnectInfo (database user password)",
             _LB + r"SQLConnectInfo[ \t]{1,4}[^\s]{1,200}[ \t]{1,4}[^\s]{1,64}[ \t]{1,4}" + _QUOTED_OR_BARE,
             ("sqlconnectinfo",),
             (f"SQLConnectInfo users@db.internal proftpd {_PW}",),
             ("SQLConnectInfo users@db.internal", "SQLAuthTypes Crypt"),
             category=SYNTAX, min_length=3),
        Rule("nagios-user-macro", "value of a Nagios/Icinga resource.cfg $USERn$ macro (where passwords are kept)",
             r"(?<![^\n])[ \t]{0,8}\$USER[0-9]{1,3}\$[ \t]{0,4}=[ \t]{0,4}(?P<secret>[^\s]{1,256}+)",
             ("$user",),
             (f"$USER3$={_PW}",),
             ("$USER1$=/usr/lib/nagios/plugins", "check_command check_http!$USER3$"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("mkstore-credential", "password given to Oracle mkstore -createCredential/-modifyCredential",
             _LB + r"mkstore(?![A-Za-z0-9_-])[^\n|;&]{0,300}?-(?:createCredential|modifyCredential)"
             r"[ \t]{1,4}[^\s]{1,200}[ \t]{1,4}[^\s]{1,128}[ \t]{1,4}" + _QUOTED_OR_BARE,
             ("mkstore",),
             (f"mkstore -wrl /opt/wallet -createCredential ORCLPDB1 alice {_PW}",),
             ("mkstore -wrl /opt/wallet -listCredential", "mkstore -wrl /opt/wallet -createCredential ORCL alice"),
             category=SYNTAX, min_length=3),
        Rule("httpie-header-item", "credential in an HTTPie/xh header item (X-Api-Key:value)",
             r"(?<![A-Za-z0-9_-])(?:https?|xhs?)(?![A-Za-z0-9_.-])[^\n|;&]{0,300}?[ \t][\"']?[A-Za-z-]{0,30}"
             r"(?i:api-?key|token|secret|auth-?key)[A-Za-z-]{0,30}:(?P<secret>[A-Za-z0-9_.~+/-]{8,512}+={0,2})",
             ("http", "xh"),
             (f"http https://api.acme.test/v1/items X-Api-Key:{fake(ALNUM, 40, 'httpie-key')}",),
             ("http https://api.acme.test/v1/items X-Api-Key:$API_KEY", "http GET api.acme.test/tokens:list"),
             category=SYNTAX, values="token"),
    )


def _calls() -> tuple[Rule, ...]:
    return (
        Rule("jwt-signing-key-argument", "signing key passed to PyJWT's jwt.encode/decode or "
             "jsonwebtoken's jwt.sign/verify",
             r"(?<![A-Za-z0-9_])jwt\.(?:encode|decode|sign|verify)\([ \t]{0,4}[^,()\n]{1,200},[ \t]{0,4}"
             r"""(?:'(?P<secret_sq>[^'\r\n]{1,512}+)'|"(?P<secret_dq>[^"\r\n]{1,512}+)")""",
             ("jwt.",),
             (f"token = jwt.encode(payload, '{fake(ALNUM, 40, 'pyjwt')}', algorithm='HS256')",
              f"const token = jwt.sign(payload, \"{fake(ALNUM, 40, 'jsonwebtoken')}\", {{ expiresIn: '1h' }});"),
             ("token = jwt.encode(payload, settings.SECRET_KEY, algorithm='HS256')",
              "jwt.decode(token, options={'verify_signature': False})"),
             category=SYNTAX, min_length=8, values="token"),
        Rule("ldap3-connection-password", "password passed positionally to ldap3's Connection(server, user, password)",
             r"(?<![A-Za-z0-9_])Connection\([ \t]{0,4}[^,()\n]{1,100},[ \t]{0,4}(?:user[ \t]{0,4}=[ \t]{0,4})?"
             + _STRING + r"[ \t]{0,4},[ \t]{0,4}(?:password[ \t]{0,4}=[ \t]{0,4})?"
             r"""(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?P<secret_dq>[^"\r\n]{1,256}+)")""",
             ("connection(",),
             (f"conn = Connection(server, 'cn=admin,dc=acme,dc=test', '{_PW}', auto_bind=True)",),
             ("conn = Connection(server, user_dn, password, auto_bind=True)", "Connection(server)"),
             category=SYNTAX, min_length=3),
        Rule("aws-go-static-credentials", "secret key passed to the AWS SDK for Go's static credentials "
             "(NewStaticCredentials[Provider](id, secret, token))",
             r"(?<![A-Za-z0-9_])NewStaticCredentials(?:Provider)?\([ \t]{0,4}\"[^\"\n]{1,128}\"[ \t]{0,4},[ \t]{0,4}"
             r"\"(?P<secret>[^\"\r\n]{8,256}+)\"",
             ("newstaticcredentials",),
             (f'credentials.NewStaticCredentialsProvider("AKIA{fake(UPPER + "234567", 16, "go-id")}", '
              f'"{fake(ALNUM, 40, "go-secret")}", "")',),
             ('credentials.NewStaticCredentialsProvider(id, secret, "")',),
             category=SYNTAX, values="token"),
        Rule("twilio-client-token", "auth token passed to Twilio's Client(account_sid, auth_token)",
             r"(?<![A-Za-z0-9_])Client\([ \t]{0,4}[\"']AC[0-9a-f]{32}[\"'][ \t]{0,4},[ \t]{0,4}"
             r"[\"'](?P<secret>[0-9a-f]{32})[\"']",
             ("client(",),
             (f"client = Client('AC{fake(HEX, 32, 'twilio-sid')}', '{fake(HEX, 32, 'twilio-token')}')",),
             ("client = Client(account_sid, auth_token)",),
             category=PROVIDER),
        Rule("cohere-client-key", "API key passed to Cohere's client (cohere.Client / ClientV2)",
             r"(?<![A-Za-z0-9_])cohere\.(?:Async)?Client(?:V2)?\([ \t]{0,4}(?:api_key[ \t]{0,4}=[ \t]{0,4})?"
             r"[\"'](?P<secret>[A-Za-z0-9]{40})[\"']",
             ("cohere.",),
             (f"co = cohere.Client('{fake(ALNUM, 40, 'cohere')}')",),
             ("co = cohere.Client(os.environ['CO_API_KEY'])",),
             category=PROVIDER),
        Rule("cookie-set-call", "cookie value set with requests' cookies.set(name, value) or Selenium's "
             "add_cookie({'name': ..., 'value': ...})",
             r"(?<![A-Za-z0-9_])cookies\.set\([ \t]{0,4}" + _STRING + r"[ \t]{0,4},[ \t]{0,4}"
             r"""(?:'(?P<secret_sq>[^'\r\n]{8,512}+)'|"(?P<secret_dq>[^"\r\n]{8,512}+)")"""
             r"""|add_cookie\(\{[^}\n]{0,200}?['"]value['"][ \t]{0,4}:[ \t]{0,4}"""
             r"""(?:'(?P<secret_value>[^'\r\n]{8,512}+)'|"(?P<secret_value_dq>[^"\r\n]{8,512}+)")""",
             ("cookies.set(", "add_cookie("),
             (f"s.cookies.set('sessionid', '{fake(LOWER + '0123456789', 32, 'django-session')}', domain='a.test')",
              f"driver.add_cookie({{'name': 'session', 'value': '{fake(ALNUM, 40, 'selenium')}'}})"),
             ("s.cookies.set('theme', 'dark')", "driver.add_cookie({'name': 'lang', 'value': 'en'})"),
             category=SYNTAX, values="token"),
        Rule("sbt-credentials", "password in sbt's Credentials(realm, host, user, password)",
             r"(?<![A-Za-z0-9_])[Cc]redentials\([ \t]{0,4}" + _STRING + r"[ \t]{0,4},[ \t]{0,4}" + _STRING
             + r"[ \t]{0,4},[ \t]{0,4}" + _STRING + r"[ \t]{0,4},[ \t]{0,4}"
             r"""(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?P<secret_dq>[^"\r\n]{1,256}+)")""",
             ("credentials(",),
             (f'credentials += Credentials("Artifactory Realm", "repo.acme.test", "ci", "{_PW}")',),
             ('credentials += Credentials(Path.userHome / ".sbt" / ".credentials")',
              'Credentials("Realm", "repo.acme.test", "ci", sys.env("REPO_PASSWORD"))'),
             category=SYNTAX, min_length=3),
        Rule("composer-auth-token", "token in composer's auth.json (bearer, github-oauth, gitlab-token, "
             "gitlab-oauth: a map of host to token)",
             r'"(?:bearer|github-oauth|gitlab-token|gitlab-oauth)"[ \t]{0,4}:[ \t]{0,4}\{[ \t]{0,4}'
             r'"[^"\n]{1,253}"[ \t]{0,4}:[ \t]{0,4}"(?P<secret>[^"\r\n]{8,256}+)"',
             ("bearer", "github-oauth", "gitlab-token", "gitlab-oauth"),
             (f'        "bearer": {{ "repo.acme.test": "{fake(ALNUM, 40, "composer-bearer")}" }}',
              f'"github-oauth": {{"github.com": "{fake(ALNUM, 40, "composer-gh")}"}}'),
             ('"bearer": {}', '"github-oauth": {"github.com": "${GITHUB_TOKEN}"}'),
             category=SYNTAX, values="token"),
        Rule("conda-token-url", "Anaconda token in a channel URL (https://conda.../t/TOKEN/...)",
             r"://[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?/t/(?P<secret>[A-Za-z0-9-]{20,128}+)/",
             ("/t/",),
             (f"conda config --set channel_alias https://conda.acme.test/t/{fake(ALNUM, 32, 'conda')}/",),
             ("https://conda.anaconda.org/t/<TOKEN>/acme", "https://acme.test/t/short/"),
             category=SYNTAX, values="token"),
        Rule("kaggle-api-key", "key of a kaggle.json file ({\"username\": ..., \"key\": 32 hex digits})",
             r'"username"[ \t]{0,4}:[ \t]{0,4}"[^"\n]{1,64}"[ \t]{0,4},[ \t]{0,4}"key"[ \t]{0,4}:[ \t]{0,4}'
             r'"(?P<secret>[0-9a-f]{32})"',
             ("username",),
             (f'{{"username":"app","key":"{fake(HEX, 32, "kaggle")}"}}',),
             ('{"username":"app","key":""}',),
             category=PROVIDER),
    )


def _argument(rule_id: str, description: str, before: str, keywords: tuple[str, ...],  # noqa: PLR0917
              samples: tuple[str, ...], near_misses: tuple[str, ...], *, values: str = "",
              separator: str = r"[ \t]{1,4}") -> Rule:
    """A secret given as a command's argument: ``before`` reaches the ``separator`` before it."""
    return Rule(rule_id, description, _LB + before + separator + r"(?![/*-])" + _QUOTED_OR_BARE, keywords, samples,
                near_misses, category=SYNTAX, min_length=3, values=values)


#: The rest of a command line before an option, within the command.
_CMD = r"(?![A-Za-z0-9_-])[^\n|;&]{0,300}?[ \t]"


def _arguments() -> tuple[Rule, ...]:
    """One rule per tool, from the option or argument its manual documents as the secret."""
    return (
        _argument("snmp-community", "SNMP v1/v2c community string given to a net-snmp tool (-c)",
                  r"snmp(?:walk|bulkwalk|get|getnext|bulkget|set|table|df|netstat|status|trap|inform|delta"
                  r"|test|translate)" + _CMD + r"-c",
                  ("snmp",), (f"snmpwalk -v2c -c {_PW} 10.0.0.1 1.3.6.1.2.1.1",),
                  ("snmpwalk -v2c -c public 10.0.0.1", "snmpget -v3 -u mon -a SHA sw1"), values="token"),
        _argument("jenkins-cli-auth", "user:token given to the Jenkins CLI (-auth USER:TOKEN)",
                  r"jenkins-cli(?:\.jar)?" + _CMD + r"-auth[ \t]{1,4}[^\s:@'\"]{1,64}:(?=[^\s])",
                  ("jenkins-cli",),
                  (f"java -jar jenkins-cli.jar -s https://ci.acme.test -auth ci:{fake(HEX, 34, 'jenkins')} who-am-i",),
                  ("java -jar jenkins-cli.jar -s https://ci.acme.test -auth @/run/secrets/jenkins who-am-i",),
                  separator=""),
        _argument("apachebench-auth", "password in ApacheBench's -A/-P user:password",
                  r"ab -(?:[^\n|;&]{0,300}?[ \t]-)?[AP][ \t]{1,4}[^\s:'\"]{1,64}:(?=[^\s])",
                  ("ab -",), (f"ab -n 500 -c 20 -A ci:{_PW}:x https://api.acme.test/",),
                  ("ab -n 500 -c 20 https://api.acme.test/",), separator=""),
        _argument("mydumper-password", "password given to mydumper or myloader (-p)",
                  r"(?:mydumper|myloader)" + _CMD + r"(?:-p|--password)",
                  ("mydumper", "myloader"), (f"mydumper -u ci -p '{_PW}=?' -h 127.0.0.1 -B metrics",),
                  ("mydumper -u ci -h 127.0.0.1 -B metrics --port 3306",)),
        _argument("mssql-cli-password", "password given to mssql-cli (-P)",
                  r"mssql-cli" + _CMD + r"-P",
                  ("mssql-cli",), (f"mssql-cli -S db.internal -U sa -P '{_PW}(|' -d orders",),
                  ("mssql-cli -S db.internal -U sa -d orders",)),
        _argument("az-admin-password", "administrator password given to az ... create/update (-p, "
                  "short for --admin-password: SQL, PostgreSQL and MySQL servers)",
                  r"az (?:sql|postgres|mysql|mariadb|synapse|sql-vm)" + _CMD + r"-p",
                  ("az sql", "az postgres", "az mysql", "az mariadb", "az synapse"),
                  (f"az sql server create -g rg -n acme-sql -l westeurope -u sqladmin -p '{_PW}$'",),
                  ("az sql server create -g rg -n acme-sql -u sqladmin",)),
        _argument("samba-tool-user-password", "password given to samba-tool user create/add (positional)",
                  r"samba-tool[ \t]{1,4}user[ \t]{1,4}(?:create|add)[ \t]{1,4}[^\s-][^\s]{0,64}",
                  ("samba-tool",), (f"samba-tool user create bob '{_PW}' --given-name=Bob",),
                  ("samba-tool user create bob --random-password", "samba-tool user list")),
        _argument("drush-user-password", "password given to drush user:password (upwd)",
                  r"drush(?:[ \t]{1,4}-[^\s]{1,40})?[ \t]{1,4}(?:user:password|user-password|upwd)[ \t]{1,4}"
                  r"(?:'[^'\n]{1,64}'|\"[^\"\n]{1,64}\"|[^\s-][^\s]{0,64})",
                  ("drush",), (f"drush user:password admin '{_PW}>'",),
                  ("drush user:login admin", "drush upwd admin --password=$PW")),
        _argument("mkpasswd-password", "password given to mkpasswd on the command line",
                  r"mkpasswd(?:[ \t]{1,4}(?:-m|--method)(?:=|[ \t]{1,4})[^\s]{1,30})?"
                  r"(?:[ \t]{1,4}-(?!m(?![A-Za-z]))[A-Za-z]{1,10})?",
                  ("mkpasswd",), (f"mkpasswd -m sha-512 '{_PW}>'",),
                  ("mkpasswd -m sha-512", "mkpasswd -m help", "mkpasswd --stdin")),
        _argument("composer-http-basic", "password given to composer config http-basic.HOST USER PASSWORD",
                  r"composer" + _CMD + r"http-basic\.[^\s]{1,253}[ \t]{1,4}[^\s]{1,64}",
                  ("composer",), (f"composer config --global http-basic.repo.acme.test alice '{_PW}}}'",),
                  ("composer config --global --unset http-basic.repo.acme.test",)),
        _argument("curlftpfs-user", "password in curlftpfs's -o user=USER:PASSWORD",
                  r"curlftpfs" + _CMD + r"-o[ \t]{1,4}(?:[^\s]{0,200},)?user=[^\s:,]{1,64}:(?=[^\s])",
                  ("curlftpfs",), (f"curlftpfs -o user=ftp:{_PW} ftp.acme.test /mnt/ftp",),
                  ("curlftpfs -o user=ftp ftp.acme.test /mnt/ftp",), separator=""),
        _argument("cf-set-env-secret", "secret value given to cf set-env APP NAME VALUE for a credential name",
                  r"cf (?:set-env|se)[ \t]{1,4}[^\s]{1,64}[ \t]{1,4}" + _CREDENTIAL_WORD,
                  ("cf se",), (f"cf set-env acme-api DB_PASSWORD '{_PW}'",),
                  ("cf set-env acme-api LOG_LEVEL debug", "cf set-env acme-api DB_PASSWORD \"$DB_PASSWORD\"")),
        _argument("drone-secret-data", "secret value given to drone secret add/update --data",
                  r"drone[ \t]{1,4}(?:orgsecret|secret)[ \t]{1,4}(?:add|update)" + _CMD + r"--data(?=[ \t=])",
                  ("drone",), (f"drone secret add --repository acme/web --name docker_password --data '{_PW}'",),
                  ("drone secret add --repository acme/web --name key --data @/run/secrets/key",)),
        Rule("secret-file-substitution", "secret given as a file by process substitution of a literal "
             "(--vault-password-file <(echo SECRET), --password-file=<(printf ...))",
             _LB + r"--?[A-Za-z0-9-]{0,30}(?i:pass(?:word|phrase)?|secret|token|key|credentials?)[-_]?file"
             r"(?:=|[ \t]{1,4})<\([ \t]{0,4}(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?[ \t]{1,4}"
             r"(?:'%s(?:\\n)?'[ \t]{1,4}|\"%s(?:\\n)?\"[ \t]{1,4})?" + _QUOTED_OR_BARE,
             ("<(",),
             (f"ansible-vault decrypt prod.yml --vault-password-file <(echo '{_PW}[:')",
              f"restic backup --password-file=<(printf '%s' {_PW}) /srv"),
             ("ansible-vault decrypt prod.yml --vault-password-file ~/.vault-pass",
              'restic backup --password-file <(echo "$RESTIC_PASSWORD") /srv'),
             category=SYNTAX, min_length=3),
        Rule("sops-set-value", "value set with sops --set '[\"path\"] \"value\"'",
             _LB + r"sops" + _CMD + r"--set[ \t]{1,4}'\[[^'\n]{1,300}\][ \t]{1,4}\"(?P<secret>[^\"\r\n]{1,256}+)\"'",
             ("sops",),
             (f"sops --set '[\"db\"][\"password\"] \"{_PW}\"' secrets.enc.yaml",),
             ("sops --set '[\"db\"][\"port\"] 5432' secrets.enc.yaml", "sops -d secrets.enc.yaml"),
             category=SYNTAX, min_length=3),
    )


def _webhooks() -> tuple[Rule, ...]:
    return (
        Rule("ping-webhook-url", "health-check and automation webhook URLs whose path is the secret "
             "(Healthchecks.io ping, Make, Pipedream, Uptime Kuma push)",
             r"hc-ping\.com/(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
             r"|hook\.(?:[a-z0-9]{1,10}\.)?make\.com/(?P<secret_make>[a-z0-9]{32})"
             r"|(?<![A-Za-z0-9-])(?P<secret_pipedream>[a-z0-9]{15,40})\.m\.pipedream\.net"
             r"|/api/push/(?P<secret_kuma>[A-Za-z0-9]{10,32})(?![A-Za-z0-9])",
             ("hc-ping", "make.com", "pipedream", "/api/push/"),
             (f"curl -fsS -m 10 https://hc-ping.com/{uuid_like('hc-ping')}",
              join("MAKE_WEBHOOK=https://hook.eu1.make.com/", fake(LOWER + "0123456789", 32, "make")),
              join("WEBHOOK=https://", fake(LOWER + "0123456789", 15, "pipedream"), ".m.pipedream.net"),
              join("curl 'https://status.acme.test/api/push/", fake(ALNUM, 10, "kuma"), "?status=up'")),
             ("https://healthchecks.io/docs/", "https://www.make.com/en/help", "https://pipedream.com/docs",
              "https://status.acme.test/api/push/"),
             category=PROVIDER),
    )


RULES: tuple[Rule, ...] = _stores() + _commands() + _calls() + _arguments() + _webhooks()

__all__ = ["RULES"]
