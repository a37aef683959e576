"""Secrets in the line formats of credential files, from their documented layouts.

Each rule reads a line of its file from its start (most to its end too), so it only
fires on a line with exactly the file's shape: PgBouncer's ``auth_file`` (``"user" "password"``),
Postfix ``sasl_passwd`` (``[relay]:port user:password``), davfs2 ``secrets`` (``URL user
password``), NTP
``keys`` (``id type key``), HAProxy ``userlist`` and ``stats auth`` lines, net-snmp's
``createUser`` directive and ``ipsec.secrets`` (``: PSK "..."``) lines, and passwords stored with their scheme
(``{PLAIN}...``).
"""

from __future__ import annotations

from perth.redact.rules.model import ALNUM, HEX, SYNTAX, Rule, fake

#: The start of a line (the engine runs line-anchored rules with one ``match`` per line).
_START = r"(?<![^\n])[ \t]{0,40}"
#: The end of a line, blanks allowed.
_END = r"(?=[ \t]{0,64}(?:\r?\n|$))"
#: A field of a whitespace-separated file: double-quoted or bare.
_FIELD = r'(?:"[^"\n]{1,128}"|[^\s"#]{1,128})'
#: The secret field, double-quoted or bare.
_VALUE = r'(?:"(?P<secret_dq>[^"\r\n]{1,256}+)"|(?P<secret>[^\s"]{1,256}+))'

_PW = fake(ALNUM, 12, "files-pw") + "~"


