"""Chat, e-mail, payment, commerce, social and AI-provider credentials."""

from __future__ import annotations

from perth.redact.rules.model import (
    ALNUM,
    ASSIGN,
    DIGITS,
    HEX,
    LOWER,
    RB,
    UPPER,
    URLSAFE,
    Rule,
    assigned,
    fake,
    join,
    uuid_like,
)

_LB = r"(?<![A-Za-z0-9])"  # a distinctive prefix may follow "-" or "_" (file and branch names)
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _slack() -> tuple[Rule, ...]:
    def num(seed: str) -> str:
        return fake(DIGITS, 12, seed)

    bot = join("xo", "xb-", num("s1"), "-", num("s2"), "-", fake(ALNUM, 24, "slack-bot"))
    user = join("xo", "xp-", num("u1"), "-", num("u2"), "-", num("u3"), "-", fake(HEX, 32, "su"))
    app = join("xa", "pp-1-A", fake(UPPER + DIGITS, 10, "sa"), "-", fake(DIGITS, 13, "sa2"), "-",
               fake(HEX, 64, "sa3"))
    hook = join("https://hooks.", "slack.com/services/T", fake(UPPER + DIGITS, 8, "h1"), "/B",
                fake(UPPER + DIGITS, 10, "h2"), "/", fake(ALNUM, 24, "h3"))
    return (
        Rule("slack-bot-token", "Slack bot token (xoxb-)",
             rf"{_LB}xoxb-[0-9]{{10,13}}-[0-9]{{10,13}}-[A-Za-z0-9]{{24,34}}{RB}", ("xoxb-",),
             (f"SLACK_BOT_TOKEN={bot}",), (bot[:30], "xoxb-not-a-token")),
        Rule("slack-user-token", "Slack user token (xoxp-)",
             rf"{_LB}xoxp-[0-9]{{10,13}}-[0-9]{{10,13}}-[0-9]{{10,13}}-[a-f0-9]{{32}}{RB}",
             ("xoxp-",), (f"slack_token: {user}",), (user[:40],)),
        Rule("slack-app-token", "Slack app-level token (xapp-)",
             rf"{_LB}xapp-[0-9]-[A-Z0-9]{{9,12}}-[0-9]{{10,14}}-[a-f0-9]{{64}}{RB}", ("xapp-",),
             (f"SLACK_APP_TOKEN={app}",), (app[:30],)),
        Rule("slack-legacy-token", "Slack legacy, workspace or refresh token (xoxa-, xoxo-, xoxr-, xoxs-)",
             rf"{_LB}xox[aors]-[0-9A-Za-z-]{{20,146}}+", ("xoxa-", "xoxo-", "xoxr-", "xoxs-"),
             ("SLACK_REFRESH=xoxr-" + fake(ALNUM, 40, "slack-r"),), ("xoxr-short",)),
        Rule("slack-config-token", "Slack configuration access or refresh token (xoxe)",
             rf"{_LB}xoxe(?:\.xox[bp])?-[0-9]-[A-Za-z0-9]{{140,170}}{RB}", ("xoxe",),
             ("xoxe.xoxp-1-" + fake(UPPER + DIGITS, 160, "slack-cfg"),), ("xoxe-1-SHORT",)),
        Rule("slack-webhook-url", "Slack incoming webhook URL (hooks.slack.com)",
             r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9+/_-]{40,160}+)",
             ("hooks.slack.com",),
             (f"curl -X POST -d @msg.json {hook}",),
             ("https://hooks.slack.com/services/", "see api.slack.com/messaging/webhooks")),
    )


