"""Provider token formats and webhook URLs, from providers' documentation and public scanners'
rule descriptions (prefixes, lengths, alphabets; facts only).

Tokens: OpenRouter (``sk-or-v1-`` and 64 hex digits), Axiom (``xaat-``/``xapt-`` and a UUID),
Harness (``pat.``/``sat.`` account, token id and secret), Mollie (``live_`` and 30 characters;
``access_`` and 40), Xendit (``xnd_production_``/``xnd_development_``), Midtrans
server keys (``Mid-server-``; ``Mid-client-`` keys are public), Resend (``re_``, 8, ``_``, 24),
OneSignal (``os_v2_app_``/``os_v2_org_`` and base32), Trello (``ATTA``, 64 hex digits and an
8-digit checksum), Tavily (``tvly-``), Firecrawl (``fc-`` and 32 hex digits), Fireworks
(``fw_``), Voyage AI (``pa-``), Cerebras (``csk-`` and 48), 1Password account secret keys
(``A3-`` and seven groups), Yandex Cloud API keys (``AQVN``) and OAuth tokens (``y0_``).

Webhooks: Apprise notification URLs that carry a service's token in their path
(``discord://``, ``slack://``, ``msteams://``, ``tgram://``, ...), heartbeat and automation
URLs whose path is the credential (Cronitor, Better Stack heartbeats, n8n webhooks, IFTTT's
JSON trigger, Google Chat's ``key``/``token`` query).

Bodies: a JSON member whose key names a credential anywhere in it (``password_confirmation``,
``adminPassword``, ``SecretID``), also escaped inside a JSON string, an ARM template parameter
(``{"value": ...}``) or a Keycloak credential (``{"type": "password", "value": ...}``); an XML
element named so, with a namespace prefix or attributes (SOAP, WS-Security).
"""

from __future__ import annotations

from perth.redact.rules.model import ALNUM, HEX, LOWER, PROVIDER, RB, SYNTAX, UPPER, Rule, fake, join, uuid_like

_LB = r"(?<![A-Za-z0-9_-])"
#: At least one digit within the next ``n`` characters (a random token has one; a name seldom does).
_DIGIT_IN_30 = r"(?=[A-Za-z]{0,29}[0-9])"


