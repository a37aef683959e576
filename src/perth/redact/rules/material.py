"""Key material outside a whole PEM block, and the values of Kubernetes secrets, from their formats.

Private keys: a PEM or OpenSSH body given as its own shell word after the BEGIN line
(``printf '%s\\n' '-----BEGIN ...-----' 'b3Bl...' ...``), minisign secret keys (base64 of
``Ed`` + the KDF + ``B2``: ``RWRTY0Iy`` encrypted, ``RWQAAEIy`` not), the private members of a
JSON Web Key (RFC 7518: ``d``, ``p``, ``q``, ``dp``, ``dq``, ``qi``; ``k`` of a symmetric key),
WireGuard private keys handed to ``wg`` (``echo KEY | wg pubkey``, ``private-key <(echo KEY)``),
the ``accounts`` of a Hardhat network (hex private keys), Fernet keys (32 bytes of URL-safe
base64), and base64 of a PKCS#12 keystore (``MII...``) in a variable named for one.

Kubernetes: the ``data``/``stringData`` members of the documented Secret types whose names say
what they hold (``.dockerconfigjson``, ``.dockercfg``, ``tls.key``, ``ssh-privatekey``,
``token-secret``), and a literal piped into ``base64`` (how Secret values are written by hand).
"""

from __future__ import annotations

from perth.redact.rules.model import ALNUM, BASE64, HEX, PROVIDER, SYNTAX, URLSAFE, Rule, fake, join

_LB = r"(?<![A-Za-z0-9_-])"
#: 32 bytes in standard base64: 42 characters, one whose low bits are zero, and ``=``.
_KEY32 = r"[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]="
_QUOTED_OR_BARE = (r'''(?:'(?P<secret_sq>[^'\r\n]{1,300}+)'|"(?P<secret_dq>[^"\r\n]{1,300}+)"|'''
                   r"""(?P<secret>[^\s"'`|;&<>]{1,300}+))""")


def _keys() -> tuple[Rule, ...]:
    body = fake(BASE64, 70, "quoted-pem")
    wg = fake(BASE64, 42, "wg-private") + "A="
    member = fake(URLSAFE, 43, "jwk-d")
    return (
        Rule("pem-key-body-word", "private-key body given as its own quoted shell word after the BEGIN "
             "line (printf '%s\\n' '-----BEGIN ... PRIVATE KEY-----' 'body' ...)",
             r"PRIVATE KEY(?:[ ]BLOCK)?-----[\"'][ \t]{1,8}[\"'](?P<secret>[A-Za-z0-9+/]{40,16384}+={0,2})",
             ("private key",),
             (join("printf '%s\\n' '-----BEGIN OPENSSH ", "PRIVATE KEY-----' '", body,
                   "' '-----END OPENSSH PRIVATE KEY-----' > deploy_key"),),
             ("printf '%s\\n' '-----BEGIN OPENSSH PRIVATE KEY-----' \"$KEY\"",
              "echo '-----BEGIN PRIVATE KEY-----' 'is the first line'"),
             category=PROVIDER),
        Rule("minisign-secret-key", "minisign secret key (base64 of Ed, the KDF and B2: RWRTY0Iy..., RWQAAEIy...)",
             _LB + r"(?:RWRTY0Iy|RWQAAEIy)[A-Za-z0-9+/]{100,400}+={0,2}(?![A-Za-z0-9+/=])",
             ("rwrty0iy", "rwqaaeiy"),
             (join("RWRTY0Iy", fake(BASE64, 200, "minisign")),),
             ("untrusted comment: minisign public key 4A7B0C1D", "RWQ" + fake(BASE64, 53, "minisign-pub"),
              join("RWRTY0Iy", fake(BASE64, 20, "minisign-short"))),
             category=PROVIDER),
        Rule("jwk-private-member", "private member of a JSON Web Key (d, p, q, dp, dq, qi; k of a "
             "symmetric key) on a line holding its kty",
             r'(?<![A-Za-z0-9_])"(?:d|p|q|dp|dq|qi|k)"[ \t]{0,4}:[ \t]{0,4}"(?P<secret>[A-Za-z0-9_-]{16,4096}+)"'
             r'(?=[^\n]{0,4096}?"kty")'
             r'|"kty"[^\n]{0,4096}?(?<![A-Za-z0-9_])"(?:d|p|q|dp|dq|qi|k)"[ \t]{0,4}:[ \t]{0,4}'
             r'"(?P<secret_after>[A-Za-z0-9_-]{16,4096}+)"',
             ('"kty"',),
             (f'{{"kty":"EC","crv":"P-256","x":"{fake(URLSAFE, 43, "jwk-x")}","y":"{fake(URLSAFE, 43, "jwk-y")}",'
              f'"d":"{member}"}}',
              f'{{"crv":"Ed25519","d":"{member}","kty":"OKP","x":"{fake(URLSAFE, 43, "jwk-okp")}"}}',
              f'{{"kty":"oct","k":"{fake(URLSAFE, 43, "jwk-oct")}","alg":"HS256"}}'),
             (f'{{"kty":"EC","crv":"P-256","x":"{fake(URLSAFE, 43, "jwk-x")}","y":"{fake(URLSAFE, 43, "jwk-y")}"}}',
              f'{{"kty":"RSA","n":"{fake(URLSAFE, 86, "jwk-n")}","e":"AQAB"}}',
              f'{{"d":"{member}","type":"dashboard"}}'),
             category=PROVIDER),
        Rule("wireguard-key-command", "WireGuard private key handed to wg (echo KEY | wg pubkey, "
             "wg set ... private-key <(echo KEY))",
             _LB + r"(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?[ \t]{1,4}[\"']?(?P<secret>" + _KEY32 + r")[\"']?"
             r"[ \t]{0,4}\|[ \t]{0,4}(?:sudo[ \t]{1,4})?wg[ \t]{1,4}pubkey"
             r"|private-key[ \t]{1,4}<\([ \t]{0,4}(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?[ \t]{1,4}[\"']?"
             r"(?P<secret_set>" + _KEY32 + r")",
             ("pubkey", "private-key"),
             (f"echo '{wg}' | wg pubkey", f"wg set wg0 private-key <(echo {wg})"),
             ("wg genkey | tee privatekey | wg pubkey > publickey", "wg set wg0 private-key ./private.key",
              f"wg set wg0 peer {wg} allowed-ips 10.8.0.2/32"),
             category=PROVIDER),
        Rule("hardhat-account-key", "hex private key in the accounts of a Hardhat network",
             r"(?<![A-Za-z0-9_])accounts[\"']?[ \t]{0,4}:[ \t]{0,4}\[[^\]\n]{0,300}?[\"']"
             r"(?P<secret>(?:0x)?[0-9a-fA-F]{64})[\"']",
             ("accounts",),
             (f'      accounts: ["0x{fake(HEX, 64, "hardhat")}"],',
              f"accounts: [process.env.KEY_A, '{fake(HEX, 64, 'hardhat-2')}']"),
             ("      accounts: [process.env.PRIVATE_KEY],", "accounts: { mnemonic: process.env.MNEMONIC }",
              f'accounts: ["0x{fake(HEX, 40, "hardhat-address")}"]'),
             category=PROVIDER),
        Rule("fernet-key", "Fernet key passed to Fernet() (32 bytes of URL-safe base64)",
             r"(?<![A-Za-z0-9_])Fernet\([ \t]{0,4}b?[\"'](?P<secret>[A-Za-z0-9_-]{43}=)[\"']",
             ("fernet(",),
             (f"fernet = Fernet(b'{fake(URLSAFE, 42, 'fernet')}A=')",),
             ("fernet = Fernet(key)", "Fernet(Fernet.generate_key())"),
             category=PROVIDER),
        Rule("pkcs12-base64-value", "base64 of a PKCS#12 keystore (MII...) in a variable named for one "
             "(P12, PFX, PKCS12, KEYSTORE, JKS)",
             r"(?<![A-Za-z0-9])[A-Za-z0-9_.-]{0,40}(?i:p12|pfx|pkcs12|keystore|jks)[A-Za-z0-9_.-]{0,40}"
             r"[\"']?[ \t]{0,4}(?:=|:)[ \t]{0,4}[\"']?(?P<secret>MII[A-Za-z0-9+/]{60,65536}+={0,2})",
             ("p12", "pfx", "pkcs12", "keystore", "jks"),
             (f"SIGNING_CERT_P12_BASE64=MII{fake(BASE64, 120, 'p12')}",
              f"  ANDROID_KEYSTORE_B64: MII{fake(BASE64, 90, 'jks')}=="),
             ("SIGNING_CERT_P12_PASSWORD_FILE=/run/secrets/p12", "KEYSTORE_PATH=release.jks",
              f"CA_CERT_BASE64=MII{fake(BASE64, 120, 'ca-cert')}"),
             category=SYNTAX),
    )