def _chat() -> tuple[Rule, ...]:
    discord = join("M", fake(URLSAFE, 23, "d1"), ".", fake(URLSAFE, 6, "d2"), ".",
                   fake(URLSAFE, 27, "d3"))
    return (
        Rule("discord-bot-token", "Discord bot token next to its name or after 'Bot '",
             r"(?:(?<![A-Za-z0-9])(?i:discord)[A-Za-z0-9_.-]{0,30}" + r"""["']?[ \t]{0,4}(?:=>|:=|=|:)"""
             r"""[ \t]{0,4}["'`]?|(?i:authorization)["']?[ \t]{0,4}:[ \t]{0,4}Bot[ \t]{1,4}"""
             r"""|(?<![A-Za-z0-9_])(?:bot|client)\.run\([ \t]{0,4}["'])"""
             r"(?P<secret>[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})"
             + RB,
             ("discord", "authorization", ".run("),
             (f"DISCORD_TOKEN={discord}", f"-H 'Authorization: Bot {discord}'", f"bot.run('{discord}')"),
             (f"TOKEN={discord}", "DISCORD_GUILD_ID=123456789012345678")),
        Rule("discord-webhook-url", "Discord webhook URL",
             r"discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/(?P<secret>[A-Za-z0-9_-]{60,80})"
             + RB,
             ("discord",),
             ("curl -d '{}' https://discord.com/api/webhooks/" + fake(DIGITS, 18, "dw") + "/"
              + fake(URLSAFE, 68, "dw2"),),
             ("https://discord.com/api/webhooks/123/abc",)),
        Rule("telegram-bot-token", "Telegram bot token (digits:AA...)",
             rf"(?<![0-9])[0-9]{{8,10}}:AA[A-Za-z0-9_-]{{33}}{RB}", (":aa",),
             ("TELEGRAM_BOT_TOKEN=" + fake(DIGITS, 10, "tg") + ":AA" + fake(URLSAFE, 33, "tg2"),),
             ("12:AAbc", "10:AA" + fake(URLSAFE, 33, "tg2"))),
        Rule("twilio-api-key", "Twilio API key SID (SK + 32 hex)",
             r"(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])", ("sk",),
             ("TWILIO_API_KEY=SK" + fake(HEX, 32, "twilio"),), ("SK" + fake(HEX, 20, "twilio"),)),
        Rule("twilio-auth-token", "Twilio auth token or API secret next to its name",
             assigned("twilio", "[a-f0-9]{32}"), ("twilio",),
             ("TWILIO_AUTH_TOKEN=" + fake(HEX, 32, "twilio-auth"),),
             ("TWILIO_ACCOUNT_SID=AC" + fake(HEX, 20, "twilio"),)),
    )


def _mail() -> tuple[Rule, ...]:
    return (
        Rule("sendgrid-api-key", "SendGrid API key (SG.)",
             rf"{_LB}SG\.[A-Za-z0-9_-]{{22}}\.[A-Za-z0-9_-]{{43}}{RB}", ("sg.",),
             ("SENDGRID_API_KEY=SG." + fake(URLSAFE, 22, "sg") + "." + fake(URLSAFE, 43, "sg2"),),
             ("SG.short.value", "config/SG." + fake(URLSAFE, 22, "sg"))),
        Rule("mailgun-api-key", "Mailgun API key (key-...)",
             r"(?<![A-Za-z0-9_-])key-[a-f0-9]{32}(?![A-Za-z0-9])", ("key-",),
             ("MAILGUN_API_KEY=key-" + fake(HEX, 32, "mailgun"),),
             ("ssh-key-" + fake(HEX, 32, "mailgun"), "key-value-store")),
        Rule("mailchimp-api-key", "Mailchimp API key (hex-usNN)",
             r"(?<![A-Za-z0-9])[a-f0-9]{32}-us[0-9]{1,2}(?![A-Za-z0-9])", ("-us",),
             ("MAILCHIMP_API_KEY=" + fake(HEX, 32, "mailchimp") + "-us21",),
             (fake(HEX, 20, "mailchimp") + "-us21", "en-us")),
        Rule("postmark-server-token", "Postmark server or account token next to its name",
             assigned("postmark", _UUID), ("postmark",),
             (f"POSTMARK_SERVER_TOKEN={uuid_like('postmark')}",), ("POSTMARK_FROM=ops@acme.test",)),
        Rule("brevo-api-key", "Brevo (Sendinblue) API or SMTP key (xkeysib-, xsmtpsib-)",
             rf"{_LB}x(?:keysib|smtpsib)-[a-f0-9]{{64}}-[A-Za-z0-9]{{16}}{RB}",
             ("xkeysib-", "xsmtpsib-"),
             ("BREVO_API_KEY=xkeysib-" + fake(HEX, 64, "brevo") + "-" + fake(ALNUM, 16, "brevo2"),),
             ("xkeysib-" + fake(HEX, 20, "brevo"),)),
    )