def _rules() -> tuple[Rule, ...]:
    return (
        Rule("pgbouncer-auth-file", "password of a PgBouncer auth_file line (\"user\" \"password\")",
             _START + r'(?=")[^\n][^"\s]{1,64}(?:" "|"\t")(?P<secret>[^"\r\n]{1,256}+)(?=")[^\n]' + _END,
             ('" "', '"\t"'),
             (f'"reporting" "{_PW}"', f'"app" "md5{fake(HEX, 32, "pgb-md5")}"'),
             ('"reporting" ""', 'echo "a" "b" > out', '"key" "value" # words'),
             category=SYNTAX, min_length=3, values="token"),
        Rule("postfix-sasl-password", "password of a Postfix sasl_passwd line ([relay]:port user:password)",
             _START + r"(?:\[[A-Za-z0-9_.-]{1,253}\]:[0-9]{1,5}|\[?(?i:smtp|mail|relay|email-smtp)"
             r"[A-Za-z0-9_.-]{0,253}\]?(?::[0-9]{1,5})?)[ \t]{1,8}[^\s:]{1,128}:(?P<secret>[^\s]{1,256}+)" + _END,
             (":",),
             (f"[smtp.acme.test]:587 alerts@acme.test:{_PW}", f"smtp.acme.test alerts:{_PW}"),
             ("[smtp.acme.test]:587 alerts@acme.test", "relayhost = [smtp.acme.test]:587",
              "mail.acme.test 10:30"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("davfs2-secret", "password of a davfs2 secrets line (WebDAV URL user password)",
             _START + r"(?=https?://)[^\s]{8,300}?(?i:dav)[^\s]{0,300}[ \t]{1,8}" + _FIELD + r"[ \t]{1,8}" + _VALUE
             + _END,
             ("://",),
             (f"https://dav.acme.test/remote.php/webdav alice {_PW}",
              f'https://dav.acme.test/dav "alice" "{_PW} x"'),
             ("https://dav.acme.test/dav alice", "https://acme.test/a is down again",
              "https://dav.acme.test/dav alice $DAV_PASSWORD"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("ntp-key", "symmetric key of an NTP keys file line (keyid type key)",
             _START + r"[0-9]{1,5}[ \t]{1,8}(?i:md5|sha1|sha224|sha256|sha384|sha512|aes128cmac|rmd160)"
             r"[ ][ \t]{0,7}(?P<secret>[^\s#]{1,128}+)",
             ("md5", "sha1", "sha2", "sha3", "sha5", "cmac", "rmd160"),
             (f"12 SHA1 {fake(HEX, 40, 'ntp-sha1')}", f"3 MD5 {_PW}  # legacy"),
             ("1 SHA1", "Step 3 SHA256 checksum verified", "2 md5 sums differ"),
             category=SYNTAX, min_length=3, values="token"),
        Rule("haproxy-password", "password of an HAProxy userlist user or stats auth line",
             _START + r"(?:stats[ \t]{1,8}auth[ \t]{1,8}[^\s:]{1,64}:(?P<secret>[^\s]{1,256}+)"
             r"|user[ \t]{1,8}[^\s]{1,64}[ \t]{1,8}(?:insecure-)?password[ \t]{1,8}(?P<secret_user>[^\s]{1,256}+))",
             ("pass", "auth"),
             (f"    stats auth admin:{_PW}", f"    user ops insecure-password {_PW}",
              f"  user ops password $6$salt${fake(ALNUM, 40, 'haproxy-hash')}"),
             ("    stats auth admin", "    user ops groups admins", "stats uri /haproxy"),
             category=SYNTAX, min_length=3),
        Rule("snmpd-create-user", "authentication passphrase of a net-snmp createUser directive",
             _START + r"createUser[ \t]{1,8}(?:-e[ \t]{1,8}[^\s]{1,64}[ \t]{1,8})?[^\s]{1,64}[ \t]{1,8}"
             r"(?i:md5|sha|sha-?224|sha-?256|sha-?384|sha-?512)[ \t]{1,8}"
             r"(?:\"(?P<secret_dq>[^\"\r\n]{1,256}+)\"|(?P<secret>[^\s\"]{1,256}+))",
             ("createuser",),
             (f"createUser monitor SHA {_PW} AES {_PW}",),
             ("createUser monitor", "rouser monitor priv"),
             category=SYNTAX, min_length=3),
        Rule("ipsec-secret", "secret of a strongSwan/libreswan ipsec.secrets line (: PSK \"...\", EAP, XAUTH)",
             r"(?<![^\s]): (?:PSK|EAP|XAUTH|NTLM)[ \t]{1,8}"
             r"(?:\"(?P<secret_dq>[^\"\r\n]{1,256}+)\"|'(?P<secret_sq>[^'\r\n]{1,256}+)'|(?P<secret>0[xs][^\s]{1,512}+))",
             (":",),
             (f'%any 203.0.113.5 : PSK "{_PW}"', f'carol : EAP "{_PW}"'),
             (": RSA moonKey.pem", "ipsec auto --up office # PSK tunnel"),
             category=SYNTAX, min_length=3),
        Rule("password-scheme-value", "password or hash marked with its storage scheme ({PLAIN}..., "
             "{SSHA}..., {SHA512-CRYPT}...: Dovecot, OpenLDAP userPassword)",
             r"\{(?:PLAIN|CLEAR|CLEARTEXT|PLAIN-MD5|SSHA|SSHA256|SSHA512|SHA|SHA256|SHA512|CRYPT|MD5-CRYPT"
             r"|SHA256-CRYPT|SHA512-CRYPT|BLF-CRYPT|ARGON2I|ARGON2ID|PBKDF2|SMD5|CRAM-MD5)\}"
             r"(?P<secret>[^\s:'\"]{1,256}+)",
             ("{plain", "{clear", "{ssha", "{sha", "{crypt", "{md5", "{blf", "{argon", "{pbkdf2", "{smd5", "{cram"),
             (f"alice:{{PLAIN}}{_PW}::::::", f"userPassword: {{SSHA}}{fake(ALNUM, 32, 'ssha')}"),
             ("default_pass_scheme = SHA512-CRYPT", "userPassword: {SSHA}"),
             category=SYNTAX, min_length=3),
    )


RULES: tuple[Rule, ...] = _rules()

__all__ = ["RULES"]
