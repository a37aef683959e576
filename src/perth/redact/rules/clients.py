"""Passwords handed to everyday clients, and secrets in the syntaxes configuration languages use.

Built from the tools' manuals (the option that takes a password, or the argument that is one):
OpenLDAP clients (``-w``, ``ldappasswd -s/-a``), SQL Server's sqlcmd/bcp and ipmitool,
mosquitto and zip (``-P``), the MongoDB shells and tools, cqlsh, cypher-shell, twine, psexec,
rdesktop and ``az/oc/cf login`` (``-p``), redis-cli (``-a``, ``AUTH``), ``openssl enc -k``,
Samba's ``-U user%password``, FreeRDP's ``/p:``, sqlpackage's ``/sp:``, htpasswd's batch mode,
rabbitmqctl, nmcli, wpa_passphrase, ``net use``, Oracle's ``user/password@db``, MinIO's ``mc
alias set``, ``aws configure set``, ``git config``, ``gh secret set --body``, ``dotnet
user-secrets set``; a secret echoed into a command that reads it from standard input; SQL
``IDENTIFIED BY``/``PASSWORD '...'``; ``define()``/``env()`` calls (PHP, Laravel, Python);
space-separated assignments (Dockerfile ``ENV``, fish ``set -x``, ``setx``, ``setenv``); YAML
values that run to the end of the line; personal access tokens named ``*_PAT``; XML settings
named by a ``name``/``key`` attribute; chat and automation webhooks beyond Slack and Discord.
"""

from __future__ import annotations

from perth.redact.rules.model import (
    ALNUM,
    DIGITS,
    HEX,
    LOWER,
    PROVIDER,
    SYNTAX,
    UPPER,
    URLSAFE,
    Rule,
    fake,
    join,
    uuid_like,
)

#: The value of an option or argument: never another option, never a value replaced already (so a
#: command's later password option, hidden behind the first match, is found by the next pass).
_ARG = (r'''(?!["']?\[REDACTED:)(?!-[A-Za-z-]{0,40}(?:[ \t=]|$))'''
        r'''(?:"(?P<secret_dq>[^"\r\n]{1,256}+)"?|'(?P<secret_sq>[^'\r\n]{1,256}+)'?|'''
        r"""(?P<secret>[^\s"'`|;&<>()]{1,256}+))""")
#: A quoted or bare value, up to a key file's length (a MongoDB keyfile holds up to 1,024 characters).
_LONG_QUOTED_OR_BARE = (r'''(?:'(?P<secret_sq>[^'\r\n]{1,1024}+)'|"(?P<secret_dq>[^"\r\n]{1,1024}+)"|'''
                        r"""(?P<secret>[^\s"'`|;&<>]{1,1024}+))""")
#: A quoted or bare value (quoted values may hold blanks).
_QUOTED_OR_BARE = (r'''(?:'(?P<secret_sq>[^'\r\n]{1,300}+)'|"(?P<secret_dq>[^"\r\n]{1,300}+)"|'''
                   r"""(?P<secret>[^\s"'`|;&<>]{1,300}+))""")
_CMD = r"(?![A-Za-z0-9_-])[^\n|;&]{0,300}?[ \t]"
_LB = r"(?<![A-Za-z0-9_-])"
#: A key name that says it holds a secret.
_SECRET_NAME = (r"(?i:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|salt|auth[_-]?key|authtok"  # noqa: S105
                r"|credentials?|pat)")

#: Not the name of a key that is public by design (``ALGOLIA_SEARCH_ONLY_API_KEY``, ``SITE_KEY``).
_NOT_PUBLIC = (r"(?<![Pp]ublic[_.-])(?<!PUBLIC[_.-])(?<![Pp]ublishable[_.-])(?<!PUBLISHABLE[_.-])"
               r"(?<![Ss]earch[_.-]only[_.-])(?<!SEARCH[_.-]ONLY[_.-])(?<![Ss]ite[_.-])(?<!SITE[_.-])")

_PW = fake(ALNUM, 12, "clients-pw") + "."


def _options() -> tuple[Rule, ...]:
    return (
        _argument("ldap-bind-password", "bind password given to an OpenLDAP client (ldapsearch -w)",
                  r"ldap(?:search|modify|add|delete|passwd|whoami|compare|exop|modrdn)" + _CMD + r"-w",
                  ("ldap",), (f"ldapsearch -x -D cn=admin,dc=acme,dc=test -w {_PW} -b dc=acme,dc=test",),
                  ("ldapsearch -x -W -D cn=admin,dc=acme,dc=test",)),
        _argument("ldappasswd-password", "old or new password given to ldappasswd (-a, -s)",
                  r"ldappasswd" + _CMD + r"-[sa]", ("ldappasswd",),
                  (f"ldappasswd -x -D cn=admin,dc=acme,dc=test -W -s {_PW} uid=bob",),
                  ("ldappasswd -x -D cn=admin,dc=acme,dc=test -W -S uid=bob",)),
        _argument("client-password-upper-p", "password given to -P (sqlcmd, bcp, isql, FreeTDS tsql, sqsh, "
                  "ipmitool, mosquitto, zip)",
                  r"(?:sqlcmd|bcp|osql|isql|tsql|sqsh|ipmitool|mosquitto_(?:pub|sub|rr)|zip|unzip|zipcloak)" + _CMD
                  + r"-P",
                  ("sqlcmd", "bcp", "osql", "isql", "tsql", "sqsh", "ipmitool", "mosquitto_", "zip"),
                  (f"sqlcmd -S db -U sa -P '{_PW}' -Q 'select 1'", f"zip -r -P {_PW} out.zip dir"),
                  ("zip -r out.zip dir", "mosquitto_pub -h mq -p 1883 -t t -m x")),
        _argument("client-password-p", "password given to -p (MongoDB tools, cqlsh, cypher-shell, twine, "
                  "psexec, rdesktop, az/oc/cf login, influx, rabbitmqadmin, racadm, ilorest)",
                  r"(?:mongosh|mongo(?:dump|restore|export|import|stat|top|files)?|cqlsh|cypher-shell|twine"
                  r"|psexec(?:64)?|paexec|rdesktop|ncftp(?:put|get)?|evil-winrm|crackmapexec|nxc|netexec"
                  r"|smbmap|(?:az|oc|cf) login|influx|rabbitmqadmin|racadm|ilorest)" + _CMD + r"-p",
                  ("mongo", "cqlsh", "cypher-shell", "twine", "psexec", "paexec", "rdesktop", "ncftp",
                   "evil-winrm", "crackmapexec", "nxc", "netexec", "smbmap", "az login", "oc login", "cf login",
                   "influx", "rabbitmqadmin", "racadm", "ilorest"),
                  (f"mongosh --host db -u admin -p {_PW}", f"az login -u ci@acme.test -p {_PW}",
                   f"influx setup -u admin -p {_PW} -o acme -b main -f",
                   f"rabbitmqadmin -H mq -u admin -p {_PW} list queues"),
                  ("mongosh -u admin -p --authenticationDatabase admin", "psql -p 5432 -h db",
                   "az deployment group create -p @params.json")),
        _argument("redis-cli-password", "password given to redis-cli -a",
                  r"(?:redis-cli|keydb-cli|valkey-cli|redis-benchmark)" + _CMD + r"-a",
                  ("redis-cli", "keydb-cli", "valkey-cli", "redis-benchmark"),
                  (f"redis-cli -h cache -a {_PW} ping",), ("redis-cli -p 6380 ping",)),
        _argument("openssl-enc-password", "password given to openssl enc -k",
                  r"openssl[ \t]{1,4}enc" + _CMD + r"-k", ("openssl",),
                  (f"openssl enc -aes-256-cbc -in a -out b -k {_PW}",),
                  ("openssl enc -aes-256-cbc -in a -out b -kfile key.txt",)),
        Rule("http-client-auth", "password in an HTTP client's user:password option (httpie -a, xh -a, "
             "wget/aria2 --http-user:password)",
             r"(?<![A-Za-z0-9_-])(?:https?|xhs?|httpie)(?![A-Za-z0-9_.-])[^\n|;&]{0,200}?[ \t](?:-a|--auth)"
             r"""(?:=|[ \t]{1,4})["']?[^\s:"'@]{1,100}+:(?:'(?P<secret_sq>[^'\r\n]{1,200}+)'"""
             r"""|"(?P<secret_dq>[^"\r\n]{1,200}+)"|(?P<secret>[^\s"']{1,200}+))""",
             ("http", "xh"),
             (f"http -a alice:{_PW} GET https://api.acme.test/me", f"xh --auth alice:{_PW} api.acme.test",
              f"xh -a alice:'{_PW}?%' post https://api.acme.test/login"),
             ("http -a alice GET https://api.acme.test", "http GET https://api.acme.test/a:b"),
             category=SYNTAX, min_length=3),
        Rule("attached-password-option", "password attached to its option (7z -pSECRET) or after the "
             "user name (lftp -u user,SECRET)",
             _LB + r"(?:(?:7z|7za|7zz|7zr|rar|unrar)" + _CMD + r"-p(?:(?P<secret>[^\s\"'|;&<>-][^\s\"'|;&<>]{0,127}+)"
             r"|'(?P<secret_sq>[^'\r\n]{1,128}+)'|\"(?P<secret_dq>[^\"\r\n]{1,128}+)\")"
             r"|lftp" + _CMD + r"-u[ \t]{1,4}[\"']?[^\s,'\"]{1,64},(?:'(?P<secret_lftp_sq>[^'\r\n]{1,128}+)'"
             r"|(?P<secret_lftp>[^\s'\"]{1,128}+)))",
             ("7z", "rar", "lftp"),
             (f"7z x -p{_PW} archive.7z", f"lftp -u alice,{_PW} sftp://files.acme.test", f"unrar x -p{_PW} a.rar",
              f"lftp -u alice,'{_PW};x' -e 'mirror -R dist /www; quit' ftp.acme.test",
              f"7z a -mhe=on -p'{_PW} x' backup.7z docs"),
             ("7z a -p archive.7z dir", "lftp -u alice sftp://files.acme.test", "7z x archive.7z"),
             category=SYNTAX, min_length=3),
        Rule("samba-user-password", "password in Samba's -U user%password (smbclient, rpcclient, net)",
             _LB + r"(?:-U|--user(?:name)?=?)[ \t]{0,4}(?:'[^'%\s]{1,64}%(?P<secret_sq>[^'\r\n]{1,128}+)'"
             r'''|"[^"%\s]{1,64}%(?P<secret_dq>[^"\r\n]{1,128}+)"|[^\s%'"]{1,64}%(?P<secret>[^\s'"]{1,128}+))''',
             ("-u", "--user"),
             (f"smbclient //files/share -U alice%{_PW}", f"rpcclient -U 'ACME\\bob%{_PW}' files"),
             ("smbclient //files/share -U alice", "sudo -u postgres psql", "date -u +%s"),
             category=SYNTAX, min_length=3),
        Rule("windows-password-switch", "password in a Windows-style switch (xfreerdp /p:, sqlpackage /sp:, "
             "cmdkey /pass:)",
             r"(?<![A-Za-z0-9_/-])(?:/(?:p|P|sp|SP|tp|TP|pass|Pass|PASS|password|Password|sourcepassword|SourcePassword"
             r"|targetpassword|TargetPassword):)" + _ARG,
             ("/p:", "/sp:", "/tp:", "pass"),
             (f"xfreerdp /v:host /u:alice /p:{_PW}", f"sqlpackage /a:Export /ssn:db /su:sa /sp:{_PW} /tf:x",
              f"cmdkey /generic:TERMSRV/host /user:alice /pass:{_PW}"),
             ("xfreerdp /v:host /u:alice", "curl http://host/p:1", "ls /tmp/p:x"),
             category=SYNTAX, min_length=3),
    )


