"""Passwords on command lines, read from the options and inputs tools' manuals document.

Rather than one rule per tool, these rules follow what the manuals share:

* a user option with its value, then a short password option in the same command (``-u NAME
  ... -p PASSWORD``: database shells and loaders such as hdbsql, exaplus, cbq, cbbackupmgr,
  mycli, db2move; directory tools such as dsquery and ldapvi with ``-D DN -w PASSWORD``;
  backup tools such as gbak's ``-user NAME -pas PASSWORD``; mail senders such as sendemail's
  ``-xu NAME -xp PASSWORD``; BMC, UPS, media and download clients; altool's ``-u ID -p
  PASSWORD``): the user option says the next password-like option is a password, whatever the
  tool;
* a long option whose name ends in a password word glued to a prefix (``--dbpass=``,
  ``--adminpassword``, ``--rootpw``, ``-srcpass``), which the separated-name rule
  (``cli-password-flag``) does not see;
* the short password options of tools whose manuals give them without a user option (Kerberos
  ``kadmin``/``ktutil -w``, ``hdbuserstore SET KEY HOST USER PASSWORD``, signing tools' ``-p``/
  ``/p``/``-P`` for a PKCS #12 pass-phrase, archive and office-document tools, password-hash
  generators such as ``slappasswd -s``, ``doveadm pw -p``, OpenSearch's ``hash.sh -p``);
* a value echoed or printed into a command that reads a secret from standard input, named by
  its manual (cryptsetup, ``zfs load-key``, vncpasswd, openconnect ``--passwd-on-stdin``,
  ``realm join``, adcli ``--stdin-password``, grub-mkpasswd-pbkdf2, ``ansible-vault
  --vault-password-file /dev/stdin``, ``wg ... private-key /dev/stdin``) or by an option that
  says so (``--password-stdin``, ``--passwd-on-stdin``, ``--stdin-password``, ``/dev/stdin``);
  two values printed at once (``printf '%s\\n%s\\n' PW PW``, ``(echo PW; echo PW)``) are both
  found; a here-string given to a command reading ``/dev/stdin`` too;
* a ``user:password`` pair given to an option that documents one (``-credentials``,
  ``--api-auth``, transmission-remote ``-n``, ZooKeeper ``addauth digest``).
"""

from __future__ import annotations

from perth.redact.rules.model import ALNUM, LOWER, SYNTAX, Rule, fake

_LB = r"(?<![A-Za-z0-9_-])"
_PW = fake(ALNUM, 13, "manuals-pw") + "#"
#: The value of an option: never another option, never a value replaced already, never a port or
#: port mapping (``-p 8080:80``).
_ARG = (r'''(?!["']?\[REDACTED:)(?!-[A-Za-z-]{0,40}(?:[ \t=]|$))'''
        r'''(?![0-9]{1,5}(?:[:/.-][0-9:/.-]{1,24})?(?:/(?:tcp|udp))?(?:[ \t]|$))'''
        r'''(?:"(?P<secret_dq>[^"\r\n]{1,256}+)"|'(?P<secret_sq>[^'\r\n]{1,256}+)'|'''
        r"""(?P<secret>[^\s"'`|;&<>()]{1,256}+))""")
_QUOTED_OR_BARE = (r'''(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?P<secret_dq>[^"\r\n]{1,256}+)"|'''
                   r"""(?P<secret>[^\s"'`|;&<>()$]{1,256}+))""")
#: A name that says it holds a secret.
_NAME = r"(?i:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)"
#: The rest of a command (not past a pipe, a list or a line end).
_CMD = r"(?![A-Za-z0-9_-])[^\n|;&]{0,300}?[ \t]"
#: A user option with its value: ``-u NAME``, ``-U NAME``, ``--user=NAME``, ``--username NAME``,
#: ``-user NAME``, ``-xu NAME`` (sendemail), ``--login-user=NAME`` (adcli), ``--apple-id ID``
#: (``-l`` and ``-D`` are left out: their keywords are on too many lines that hold no password).
_USER = (r"(?:-u|-U|-user|--user|--username|-username|--login-user|-xu|--apple-id)(?:=|[ \t]{1,4})"
         r"(?!-)[\"']?[^\s\"']{1,200}[\"']?")