def _tokens() -> tuple[Rule, ...]:
    return (
        Rule("openrouter-api-key", "OpenRouter API key (sk-or-v1- and 64 hex digits)",
             _LB + r"sk-or-v1-[0-9a-f]{64}" + RB, ("sk-or-v1-",),
             (join("OPENROUTER_API_KEY=sk-or", "-v1-", fake(HEX, 64, "openrouter")),), ("sk-or-v1-abc",)),
        Rule("axiom-token", "Axiom API or personal token (xaat-/xapt- and a UUID)",
             _LB + r"xa[ap]t-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}" + RB, ("xaat-", "xapt-"),
             (join("AXIOM_TOKEN=xa", "at-", uuid_like("axiom")),), ("xaat-1234",)),
        Rule("harness-token", "Harness personal or service-account token (pat./sat. account.id.secret)",
             r"(?<![A-Za-z0-9_.-])(?:pat\.|sat\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}" + RB,
             ("pat.", "sat."),
             (join("HARNESS_TOKEN=pa", "t.", fake(ALNUM, 22, "h1"), ".", fake(ALNUM, 24, "h2"), ".",
                   fake(ALNUM, 20, "h3")),), ("pat.example.id",)),
        Rule("mollie-api-key", "Mollie live API key (live_ and 30 characters) or organisation token (access_ and 40)",
             _LB + r"(?:live_" + _DIGIT_IN_30 + r"[A-Za-z0-9]{30}"
             r"|access_(?=[A-Za-z]{0,39}[0-9])[A-Za-z0-9]{40})"
             + r"(?![A-Za-z0-9_-])",
             ("live_", "access_"),
             (join("MOLLIE_API_KEY=li", "ve_", fake(ALNUM, 29, "mollie"), "7"),),
             ("def test_shouldReturnTheRightThingNowX():", "live_stream_enabled = true")),
        Rule("xendit-secret-key", "Xendit secret API key (xnd_production_/xnd_development_)",
             _LB + r"xnd_(?:production|development)_[A-Za-z0-9_-]{40,100}+" + RB, ("xnd_",),
             (join("XENDIT_SECRET_KEY=xnd", "_production_", fake(ALNUM, 60, "xendit")),),
             ("xnd_public_production_abc", "xnd_production_")),
        Rule("midtrans-server-key", "Midtrans server key (Mid-server-; the client key is public)",
             _LB + r"(?:SB-)?Mid-server-[A-Za-z0-9_-]{20,64}+" + RB, ("mid-server-",),
             (join("MIDTRANS_SERVER_KEY=Mid", "-server-", fake(ALNUM, 24, "midtrans")),), ("Mid-server-",)),
        Rule("resend-api-key", "Resend API key (re_, 8 characters, _, 24 characters)",
             _LB + r"re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}" + RB, ("re_",),
             (join("RESEND_API_KEY=r", "e_", fake(ALNUM, 8, "resend1"), "_", fake(ALNUM, 24, "resend2")),),
             ("re_match_all_the_things",)),
        Rule("onesignal-api-key", "OneSignal REST API key (os_v2_app_/os_v2_org_ and base32)",
             _LB + r"os_v2_(?:app|org)_[a-z2-7]{56,160}+" + RB, ("os_v2_",),
             (join("ONESIGNAL_REST_API_KEY=os", "_v2_app_", fake(LOWER + "234567", 110, "onesignal")),),
             ("os_v2_app_",)),
        Rule("trello-api-token", "Trello API token (ATTA, 64 hex digits and an 8-digit checksum)",
             _LB + r"ATTA[0-9a-f]{64}[0-9A-F]{8}" + RB, ("atta",),
             (join("TRELLO_TOKEN=AT", "TA", fake(HEX, 64, "trello"), fake("0123456789ABCDEF", 8, "trello2")),),
             ("ATTACHMENT_ID=12",)),
        Rule("ai-provider-key", "AI and data-provider API keys (Tavily tvly-, Firecrawl fc-, Fireworks fw_, "
             "Voyage pa-, "
             "Cerebras csk-)",
             _LB + r"(?:tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}|fc-[0-9a-f]{32}"
             r"|fw_(?=[A-Za-z]{0,23}[0-9])[A-Za-z0-9]{24,40}"
             r"|pa-(?=[A-Za-z0-9_-]{0,45}[0-9])(?=[a-z0-9_-]{0,45}[A-Z])[A-Za-z0-9_-]{40,46}|csk-[a-z0-9]{48})" + RB,
             ("tvly-", "fc-", "fw_", "pa-", "csk-"),
             (join("TAVILY_API_KEY=tv", "ly-", fake(ALNUM, 32, "tavily")),
              join("key: f", "c-", fake(HEX, 32, "firecrawl")),
              join("CEREBRAS_API_KEY=cs", "k-", fake(LOWER + "0123456789", 48, "cerebras"))),
             ("tvly-short", "fc-container", "pa-system-announcement-for-the-whole-building")),
        Rule("onepassword-secret-key", "1Password account secret key (A3- and seven groups)",
             _LB + r"A3-[A-Z0-9]{6}-[A-Z0-9]{6}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}" + RB,
             ("a3-",),
             (join("OP_SECRET_KEY=A", "3-", "-".join(fake(UPPER + "0123456789", n, f"op-{i}")
                                                   for i, n in enumerate((6, 6, 5, 5, 5, 5, 5)))),),
             ("A3-PAPER-SIZE",)),
        Rule("yandex-cloud-key", "Yandex Cloud API key (AQVN) or OAuth token (y0_)",
             _LB + r"(?:AQVN[A-Za-z0-9_-]{35,38}|y0_[A-Za-z0-9_-]{55})" + RB, ("aqvn", "y0_"),
             (join("YC_API_KEY=AQ", "VN", fake(ALNUM, 36, "yandex")),), ("AQVN-short",)),
    )


def _webhooks() -> tuple[Rule, ...]:
    return (
        Rule("apprise-service-url", "Apprise notification URL carrying a service's token (discord://, slack://, "
             "msteams://, tgram://, ...)",
             r"(?<![A-Za-z0-9+.-])(?:discord|slack|msteams|tgram|gchat|mmosts?|rockets?|zulip|pover|pbul|ntfy"
             r"|matrixs?|ifttt|feishu|dingtalk|wecombot|opsgenie|pagerduty|gotifys?|mailgun|sendgrid|twilio)://"
             r"(?P<secret>[^\s'\"<>/]{1,120}/[^\s'\"<>]{16,400}+)",
             ("://",),
             (join("apprise -b done 'disc", "ord://", fake("0123456789", 19, "ap-d"), "/", fake(ALNUM, 68, "ap-d2"),
                   "'"),
              join("APPRISE_URLS=msteams://acme/", uuid_like("ap-t1"), "@", uuid_like("ap-t2"), "/",
                   fake(HEX, 32, "ap-t3"), "/", uuid_like("ap-t4"))),
             ("slack://open?team=T123", "see discord://settings", "tgram://bottoken/ChatID"),
             category=PROVIDER),
        Rule("heartbeat-webhook-url", "heartbeat or automation URL whose path is its credential (Cronitor, Better "
             "Stack heartbeats, n8n webhooks, IFTTT JSON triggers, Google Chat key and token)",
             r"cronitor\.link/(?:p/)?(?P<secret>[0-9a-f]{32}|[A-Za-z0-9]{6,12}(?=/|[?\s'\"]|$))"
             r"|betterstack\.com/api/v1/heartbeat/(?P<secret_bs>[A-Za-z0-9]{20,40}+)"
             r"|betteruptime\.com/api/v1/heartbeat/(?P<secret_bu>[A-Za-z0-9]{20,40}+)"
             r"|/webhook(?:-test)?/(?P<secret_n8n>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
             r"|maker\.ifttt\.com/trigger/[^/\s]{1,100}/json/with/key/(?P<secret_ifttt>[A-Za-z0-9_-]{16,64}+)"
             r"|chat\.googleapis\.com/v1/spaces/[A-Za-z0-9_-]{1,40}/messages\?key=(?P<secret_gkey>[A-Za-z0-9_-]{20,60}+)",
             ("cronitor", "heartbeat", "/webhook", "ifttt", "chat.googleapis"),
             (join("curl https://cronitor.link/p/", fake(HEX, 32, "cronitor"), "/nightly?state=complete"),
              join("curl https://uptime.betterstack.com/api/v1/heartbeat/", fake(ALNUM, 24, "bstack")),
              join("N8N_HOOK=https://n8n.acme.test/webhook/", uuid_like("n8n"))),
             ("https://cronitor.link/", "https://n8n.acme.test/webhook/orders", "see betterstack.com/docs/heartbeat"),
             category=PROVIDER),
    )