def _argument(rule_id: str, description: str, before: str, keywords: tuple[str, ...],  # noqa: PLR0917
              samples: tuple[str, ...], near_misses: tuple[str, ...], *,
              separator: str = r"[ \t]{1,4}", min_length: int = 3, values: str = "") -> Rule:
    """A secret given as a command's argument: ``before`` reaches the ``separator`` before it
    (blanks; ``--option=`` takes ``(?:=|[ \t]{1,4})``)."""
    return Rule(rule_id, description, _LB + before + separator + r"(?![/*])" + _ARG, keywords, samples,
                near_misses, category=SYNTAX, min_length=min_length, values=values)


def _argument_rules() -> tuple[Rule, ...]:
    """One rule per tool, so that each has a gate of its own (a line that only mentions
    ``config`` or ``alias`` never runs them)."""
    return (
        _argument("htpasswd-batch-password", "password given to htpasswd -b (batch mode)",
                  r"htpasswd(?:[ \t]{1,4}-[ABCDimMs2-5]{1,4})?[ \t]{1,4}-[A-Za-z]{0,6}b[A-Za-z]{0,6}"
                  r"(?:[ \t]{1,4}-[A-Za-z]{1,8})?"
                  r"(?:[ \t]{1,4}-[A-Za-z]{1,8})?[ \t]{1,4}[^\s-][^\s]{0,200}[ \t]{1,4}[^\s-][^\s]{0,100}",
                  ("htpasswd",), (f"htpasswd -b -c /etc/nginx/.htpasswd alice {_PW}",),
                  ("htpasswd -c /etc/nginx/.htpasswd alice",)),
        _argument("rabbitmqctl-password", "password given to rabbitmqctl add_user or change_password",
                  r"rabbitmqctl(?:[ \t]{1,4}-[^\n]{0,60}?)?[ \t]{1,4}(?:add_user|change_password)"
                  r"[ \t]{1,4}[^\s]{1,100}",
                  ("rabbitmqctl",), (f"rabbitmqctl add_user ci '{_PW}'",), ("rabbitmqctl list_users",)),
        _argument("nmcli-password", "Wi-Fi password given to nmcli (password, wifi-sec.psk)",
                  r"nmcli" + _CMD + r"(?:password|wifi-sec\.psk|802-11-wireless-security\.psk)",
                  ("nmcli",), (f"nmcli dev wifi connect Office password '{_PW}'",), ("nmcli dev wifi list",)),
        _argument("wpa-passphrase", "passphrase given to wpa_passphrase",
                  r"wpa_passphrase[ \t]{1,4}(?:'[^'\n]{1,64}'|\"[^\"\n]{1,64}\"|[^\s]{1,64})",
                  ("wpa_passphrase",), (f"wpa_passphrase Office '{_PW}'",), ("wpa_passphrase Office",)),
        _argument("redis-auth-password", "password given to redis-cli's AUTH command",
                  r"(?:redis-cli|keydb-cli|valkey-cli)" + _CMD
                  + r"(?:AUTH|auth)(?:[ \t]{1,4}[^\s'\"]{1,64}(?=[ \t]{1,4}[^\s]))?",
                  ("redis-cli", "keydb-cli", "valkey-cli"), (f"redis-cli -h cache AUTH default {_PW}",),
                  ("redis-cli -h cache INFO",)),
        _argument("net-use-password", "password given to Windows net use",
                  r"net[ \t]{1,4}use(?:[ \t]{1,4}[A-Za-z]:)?[ \t]{1,4}\\\\[^\s]{1,200}",
                  ("net",), (f"net use Z: \\\\files\\share {_PW} /user:ACME\\bob",),
                  ("net use Z: \\\\files\\share * /user:ACME\\bob",)),
        _argument("minio-alias-secret", "secret key given to the MinIO client (mc alias set)",
                  r"mc[ \t]{1,4}(?:alias[ \t]{1,4}set|config[ \t]{1,4}host[ \t]{1,4}add)[ \t]{1,4}[^\s]{1,64}"
                  r"[ \t]{1,4}[^\s]{1,300}[ \t]{1,4}[^\s]{1,128}",
                  ("mc",),
                  (f"mc alias set minio http://minio:9000 {fake(ALNUM, 20, 'mc-ak')} {fake(ALNUM, 40, 'mc-sk')}",),
                  ("mc alias list",)),
        _argument("gh-secret-body", "secret given to gh secret set --body",
                  r"gh[ \t]{1,4}secret[ \t]{1,4}set" + _CMD + r"(?:--body|-b)",
                  ("gh",), (f"gh secret set DEPLOY_KEY --body '{_PW}'", f"gh secret set API_KEY --body={_PW}",
                            f"gh secret set API_KEY -b'{_PW}' --org acme"),
                  ("gh secret set DEPLOY_KEY < key.pem", "gh secret list"), separator=r"(?:=|[ \t]{0,4})"),
        _argument("dotnet-user-secret", "secret given to dotnet user-secrets set",
                  r"dotnet[ \t]{1,4}user-secrets[ \t]{1,4}set[ \t]{1,4}"
                  r"(?:\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|[^\s]{1,200})",
                  ("user-secrets",), (f'dotnet user-secrets set "Db:Password" "{_PW}"',),
                  ("dotnet user-secrets list",)),
        _argument("aws-configure-secret", "secret given to aws configure set",
                  r"aws[ \t]{1,4}configure[ \t]{1,4}set[ \t]{1,4}[a-z0-9_.-]{0,40}(?:secret|token|password)"
                  r"[a-z0-9_.-]{0,40}",
                  ("configure",), (f"aws configure set aws_secret_access_key {fake(ALNUM, 40, 'aws-set')}",),
                  ("aws configure set region eu-west-1",)),
        _argument("git-config-secret", "token or password stored with git config",
                  r"git[ \t]{1,4}config(?:[ \t]{1,4}--[a-z-]{1,20})?(?:[ \t]{1,4}--[a-z-]{1,20})?[ \t]{1,4}"
                  r"[A-Za-z0-9_.-]{0,80}(?i:token|password|secret|pat)",
                  ("git",), (f"git config --global github.token {fake(HEX, 40, 'git-token')}",),
                  ("git config --global user.name alice",)),
        _argument("rclone-config-secret", "secret given to rclone config create or update",
                  r"rclone[ \t]{1,4}config[ \t]{1,4}(?:create|update)" + _CMD
                  + r"(?:secret_access_key|secret_key|password|pass|client_secret|token|account_key|key)",
                  ("rclone",), (f"rclone config create s3 s3 secret_access_key {fake(ALNUM, 40, 'rclone')}",),
                  ("rclone config show",)),
        _argument("cloud-secret-value", "secret value given to a cloud secret store on the command line "
                  "(az keyvault secret set --value, aws ssm put-parameter --value)",
                  r"(?:az[ \t]{1,4}keyvault[ \t]{1,4}secret[ \t]{1,4}set|aws[ \t]{1,4}ssm[ \t]{1,4}put-parameter)"
                  + _CMD + r"--value",
                  ("keyvault", "put-parameter"),
                  (f"az keyvault secret set --vault-name kv --name db-password --value '{_PW}'",
                   f"az keyvault secret set -n api --vault-name kv --value={_PW}",
                   f"aws ssm put-parameter --name /app/db --type SecureString --value {_PW}"),
                  ("az keyvault secret show --vault-name kv --name db-password",
                   "aws ssm get-parameter --name /app/db --with-decryption"),
                  separator=r"(?:=|[ \t]{1,4})"),
        _argument("vsql-password", "password given to Vertica's vsql -w",
                  r"vsql" + _CMD + r"-w", ("vsql",), (f"vsql -h db -U dbadmin -w {_PW} -d app",),
                  ("vsql -h db -U dbadmin -d app",)),
        _argument("db2-connect-password", "password in DB2's CONNECT TO db USER name USING password",
                  r"(?i:connect)[ \t]{1,4}(?i:to)[ \t]{1,4}[^\s]{1,64}[ \t]{1,4}(?i:user)[ \t]{1,4}[^\s]{1,64}"
                  r"[ \t]{1,4}(?i:using)",
                  ("connect",), (f"db2 connect to SAMPLE user db2inst1 using {_PW}",
                                 f"CONNECT TO sample USER app USING '{_PW}';"),
                  ("db2 connect to SAMPLE", "db2 connect to SAMPLE user db2inst1")),
        _argument("net-user-password", "password given to Windows net user NAME PASSWORD",
                  r"net[ \t]{1,4}user[ \t]{1,4}[^\s/*]{1,64}", ("net",),
                  (f"net user svc_backup {_PW} /add", f"net user bob {_PW}"),
                  ("net user bob *", "net user bob /delete", "net user")),
    )