def _payments() -> tuple[Rule, ...]:
    stripe = fake(ALNUM, 24, "stripe")
    return (
        Rule("stripe-secret-key", "Stripe secret key (sk_live_, sk_test_)",
             rf"{_LB}sk_(?:live|test)_[A-Za-z0-9]{{24,247}}{RB}", ("sk_live_", "sk_test_"),
             (f"STRIPE_SECRET_KEY=sk_live_{stripe}", f"stripe.api_key = 'sk_test_{stripe}99'"),
             ("sk_live_short", "sk_prod_" + stripe)),
        Rule("stripe-restricted-key", "Stripe restricted key (rk_live_, rk_test_)",
             rf"{_LB}rk_(?:live|test)_[A-Za-z0-9]{{24,247}}{RB}", ("rk_live_", "rk_test_"),
             (f"STRIPE_KEY=rk_live_{stripe}",), ("rk_live_short",)),
        Rule("stripe-webhook-secret", "Stripe webhook signing secret (whsec_)",
             rf"{_LB}whsec_[A-Za-z0-9]{{32,64}}{RB}", ("whsec_",),
             ("STRIPE_WEBHOOK_SECRET=whsec_" + fake(ALNUM, 32, "whsec"),), ("whsec_short",)),
        Rule("square-access-token", "Square access token (EAAA..., sq0atp-)",
             rf"{_LB}(?:EAAA[A-Za-z0-9_-]{{60}}|sq0atp-[A-Za-z0-9_-]{{22}}){RB}",
             ("eaaa", "sq0atp-"),
             ("SQUARE_ACCESS_TOKEN=EAAA" + fake(URLSAFE, 60, "square"),
              "square_token: sq0atp-" + fake(URLSAFE, 22, "sq0")),
             ("EAAA" + fake(URLSAFE, 30, "square"),)),
        Rule("square-oauth-secret", "Square OAuth application secret (sq0csp-)",
             rf"{_LB}sq0csp-[A-Za-z0-9_-]{{43}}{RB}", ("sq0csp-",),
             ("SQUARE_APP_SECRET=sq0csp-" + fake(URLSAFE, 43, "sq0csp"),), ("sq0csp-short",)),
        Rule("braintree-access-token", "PayPal Braintree access token",
             r"access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}(?![A-Za-z0-9])",
             ("access_token$",),
             ("BRAINTREE_TOKEN=access_token$production$" + fake(LOWER + DIGITS, 16, "bt") + "$"
              + fake(HEX, 32, "bt2"),),
             ("access_token$production$short",)),
        Rule("paypal-client-secret", "PayPal REST client secret next to its name",
             assigned(r"paypal[A-Za-z0-9_.-]{0,20}secret", "[A-Za-z0-9_-]{80}"), ("paypal",),
             ("PAYPAL_CLIENT_SECRET=" + fake(URLSAFE, 80, "paypal"),),
             ("PAYPAL_CLIENT_ID=" + fake(URLSAFE, 80, "paypal"),)),
        Rule("shippo-api-token", "Shippo API token (shippo_live_, shippo_test_)",
             rf"{_LB}shippo_(?:live|test)_[a-f0-9]{{40}}{RB}", ("shippo_",),
             ("SHIPPO_TOKEN=shippo_live_" + fake(HEX, 40, "shippo"),), ("shippo_live_short",)),
        Rule("flutterwave-secret-key", "Flutterwave secret key (FLWSECK-)",
             r"(?<![A-Za-z0-9])FLWSECK(?:_TEST)?-[a-f0-9]{32}-X(?![A-Za-z0-9])", ("flwseck",),
             ("FLW_SECRET_KEY=FLWSECK_TEST-" + fake(HEX, 32, "flw") + "-X",), ("FLWSECK-short-X",)),
        Rule("easypost-api-key", "EasyPost API key (EZAK, EZTK)",
             r"(?<![A-Za-z0-9])EZ[AT]K[A-Za-z0-9]{54}(?![A-Za-z0-9])", ("ezak", "eztk"),
             ("EASYPOST_API_KEY=EZAK" + fake(ALNUM, 54, "easypost"),), ("EZAK" + "short",)),
        Rule("duffel-api-token", "Duffel API token (duffel_live_, duffel_test_)",
             rf"{_LB}duffel_(?:test|live)_[A-Za-z0-9_=-]{{43}}(?![A-Za-z0-9_=-])", ("duffel_",),
             ("DUFFEL_TOKEN=duffel_test_" + fake(URLSAFE, 43, "duffel"),), ("duffel_test_short",)),
        Rule("shopify-access-token", "Shopify access token (shpat_, shpca_, shppa_)",
             rf"{_LB}shp(?:at|ca|pa)_[a-fA-F0-9]{{32}}{RB}", ("shpat_", "shpca_", "shppa_"),
             ("SHOPIFY_ACCESS_TOKEN=shpat_" + fake(HEX, 32, "shopify"),), ("shpat_short",)),
        Rule("shopify-shared-secret", "Shopify app shared secret (shpss_)",
             rf"{_LB}shpss_[a-fA-F0-9]{{32}}{RB}", ("shpss_",),
             ("SHOPIFY_API_SECRET=shpss_" + fake(HEX, 32, "shpss"),), ("shpss_short",)),
    )