#: Short password options (``-p``, ``-P``, ``-w``, ``-pw``, ``-pwd``, ``-pas``, ``-pass``, ``-xp``),
#: and ``--password``/``--pass`` themselves (``cli-password-flag`` takes those too).
_PASSWORD_OPTION = r"(?:-[pPw]|-pwd?|-pas{1,2}|-xp|--?passw(?:or)?d|--pass)"  # noqa: S105


def _options() -> tuple[Rule, ...]:
    return (
        Rule("user-then-password-option", "password given to a short password option after a user option "
             "in the same command (-u NAME ... -p PASSWORD, -user NAME -pas PASSWORD, -xu NAME -xp PASSWORD)",
             _LB + _USER + r"(?:[ \t]{1,4}[^\n|;&]{0,200}?)?[ \t]{1,4}" + _PASSWORD_OPTION
             + r"(?:=|[ \t]{1,4})(?![/*])" + _ARG,
             ("-u", "-xu", "--apple-id"),
             (f"hdbsql -n db.internal:30015 -u SYSTEM -p '{_PW}' \"SELECT 1 FROM DUMMY\"",
              f"cbq -e couchbase://db.internal -u Administrator -p {_PW} -s 'SELECT 1'",
              f"gbak -b -user SYSDBA -pas {_PW} db.internal:app /backup/app.fbk",
              f"sendemail -f a@acme.test -t b@acme.test -s smtp:587 -xu ci -xp '{_PW}' -m hi",
              f"upsc -u monitor -p '{_PW}' ups@10.0.0.7"),
             ("docker run -u 1000 -p 8080:80 nginx", "ssh -l deploy -p 2222 host", "ps -u root -p 1234",
              "sudo -u postgres psql -p 5433", "cp -u -p a.txt b/", "mycli -u root -p orders",
              "hdbsql -u SYSTEM -p $HANA_PASSWORD", "docker exec -u app -w /srv web ls"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("ldap-dn-bind-password", "bind password given with -w after a bind DN (-D cn=...,dc=...) to any "
             "LDAP client (ldapvi, ldapsearch-compatible tools, ldap-utils wrappers)",
             r"(?:(?<=-D )|(?<=-D\t)|(?<=-D \")|(?<=-D '))(?i:cn|uid|dc|ou|mail)=[^\s\"']{1,300}[\"']?"
             r"(?:[ \t]{1,4}[^\n|;&]{0,200}?)?"
             r"[ \t]{1,4}-w(?:=|[ \t]{1,4})(?![/*])" + _ARG,
             ("cn=", "uid=", "dc=", "ou=", "mail="),
             (f"ldapvi -h ldap://dir -D cn=admin,dc=acme,dc=test -w '{_PW}' --base dc=acme,dc=test",),
             ("ldapvi -h ldap://dir -D cn=admin,dc=acme,dc=test -W", "ldapvi -D cn=admin,dc=acme,dc=test -w $LDAP_PW"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("glued-password-option", "password given to a long option whose name glues a prefix to a "
             "password word (--dbpass=, --adminpassword, -srcpassword, --rootpw)",
             r"(?<![A-Za-z0-9_-])--?(?!(?i:no|ask|prompt|read|show|reset|forgot|use|with|require|generate)"
             r"(?:pass|pw))[A-Za-z]{2,24}(?i:pass(?:word|wd|phrase)?|pwd|pw|secret)(?:=|[ \t]{1,4})(?![/*])" + _ARG,
             ("pass", "pw", "secret"),
             (f"wp config create --dbname=app --dbuser=app --dbpass='{_PW}'",
              f"setup.exe /quiet --adminpassword {_PW}",
              f"imapsync --host1 a --user1 me --password1 x -srcpassword {_PW}"),
             ("wp config create --dbname=app --prompt=dbpass", "tool --nopassword yes", "tool --askpass",
              "tool --dbpass=$DB_PASS", "passwd --stdin alice"),
             category=SYNTAX, min_length=3, values="token"),
    )


def _argument(rule_id: str, description: str, before: str, keywords: tuple[str, ...],  # noqa: PLR0917
              samples: tuple[str, ...], near_misses: tuple[str, ...], *,
              separator: str = r"(?:=|[ \t]{1,4})") -> Rule:
    """A secret given as an argument: ``before`` reaches the ``separator`` before it."""
    return Rule(rule_id, description, _LB + "(?:" + before + ")" + separator + r"(?![/*@])" + _ARG, keywords, samples,
                near_misses, category=SYNTAX, min_length=3, values="token")


def _tools() -> tuple[Rule, ...]:
    return (
        _argument("kerberos-admin-password", "password given to kadmin or ktutil -w",
                  r"(?:kadmin(?:\.local)?|ktutil)" + _CMD + r"-w", ("kadmin", "ktutil"),
                  (f"kadmin -p admin/admin -w '{_PW}' -q 'listprincs'",
                   f"ktutil -k svc.keytab add -p HTTP/web@ACME.TEST -V 1 -e aes256-cts -w {_PW}"),
                  ("kadmin -p admin/admin -q listprincs", "kadmin.local -q 'addprinc -randkey host/web'")),
        _argument("kdb-master-password", "database master password given to kdb5_util create -P",
                  r"kdb5_util" + _CMD + r"-P", ("kdb5_util",),
                  (f"kdb5_util create -s -P '{_PW}'",), ("kdb5_util create -s", "kdb5_util stash")),
        _argument("pkcs12-passphrase-option", "PKCS #12 pass-phrase given to a signing or import tool "
                  "(signtool /p, certutil -p, security import -P, osslsigncode -pass, jarsigner)",
                  r"(?:signtool|certutil|security[ \t]{1,4}import|osslsigncode|Import-PfxCertificate|pvk2pfx)"
                  + _CMD + r"(?:/p|-p|-P|-pass|-po|-pi)",
                  ("signtool", "certutil", "security", "osslsigncode", "pvk2pfx"),
                  (f"signtool sign /f code.pfx /p {_PW} /fd sha256 app.exe",
                   f"security import cert.p12 -k build.keychain -P '{_PW}' -T /usr/bin/codesign",
                   f"certutil -p {_PW} -importPFX code.pfx"),
                  ("signtool sign /a /fd sha256 app.exe", "security import cert.p12 -k build.keychain",
                   "certutil -p '' -importPFX code.pfx")),
        _argument("password-hash-generator", "password given to a hash generator (slappasswd -s, doveadm pw "
                  "-p, OpenSearch's hash.sh -p, caddy hash-password -p, authelia crypto hash generate)",
                  r"(?:slappasswd" + _CMD + r"-s|(?:doveadm[ \t]{1,4}pw|hash\.sh|caddy[ \t]{1,4}hash-password)" + _CMD
                  + r"(?:-p|--plaintext)|authelia[ \t]{1,4}crypto[ \t]{1,4}hash[ \t]{1,4}generate" + _CMD
                  + r"--password)",
                  ("slappasswd", "doveadm", "hash.sh", "caddy", "authelia"),
                  (f"slappasswd -h '{{SSHA}}' -s '{_PW}'", f"doveadm pw -s SHA512-CRYPT -p {_PW}",
                   f"plugins/opensearch-security/tools/hash.sh -p '{_PW}'"),
                  ("slappasswd -h '{SSHA}'", "doveadm pw -s SHA512-CRYPT", "hash.sh -env PASSWORD")),
        _argument("document-password-option", "password given to an archive or office-document tool "
                  "(rar -hp, msoffcrypto-tool -p)",
                  r"(?:(?:rar|winrar)(?![A-Za-z0-9_-])[^\n|;&]{0,300}?[ \t]-hp(?=[^\s])|msoffcrypto-tool" + _CMD
                  + r"-p)",
                  ("rar", "msoffcrypto"),
                  (f"rar a -hp'{_PW}' vault.rar docs/", f"msoffcrypto-tool in.xlsx out.xlsx -p '{_PW}'"),
                  ("rar a vault.rar docs/", "msoffcrypto-tool in.xlsx out.xlsx"),
                  separator=r"(?:=|[ \t]{0,4})"),
        _argument("hana-userstore-password", "password given to SAP HANA hdbuserstore SET KEY HOST USER PASSWORD",
                  r"hdbuserstore(?:[ \t]{1,4}-[A-Za-z]{1,4})?[ \t]{1,4}(?i:set)[ \t]{1,4}[^\s]{1,64}[ \t]{1,4}"
                  r"[^\s]{1,200}[ \t]{1,4}[^\s]{1,64}", ("hdbuserstore",),
                  (f"hdbuserstore SET BACKUP db.internal:30013@SYSTEMDB backup_user '{_PW}'",),
                  ("hdbuserstore LIST", "hdbuserstore DELETE BACKUP"), separator=r"[ \t]{1,4}"),
        _argument("media-client-password", "password given to a download, BMC or device client -p "
                  "(yt-dlp, youtube-dl, redfishtool, upsc, memtier_benchmark -a, rpk)",
                  r"(?:yt-dlp|youtube-dl|gallery-dl|redfishtool|upsc|upscmd|upsrw|rpk)" + _CMD + r"-p|"
                  r"memtier_benchmark" + _CMD + r"(?:-a|--authenticate)",
                  ("yt-dlp", "youtube-dl", "gallery-dl", "redfishtool", "upsc", "upsrw", "rpk", "memtier"),
                  (f"redfishtool -r 10.0.0.9 -p '{_PW}' Systems",
                   f"memtier_benchmark -s cache -p 6379 -a '{_PW}' --test-time=60",
                   f"rpk acl user create ci -p '{_PW}' --mechanism SCRAM-SHA-256"),
                  ("yt-dlp -f best https://video.acme.test/42", "memtier_benchmark -s cache -p 6379")),
        _argument("storage-cli-secret", "secret key or token given to an object-storage or package CLI "
                  "(coscmd config -s, ossutil -k, obsutil -sk, b2 account authorize, qshell account, anaconda -t)",
                  r"coscmd" + _CMD + r"-s|ossutil" + _CMD + r"(?:-k|--access-key-secret)|obsutil" + _CMD + r"-sk"
                  r"|b2[ \t]{1,4}(?:account[ \t]{1,4}authorize|authorize-account)[ \t]{1,4}[^\s-][^\s]{0,63}"
                  r"|qshell[ \t]{1,4}account[ \t]{1,4}[^\s-][^\s]{0,63}|anaconda" + _CMD + r"(?:-t|--token)",
                  ("coscmd", "ossutil", "obsutil", "authorize", "qshell", "anaconda"),
                  (f"coscmd config -a AKIDexample -s {fake(ALNUM, 32, 'manuals-cos')} -b logs-1250000000",
                   f"b2 account authorize 0051ed1b3a421a5 {fake(ALNUM, 31, 'manuals-b2')}",
                   f"anaconda -t {fake(ALNUM, 30, 'manuals-conda')} upload dist/pkg.tar.bz2"),
                  ("coscmd config -a AKIDexample -b logs", "b2 account authorize",
                   "anaconda upload dist/pkg.tar.bz2")),
        Rule("oracle-tool-connect-password", "password in an Oracle tool's user/password@connect argument "
             "(sqlplus -S, clpplus, rman target/catalog; double-quoted passwords too)",
             _LB + r"(?:sqlplus|sqlcl|clpplus|rman|expdp|impdp|sqlldr|dgmgrl)(?![A-Za-z0-9_-])[^\n|;&]{0,200}?[ \t]"
             r"(?:(?:userid|target|auxiliary|catalog)(?:=|[ \t]{1,4}))?[A-Za-z][A-Za-z0-9_$#.-]{0,63}/"
             r'''(?:"(?P<secret_dq>[^"\r\n]{1,128}+)"|(?P<secret>[^\s/'"@]{1,128}+))@''',
             ("sqlplus", "sqlcl", "clpplus", "rman", "expdp", "impdp", "sqlldr", "dgmgrl"),
             (f'sqlplus -S app/"{_PW}"@db:1521/ORCLPDB1 @report.sql', f"sqlcl ops/{_PW}@db.internal:1521/FREEPDB1",
              f"rman target / catalog rcat/{_PW}@RCAT", f"clpplus -nw app/{_PW}@db:50000/orders"),
             ("sqlplus / as sysdba", "sql> select 1 from dual;", "rman target / catalog rcat@RCAT"),
             category=SYNTAX, min_length=3),
        Rule("teradata-logon-password", "password in a Teradata BTEQ .logon host/user,password",
             r"(?<![A-Za-z0-9_])\.(?i:logon)[ \t]{1,4}[^\s/,]{1,200}/[^\s,]{1,64},"
             r"""(?:'(?P<secret_sq>[^'\r\n]{1,128}+)'|(?P<secret>[^\s;'"$]{1,128}+))""",
             (".logon",),
             (f".logon tdprod/etl_user,{_PW};",), (".logon tdprod/etl_user", ".LOGON tdprod/etl_user,$PW"),
             category=SYNTAX, min_length=3),
        Rule("percona-dsn-password", "password in a Percona Toolkit DSN (h=host,u=user,p=password)",
             r"""(?<![A-Za-z0-9_-])u=[^,\s=]{1,64},(?:[A-Za-z]=[^,\s=]{0,100},)?p=(?P<secret>[^,\s'"]{1,128}+)""",
             (",p=",),
             (f"pt-table-checksum h=db,u=checksum,p={_PW},P=3306",), ("pt-table-checksum h=db,u=checksum,P=3306",),
             category=SYNTAX, min_length=3, values="token"),
        Rule("apple-app-specific-password", "Apple app-specific password (four groups of four lower-case "
             "letters) given to altool, notarytool or fastlane",
             r"(?<![A-Za-z0-9_-])(?i:altool|notarytool|fastlane|apple|app[-_]specific)[^\n]{0,300}?"
             r"(?<![A-Za-z0-9_-])(?P<secret>[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4})(?![A-Za-z0-9_-])",
             ("altool", "notarytool", "fastlane", "apple", "app-specific", "app_specific"),
             ("xcrun notarytool submit App.zip --apple-id ci@acme.test --team-id ABCDE12345 --password "
              + "-".join(fake(LOWER, 4, f"asp-{i}") for i in range(4)),),
             ("xcrun notarytool submit App.zip --keychain-profile notary --wait",
              "apple docs: use-your-apple-account"),
             category=SYNTAX, values="exact"),
        Rule("quoted-option-assignment", "secret in a quoted NAME=VALUE word whose name says it holds one, as "
             "options take them (-var 'db_password=...', --set \"api.token=...\", --build-arg 'NPM_TOKEN=...')",
             r"(?:(?<=[ \t=]')|(?<=[ \t=]\"))[A-Za-z0-9_.-]{0,40}" + _NAME + r"[A-Za-z0-9_.-]{0,20}="
             r"(?:(?P<secret_sq>[^'\r\n]{1,256}+)'|(?P<secret_dq>[^\"\r\n$]{1,256}+)\")",
             ("pass", "pwd", "secret", "token", "key"),
             (f"packer build -var 'winrm_password={_PW}[x' win.pkr.hcl",
              f"docker build --build-arg 'NPM_TOKEN={_PW}(x)' ."),
             ("terraform apply -var 'db_password=${DB_PASSWORD}'", "packer build -var 'region=eu-west-1' a.pkr.hcl"),
             category=SYNTAX, min_length=3),
        Rule("user-password-pair-option", "user:password pair given to an option documented to take one "
             "(solr -credentials, ipfs --api-auth, transmission-remote -n, ZooKeeper addauth digest)",
             _LB + r"(?:-credentials|--credentials|--api-auth|--auth|transmission-remote[^\n|;&]{0,200}?[ \t]-n"
             r"|addauth[ \t]{1,4}digest|--basic-auth)"
             r"(?:=|[ \t]{1,4})[\"']?[^\s:\"'@=]{1,100}+:"
             r"(?P<secret>[^\s\"']{3,256}+)",
             ("credentials", "auth", "transmission-remote"),
             (f"bin/solr auth enable -credentials admin:{_PW}", f"transmission-remote host:9091 -n 'ci:{_PW}' -l",
              f"zkCli.sh -server zk:2181 addauth digest ops:{_PW}"),
             ("bin/solr auth enable -credentials $SOLR_AUTH", "head -n 5:10 file",
              "transmission-remote host:9091 -n $AUTH -l"),
             category=SYNTAX, min_length=3, values="token"),
    )


#: An ``echo``/``printf`` of one or two values (``printf '%s\n%s\n' PW PW``, ``(echo PW; echo PW)``):
#: the first value, or its placeholder once redacted when a second value follows (the next pass then
#: finds the second).
_DONE = r'''["']?\[REDACTED:[a-z0-9-]{1,60}\]["']?'''
_FIRST = (r'''(?:'''
          r''''(?!%[sd])(?P<secret_sq>[^'\r\n]{1,256}+)'|"(?!%[sd])(?P<secret_dq>[^"\r\n$]{1,256}+)"|'''
          r"""(?P<secret>[^\s"'`|;&<>()$%]{1,256}+))""")
_SECOND = (r'''(?:'(?P<secret_x>[^'\r\n]{1,256}+)'|"(?P<secret_y>[^"\r\n$]{1,256}+)"|'''
           r"""(?P<secret_z>[^\s"'`|;&<>()$]{1,256}+))""")
#: A second value that is not a placeholder yet (so that a match after the first value's placeholder
#: always takes the second).
_A_SECOND = r'''(?!["']?\[REDACTED:)(?:'[^'\r\n]{1,256}'|"[^"\r\n$]{1,256}"|[^\s"'`|;&<>()$]{1,256})'''
#: Between the two values: blanks, or ``; echo`` inside a subshell.
_THEN = r"(?:[ \t]{1,4}|[ \t]{0,4};[ \t]{0,4}(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?[ \t]{1,4})"
_PRINT = r"(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?(?:[ \t]{1,4}['\"]%s[^'\"\n]{0,12}['\"])?[ \t]{1,4}"
#: Commands whose manual says they read a pass-phrase or password from standard input.
_READERS = (r"cryptsetup|zfs[ \t]{1,4}(?:load-key|create|change-key)|vncpasswd|tigervncpasswd|x11vnc"
            r"|openconnect|realm[ \t]{1,4}join|adcli|grub-mkpasswd-pbkdf2|grub2-mkpasswd-pbkdf2|smbpasswd"
            r"|pdbedit|ansible-vault|ipa|kpasswd|htpasswd[^\n|;&]{0,100}?[ \t]-i|wg[ \t]{1,4}set"
            r"|docker[ \t]{1,4}secret|podman[ \t]{1,4}secret|php[^\n|;&]{0,100}?secrets:set|systemd-creds"
            r"|pass[ \t]{1,4}insert|gopass|secret-tool|keyctl|op[ \t]{1,4}item|vault[ \t]{1,4}(?:kv|write|login)"
            r"|kubectl[ \t]{1,4}create[ \t]{1,4}secret")
_STDIN_OPTIONS = (r"--password-stdin|--passwd-on-stdin|--stdin-password|--stdin-passwd|--password-from-stdin"
                  r"|--passphrase-stdin|/dev/stdin|--passphrase-fd[ \t=]{1,4}0|--key-file[ \t=]{1,4}-"
                  r"|--password-file[ \t=]{1,4}-|-stdin")


def _inputs() -> tuple[Rule, ...]:
    second = fake(ALNUM, 11, "manuals-second") + "!"
    return (
        Rule("stdin-secret-reader", "password or pass-phrase echoed into a command that reads one from "
             "standard input (cryptsetup, zfs load-key, vncpasswd, openconnect --passwd-on-stdin, realm "
             "join, adcli --stdin-password, grub-mkpasswd-pbkdf2, /dev/stdin)",
             r"(?<![A-Za-z0-9_-])\(?" + _PRINT + r"(?:" + _DONE + r"(?=" + _THEN + _A_SECOND + r")|" + _FIRST + r")"
             + r"(?:" + _THEN + _SECOND + r")?"
             r"[ \t]{0,4}\)?[ \t]{0,4}\|[ \t]{0,4}(?:sudo[ \t]{1,4}(?:-[A-Za-z][ \t]{1,4})?)?"
             r"(?:(?:" + _READERS + r")(?![A-Za-z0-9_-])|[^\n|;&]{0,300}?(?:" + _STDIN_OPTIONS + r"))",
             ("echo", "printf"),
             (f"printf '%s' '{_PW}' | cryptsetup luksAddKey /dev/sda3 -", f"echo '{_PW}' | zfs load-key tank/enc",
              f"echo '{_PW}' | openconnect --user=ci --passwd-on-stdin vpn.acme.test",
              f"printf '%s\\n%s\\n' '{_PW}' '{second}' | grub-mkpasswd-pbkdf2",
              f"(echo '{_PW}'; echo '{second}') | smbpasswd -s -a alice",
              f"echo -n '{_PW}' | adcli join --domain=acme.test --login-user=Administrator --stdin-password"),
             ("echo hello | grep h", "echo $PASS | cryptsetup open /dev/sda3 data", "echo '%s' | sort",
              "printf '%s\\n' \"$PW\" | realm join acme.test"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("herestring-stdin-secret", "secret given in a here-string to a command that reads it from "
             "/dev/stdin or standard input (--password-file /dev/stdin <<< '...', gitlab-rake <<< $'...')",
             r"(?<![A-Za-z0-9_-])(?:" + _STDIN_OPTIONS + r"|gitlab-rake[^\n|;&]{0,100}?password|" + _READERS
             + r")(?![A-Za-z0-9_-])[^\n|;&]{0,200}?<<<[ \t]{0,4}\$?"
             r"(?:'(?P<secret_sq>[^'\r\n]{1,256}+)'|\"(?P<secret_dq>[^\"\r\n$]{1,256}+)\"|(?P<secret>[^\s\"'$]{1,256}+))",
             ("<<<",),
             (f"rethinkdb dump -c db:28015 --password-file /dev/stdin <<< '{_PW}'",
              f"wg set wg0 private-key /dev/stdin <<< '{fake(ALNUM, 43, 'manuals-wg')}='",
              f"gitlab-rake 'gitlab:password:reset[root]' <<< $'{_PW}\\n{_PW}'"),
             ("rethinkdb dump --password-file /dev/stdin <<< \"$PW\"", "cat <<< 'hello'"),
             category=SYNTAX, min_length=3, values="token"),
    )


RULES: tuple[Rule, ...] = _options() + _tools() + _inputs()

__all__ = ["RULES"]