def _positional() -> tuple[Rule, ...]:
    return (
        *_argument_rules(),
        Rule("oracle-connect-password", "password in an Oracle connect string (sqlplus user/password@db)",
             _LB + r"(?:sqlplus|rman|expdp|impdp|sqlldr|dgmgrl)"
             r"(?:[ \t]{1,4}-[A-Za-z]{1,10})?(?:[ \t]{1,4}-[A-Za-z]{1,10})?"
             r"[ \t]{1,4}(?:(?:userid|target|auxiliary|catalog)(?:=|[ \t]{1,4}))?[A-Za-z0-9_$#.-]{1,64}/"
             r"(?P<secret>[^\s/'\"]{1,128}?)(?=@//|@[A-Za-z0-9_.-]{1,128}(?::[0-9]{1,5})?(?:/[A-Za-z0-9_.$#-]{1,128})?"
             r"(?:[ \t]|$)|[ \t]|$)",
             ("sqlplus", "rman", "expdp", "impdp", "sqlldr", "dgmgrl"),
             (f"sqlplus scott/{_PW}@//db:1521/ORCL", f"expdp system/{_PW} schemas=hr",
              f"rman target sys/{_PW}@prod catalog rcat/x@rc",
              f"sqlplus app/{_PW}@x@ORCL", f"sqlplus admin/{_PW},:7@db.acme.test:1521/ORCLPDB1 @migrate.sql"),
             ("sqlplus / as sysdba", "sqlplus -s /nolog", "rman target /"),
             category=SYNTAX, min_length=3),
        Rule("secret-written-to-file", "value echoed into a file named like a secret (> ~/.vault-pass, "
             ">> .pgpass, > token.txt)",
             r"(?<![A-Za-z0-9_-])(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?[ \t]{1,4}" + _LONG_QUOTED_OR_BARE
             + r"[ \t]{0,4}>{1,2}[ \t]{0,4}[^\s|;&]{0,200}?(?i:pass|pwd|pw|secret|token|cred|key|cookie)",
             ("echo", "printf"),
             (f"echo '{_PW}' > ~/.vault-pass", f"printf {_PW} > /run/secrets/db_password",
              f"echo {fake(HEX, 32, 'master-key')} > config/credentials/production.key",
              f"echo -n '{fake(UPPER, 20, 'erlang')}' > ~/.erlang.cookie",
              f"echo '{fake(ALNUM, 600, 'mongo-keyfile')}' > /etc/mongo/keyfile"),
             ("echo hello > notes.txt", "echo $TOKEN > token.txt", "echo > ~/.vault-pass",
              f"echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{fake(ALNUM, 43, 'ssh-pub')} ci@acme'"
              " >> ~/.ssh/authorized_keys"),
             category=SYNTAX, min_length=3),
        Rule("piped-secret", "secret echoed into a command that reads it from standard input",
             r"(?<![A-Za-z0-9_-])(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?[ \t]{1,4}" + _QUOTED_OR_BARE
             + r"[ \t]{0,4}\|[ \t]{0,4}(?:sudo[ \t]{1,4})?(?:docker|podman|nerdctl|buildah|helm|oras|skopeo|az"
             r"|systemd-creds|chpasswd|cryptsetup|gh|vault|op|kubectl|doctl|wrangler|vercel|gcloud|firebase|pass"
             r"|gopass|secret-tool|fly|flyctl|aws|kubeseal|age|keyctl|keyring)(?![A-Za-z0-9_-])"
             r"[^\n|;&]{0,200}?(?:--password-stdin|login|secret|encrypt|insert|create|set|put|luks|open|add"
             r"|store|import|padd|--data-file)",
             ("echo", "printf"),
             (f"echo '{_PW}' | docker login -u ci --password-stdin registry.acme.test",
              f"echo {fake(LOWER + DIGITS, 52, 'ado')} | az devops login --organization https://dev.azure.com/acme",
              f"printf '{_PW}' | docker secret create db_password -",
              f"echo -n '{_PW}' | gcloud secrets versions add api-key --data-file=-",
              f"echo '{_PW}' | keyring set smtp.acme.test ci"),
             ("echo $TOKEN | docker login -u ci --password-stdin", "echo hello | docker run -i alpine cat",
              "cat pw.txt | docker login --password-stdin"),
             category=SYNTAX, min_length=3),
    )


