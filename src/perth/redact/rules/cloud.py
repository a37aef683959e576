"""Cloud, hosting and infrastructure credentials."""

from __future__ import annotations

from perth.redact.rules.model import (
    ALNUM,
    BASE32,
    BASE64,
    HEX,
    LB,
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

_B64_RB = r"(?![A-Za-z0-9+/=_-])"
_LB = r"(?<![A-Za-z0-9])"  # a distinctive prefix may follow "-" or "_" (file and branch names)
_AKIA = join("AK", "IA")


def _aws() -> tuple[Rule, ...]:
    key_id = _AKIA + fake(BASE32, 16, "aws-id")
    secret = fake(BASE64, 40, "aws-secret")
    session = fake(BASE64, 180, "aws-session")
    return (
        Rule("aws-access-key-id", "AWS access key id (AKIA/ASIA/ABIA/ACCA)",
             r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
             ("akia", "asia", "abia", "acca"),
             (f"export AWS_ACCESS_KEY_ID={key_id}", f'"AccessKeyId": "ASIA{key_id[4:]}"'),
             (f"{_AKIA}{key_id[4:19]}", f"{key_id}A", f"akia{key_id[4:].lower()}")),
        Rule("aws-secret-access-key", "AWS secret access key next to its key name",
             assigned(r"aws[_.-]?secret|secret[_.-]?access[_.-]?key",
                      "[A-Za-z0-9/+]{40}", r"(?![A-Za-z0-9/+=])"),
             ("aws_secret", "aws-secret", "aws.secret", "awssecret", "secret_access_key",
              "secret-access-key", "secret.access.key", "secretaccesskey"),
             (f"aws_secret_access_key = {secret}", f'"SecretAccessKey": "{secret}"'),
             (f"aws_secret_access_key = {secret[:39]}", f"aws_region = {secret}")),
        Rule("aws-session-token", "AWS temporary session token",
             assigned(r"aws[_.-]?session[_.-]?token|sessiontoken",
                      "[A-Za-z0-9/+=]{100,4096}+", ""),
             ("aws_session_token", "aws-session-token", "aws.session.token", "awssessiontoken",
              "sessiontoken"),
             (f"export AWS_SESSION_TOKEN={session}", f'"SessionToken": "{session}"'),
             (f"export AWS_SESSION_TOKEN={session[:60]}", f"aws_session_name = {session}")),
        Rule("aws-mws-key", "Amazon Marketplace Web Service auth token",
             r"amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])",
             ("amzn.mws.",),
             (f"MWS_AUTH_TOKEN=amzn.mws.{uuid_like('mws')}",),
             (f"amzn.mws.{uuid_like('mws')[:30]}",)),
    )


def _google() -> tuple[Rule, ...]:
    api_key = "AI" + "za" + fake(URLSAFE, 35, "gcp-key")
    body = "\\n".join(fake(BASE64, 64, f"gcp-pem-{i}") for i in range(4))
    pem = f"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n"
    return (
        Rule("gcp-api-key", "Google Cloud / Firebase / Gemini API key (AIza...)",
             rf"{_LB}AIza[A-Za-z0-9_-]{{35}}{RB}", ("aiza",),
             (f"GOOGLE_API_KEY={api_key}", f"curl 'https://maps.example.com/json?key={api_key}'"),
             (api_key[:-1], api_key + "x", "AIzaSyShortValue")),
        Rule("gcp-service-account-key", "private_key of a Google service-account JSON file",
             r'"private_key"[ \t]{0,4}:[ \t]{0,4}"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----'
             r'[A-Za-z0-9+/=\\ ]{64,16384}+-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)"',
             ("private_key",),
             (f'  "private_key": "{pem}",',),
             ('  "private_key_id": "' + fake(HEX, 40, "gcp-kid") + '",',
              '  "private_key": "",')),
        Rule("gcp-oauth-client-secret", "Google OAuth client secret (GOCSPX-)",
             rf"{_LB}GOCSPX-[A-Za-z0-9_-]{{28}}{RB}", ("gocspx-",),
             ("client_secret: GOCSPX-" + fake(URLSAFE, 28, "gocspx"),),
             ("GOCSPX-" + fake(URLSAFE, 20, "gocspx"),)),
        Rule("google-oauth-access-token", "Google OAuth access token (ya29.)",
             rf"{_LB}ya29\.[A-Za-z0-9_-]{{30,2048}}+", ("ya29.",),
             ("Authorization: Bearer ya29." + fake(URLSAFE, 120, "ya29"),),
             ("ya29." + fake(URLSAFE, 12, "ya29"), "ya28." + fake(URLSAFE, 60, "ya29"))),
        Rule("google-oauth-refresh-token", "Google OAuth refresh token (1//0...)",
             r"(?<![A-Za-z0-9/_-])1//0[A-Za-z0-9_-]{40,512}+", ("1//0",),
             ('"refresh_token": "1//0' + fake(URLSAFE, 100, "g-refresh") + '"',),
             ("see https://example.com/1//0abc", "1//0" + fake(URLSAFE, 20, "g-refresh"))),
    )


def _azure() -> tuple[Rule, ...]:
    account_key = fake(BASE64, 86, "az-storage") + "=="
    shared = fake(BASE64, 43, "az-sas-key") + "="
    sig = fake(ALNUM, 40, "az-sig") + "%2B" + fake(ALNUM, 6, "az-sig2") + "%3D"
    ad_secret = fake(ALNUM, 3, "az-ad1") + "8Q~" + fake(URLSAFE + "~.", 34, "az-ad2")
    return (
        Rule("azure-storage-account-key", "Azure storage account key (AccountKey=...)",
             assigned(r"accountkey|azure[A-Za-z0-9_.-]{0,30}key",
                      "[A-Za-z0-9+/]{86}==", r"(?![A-Za-z0-9+/=])"),
             ("accountkey", "azure"),
             ("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey="
              f"{account_key};EndpointSuffix=core.windows.net",
              f"export AZURE_STORAGE_KEY={account_key}"),
             (f"AccountKey={account_key[:60]}", f"AccountName={account_key}")),
        Rule("azure-shared-access-key", "Azure Service Bus / Event Hubs SharedAccessKey",
             r"(?i:sharedaccesskey)=(?P<secret>[A-Za-z0-9+/]{42,44}=)(?![A-Za-z0-9+/=])",
             ("sharedaccesskey",),
             ("Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageShared"
              f"AccessKey;SharedAccessKey={shared}",),
             ("SharedAccessKeyName=RootManageSharedAccessKey;", f"SharedAccessKey={shared[:20]}")),
        Rule("azure-sas-token", "Azure shared access signature (sv=...&sig=...)",
             r"(?<![A-Za-z0-9])sv=[0-9]{4}-[0-9]{2}-[0-9]{2}&[A-Za-z0-9%&=:._-]{0,400}?"
             r"(?<![A-Za-z0-9])sig=(?P<secret>[A-Za-z0-9%+/]{40,160}+)",
             ("sig=",),
             (f"https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=co&sp=r"
              f"&se=2030-01-01T00:00:00Z&spr=https&sig={sig}",),
             ("https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&sig=short",
              f"https://example.com/?sig={sig}")),
        Rule("azure-ad-client-secret", "Microsoft Entra ID (Azure AD) client secret (...Q~...)",
             r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}"
             r"(?![A-Za-z0-9_~.-])",
             ("q~",),
             (f"AZURE_CLIENT_SECRET={ad_secret}", f'"clientSecret": "{ad_secret}"'),
             (ad_secret[:20], "abc8Q~short")),
        Rule("azure-devops-pat", "Azure DevOps personal access token next to its name",
             assigned(r"devops|vsts|azdo", "[a-z2-7]{52}"),
             ("devops", "vsts", "azdo"),
             ("export AZURE_DEVOPS_EXT_PAT=" + fake(LOWER + "234567", 52, "ado"),),
             ("export AZURE_DEVOPS_ORG=" + fake(LOWER, 52, "ado-org").upper(),
              "AZURE_DEVOPS_EXT_PAT=" + fake(LOWER + "234567", 40, "ado"))),
    )