def _saas() -> tuple[Rule, ...]:
    return (
        Rule("mapbox-secret-token", "Mapbox secret access token (sk.eyJ...)",
             rf"{_LB}sk\.eyJ[A-Za-z0-9_-]{{50,512}}+\.[A-Za-z0-9_-]{{20,40}}{RB}", ("sk.eyj",),
             ("MAPBOX_DOWNLOADS_TOKEN=sk.eyJ" + fake(URLSAFE, 60, "mapbox") + "."
              + fake(URLSAFE, 22, "mapbox2"),),
             ("pk.eyJ" + fake(URLSAFE, 60, "mapbox") + "." + fake(URLSAFE, 22, "mapbox2"),)),
        Rule("algolia-api-key", "Algolia admin / API key next to its name",
             r"(?<![A-Za-z0-9])(?i:algolia)(?:(?!(?i:search|public))[A-Za-z0-9_.-]){0,30}" + ASSIGN
             + r"(?P<secret>[a-f0-9]{32})" + RB, ("algolia",),
             ("ALGOLIA_ADMIN_KEY=" + fake(HEX, 32, "algolia"),),
             ("ALGOLIA_APP_ID=" + fake(UPPER, 10, "algolia"),
              "ALGOLIA_SEARCH_ONLY_API_KEY=" + fake(HEX, 32, "algolia-search"),
              "algoliaSearchKey: " + fake(HEX, 32, "algolia-search2"))),
        Rule("okta-api-token", "Okta API token (00..., next to its name or after SSWS)",
             r"(?:(?<![A-Za-z0-9])(?i:okta)[A-Za-z0-9_.-]{0,30}" + r"""["']?[ \t]{0,4}(?:=>|:=|=|:)"""
             r"""[ \t]{0,4}["'`]?|(?i:ssws)[ \t]{1,4})(?P<secret>00[A-Za-z0-9_-]{40})""" + RB,
             ("okta", "ssws"),
             ("OKTA_API_TOKEN=00" + fake(URLSAFE, 40, "okta"),
              "-H 'Authorization: SSWS 00" + fake(URLSAFE, 40, "okta2") + "'"),
             ("OKTA_ORG_URL=https://acme.okta.com",)),
        Rule("dropbox-access-token", "Dropbox short-lived access token (sl.)",
             r"(?<![A-Za-z0-9_.-])sl\.(?:u\.)?[A-Za-z0-9_-]{130,1400}+", ("sl.",),
             ("DROPBOX_TOKEN=sl.B" + fake(URLSAFE, 140, "dropbox"),), ("sl.short", "ssl.conf")),
        Rule("asana-pat", "Asana personal access token next to its name",
             assigned("asana", "[0-9]/[0-9]{13,19}(?:/[0-9]{13,19})?:[A-Za-z0-9]{32}"), ("asana",),
             ("ASANA_TOKEN=2/" + fake(DIGITS, 16, "asana") + "/" + fake(DIGITS, 16, "asana2") + ":"
              + fake(ALNUM, 32, "asana3"),),
             ("ASANA_WORKSPACE=" + fake(DIGITS, 16, "asana"),)),
        Rule("airtable-pat", "Airtable personal access token (pat....)",
             r"(?<![A-Za-z0-9])pat[A-Za-z0-9]{14}\.[a-f0-9]{64}(?![A-Za-z0-9])", ("pat",),
             ("AIRTABLE_TOKEN=pat" + fake(ALNUM, 14, "airtable") + "." + fake(HEX, 64, "air2"),),
             ("path/to/file." + fake(HEX, 64, "air2"),)),
        Rule("zendesk-api-token", "Zendesk API token next to its name",
             assigned("zendesk", "[A-Za-z0-9]{40}"), ("zendesk",),
             ("ZENDESK_API_TOKEN=" + fake(ALNUM, 40, "zendesk"),), ("ZENDESK_SUBDOMAIN=acme",)),
        Rule("contentful-token", "Contentful personal access token (CFPAT-)",
             rf"{_LB}CFPAT-[A-Za-z0-9_-]{{43}}{RB}", ("cfpat-",),
             ("CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-" + fake(URLSAFE, 43, "cfpat"),), ("CFPAT-short",)),
        Rule("segment-api-token", "Segment public API token (sgp_)",
             rf"{_LB}sgp_[A-Za-z0-9]{{64}}{RB}", ("sgp_",),
             ("SEGMENT_TOKEN=sgp_" + fake(ALNUM, 64, "segment"),), ("sgp_short",)),
        Rule("hubspot-private-app-token", "HubSpot private app token (pat-na1-, pat-eu1-)",
             rf"{_LB}pat-(?:na|eu)[0-9]-{_UUID}{RB}", ("pat-na", "pat-eu"),
             (f"HUBSPOT_TOKEN=pat-na1-{uuid_like('hubspot')}",), ("pat-na1-short",)),
        Rule("twitch-api-token", "Twitch API token next to its name",
             assigned("twitch", "[a-z0-9]{30}"), ("twitch",),
             ("TWITCH_CLIENT_SECRET=" + fake(LOWER + DIGITS, 30, "twitch"),),
             ("TWITCH_CHANNEL=acme_live",)),
        Rule("twitter-bearer-token", "Twitter / X app bearer token (AAAA...)",
             r"(?<![A-Za-z0-9])A{21,22}[A-Za-z0-9%]{50,160}+(?![A-Za-z0-9%])", ("a" * 21,),
             ("TWITTER_BEARER_TOKEN=" + "A" * 22 + fake(ALNUM, 60, "tw") + "%3D" + fake(ALNUM, 20, "tw2"),
              "TW_BEARER=" + "A" * 21 + fake(ALNUM, 90, "tw3")),
             ("A" * 22 + "short",)),
        Rule("twitter-api-secret", "Twitter / X API or access-token secret next to its name",
             assigned(r"twitter[A-Za-z0-9_.-]{0,20}secret", "[A-Za-z0-9]{45,50}"), ("twitter",),
             ("TWITTER_API_SECRET=" + fake(ALNUM, 50, "tw-secret"),), ("TWITTER_HANDLE=acme",)),
        Rule("facebook-access-token", "Facebook / Meta Graph API access token (EAA...)",
             r"(?<![A-Za-z0-9])EAA[A-Za-z0-9]{90,512}+", ("eaa",),
             ("FB_ACCESS_TOKEN=EAAG" + fake(ALNUM, 150, "fb"),), ("EAAG" + fake(ALNUM, 30, "fb"),)),
        Rule("facebook-app-secret", "Facebook / Meta app secret next to its name",
             assigned(r"(?:facebook|fb_)[A-Za-z0-9_.-]{0,20}secret", "[a-f0-9]{32}"),
             ("facebook", "fb_"),
             ("FACEBOOK_APP_SECRET=" + fake(HEX, 32, "fb-secret"),), ("FACEBOOK_APP_ID=1234567890",)),
        Rule("linkedin-client-secret", "LinkedIn client secret next to its name",
             assigned(r"linkedin[A-Za-z0-9_.-]{0,20}secret", "[A-Za-z0-9]{16}"), ("linkedin",),
             ("LINKEDIN_CLIENT_SECRET=" + fake(ALNUM, 16, "linkedin"),), ("LINKEDIN_CLIENT_ID=86abc",)),
    )