def _languages() -> tuple[Rule, ...]:
    name = r"[A-Za-z0-9_.:-]{0,60}" + _SECRET_NAME + r"[A-Za-z0-9_.:-]{0,40}"
    return (
        Rule("server-config-password", "password in a server configuration directive (redis.conf "
             "requirepass/masterauth)",
             _LB + r"(?:requirepass|masterauth)[ \t]{1,4}" + _ARG,
             ("requirepass", "masterauth"),
             (f"requirepass {_PW}", f"masterauth '{_PW}'"),
             ("# requirepass", "masteruser replica"),
             category=SYNTAX, min_length=3),
        Rule("config-directive-secret", "password in a space-separated configuration directive that "
             "runs to the end of the line (ldap.conf bindpw, slapd rootpw, keepalived auth_pass, Apache "
             "AuthLDAPBindPassword, msmtp password)",
             r"(?<![^\n])[ \t]{0,40}(?!(?i:passwd|pwd|pwgen|pass|gpasswd|smbpasswd|htpasswd|chpasswd|kpasswd"
             r"|yppasswd|pwck|pwconv|pwdx|mkpasswd|secret-tool)[ \t])"
             r"[A-Za-z0-9_.-]{0,40}(?i:pass(?:word|wd|phrase)?|pw|pwd|secret|authtok)[A-Za-z0-9_.-]{0,20}"
             r"[ \t]{1,8}(?:\"(?P<secret_dq>[^\"\r\n$]{3,255}+)\"|(?P<secret>[^\s=:#\"'$][^\s]{2,255}+))"
             r"(?=[ \t]{0,64}(?:\r?\n|$))",
             ("pass", "pw", "secret", "authtok"),
             (f"bindpw {_PW}", f"    auth_pass {_PW}:0", f"rootpw {_PW}", f"AuthLDAPBindPassword {_PW}",
              f"password {_PW}", f'    AuthLDAPBindPassword "{_PW},["'),
             ("PasswordAuthentication no", "passwd alice", "pass show work/email", "pwgen 16",
              "bindpw", "password reset link sent", "secretfile /etc/ldap.secret", "pwd"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("connect-call-password", "password passed to a database connect call (Perl DBI, PHP "
             "mysqli and PDO)",
             r"(?<![A-Za-z0-9_])(?:DBI->connect|mysqli_connect|new[ \t]{1,4}mysqli|new[ \t]{1,4}PDO)\("
             r"[ \t]{0,4}(?:\"[^\"\n]{0,300}\"|'[^'\n]{0,300}'|\$[A-Za-z_][A-Za-z0-9_]{0,40})[ \t]{0,4},"
             r"[ \t]{0,4}(?:\"[^\"\n]{0,100}\"|'[^'\n]{0,100}'|\$[A-Za-z_][A-Za-z0-9_]{0,40})[ \t]{0,4},[ \t]{0,4}"
             r"""(?:'(?P<secret_sq>[^'\r\n]{1,300}+)'|"(?P<secret_dq>[^"\r\n]{1,300}+)")""",
             ("dbi->connect", "mysqli", "pdo"),
             (f'my $dbh = DBI->connect("dbi:Pg:dbname=app", "app", "{_PW}");',
              f"$db = new PDO($dsn, 'app', '{_PW}');", f'mysqli_connect("db", "app", "{_PW}", "shop");'),
             ("$db = new PDO($dsn, $user, $password);", 'DBI->connect($dsn, $user, $pass)'),
             category=SYNTAX, min_length=3),
        Rule("pgpass-line", "password field of a .pgpass line (hostname:port:database:username:password)",
             r"(?:(?<![^\s'\"])|(?<![^\n])[+-])(?![0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}:)"
             r"(?:\*|(?=[0-9_-]{0,253}+[A-Za-z.])[A-Za-z0-9_.-]{1,507}+):(?:[0-9]{1,5}|\*):"
             r"[^\s:'\"]{1,63}:[^\s:'\"]{1,63}:(?P<secret>[^\s'\"]{1,256}+)",
             (":",),
             (f"db.internal:5432:app:app:{_PW}", f"*:*:*:postgres:{_PW}", f"localhost:5432:*:app:{_PW}",
              f"+127.0.0.1:5432:billing:app:{_PW}"),
             ("12:30:45:00:11", "root:x:0:0:root:/root:/bin/bash", "00:11:22:33:44:55", "ether df:87:82:dc:43:b5",
              "SHA1: dc:49:99:4a:62:a0:3c:d7:fb:25:2a:89:fb:29:88:8b:d3:65:e1:b8",
              "db.internal:5432:app:app:"),
             category=SYNTAX, min_length=3),
        Rule("form-body-secret", "secret in a form body given to curl or HTTPie (-d 'a=b&password=...', "
             "--data-urlencode, -F)",
             r"(?<![A-Za-z0-9_-])(?:--data-urlencode(?:=|[ \t]{1,4})'[^'\n]{0,300}?(?i:password|passwd|pass|pwd"
             r"|secret|token|api_key|apikey)=(?P<secret_url>[^'\r\n]{1,300}+)"
             r"|(?:-d|-F|--data(?:-urlencode|-raw|-binary|-ascii)?|--form(?:-string)?)"
             r"(?:=|[ \t]{1,4})(?:'[^'\n]{0,300}?(?i:password|passwd|pass|pwd|secret|token|api_key|apikey)"
             r"=(?P<secret_sq>[^'&\r\n]{1,300}+)|\"[^\"\n]{0,300}?(?i:password|passwd|pass|pwd|secret|token"
             r"|api_key|apikey)=(?P<secret_dq>[^\"&\r\n]{1,300}+)))",
             ("-d", "-f", "--data", "--form"),
             (f"curl https://api.acme.test/login --data-urlencode 'password=({_PW} x'",
              f'curl -F "api_key=({_PW}" https://api.acme.test/upload'),
             ("curl -d 'password=' https://api.acme.test", "curl -d @body.json https://api.acme.test"),
             category=SYNTAX, min_length=3),
        Rule("connection-string-password", "password in a semicolon-separated connection string "
             "(ADO.NET, ODBC, JDBC for SQL Server: Password=...;), commas and blanks included, or in "
             "ODBC braces (PWD={...})",
             r"(?<![A-Za-z0-9_])(?i:password|pwd)[ \t]{0,4}=[ \t]{0,4}(?:(?P<secret>[^;\r\n\"'{}]{1,300}+)(?=;)"
             r"|\{(?P<secret_braced>[^}\r\n]{1,300}+)\})",
             ("password", "pwd"),
             (f"Server=db;Database=app;User Id=sa;Password=({_PW} x;Encrypt=True;",
              f"Driver={{ODBC Driver 18}};Server=db;Uid=sa;Pwd=[{_PW};",
              f"Driver={{ODBC Driver 18}};Server=db;Uid=sa;Pwd={{{_PW};x}}"),
             ("Server=db;Database=app;Integrated Security=true;", "Password=;"),
             category=SYNTAX, min_length=3),
        Rule("sql-password", "password in SQL (IDENTIFIED BY '...', PASSWORD '...')",
             r"(?<![A-Za-z0-9_])(?i:identified(?:[ \t]{1,4}with[ \t]{1,4}[a-z0-9_]{1,40})?[ \t]{1,4}by|password)"
             r"[ \t]{1,4}'(?P<secret>[^'\r\n]{1,256}+)'",
             ("identified", "password"),
             (f"CREATE USER 'app'@'%' IDENTIFIED BY '{_PW}';", f"ALTER ROLE app WITH LOGIN PASSWORD '{_PW}';",
              f"CREATE USER ro IDENTIFIED WITH sha256_password BY '{_PW}';"),
             ("ALTER USER app IDENTIFIED BY VALUES 'x'", "password policy", "ALTER ROLE app PASSWORD NULL"),
             category=SYNTAX, min_length=3),
        Rule("call-secret-argument", "secret passed with its name to define(), env(), getenv() or "
             "setdefault() (PHP, Laravel, Python)",
             r"(?<![A-Za-z0-9_])(?:define|env|getenv|setdefault|fetch|get|setenv|putenv)\([ \t]{0,4}"
             rf"(?:'{name}'|\"{name}\")[ \t]{{0,4}},[ \t]{{0,40}}"
             r"""(?:'(?P<secret_sq>[^'\r\n]{1,300}+)'|"(?P<secret_dq>[^"\r\n]{1,300}+)")""",
             ("define(", "env(", "getenv(", "setdefault(", "fetch(", "get(", "setenv(", "putenv("),
             (f"define('DB_PASSWORD', '{_PW}');", f"define( 'AUTH_KEY', '{fake(ALNUM, 64, 'wp-salt')}' );",
              f"'password' => env('DB_PASSWORD', '{_PW}'),", f'os.environ.setdefault("API_TOKEN", "{_PW}")'),
             ("define('DB_PASSWORD', getenv('DB_PASSWORD'));", "define('DB_NAME', 'wordpress');",
              "env('DB_PASSWORD')"),
             category=SYNTAX, min_length=3),
        Rule("setter-secret-argument", "secret set under its name by a setter call (ini_set(), "
             "System.setProperty(), os.Setenv(), Environment.SetEnvironmentVariable(), setItem(), set(), put())",
             r"(?<![A-Za-z0-9_])(?:ini_set\(|setProperty\(|Setenv\(|SetEnvironmentVariable\(|setItem\(|set\(|put\()"
             rf"[ \t]{{0,4}}(?:'{name}'|\"{name}\")[ \t]{{0,4}},[ \t]{{0,40}}"
             r"""(?:'(?P<secret_sq>[^'\r\n]{1,300}+)'|"(?P<secret_dq>[^"\r\n]{1,300}+)")""",
             ("pass", "pwd", "secret", "token", "key", "salt", "auth", "credential", "pat"),
             (f'System.setProperty("javax.net.ssl.keyStorePassword", "{_PW}");',
              f'os.Setenv("API_TOKEN", "{fake(ALNUM, 32, "setenv")}")', f"ini_set('mysql.default_password', '{_PW}');"),
             ("cache.set('token_ttl', '3600')", "props.put(\"password.policy\", \"strict\")",
              "localStorage.setItem('token', token)"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("spaced-assignment", "secret assigned without '=' (Dockerfile ENV, fish set -x, setx, setenv)",
             r"(?<![A-Za-z0-9_-])(?:ENV|setx|setenv|set[ \t]{1,4}-[gUlxe]{1,4})[ \t]{1,4}"
             r"[A-Za-z_][A-Za-z0-9_]{0,60}" + _SECRET_NAME + r"[A-Za-z0-9_]{0,20}[ \t]{1,4}(?![=-])" + _ARG,
             ("pass", "pwd", "secret", "token", "key", "salt", "auth", "credential", "pat"),
             (f"ENV DB_PASSWORD {_PW}", f"set -x DB_PASS {_PW}", f"setx SMTP_PASSWORD {_PW}"),
             ("ENV DB_PASSWORD_FILE=/run/secrets/db", "set -x PATH /usr/bin", "ENV DB_HOST db"),
             category=SYNTAX, min_length=3),
        Rule("xml-named-secret", "secret in an XML setting named by its name or key attribute "
             "(<add key=\"...Password\" value=\"...\"/>, <property name=\"...password\">...</property>)",
             rf"(?<![A-Za-z0-9_-])(?i:name|key)=(?:\"{name}\"|'{name}')[ \t]{{0,4}}"
             r"""(?:(?i:value)=(?:"(?P<secret_dq>[^"\r\n]{1,300}+)"|'(?P<secret_sq>[^'\r\n]{1,300}+)')"""
             r"|>(?P<secret>[^<\r\n]{1,300}+)</)",
             ("name=", "key="),
             (f'<add key="ClearTextPassword" value="{_PW}" />',
              f'<property name="hibernate.connection.password">{_PW}</property>'),
             ('<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />', '<add key="Timeout" value="30" />'),
             category=SYNTAX, min_length=3),
        Rule("pat-assignment", "personal access token assigned to a name ending in PAT (ADO_PAT, GH_PAT)",
             r"(?<![A-Za-z0-9])(?i:pat)[\"']?(?:[ \t]{0,4}(?:=>|:=|=)|[ \t]{0,4}:(?=[ \t\"'`]))[ \t]{0,4}"
             r'''(?:"(?P<secret_dq>[^"\r\n]{16,300}+)|'(?P<secret_sq>[^'\r\n]{16,300}+)|'''
             r"""(?P<secret>[^\s"'`,;|&<>(){}\[\]]{16,300}+))""",
             ("pat",),
             (f"AZURE_DEVOPS_PAT={fake(LOWER + DIGITS, 52, 'ado-pat')}", f'  "pat": "{fake(ALNUM, 40, "pat")}",'),
             ("PAT=${{ secrets.ADO_PAT }}", "pat: 12", "SPAT=abcdefghijabcdefghij1"),
             category=SYNTAX, min_length=16, values="token"),
        Rule("config-line-secret", "secret in a YAML, INI or properties value that runs to the end of "
             "the line (blanks and commas included)",
             r"(?<![^\n])[ \t]{0,40}(?:-[ \t]{1,4})?[\"']?[A-Za-z0-9_.-]{0,60}" + _NOT_PUBLIC + _SECRET_NAME
             + r"s?[\"']?(?:[ \t]{0,4}:[ \t]{1,4}|[ \t]{0,4}=[ \t]{0,4})"
             r"(?![0-9]{1,9}[ \t]bytes[ \t]{0,64}(?:\r?\n|$))"
             r"(?P<secret>[^\s\"'&*!|>{\[#%@`][^\r\n]{0,298}?)(?=[ \t]{1,8}#|[ \t]{0,64}(?:\r?\n|$)"
             r"|[ \t][^ \t\r\n]{1,60}[ \t][^\r\n]{300})",  # an overlong line: its first word
             ("pass", "pwd", "secret", "token", "key", "salt", "auth", "credential", "pat"),
             (f"  hash_salt: {fake(ALNUM, 6, 'yaml')} {_PW}", f"signing_salt: {fake(ALNUM, 6, 'yaml')},{_PW} # rotated",
              f"hash_salt = {fake(ALNUM, 6, 'ini')},{_PW}"),
             ("  password: ${DB_PASSWORD}", "  password: *default_password", "  token_ttl: 3600",
              "  password: !vault |", 'password = getpass.getpass("Password: ")', "TOKEN_ID=42",
              "password:  24 bytes",
              "ALGOLIA_SEARCH_ONLY_API_KEY=" + fake(ALNUM, 32, "algolia-public")),
             category=SYNTAX, min_length=3, values="token"),
    )


def _tool_arguments() -> tuple[Rule, ...]:
    """Passwords and tokens that tools take as an option or a positional argument, from their
    manuals: registry copiers (``--creds user:pass``), etcdctl ``--user``, crane, mosquitto_passwd
    and htpasswd ``-n``, ``openssl passwd``, net-snmp's SNMPv3 ``-A``/``-X``, chpasswd input,
    schtasks ``/rp``, PowerShell's ``ConvertTo-SecureString``, NuGet sources, Poetry's
    credentials, ``cf auth``, OpenStack swift ``-K``, neo4j-admin, macOS ``security``, and
    commands that log in with a token argument."""
    token = fake(ALNUM, 32, "login-token")
    return (
        Rule("user-password-option", "password in a user:password option (--creds, --src-creds, "
             "--dest-creds of skopeo/buildah/podman, --user of etcdctl)",
             _LB + r"(?:--creds|--src-creds|--dest-creds|--registry-creds|--user)(?:=|[ \t]{1,4})"
             r"[\"']?[^\s:\"'@=]{1,100}+:"
             r"(?P<secret>[^\s\"']{1,256}+)",
             (":",),
             (f"skopeo copy --src-creds ci:{_PW} docker://a/b:1 dir:/tmp/b", f"etcdctl --user root:{_PW} get /",
              f"buildah push --creds=bot:{_PW} img docker://registry/img"),
             ("docker run --user 1000:1000 alpine", "podman run --user app:app alpine",
              "etcdctl --user root get /", "skopeo copy --src-creds $CREDS docker://a dir:/b"),
             category=SYNTAX, min_length=3, values="token"),
        _argument("registry-login-password", "registry password given to crane auth login or regctl "
                  "registry login (-p)",
                  r"(?:crane auth|regctl registry)[ \t]{1,4}login" + _CMD
                  + r"(?:-p|--pass(?:word)?)",
                  ("login",), (f"crane auth login registry.acme.test -u ci -p {_PW}",),
                  ("crane auth login registry.acme.test -u ci --password-stdin",),
                  separator=r"(?:=|[ \t]{1,4})"),
        _argument("mosquitto-passwd-batch", "password given to mosquitto_passwd -b",
                  r"mosquitto_passwd(?:[ \t]{1,4}-c)?[ \t]{1,4}-b(?:[ \t]{1,4}-c)?[ \t]{1,4}[^\s-][^\s]{0,200}"
                  r"[ \t]{1,4}[^\s-][^\s]{0,100}",
                  ("mosquitto_",), (f"mosquitto_passwd -b /etc/mosquitto/passwd sensor {_PW}",),
                  ("mosquitto_passwd -c /etc/mosquitto/passwd sensor", "mosquitto_passwd -U passwd")),
        _argument("htpasswd-stdout-password", "password given to htpasswd -nb (the hash is printed)",
                  r"htpasswd[ \t]{1,4}-[A-Za-z]{0,6}n[A-Za-z]{0,6}(?:[ \t]{1,4}-[A-Za-z]{1,8})?"
                  r"(?:[ \t]{1,4}-[A-Za-z]{1,8})?[ \t]{1,4}[^\s-][^\s]{0,100}",
                  ("htpasswd",), (f"htpasswd -nbB alice '{_PW}'", f"htpasswd -nb -B alice {_PW}"),
                  ("htpasswd -nB alice", "htpasswd -n alice > out")),
        _argument("openssl-passwd", "password given to openssl passwd (hashed for /etc/shadow or htpasswd)",
                  r"openssl[ \t]{1,4}passwd(?:[ \t]{1,4}-(?:salt[ \t]{1,4}[^\s]{1,64}|[A-Za-z0-9]{1,8}))?"
                  r"(?:[ \t]{1,4}-(?:salt[ \t]{1,4}[^\s]{1,64}|[A-Za-z0-9]{1,8}))?"
                  r"(?:[ \t]{1,4}-(?:salt[ \t]{1,4}[^\s]{1,64}|[A-Za-z0-9]{1,8}))?(?<![ \t]-in)",
                  ("openssl",), (f"openssl passwd -6 '{_PW}'", f"openssl passwd -apr1 -salt abc {_PW}"),
                  ("openssl passwd -6 -stdin", "openssl passwd -6", "openssl passwd -6 -in passwords.txt")),
        _argument("snmp-auth-passphrase", "SNMPv3 authentication passphrase (net-snmp -A)",
                  r"snmp[a-z]{0,12}" + _CMD + r"-A", ("snmp",),
                  (f"snmpget -v3 -l authNoPriv -u mon -a SHA -A {_PW} sw1 sysUpTime.0",),
                  ("snmpwalk -v2c -c public sw1", "snmpget -v3 -u mon -a SHA sw1")),
        _argument("snmp-privacy-passphrase", "SNMPv3 privacy passphrase (net-snmp -X)",
                  r"snmp[a-z]{0,12}" + _CMD + r"-X", ("snmp",),
                  (f"snmpwalk -v3 -l authPriv -u mon -x AES -X {_PW} sw1",),
                  ("snmpwalk -v3 -l authPriv -u mon -x AES sw1",)),
        Rule("chpasswd-input", "password in the user:password line given to chpasswd (echo ... | "
             "chpasswd, chpasswd <<< ...)",
             _LB + r"(?:(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?[ \t]{1,4}[\"']?[^\s:'\"$]{1,64}:"
             r"(?P<secret>[^\s'\"]{1,256}+)[\"']?[ \t]{0,4}\|[ \t]{0,4}(?:sudo[ \t]{1,4})?chpasswd"
             r"|chpasswd(?:[ \t]{1,4}-[A-Za-z]{1,8})?[ \t]{0,4}<<<[ \t]{0,4}[\"']?[^\s:'\"$]{1,64}:"
             r"(?P<secret_here>[^\s'\"]{1,256}+))",
             ("pass",),
             (f"echo 'deploy:{_PW}' | sudo chpasswd", f"chpasswd <<< \"deploy:{_PW}\""),
             ("echo \"$USER:$PASS\" | chpasswd", "chpasswd < users.txt"),
             category=SYNTAX, min_length=3),
        _argument("schtasks-password", "password given to schtasks (/rp for the task's account, /p)",
                  r"(?i:schtasks)" + _CMD + r"/(?:rp|RP|Rp|p|P)", ("schtasks",),
                  (f"schtasks /create /tn nightly /tr run.cmd /sc daily /ru svc /rp {_PW}",),
                  ("schtasks /create /tn nightly /tr run.cmd /sc daily /ru SYSTEM", "schtasks /query /tn x")),
        Rule("powershell-securestring", "plain text turned into a SecureString (ConvertTo-SecureString "
             "'...' -AsPlainText)",
             r"(?<![A-Za-z0-9_-])(?i:convertto-securestring)(?:[ \t]{1,4}-(?i:asplaintext|force|string))?"
             r"(?:[ \t]{1,4}-(?i:asplaintext|force|string))?(?:[ \t]{1,4}-(?i:asplaintext|force|string))?"
             r"""[ \t]{1,4}(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?P<secret_dq>[^"\r\n]{1,256}+)")""",
             ("convertto-securestring",),
             (f"$p = ConvertTo-SecureString '{_PW}' -AsPlainText -Force",
              f'ConvertTo-SecureString -String "{_PW}" -AsPlainText -Force'),
             ("$p = ConvertTo-SecureString $env:PW -AsPlainText -Force",
              "$p = Read-Host -AsSecureString | ConvertFrom-SecureString"),
             category=SYNTAX, min_length=3),
        _argument("nuget-source-password", "password given to dotnet nuget add/update source (-p)",
                  r"(?:dotnet[ \t]{1,4}nuget|nuget(?:\.exe)?)[ \t]{1,4}(?:add|update|sources)" + _CMD
                  + r"(?:-p|--password|-Password)", ("nuget",),
                  (f"dotnet nuget add source https://nuget.acme.test/v3/index.json -n acme -u ci -p {_PW}",),
                  ("dotnet nuget add source https://nuget.acme.test/v3/index.json -n acme",),
                  separator=r"(?:=|[ \t]{1,4})"),
        _argument("poetry-credentials", "credentials given to poetry config (http-basic.NAME user "
                  "password, pypi-token.NAME token)",
                  r"poetry[ \t]{1,4}config(?:[ \t]{1,4}--local)?[ \t]{1,4}(?:http-basic\.[A-Za-z0-9_.-]{1,64}"
                  r"[ \t]{1,4}[^\s-][^\s]{0,100}|pypi-token\.[A-Za-z0-9_.-]{1,64})",
                  ("http", "token"),
                  (f"poetry config http-basic.acme ci {_PW}", f"poetry config pypi-token.acme {token}"),
                  ("poetry config http-basic.acme ci", "poetry config --list")),
        _argument("cf-auth-secret", "password or client secret given to cf auth USER SECRET",
                  r"cf auth[ \t]{1,4}(?:\"[^\"\n]{1,64}\"|'[^'\n]{1,64}'|[^\s-][^\s]{0,63})", ("auth",),
                  (f"cf auth admin {_PW}", f"cf auth ci-client {_PW} --client-credentials"),
                  ("cf auth", "cf auth admin")),
        _argument("swift-key", "key given to the OpenStack swift client (-K, --key)",
                  r"swift" + _CMD + r"(?:-K|--key)", ("swift",),
                  (f"swift -A https://auth.acme.test/auth/v1.0 -U ops:ci -K {_PW} stat",),
                  ("swift -A https://auth.acme.test/auth/v1.0 -U ops:ci stat",), separator=r"(?:=|[ \t]{1,4})"),
        _argument("neo4j-initial-password", "password given to neo4j-admin set-initial-password",
                  r"neo4j-admin" + _CMD + r"set-initial-password", ("password",),
                  (f"neo4j-admin dbms set-initial-password {_PW}",), ("neo4j-admin server start",)),
        _argument("keychain-password", "password given to macOS security (add-generic-password -w, "
                  "unlock-keychain -p)",
                  r"security[ \t]{1,4}(?:add-(?:generic|internet)-password" + _CMD + r"-w"
                  r"|(?:unlock|create)-keychain" + _CMD + r"-p)", ("password", "keychain"),
                  (f"security add-generic-password -a ci -s api -w '{_PW}'",
                   f"security unlock-keychain -p {_PW} build.keychain"),
                  ("security add-generic-password -a ci -s api -w", "security find-generic-password -s api -w")),
        _argument("login-token-argument", "token given as the argument of a login command (cargo "
                  "login, snyk auth, ngrok authtoken, wandb login, vault login, nuget setapikey)",
                  r"(?:cargo login|snyk auth|ngrok authtoken|ngrok config add-authtoken|wandb login|vault login"
                  r"|nuget setapikey|nuget\.exe setapikey)(?:[ \t]{1,4}--[a-z-]{1,30}(?:=[^\s]{1,100})?)?",
                  ("login", "auth", "key"),
                  (f"cargo login {token}", f"snyk auth {uuid_like('snyk-auth')}", f"ngrok config add-authtoken {token}",
                   f"wandb login --relogin {token}"),
                  ("cargo login", "vault login -method=oidc", "snyk auth", "cargo login --registry acme"),
                  min_length=16, values="token"),
        _argument("winrs-password", "password given to Windows Remote Shell (winrs -p:)",
                  r"winrs" + _CMD + r"-(?:p|P|pass|password|Password)", ("winrs",),
                  (f"winrs -r:host -u:alice -p:{_PW} ipconfig",), ("winrs -r:host -u:alice ipconfig",),
                  separator=":"),
        _argument("ssh-keygen-passphrase", "passphrase given to ssh-keygen (-N new, -P old)",
                  r"ssh-keygen" + _CMD + r"-[NP]", ("ssh-keygen",),
                  (f"ssh-keygen -t ed25519 -N '{_PW}' -f ~/.ssh/deploy", f"ssh-keygen -p -P {_PW} -N '' -f key"),
                  ("ssh-keygen -t ed25519 -N '' -f ~/.ssh/deploy", "ssh-keygen -lf key.pub")),
        _argument("pdftk-password", "owner or user password given to pdftk (owner_pw, user_pw)",
                  r"pdftk" + _CMD + r"(?:owner_pw|user_pw|input_pw)", ("pw",),
                  (f"pdftk in.pdf output out.pdf owner_pw {_PW} user_pw {_PW}x",),
                  ("pdftk in.pdf cat 1-5 output out.pdf", "pdftk secured.pdf input_pw PROMPT output plain.pdf")),
        Rule("client-uri-password", "password in a connection URI without a scheme (mysqlsh user:pass@host, "
             "impacket's domain/user:pass@target)",
             _LB + r"(?:mysqlsh|impacket-[a-z]{2,20}|(?:psexec|wmiexec|smbexec|atexec|dcomexec|secretsdump|getTGT"
             r"|GetUserSPNs|GetNPUsers|mssqlclient|smbclient)\.py)" + _CMD
             + r"(?:--uri(?:=|[ \t]{1,4}))?[\"']?(?:[^\s/:@'\"]{1,64}/)?[^\s/:@'\"=-][^\s/:@'\"]{0,63}:"
             r"(?P<secret>[^\s'\"]{1,128})[\"']?@[A-Za-z0-9\[]",
             (":",),
             (f"mysqlsh root:{_PW}@localhost:3306 --sql", f"impacket-psexec acme.test/admin:{_PW}@10.0.0.5",
              f"mysqlsh --uri app:p@ss{_PW}@db.internal:33060",
              f"secretsdump.py 'ACME/svc:{_PW}'@dc01.acme.test"),
             ("mysqlsh root@localhost:3306", "impacket-psexec acme.test/admin@10.0.0.5 -hashes :abc"),
             category=SYNTAX, min_length=3),
        _argument("codecov-token", "upload token given to the Codecov uploader (-t)",
                  r"codecov" + _CMD + r"-t", ("codecov",),
                  (f"./codecov -t {uuid_like('codecov')} -f coverage.xml",),
                  ("./codecov -f coverage.xml", "codecov --help")),
        Rule("env-set-secret", "secret value given to a CI or secret store's set command (travis env set, "
             "doppler secrets set, glab variable set, netlify env:set)",
             _LB + r"(?:travis[ \t]{1,4}env[ \t]{1,4}set|doppler[ \t]{1,4}secrets[ \t]{1,4}set"
             r"|glab[ \t]{1,4}variable[ \t]{1,4}(?:set|update)|netlify[ \t]{1,4}env:set)[ \t]{1,4}"
             r"[A-Za-z0-9_.-]{0,60}" + _SECRET_NAME + r"[A-Za-z0-9_.-]{0,40}(?:[ \t]{1,4}--?[a-z-]{1,20}"
             r"(?:[ \t]{1,4}[a-z0-9_-]{1,40})?)?(?:[ \t]{1,4}(?:--value|-v)(?:=|[ \t]{1,4})|[ \t]{1,4})(?![/*])"
             + _ARG,
             ("pass", "pwd", "secret", "token", "key", "salt", "auth", "credential", "pat"),
             (f"travis env set DEPLOY_TOKEN {token} --private", f"glab variable set DB_PASSWORD --value '{_PW}'",
              f"doppler secrets set STRIPE_SECRET '{_PW}'", f"netlify env:set API_KEY {token}"),
             ("travis env set DEBUG true", "glab variable set DB_PASSWORD < pw.txt", "travis env list",
              "doppler secrets set API_KEY"),
             category=SYNTAX, min_length=3),
    )


def _calls() -> tuple[Rule, ...]:
    """Passwords passed to login and connect calls, and secrets in other code and config forms."""
    user = r"""(?:"[^"\n]{0,200}"|'[^'\n]{0,200}'|[$A-Za-z_][A-Za-z0-9_.$]{0,60})"""
    literal = r"""(?:"(?P<secret_dq>[^"\r\n]{1,256}+)"|'(?P<secret_sq>[^'\r\n]{1,256}+)')"""
    name = r"[A-Za-z0-9_.-]{0,60}" + _SECRET_NAME + r"[A-Za-z0-9_.-]{0,40}"
    return (
        Rule("login-call-password", "password literal passed after the user to a login or credentials "
             "call (smtplib/ftplib/imaplib login, requests HTTPBasicAuth, .NET NetworkCredential, "
             "UsernamePasswordCredentials, LDAP simple_bind_s, Go SetBasicAuth)",
             r"(?<![A-Za-z0-9_])(?:login\(|HTTPBasicAuth\(|HTTPDigestAuth\(|HTTPProxyAuth\(|BasicAuth\("
             r"|DigestAuth\(|NetworkCredential\(|UsernamePasswordCredentials\(|PasswordAuthentication\("
             r"|PasswordCredential\(|simple_bind_s\(|simple_bind\(|bind_s\(|SetBasicAuth\(|basic\(|basicAuth\("
             r"|oci_connect\(|oci_pconnect\(|auth\()[ \t]{0,4}" + user + r"[ \t]{0,4},[ \t]{0,4}" + literal,
             ("login", "auth", "credential", "bind_s", "simple_bind", "basic(", "oci"),
             (f"smtp.login('alerts@acme.test', '{_PW}')", f'new NetworkCredential("svc", "{_PW}")',
              f"conn.simple_bind_s('cn=admin,dc=acme', '{_PW}')", f'req.SetBasicAuth(user, "{_PW}")'),
             ("smtp.login(user, password)", "client.login(username=user, password=pw)",
              "HTTPBasicAuth(os.environ['U'], os.environ['P'])"),
             category=SYNTAX, min_length=3),
        Rule("auth-tuple-password", "password in a (user, password) pair given as auth (requests, httpx, "
             "Elasticsearch http_auth / basic_auth)",
             r"(?<![A-Za-z0-9])(?i:auth=|http_auth=|basic_auth=|proxy_auth=)[ \t]{0,4}[(\[]"
             r"[ \t]{0,4}(?:\"[^\"\n]{0,200}\"|'[^'\n]{0,200}'|[A-Za-z_][A-Za-z0-9_.]{0,60})[ \t]{0,4},[ \t]{0,4}"
             + literal,
             ("auth",),
             (f"requests.get(url, auth=('ci', '{_PW}'))", f'Elasticsearch(hosts, basic_auth=("elastic", "{_PW}"))'),
             ("requests.get(url, auth=(user, password))", "auth=('ci', os.environ['PW'])"),
             category=SYNTAX, min_length=3),
        Rule("smtp-start-password", "password before the authentication type of Ruby's Net::SMTP "
             "(..., 'user', 'secret', :login)",
             r"(?<=,)[ \t]{0,4}(?=[\"'])[^\n](?P<secret>[^\"'\r\n]{1,256}+)(?=[\"'])[^\n][ \t]{0,4}(?=,)[^\n]"
             r"[ \t]{0,4}:(?:login|plain|cram_md5)(?![A-Za-z0-9_])",
             (":",),
             (f"Net::SMTP.start('smtp.acme.test', 587, 'acme.test', 'ci', '{_PW}', :plain)",),
             ("Net::SMTP.start('smtp.acme.test', 587, 'acme.test', user, secret, :login)",),
             category=SYNTAX, min_length=3),
        Rule("connect-call-password-third", "password passed third to a connect or login call (JDBC "
             "DriverManager.getConnection, PHP ftp_login/ldap_bind/imap_open/ssh2_auth_password/"
             "mysql_connect, MySQLdb/pymysql connect, Python ftplib.FTP, Sequelize, Go smtp.PlainAuth)",
             r"(?<![A-Za-z0-9_])(?:getConnection\(|mssql_connect\(|mysql_connect\(|ldap_bind\(|ftp_login\("
             r"|imap_open\(|ssh2_auth_password\(|MySQLdb\.connect\(|pymysql\.connect\(|PlainAuth\(|FTP\(|FTP_TLS\("
             r"|Sequelize\()[ \t]{0,4}" + user
             + r"[ \t]{0,4},[ \t]{0,4}" + user + r"[ \t]{0,4},[ \t]{0,4}" + literal,
             ("connect", "ldap", "login", "imap_open", "auth", "ftp(", "ftp_tls(", "sequelize"),
             (f'DriverManager.getConnection(url, "app", "{_PW}");', f"ftp_login($conn, 'ci', '{_PW}');",
              f'smtp.PlainAuth("", "alerts@acme.test", "{_PW}", host)', f"ftp = FTP('files.acme.test', 'ci', '{_PW}')",
              f"new Sequelize('app', 'app', '{_PW}', {{ dialect: 'postgres' }})"),
             ("DriverManager.getConnection(url, user, password);", "ftp_login($conn, $user, $pass);"),
             category=SYNTAX, min_length=3),
        Rule("mongo-change-password", "password given to MongoDB's db.changeUserPassword()",
             r"changeUserPassword\([ \t]{0,4}(?:\"[^\"\n]{1,100}\"|'[^'\n]{1,100}')[ \t]{0,4},[ \t]{0,4}" + literal,
             ("password",),
             (f'db.changeUserPassword("reporting", "{_PW}")',),
             ('db.changeUserPassword("reporting", passwordPrompt())',),
             category=SYNTAX, min_length=3),
        Rule("sql-set-password", "password in SQL SET PASSWORD ... = '...' or WITH PASSWORD = '...' "
             "(MySQL, MariaDB, SQL Server logins)",
             r"(?<![A-Za-z0-9_])(?i:set password(?:[ \t]{1,4}for[ \t]{1,4}[^=\n]{1,200}?)?"
             r"|with password)[ \t]{0,4}=[ \t]{0,4}(?:(?i:password)\([ \t]{0,4})?N?"
             r"'(?P<secret>[^'\r\n]{1,256}+)'",
             ("password",),
             (f"SET PASSWORD FOR 'app'@'%' = '{_PW}';", f"CREATE LOGIN ci WITH PASSWORD = N'{_PW}';",
              f"SET PASSWORD = PASSWORD('{_PW}');"),
             ("SET PASSWORD FOR 'app'@'%' = @pw;", "ALTER LOGIN ci WITH PASSWORD = ?"),
             category=SYNTAX, min_length=3),
        Rule("named-value-secret", "secret in a name/value pair whose name says it holds one "
             "(Kubernetes env {name: X, value: Y}, ECS and CloudFormation Name/Value, ParameterKey)",
             r"(?<![A-Za-z0-9_-])[\"']?(?=(?i:name|key|parameterkey)[\"']?[ \t]{0,4}[:=])[A-Za-z]{3,12}[\"']?"
             r"[ \t]{0,4}[:=][ \t]{0,4}[\"']?(?=" + name + r"[\"']?[ \t]{0,4},)[A-Za-z0-9_.:-]{1,140}"
             r"[\"']?[ \t]{0,4}(?=,)[^\n][ \t]{0,4}[\"']?(?i:value|parametervalue)[\"']?[ \t]{0,4}[:=][ \t]{0,4}"
             r"(?:\"(?P<secret_dq>[^\"\r\n]{1,300}+)\"|'(?P<secret_sq>[^'\r\n]{1,300}+)'"
             r"|(?P<secret>[^\s\"'`,;|&<>(){}\[\]]{1,300}+))",
             ("pass", "pwd", "secret", "token", "key", "salt", "auth", "credential", "pat"),
             (f'  - {{name: API_TOKEN, value: "{_PW}"}}',
              f'{{"name": "DB_PASSWORD", "value": "{_PW}"}}',
              f'{{"ParameterKey": "MasterUserPassword", "ParameterValue": "{_PW}"}}'),
             ("  - {name: API_TOKEN, valueFrom: {secretKeyRef: {name: api, key: token}}}",
              '{"name": "DB_HOST", "value": "db.internal"}', '{"name": "DB_PASSWORD", "value": "${DB_PASSWORD}"}'),
             category=SYNTAX, min_length=3),
        Rule("terraform-variable-default", "secret as the default of a Terraform variable whose name says "
             "it holds one (variable \"db_password\" { default = \"...\" })",
             r"(?<![A-Za-z0-9_-])variable[ \t]{1,4}\"" + name + r"\"[ \t]{0,4}\{[^}\n]{0,200}?default[ \t]{0,32}="
             r"[ \t]{0,8}\"(?P<secret>[^\"\r\n]{1,256}+)\"",
             ("pass", "pwd", "secret", "token", "key", "salt", "auth", "credential", "pat"),
             (f'variable "admin_password" {{ type = string, default = "{_PW}" }}',),
             ('variable "admin_password" { type = string, sensitive = true }',
              'variable "token_ttl" { default = "3600" }'),
             category=SYNTAX, min_length=3, values="token"),
        Rule("sonar-login", "SonarQube token given as sonar.login (scanner property or -D option)",
             r"(?<![A-Za-z0-9_])(?:-D)?(?i:sonar[._]login)[ \t]{0,4}[=:][ \t]{0,4}[\"']?"
             r"(?P<secret>[^\s\"'`,;|&<>]{8,256}+)",
             ("login",),
             (f"mvn sonar:sonar -Dsonar.login={fake(HEX, 40, 'sonar')}", f"SONAR_LOGIN={fake(HEX, 40, 'sonar2')}"),
             ("mvn sonar:sonar -Dsonar.login=$SONAR_TOKEN", "sonar.login=admin"),
             category=SYNTAX, min_length=8, values="token"),
        Rule("session-cookie", "session cookie given to curl (-b, --cookie) or in a Cookie header",
             r"(?:(?<![A-Za-z0-9_-])curl(?![A-Za-z0-9_-])[^\n|;&]{0,300}?[ \t](?:-b|--cookie)(?:=|[ \t]{1,4})"
             r"|(?<![A-Za-z0-9_-])(?i:cookie)[ \t]{0,4}[:=][ \t]{0,4})[\"']?[^\n\"']{0,120}?"
             r"(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{0,24}(?i:session=|sess=|sessionid=|session_id=|session-id="
             r"|sessid=|sid=|session_token=|session-token=|session_key=|remember_token=|remember_user_token="
             r"|auth_token=)(?P<secret>[A-Za-z0-9%+/._~-]{16,512}+)",
             ("curl", "cookie"),
             (f'curl -b "_app_session={fake(HEX, 32, "cookie")}" https://acme.test/',
              f"Cookie: theme=dark; PHPSESSID={fake(LOWER + DIGITS, 26, 'phpsess')}"),
             ("curl -b cookies.txt https://acme.test/", "Cookie: theme=dark; lang=en",
              "curl -b 'session=$SESSION' https://acme.test/", "INFO session_id=9c54b55182698f86 started"),
             category=SYNTAX, min_length=16, values="token"),
    )


def _stores() -> tuple[Rule, ...]:
    """Secrets handed to configuration and key-value stores on the command line, and to commands
    that read them from a here-string."""
    token = fake(ALNUM, 32, "store-token")
    key = r"[A-Za-z0-9_./:@-]{0,100}" + _SECRET_NAME + r"[A-Za-z0-9_./-]{0,40}"
    return (
        Rule("config-set-secret", "secret given to a tool's config set KEY VALUE when the key says it "
             "holds one (npm, pnpm, yarn, conda, git, pip, gcloud, az config set)",
             _LB + r"config(?::set| set| --[a-z-]{1,20}[ \t]{1,4}set)"
             r"(?:[ \t]{1,4}--?[a-z-]{1,20}(?:=[^\s]{1,40}|[ \t]{1,4}[a-z]{1,20})?)?"
             r"[ \t]{1,4}" + key + r"[ \t]{1,4}(?![=/*])" + _ARG,
             ("pass", "pwd", "secret", "token", "key", "salt", "auth", "credential", "pat"),
             (f"npm config set //registry.acme.test/:_authToken {token}", f"yarn config set npmAuthToken {token}",
              f"pnpm config set --location project //npm.acme.test/:_password {_PW}"),
             ("npm config set registry https://registry.acme.test/", "yarn config set npmAuthToken",
              "npm config set //registry.acme.test/:_authToken ${NPM_TOKEN}"),
             category=SYNTAX, min_length=3),
        Rule("kv-put-secret", "secret written to a key-value store under a key that says it holds one "
             "(consul kv put, etcdctl put)",
             _LB + r"(?:consul[ \t]{1,4}kv[ \t]{1,4}put(?:[ \t]{1,4}-[a-z-]{1,20}(?:=[^\s]{1,100})?)?"
             r"|etcdctl" + _CMD + r"put)[ \t]{1,4}" + key + r"[ \t]{1,4}(?![=/*@-])" + _ARG,
             ("pass", "pwd", "secret", "token", "key", "salt", "auth", "credential", "pat"),
             (f"consul kv put app/db/password {_PW}",
              f"etcdctl --endpoints=https://etcd:2379 put /app/api_token {token}"),
             ("consul kv put app/db/host db.internal", "consul kv put app/db/password @pw.txt",
              "etcdctl put /app/api_token"),
             category=SYNTAX, min_length=3),
        Rule("herestring-secret", "secret given in a here-string to a command that reads one from "
             "standard input (--password-stdin, --with-token, login, secret set)",
             _LB + r"(?=--password-stdin|--with-token|--token-stdin|login|secrets?[ \t]{1,4}(?:set|create|put|versions)"
             r"|chpasswd)[a-z-]{5,16}[^\n|;&]{0,200}?<<<[ \t]{0,4}"
             + _QUOTED_OR_BARE,
             ("<<<",),
             (f"docker login -u ci --password-stdin registry.acme.test <<< '{_PW}'",
              f"gh auth login --with-token <<< {token}"),
             ("docker login -u ci --password-stdin <<< \"$CI_TOKEN\"", "cat <<< 'hello'"),
             category=SYNTAX, min_length=3),
        _argument("mysqladmin-new-password", "new password given to mysqladmin password",
                  r"mysqladmin" + _CMD + r"password", ("mysql",),
                  (f"mysqladmin -u root -p password {_PW}",), ("mysqladmin -u root -p status",)),
        _argument("useradd-password", "password hash given to useradd or usermod -p",
                  r"(?:useradd|usermod)" + _CMD + r"(?:-p|--password)", ("useradd", "usermod"),
                  (f"useradd -m -p '$6$salt${fake(ALNUM, 43, 'shadow')}' deploy",),
                  ("useradd -m -s /bin/bash deploy", "usermod -p '!' deploy"), separator=r"(?:=|[ \t]{1,4})"),
        _argument("doctl-token", "token given to doctl auth init -t", r"doctl" + _CMD + r"-t", ("doctl",),
                  (f"doctl auth init -t {fake(HEX, 64, 'doctl')}",), ("doctl auth init --context ci",)),
        Rule("redis-acl-password", "password in a Redis ACL rule (ACL SETUSER name on >password)",
             r"(?<![A-Za-z0-9_-])(?i:acl)[ \t]{1,4}(?i:setuser)[ \t]{1,4}[^\s]{1,64}"
             r"(?:[ \t]{1,4}[^\s>]{1,100}){0,1}(?:[ \t]{1,4}[^\s>]{1,100}){0,1}[ \t]{1,4}>(?P<secret>[^\s]{1,256}+)",
             ("setuser",),
             (f"redis-cli ACL SETUSER reporting on >{_PW} ~cached:* +get", f"ACL SETUSER worker >{_PW}"),
             ("redis-cli ACL SETUSER reporting on nopass ~* +@read", "user worker off"),
             category=SYNTAX, min_length=3),
    )


def _more_forms() -> tuple[Rule, ...]:
    """Secrets read from standard input after an echo (sudo -S, passwd --stdin, kinit, smbpasswd -s,
    gpg --passphrase-fd), written to the registry (reg add ... /v DefaultPassword /d ...), set with
    a setter or builder call (setPassword("..."), .password("...")), and Oracle Easy Connect
    strings (user/password@//host)."""
    value = r"""(?:"(?P<secret_dq>[^"\r\n]{1,256}+)"|'(?P<secret_sq>[^'\r\n]{1,256}+)')"""
    return (
        Rule("stdin-password", "password echoed into a command that reads it from standard input "
             "(sudo -S, passwd --stdin, kinit, smbpasswd -s, gpg --passphrase-fd 0)",
             r"(?<![A-Za-z0-9_-])(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?[ \t]{1,4}" + _QUOTED_OR_BARE
             + r"[ \t]{0,4}\|[ \t]{0,4}(?:sudo(?:[ \t]{1,4}-[A-Za-z]{1,4}(?:[ \t]{1,4}[^\s-][^\s]{0,40})?)?"
             r"[ \t]{1,4}-[A-Za-z]{0,4}S(?![A-Za-z0-9_-])|(?:sudo[ \t]{1,4})?(?:passwd[^\n|;&]{0,100}?--stdin"
             r"|kinit(?![A-Za-z0-9_-])|smbpasswd[^\n|;&]{0,100}?[ \t]-[A-Za-z]{0,4}s(?![A-Za-z0-9_-])"
             r"|gpg[^\n|;&]{0,200}?--passphrase-fd))",
             ("echo", "printf"),
             (f"echo '{_PW}' | sudo -S systemctl restart nginx", f"echo {_PW} | passwd --stdin deploy",
              f"printf '{_PW}' | kinit admin@ACME.TEST"),
             ("echo hello | sudo tee /etc/motd", "echo $PW | sudo -S true", "echo 'done' | mail -s x root"),
             category=SYNTAX, min_length=3),
        Rule("registry-password-value", "password written to the Windows registry (reg add ... /v "
             "DefaultPassword /d ...)",
             r"(?<![A-Za-z0-9_-])(?i:reg add|reg\.exe add)[^\n|&]{0,300}?[ \t]/v[ \t]{1,4}[\"']?"
             r"[A-Za-z0-9_.-]{0,40}(?i:password|passwd|pwd|secret|token|apikey|api_key)[A-Za-z0-9_.-]{0,40}[\"']?"
             r"[^\n|&]{0,100}?[ \t]/d[ \t]{1,4}" + _ARG,
             ("pass", "pwd", "secret", "token", "key"),
             (f'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon" /v DefaultPassword '
              f"/t REG_SZ /d {_PW} /f",),
             ('reg add "HKLM\\Software\\Acme" /v Timeout /t REG_DWORD /d 30 /f',
              'reg query "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon" /v DefaultPassword'),
             category=SYNTAX, min_length=3),
        Rule("setter-call-password", "password or key passed to a setter or builder named after it "
             "(setPassword(\"...\"), .password(\"...\"), withApiKey(\"...\"))",
             r"(?<![A-Za-z0-9_])(?:set|with)?(?i:password\(|passwd\(|passphrase\(|secret\(|clientsecret\("
             r"|client_secret\(|apikey\(|api_key\(|accesstoken\(|access_token\(|authtoken\(|auth_token\("
             r"|secretkey\(|secret_key\(|accesskey\(|secretaccesskey\()[ \t]{0,4}" + value + r"[ \t]{0,4}\)",
             ("pass", "secret", "key", "token"),
             (f'dataSource.setPassword("{_PW}");', f'Client.builder().apiKey("{fake(ALNUM, 32, "builder")}").build()',
              f"cfg.password('{_PW}')"),
             ("dataSource.setPassword(System.getenv(\"DB_PASSWORD\"));", 'user.setPassword("")',
              "form.password('')"),
             category=SYNTAX, min_length=3),
        Rule("oracle-easy-connect", "password in an Oracle Easy Connect string (user/password@//host:port/service)",
             r"(?<![A-Za-z0-9_$#/.-])[A-Za-z0-9_$#.-]{1,64}(?=/)[^\n](?P<secret>[^\s/@'\"]{1,128}+)@//[A-Za-z0-9]",
             ("@//",),
             (f"ORACLE_CONN=scott/{_PW}@//db.internal:1521/ORCLPDB1",),
             ("ORACLE_CONN=//db.internal:1521/ORCLPDB1", "sqlplus /nolog @//scripts"),
             category=SYNTAX, min_length=3),
    )


def _webhooks() -> tuple[Rule, ...]:
    uid = "-".join(fake(HEX, n, f"teams-{n}") for n in (8, 4, 4, 4, 12))
    return (
        Rule("chat-webhook-url", "chat or automation webhook URL (Microsoft Teams, Power Automate, Google "
             "Chat, Mattermost, Rocket.Chat, Flock, Zapier, IFTTT, DingTalk, Feishu/Lark, WeCom, Webex)",
             r"(?:\.webhook\.office\.com/webhookb2/|outlook\.office(?:365)?\.com/webhook/)"
             r"(?P<secret>[A-Za-z0-9@/-]{40,400}+)"
             r"|\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/[^\s'\"]{1,300}?[?&]sig="
             r"(?P<secret_sig>[A-Za-z0-9_%-]{20,100}+)"
             r"|hooks\.zapier\.com/hooks/catch/(?P<secret_zapier>[0-9]{3,12}/[A-Za-z0-9]{3,20}+)"
             r"|maker\.ifttt\.com/trigger/[^/\s]{1,100}/with/key/(?P<secret_ifttt>[A-Za-z0-9_-]{16,64}+)"
             r"|oapi\.dingtalk\.com/robot/send\?access_token=(?P<secret_dingtalk>[0-9a-f]{64})"
             r"|open\.(?:feishu\.cn|larksuite\.com)/open-apis/bot/v2/hook/(?P<secret_lark>[0-9a-f-]{36})"
             r"|qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=(?P<secret_wecom>[0-9a-f-]{36})"
             r"|webexapis\.com/v1/webhooks/incoming/(?P<secret_webex>[A-Za-z0-9_=-]{40,200}+)"
             r"|/hooks/sendMessage/(?P<secret_flock>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
             r"|/hooks/(?P<secret_mattermost>[a-z0-9]{26})(?![A-Za-z0-9/])"
             r"|/hooks/(?P<secret_rocket>[A-Za-z0-9]{17}/[A-Za-z0-9]{40,60}+)",
             ("webhook", "workflows", "/hooks/", "ifttt", "dingtalk", "/hook/"),
             (join("https://acme.webhook.office.com/webhookb2/", uid, "@", uid, "/IncomingWebhook/",
                   fake(HEX, 32, "teams"), "/", uid),
              join("https://chat.acme.test/hooks/", fake(LOWER + DIGITS, 26, "mattermost")),
              join("https://maker.ifttt.com/trigger/deploy/with/key/", fake(URLSAFE, 22, "ifttt")),
              join("https://open.feishu.cn/open-apis/bot/v2/hook/", uid),
              join("https://api.flock.com/hooks/sendMessage/", uid)),
             ("https://acme.webhook.office.com/webhookb2/", "https://chat.acme.test/hooks/new",
              "https://maker.ifttt.com/trigger/deploy"),
             category=PROVIDER),
    )


RULES: tuple[Rule, ...] = (_options() + _positional() + _languages() + _tool_arguments() + _calls()
                           + _stores() + _more_forms() + _webhooks())

__all__ = ["RULES"]