def _asia_clouds() -> tuple[Rule, ...]:
    ali_id = "LT" + "AI" + fake(ALNUM, 20, "ali-id")
    tencent_id = "AK" + "ID" + fake(ALNUM, 32, "tc-id")
    return (
        Rule("alibaba-access-key-id", "Alibaba Cloud AccessKey ID (LTAI...)",
             r"(?<![A-Za-z0-9])LTAI[A-Za-z0-9]{12,20}(?![A-Za-z0-9])", ("ltai",),
             (f"ALIBABA_CLOUD_ACCESS_KEY_ID={ali_id}",),
             ("LTAI" + fake(ALNUM, 8, "ali-id"), "LTAI" + fake(ALNUM, 24, "ali-id"))),
        Rule("alibaba-secret-key", "Alibaba Cloud AccessKey secret next to its name",
             assigned(r"(?:alibaba|aliyun|alicloud)[A-Za-z0-9_.-]{0,20}secret", "[A-Za-z0-9]{30}"),
             ("alibaba", "aliyun", "alicloud"),
             ("ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + fake(ALNUM, 30, "ali-secret"),),
             ("ALIBABA_CLOUD_REGION=" + fake(ALNUM, 30, "ali-secret"),)),
        Rule("tencent-secret-id", "Tencent Cloud SecretId (AKID...)",
             r"(?<![A-Za-z0-9])AKID[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("akid",),
             (f"TENCENTCLOUD_SECRET_ID={tencent_id}",),
             ("AKID" + fake(ALNUM, 16, "tc-id"),)),
        Rule("tencent-secret-key", "Tencent Cloud SecretKey next to its name",
             assigned(r"(?:tencent|qcloud)[A-Za-z0-9_.-]{0,20}(?:secret|key)", "[A-Za-z0-9]{32}"),
             ("tencent", "qcloud"),
             ("TENCENTCLOUD_SECRET_KEY=" + fake(ALNUM, 32, "tc-key"),),
             ("TENCENTCLOUD_SECRET_KEY=" + fake(ALNUM, 12, "tc-key"),)),
        Rule("ibm-cloud-api-key", "IBM Cloud API key next to its name",
             assigned(r"ibm|bluemix", "[A-Za-z0-9_-]{44}"), ("ibm", "bluemix"),
             ("export IBMCLOUD_API_KEY=" + fake(URLSAFE, 44, "ibm"),),
             ("export IBMCLOUD_REGION=us-south",)),
        Rule("oracle-cloud-credential", "Oracle Cloud (OCI) auth token or password next to its name",
             assigned(r"(?:oci|oracle)[A-Za-z0-9_.-]{0,20}(?:auth[_.-]?token|password|secret)",
                      r"[A-Za-z0-9+/=_.#;:()<>{}\[\]-]{16,64}+", r"(?![^\s\"'`,])"),
             ("oci", "oracle"),
             ("OCI_AUTH_TOKEN=" + fake(ALNUM, 12, "oci") + "(;" + fake(ALNUM, 6, "oci2"),),
             ("OCI_AUTH_TOKEN=short", "OCI_REGION=" + fake(ALNUM, 20, "oci"))),
    )


def _platforms() -> tuple[Rule, ...]:
    return (
        Rule("digitalocean-pat", "DigitalOcean personal access token (dop_v1_)",
             rf"{_LB}dop_v1_[a-f0-9]{{64}}{RB}", ("dop_v1_",),
             ("export DIGITALOCEAN_TOKEN=dop_v1_" + fake(HEX, 64, "do"),),
             ("dop_v1_" + fake(HEX, 40, "do"),)),
        Rule("digitalocean-oauth-token", "DigitalOcean OAuth access or refresh token",
             rf"{_LB}do[or]_v1_[a-f0-9]{{64}}{RB}", ("doo_v1_", "dor_v1_"),
             ("token: doo_v1_" + fake(HEX, 64, "doo"), "refresh=dor_v1_" + fake(HEX, 64, "dor")),
             ("doo_v2_" + fake(HEX, 64, "doo"),)),
        Rule("heroku-api-key", "Heroku API key (HRKU- or a UUID next to its name)",
             assigned("heroku", "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                      "[0-9a-fA-F]{12}") + rf"|{_LB}(?P<secret_new>HRKU-[A-Za-z0-9_-]{{60}}){RB}",
             ("heroku", "hrku-"),
             (f"HEROKU_API_KEY={uuid_like('heroku')}",
              "heroku_token: HRKU-" + fake(URLSAFE, 60, "hrku")),
             ("HEROKU_APP_NAME=acme-staging", "HRKU-" + fake(URLSAFE, 20, "hrku"))),
        Rule("cloudflare-api-token", "Cloudflare API token next to its name",
             assigned(r"cloudflare|cf_[A-Za-z0-9_]{0,20}(?:token|key)", "[A-Za-z0-9_-]{40}"),
             ("cloudflare", "cf_"),
             ("export CLOUDFLARE_API_TOKEN=" + fake(URLSAFE, 40, "cf"),
              "CF_API_TOKEN: " + fake(URLSAFE, 40, "cf2")),
             ("export CLOUDFLARE_ZONE=" + fake(URLSAFE, 30, "cf"),)),
        Rule("cloudflare-global-api-key", "Cloudflare global API key (37 hex) next to its name",
             assigned(r"cloudflare|cf_[A-Za-z0-9_]{0,20}key", "[a-f0-9]{37}"),
             ("cloudflare", "cf_"),
             ("CLOUDFLARE_API_KEY=" + fake(HEX, 37, "cf-global"),),
             ("CLOUDFLARE_ACCOUNT_ID=" + fake(HEX, 32, "cf-global"),)),
        Rule("cloudflare-origin-ca-key", "Cloudflare Origin CA key (v1.0-...)",
             rf"{_LB}v1\.0-[a-f0-9]{{24}}-[a-f0-9]{{146}}{RB}", ("v1.0-",),
             ("CF_ORIGIN_CA_KEY=v1.0-" + fake(HEX, 24, "cfca") + "-" + fake(HEX, 146, "cfca2"),),
             ("release v1.0-" + fake(HEX, 24, "cfca"),)),
        Rule("fastly-api-token", "Fastly API token next to its name",
             assigned("fastly", "[A-Za-z0-9_-]{32}"), ("fastly",),
             ("export FASTLY_API_TOKEN=" + fake(URLSAFE, 32, "fastly"),),
             ("export FASTLY_SERVICE_ID=" + fake(ALNUM, 22, "fastly"),)),
        Rule("netlify-access-token", "Netlify access token (nfp_ or next to its name)",
             assigned("netlify", "[A-Za-z0-9_-]{43,45}") + rf"|{_LB}(?P<secret_new>nfp_[A-Za-z0-9]{{36}}){RB}",
             ("netlify", "nfp_"),
             ("NETLIFY_AUTH_TOKEN=" + fake(URLSAFE, 43, "netlify"),
              "netlify deploy --auth nfp_" + fake(ALNUM, 36, "nfp")),
             ("NETLIFY_SITE_ID=" + uuid_like("netlify"), "nfp_" + fake(ALNUM, 10, "nfp"))),
        Rule("vercel-token", "Vercel access token next to its name",
             assigned("vercel", "[A-Za-z0-9]{24}"), ("vercel",),
             ("export VERCEL_TOKEN=" + fake(ALNUM, 24, "vercel"),),
             ("export VERCEL_ORG_ID=team_" + fake(ALNUM, 12, "vercel"),)),
        Rule("flyio-token", "Fly.io access token (fo1_, fm1/fm2 macaroons)",
             rf"{_LB}(?:fo1_[A-Za-z0-9_-]{{43}}|fm[12][ar]?_[A-Za-z0-9+/]{{100,4096}}+={{0,2}})"
             r"(?![A-Za-z0-9_-])",
             ("fo1_", "fm1", "fm2"),
             ("FLY_API_TOKEN=fo1_" + fake(URLSAFE, 43, "fly"),
              "Authorization: FlyV1 fm2_" + fake(BASE64, 160, "fly2")),
             ("fo1_" + fake(URLSAFE, 20, "fly"), "fm2_short")),
        Rule("scalingo-api-token", "Scalingo API token (tk-us-)",
             rf"{_LB}tk-us-[A-Za-z0-9_-]{{48}}{RB}", ("tk-us-",),
             ("SCALINGO_API_TOKEN=tk-us-" + fake(URLSAFE, 48, "scalingo"),),
             ("tk-us-" + fake(URLSAFE, 20, "scalingo"),)),
        Rule("supabase-access-token", "Supabase personal access token (sbp_)",
             rf"{_LB}sbp_[a-f0-9]{{40}}{RB}", ("sbp_",),
             ("SUPABASE_ACCESS_TOKEN=sbp_" + fake(HEX, 40, "sbp"),),
             ("sbp_" + fake(HEX, 30, "sbp"),)),
        Rule("supabase-secret-key", "Supabase secret API key (sb_secret_)",
             rf"{LB}sb_secret_[A-Za-z0-9_-]{{31,64}}{RB}", ("sb_secret_",),
             ("SUPABASE_SECRET_KEY=sb_secret_" + fake(URLSAFE, 40, "sbs"),),
             ("sb_publishable_" + fake(URLSAFE, 40, "sbs"),)),
        Rule("planetscale-token", "PlanetScale service or OAuth token (pscale_tkn_, pscale_oauth_)",
             rf"{_LB}pscale_(?:tkn|oauth)_[A-Za-z0-9_=.-]{{32,64}}{RB}", ("pscale_",),
             ("PLANETSCALE_SERVICE_TOKEN=pscale_tkn_" + fake(URLSAFE, 43, "pscale"),),
             ("pscale_tkn_" + fake(URLSAFE, 12, "pscale"),)),
        Rule("planetscale-password", "PlanetScale database password (pscale_pw_)",
             rf"{_LB}pscale_pw_[A-Za-z0-9_=.-]{{32,64}}{RB}", ("pscale_pw_",),
             ("DATABASE_PASSWORD=pscale_pw_" + fake(URLSAFE, 43, "pscale-pw"),),
             ("pscale_pw_" + fake(URLSAFE, 10, "pscale-pw"),)),
        Rule("databricks-token", "Databricks personal access token (dapi...)",
             r"(?<![A-Za-z0-9_-])dapi[a-f0-9]{32}(?:-[0-9])?(?![A-Za-z0-9_-])", ("dapi",),
             ("export DATABRICKS_TOKEN=dapi" + fake(HEX, 32, "dapi"),),
             ("dapi" + fake(HEX, 20, "dapi"), "rapid" + fake(HEX, 32, "dapi"))),
    )


def _infra() -> tuple[Rule, ...]:
    age = "AGE-SECRET-KEY-1" + fake("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, "age")
    return (
        Rule("vault-token", "HashiCorp Vault service, batch or recovery token (hvs./hvb./hvr.)",
             rf"{_LB}hv[sbr]\.[A-Za-z0-9_-]{{24,512}}+", ("hvs.", "hvb.", "hvr."),
             ("export VAULT_TOKEN=hvs." + fake(URLSAFE, 90, "vault"),),
             ("hvs.short", "hvx." + fake(URLSAFE, 90, "vault"))),
        Rule("vault-legacy-token", "HashiCorp Vault legacy token (s.) next to its name",
             assigned("vault", "s\\.[A-Za-z0-9]{24}"), ("vault",),
             ("VAULT_TOKEN=s." + fake(ALNUM, 24, "vault-legacy"),),
             ("VAULT_ADDR=https://vault.example.com:8200",)),
        Rule("terraform-cloud-token", "Terraform Cloud / Enterprise API token (.atlasv1.)",
             r"(?<![A-Za-z0-9])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}(?![A-Za-z0-9_=-])",
             ("atlasv1",),
             ('token = "' + fake(ALNUM, 14, "tfc") + ".atlasv1." + fake(URLSAFE, 67, "tfc2") + '"',),
             (fake(ALNUM, 14, "tfc") + ".atlasv1.short",)),
        Rule("pulumi-access-token", "Pulumi access token (pul-)",
             rf"{_LB}pul-[a-f0-9]{{40}}{RB}", ("pul-",),
             ("export PULUMI_ACCESS_TOKEN=pul-" + fake(HEX, 40, "pulumi"),),
             ("pul-" + fake(HEX, 20, "pulumi"),)),
        Rule("doppler-token", "Doppler service, personal, CLI or SCIM token (dp.*., service tokens "
             "may name their environment: dp.st.prd.)",
             rf"{_LB}dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{{1,40}}\.)?[A-Za-z0-9]{{40,44}}{RB}",
             ("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."),
             ("DOPPLER_TOKEN=dp.st." + fake(ALNUM, 43, "doppler"),
              "DOPPLER_TOKEN=dp.st.dev." + fake(ALNUM, 40, "doppler-env")),
             ("dp.st." + fake(ALNUM, 12, "doppler"), "dp.st.dev." + fake(ALNUM, 12, "doppler"))),
        Rule("age-secret-key", "age encryption secret key (AGE-SECRET-KEY-1...)",
             r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9])",
             ("age-secret-key-1",),
             (age,),
             ("AGE-SECRET-KEY-1" + "short", "age1" + fake(LOWER, 58, "age-pub"))),
        Rule("kubernetes-client-key-data", "kubeconfig client-key-data (a base64 private key)",
             r"client-key-data:[ \t]{0,4}[\"']?(?P<secret>[A-Za-z0-9+/]{60,65536}+={0,2})",
             ("client-key-data",),
             ("    client-key-data: LS0tLS1CRUdJTi" + fake(BASE64, 200, "kube"),),
             ("    client-certificate-data: LS0tLS1CRUdJTi" + fake(BASE64, 200, "kube"),
              "    client-key-data: ~/.kube/key.pem")),
        Rule("jfrog-api-key", "JFrog Artifactory API key (AKCp...)",
             r"(?<![A-Za-z0-9])AKCp[A-Za-z0-9]{69}(?![A-Za-z0-9])", ("akcp",),
             ("ARTIFACTORY_API_KEY=AKCp" + fake(ALNUM, 69, "jfrog"),),
             ("AKCp" + fake(ALNUM, 30, "jfrog"),)),
        Rule("jfrog-identity-token", "JFrog identity / reference token (cmVmdGtu...)",
             r"(?<![A-Za-z0-9])cmVmdGtu[A-Za-z0-9]{56}(?![A-Za-z0-9])", ("cmvmdgtu",),
             ("JFROG_ACCESS_TOKEN=cmVmdGtu" + fake(ALNUM, 56, "jfrog-ref"),),
             ("cmVmdGtu" + fake(ALNUM, 20, "jfrog-ref"),)),
        Rule("firebase-cloud-messaging-key", "Firebase Cloud Messaging legacy server key",
             r"(?<![A-Za-z0-9_-])AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}(?![A-Za-z0-9_-])",
             ("apa91b",),
             ("FCM_SERVER_KEY=AAAA" + fake(URLSAFE, 7, "fcm") + ":APA91b" + fake(URLSAFE, 134, "fcm2"),),
             ("APA91b" + fake(URLSAFE, 30, "fcm"),)),
    )


RULES: tuple[Rule, ...] = _aws() + _google() + _azure() + _asia_clouds() + _platforms() + _infra()

__all__ = ["RULES", "UPPER"]