def _kubernetes() -> tuple[Rule, ...]:
    return (
        Rule("kubernetes-secret-data", "value of a Kubernetes Secret member named by its documented type "
             "(.dockerconfigjson, .dockercfg, tls.key, ssh-privatekey, token-secret)",
             r"(?<![A-Za-z0-9_.-])[\"']?(?:\.dockerconfigjson|\.dockercfg|tls\.key|ssh-privatekey|token-secret)"
             r"[\"']?[ \t]{0,4}:[ \t]{0,4}[\"']?(?P<secret>[A-Za-z0-9+/_-]{16,65536}+={0,2})(?![A-Za-z0-9+/=_-])",
             (".dockerconfigjson", ".dockercfg", "tls.key", "ssh-privatekey", "token-secret"),
             (f"  .dockerconfigjson: eyJhdXRocyI6{fake(BASE64, 80, 'dockerconfig')}",
              f"  tls.key: LS0tLS1CRUdJTi{fake(BASE64, 120, 'tls-key')}",
              f'  ".dockercfg": "eyJyZWdpc3Ry{fake(BASE64, 120, "dockercfg")}"'),
             ("  tls.key: |", "  .dockerconfigjson: {{ .Values.dockerconfig }}", "type: kubernetes.io/tls",
              "kubectl create secret tls web --cert=tls.crt --key=tls.key"),
             category=SYNTAX, values="token"),
        Rule("base64-piped-literal", "literal piped into base64 (how a Secret's value is encoded by hand, "
             "or a stored credential decoded)",
             _LB + r"(?:echo|printf)(?:[ \t]{1,4}-[neE]{1,3})?(?:[ \t]{1,4}['\"]%s['\"])?[ \t]{1,4}" + _QUOTED_OR_BARE
             + r"[ \t]{0,4}\|[ \t]{0,4}base64(?![A-Za-z0-9_.-])",
             ("base64",),
             (f"echo -n '{fake(ALNUM, 14, 'k8s-b64')}~x' | base64",
              f"echo {fake(BASE64, 16, 'b64-decode')} | base64 -d"),
             ("echo -n \"$PASSWORD\" | base64", "echo -n 'admin' | base64", "echo aGVsbG8gd29ybGQ= | base64 -d",
              "cat config.yaml | base64 | pbcopy"),
             category=SYNTAX, values="token"),
    )


RULES: tuple[Rule, ...] = _keys() + _kubernetes()

__all__ = ["RULES"]