#: A key that names a credential (``password_confirmation``, ``adminPassword``, ``SecretID``,
#: ``hmac_key``, ``x-api-key``), anywhere in the key.
_KEY = (r"(?:[A-Za-z0-9_.-]{0,40}(?i:pass(?:word|wd|phrase)|pwd|secret|token|api[_-]?key|hmac[_-]?key|private[_-]?key"
        r"|access[_-]?key|credentials?)[A-Za-z0-9_.-]{0,40}"
        r"(?<![_.-]type)(?<!Type)(?<![_.-]name)(?<!Name)(?<![_.-]url)(?<!Url)(?<![_.-]uri)(?<![_.-]endpoint)"
        r"(?<![_.-]path)(?<![_.-]file)(?<![_.-]ttl)(?<![_.-]in)(?<![_.-]at)(?<![a-z]Id)(?<![_.-]id))")


def _bodies() -> tuple[Rule, ...]:
    pw = fake(ALNUM, 14, "formats-pw") + "]"
    return (
        Rule("json-credential-key", "value of a JSON member whose key names a credential anywhere in it, also "
             "escaped inside a string or an ARM parameter ({\"value\": ...})",
             r"(?<=\")(?:" + _KEY + r")\\{0,2}\"[ \t]{0,4}:[ \t]{0,4}"
             r"(?:\{[ \t]{0,4}\"value\"[ \t]{0,4}:[ \t]{0,4})?\\{0,2}\""
             r"(?P<secret>[^\"\\\r\n]{1,300}+)\\{0,2}\"",
             ("pass", "pwd", "secret", "token", "key", "credential"),
             (f"curl -d '{{\"email\":\"a@acme.test\",\"password_confirmation\":\"{pw}\"}}' https://api.acme.test/u",
              f'    "adminPassword": {{ "value": "{pw}" }},'),
             ('"password_confirmation": "${PASSWORD}"', '"token_type": "Bearer"', '"secretName": "db-password"'),
             category=SYNTAX, min_length=3, values="token"),
        Rule("keycloak-credential-value", "value of a Keycloak-style credential object ({\"type\": \"password\", "
             "\"value\": ...})",
             r"(?<=\")type\"[ \t]{0,4}:[ \t]{0,4}\"password\"[ \t]{0,4},[ \t]{0,4}\"value\"[ \t]{0,4}:[ \t]{0,4}\""
             r"(?P<secret>[^\"\\\r\n]{1,300}+)\"",
             ("password",),
             (f'-d \'{{"credentials":[{{"type":"password","value":"{pw}","temporary":false}}]}}\'',),
             ('{"type":"password","value":"${ADMIN_PASSWORD}"}',),
             category=SYNTAX, min_length=3, values="token"),
        Rule("xml-credential-element", "credential in an XML element whose name holds a credential word, with a "
             "namespace prefix or attributes (<auth:Password>, <wsse:Password Type=...>, <admin_password>)",
             r"(?<=<)(?:[A-Za-z][A-Za-z0-9_.-]{0,30}:)?" + _KEY
             + r"(?:[ \t][^<>\n]{0,300})?>(?P<secret>[^<\s]{3,300}+)</",
             ("pass", "pwd", "secret", "token", "key", "credential"),
             (f"<auth:Password>{pw}</auth:Password>", f"<admin_password>{pw}</admin_password>"),
             ("<auth:Password>${SOAP_PASSWORD}</auth:Password>", "<PasswordPolicy>strict</PasswordPolicy>",
              "<UserSecretsId>0b1e2f6c-7a4d-4e0b-9a52-3c8f1d2e4b6a</UserSecretsId>",
              '"credentialId": "3LHtjQcSG4CWmUg66MuJouBnQFWB_qTa5WhMuP7FGTf"'),
             category=SYNTAX, min_length=3, values="token"),
    )


RULES: tuple[Rule, ...] = _tokens() + _webhooks()
#: Credential syntax: ordered after the syntax rules of the other modules (they label first).
BODIES: tuple[Rule, ...] = _bodies()

__all__ = ["BODIES", "RULES"]