def _ai() -> tuple[Rule, ...]:
    marker = join("T3Blbk", "FJ")
    return (
        Rule("openai-api-key", "OpenAI API key (sk-proj-, sk-svcacct-, sk-admin-, classic)",
             rf"{_LB}sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{{40,200}}+|[A-Za-z0-9]{{20}}T3BlbkFJ"
             r"[A-Za-z0-9]{20})(?![A-Za-z0-9_-])",
             ("sk-",),
             ("OPENAI_API_KEY=sk-proj-" + fake(URLSAFE, 156, "openai"),
              "openai.api_key = 'sk-" + fake(ALNUM, 20, "oa1") + marker + fake(ALNUM, 20, "oa2") + "'"),
             ("sk-proj-short", "task-" + fake(ALNUM, 48, "openai"))),
        Rule("anthropic-api-key", "Anthropic API or admin key (sk-ant-)",
             rf"{_LB}sk-ant-(?:api|admin)[0-9]{{2}}-[A-Za-z0-9_-]{{80,120}}+", ("sk-ant-",),
             ("ANTHROPIC_API_KEY=sk-ant-api03-" + fake(URLSAFE, 93, "anthropic") + "AA",),
             ("sk-ant-api03-short",)),
        Rule("huggingface-token", "Hugging Face user access token (hf_)",
             rf"{_LB}hf_[A-Za-z0-9]{{34}}{RB}", ("hf_",),
             ("HF_TOKEN=hf_" + fake(ALNUM, 34, "hf"),
              "huggingface-cli login --token hf_" + fake(ALNUM, 34, "hf2")),
             ("hf_" + fake(ALNUM, 20, "hf"), "hf_transfer=1")),
        Rule("huggingface-org-token", "Hugging Face organisation token (api_org_)",
             rf"{_LB}api_org_[A-Za-z0-9]{{34}}{RB}", ("api_org_",),
             ("HF_ORG_TOKEN=api_org_" + fake(ALNUM, 34, "hforg"),), ("api_org_name=acme",)),
        Rule("groq-api-key", "Groq API key (gsk_)",
             rf"{_LB}gsk_[A-Za-z0-9]{{52}}{RB}", ("gsk_",),
             ("GROQ_API_KEY=gsk_" + fake(ALNUM, 52, "groq"),), ("gsk_short",)),
        Rule("replicate-api-token", "Replicate API token (r8_)",
             rf"{_LB}r8_[A-Za-z0-9]{{37}}{RB}", ("r8_",),
             ("REPLICATE_API_TOKEN=r8_" + fake(ALNUM, 37, "replicate"),), ("r8_short",)),
        Rule("perplexity-api-key", "Perplexity API key (pplx-)",
             rf"{_LB}pplx-[A-Za-z0-9]{{48}}{RB}", ("pplx-",),
             ("PPLX_API_KEY=pplx-" + fake(ALNUM, 48, "pplx"),), ("pplx-short",)),
        Rule("xai-api-key", "xAI (Grok) API key (xai-)",
             rf"{_LB}xai-[A-Za-z0-9]{{80}}{RB}", ("xai-",),
             ("XAI_API_KEY=xai-" + fake(ALNUM, 80, "xai"),), ("xai-sdk==1.0",)),
        Rule("langsmith-api-key", "LangSmith API key (lsv2_pt_, lsv2_sk_)",
             rf"{_LB}lsv2_(?:pt|sk)_[a-f0-9]{{32}}_[a-f0-9]{{10}}{RB}", ("lsv2_",),
             ("LANGSMITH_API_KEY=lsv2_pt_" + fake(HEX, 32, "ls") + "_" + fake(HEX, 10, "ls2"),),
             ("lsv2_pt_short",)),
        Rule("cohere-api-key", "Cohere API key next to its name",
             assigned("cohere|co_api", "[A-Za-z0-9]{40}"), ("cohere", "co_api"),
             ("COHERE_API_KEY=" + fake(ALNUM, 40, "cohere"),), ("COHERE_MODEL=command-r-plus",)),
        Rule("mistral-api-key", "Mistral AI API key next to its name",
             assigned("mistral", "[A-Za-z0-9]{32}"), ("mistral",),
             ("MISTRAL_API_KEY=" + fake(ALNUM, 32, "mistral"),), ("MISTRAL_MODEL=mistral-large",)),
    )


RULES: tuple[Rule, ...] = _slack() + _chat() + _mail() + _payments() + _saas() + _ai()

__all__ = ["RULES"]
