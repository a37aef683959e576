"""The relevance set: a developer's memory (commands and intents) in 26 topics, 52 judged queries.

Judgements were written with the documents, before any ranking was measured or tuned: for each query,
the documents that answer it get grade 2; the other documents of its topic grade 1; everything else 0.
Every topic has a ``words`` query (shares words with its documents) and a ``meaning`` query (mostly
other words for the same thing).  The held-out half (used for the reported figures) alternates between
the two kinds so that it holds both; ``GLOSSARY`` is the tiny embedding model's training text (its
"world knowledge"), written per topic.
"""

from __future__ import annotations

from perth.record import Record


class Topic(Record):
    """Documents of one subject and its two queries: ``(text, indexes of the grade-2 documents)``."""

    name: str
    commands: tuple[str, ...]
    intents: tuple[str, ...]
    words: tuple[str, tuple[int, ...]]
    meaning: tuple[str, tuple[int, ...]]
    glossary: str


def t(name: str, commands: list[str], intents: list[str], words: tuple[str, tuple[int, ...]],  # noqa: PLR0917 - a compact table row
      meaning: tuple[str, tuple[int, ...]], glossary: str) -> Topic:
    return Topic(name, tuple(commands), tuple(intents), words, meaning, glossary)


# Document indexes count the commands first, then the intents.
TOPICS: tuple[Topic, ...] = (
    t("postgres backup", ["pg_dump -Fc shop > /backups/shop.dump", "pg_restore -d shop_staging /backups/shop.dump",
                          "psql -c 'select pg_size_pretty(pg_database_size(current_database()))'"],
      ["nightly database backup now runs pg_dump with the custom format", "restored the shop dump into staging to verify it"],
      ("pg_dump backup", (0, 3)), ("postgres snapshot of the database", (0, 1, 3, 4)),
      "postgres postgresql database psql pg_dump pg_restore backup restore dump snapshot sql"),
    t("kubernetes rollout", ["kubectl rollout restart deployment/api -n prod", "kubectl rollout status deployment/api -n prod",
                             "kubectl get pods -n prod -l app=api"],
      ["api deployment rolled out to prod after the config change", "decided to use maxSurge 25% for api rollouts"],
      ("kubectl rollout", (0, 1)), ("k8s redeploy the api pods", (0, 1, 3)),
      "kubernetes k8s kubectl pods deployment rollout redeploy cluster namespace restart"),
    t("docker build", ["docker build -t registry.local/web:1.4 .", "docker push registry.local/web:1.4",
                       "docker buildx build --platform linux/arm64 -t web:arm ."],
      ["web image now builds for arm64 as well", "moved the web Dockerfile to a multi-stage build"],
      ("docker build image", (0, 2, 4)), ("container image for arm machines", (2, 3)),
      "docker container image build buildx dockerfile registry push arm64 platform multi-stage"),
    t("git rebase", ["git rebase -i origin/main", "git rebase --continue", "git push --force-with-lease"],
      ["rebased the feature branch on main and fixed the conflicts", "squashed the fixup commits before review"],
      ("git rebase main", (0, 3)), ("rewrite branch history onto the trunk", (0, 1, 3)),
      "git rebase branch history commits squash fixup conflicts main trunk force push rewrite"),
    t("nginx tls", ["sudo nginx -t", "sudo systemctl reload nginx", "certbot renew --nginx"],
      ["renewed the TLS certificate for the shop domain", "nginx now redirects http to https"],
      ("nginx reload", (0, 1)), ("https certificate renewal for the web server", (2, 3)),
      "nginx web server tls ssl https certificate certbot renew letsencrypt domain reload"),
    t("python tests", ["pytest -q tests/api", "pytest -x --lf", "coverage run -m pytest && coverage report"],
      ["api tests pass again after fixing the fixture", "coverage of the api package is now 91%"],
      ("pytest api", (0, 3)), ("unit test suite coverage numbers", (2, 4)),
      "python pytest tests unit suite coverage fixture assert failing passing report"),
    t("terraform infra", ["terraform plan -out plan.bin", "terraform apply plan.bin", "terraform state list"],
      ["terraform created the new vpc and subnets", "decided to keep terraform state in the s3 backend"],
      ("terraform apply plan", (0, 1)), ("infrastructure as code state storage", (2, 4)),
      "terraform infrastructure code iac plan apply state backend s3 vpc subnet provision"),
    t("redis cache", ["redis-cli info memory", "redis-cli --scan --pattern 'session:*'", "redis-cli flushdb"],
      ["session cache keys expire after 30 minutes now", "redis memory grew because keys had no ttl"],
      ("redis-cli memory", (0, 4)), ("cache entries never expiring", (3, 4)),
      "redis cache keys ttl expire memory session eviction flush redis-cli"),
    t("ssh keys", ["ssh-keygen -t ed25519 -C deploy@ci", "ssh-copy-id deploy@build-01", "ssh -J bastion deploy@db-01"],
      ["ci now uses an ed25519 deploy key", "reach the database hosts through the bastion jump host"],
      ("ssh-keygen ed25519", (0, 3)), ("log into servers via the jump box", (2, 4)),
      "ssh keys ed25519 keygen login server bastion jump host proxyjump remote shell"),
    t("npm dependencies", ["npm install", "npm audit fix", "npm outdated"],
      ["upgraded react to 19 and fixed the peer dependency warnings", "npm audit found a vulnerable lodash"],
      ("npm audit", (1, 4)), ("javascript package vulnerabilities", (1, 4)),
      "npm node javascript packages dependencies audit vulnerable vulnerability outdated upgrade react lodash"),
    t("cron jobs", ["crontab -e", "crontab -l", "grep CRON /var/log/syslog"],
      ["the cleanup job now runs every night at 2am", "cron job failed silently because PATH was empty"],
      ("crontab", (0, 1)), ("scheduled nightly task did not run", (2, 3, 4)),
      "cron crontab schedule scheduled job task nightly periodic timer syslog"),
    t("disk space", ["df -h", "du -sh /var/log/* | sort -h", "journalctl --vacuum-size=500M"],
      ["freed 20G on the build box by trimming the journal", "disk filled up because of old docker images"],
      ("df disk", (0, 4)), ("storage full on the server", (0, 1, 3, 4)),
      "disk space storage full free df du usage partition cleanup vacuum"),
    t("rabbitmq queues", ["rabbitmqctl list_queues name messages consumers", "rabbitmqctl purge_queue orders.dead",
                          "rabbitmq-plugins enable rabbitmq_management"],
      ["orders dead letter queue had 4k messages after the outage", "added a second consumer for the orders queue"],
      ("rabbitmqctl list_queues", (0,)), ("message broker backlog of unprocessed orders", (0, 3, 4)),
      "rabbitmq amqp broker queue messages consumers dead letter backlog purge"),
    t("git bisect", ["git bisect start", "git bisect bad HEAD", "git bisect good v2.3.0"],
      ["bisect found the commit that broke login: a1b2c3d", "the regression came from the session refactor"],
      ("git bisect", (0, 1, 2, 3)), ("which commit introduced the regression", (3, 4)),
      "git bisect regression commit broke bug search good bad culprit"),
    t("ansible inventory", ["ansible-playbook -i inventory/prod site.yml --check", "ansible all -i inventory/prod -m ping",
                            "ansible-inventory -i inventory/prod --graph"],
      ["added the new web hosts to the prod inventory", "ansible check mode shows no drift on prod"],
      ("ansible inventory prod", (0, 1, 2, 3)), ("configuration management dry run", (0, 4)),
      "ansible playbook inventory hosts configuration management check dry run drift"),
    t("log search", ["grep -rn 'timeout' /var/log/app/", "journalctl -u api --since '1 hour ago'",
                     "tail -f /var/log/app/error.log"],
      ["api timeouts come from the slow payment provider", "error log shows 502s after midnight"],
      ("journalctl api", (1,)), ("why requests time out", (0, 3)),
      "logs log grep journalctl tail error timeout timeouts 502 slow"),
    t("aws s3", ["aws s3 ls s3://shop-assets/", "aws s3 sync ./dist s3://shop-assets/ --delete",
                 "aws s3api put-bucket-versioning --bucket shop-assets --versioning-configuration Status=Enabled"],
      ["static assets are now served from the shop-assets bucket", "turned on versioning for the assets bucket"],
      ("aws s3 sync", (1,)), ("object storage bucket versioning", (2, 4)),
      "aws s3 bucket object storage sync versioning assets upload cloud"),
    t("performance profiling", ["py-spy record -o profile.svg --pid 4242", "perf top -p 4242",
                                "python -m cProfile -o out.prof app.py"],
      ["the hot loop was json encoding in the export", "profiled the export job: 70% in serialization"],
      ("py-spy profile", (0,)), ("find where the cpu time goes", (0, 1, 2, 4)),
      "profile profiling cpu time flamegraph py-spy perf cprofile hot loop slow serialization"),
    t("github ci", ["gh run list --workflow ci.yml", "gh run rerun 123456 --failed", "gh pr checks 88"],
      ["ci is green again after pinning the node version", "flaky e2e job retried twice in ci"],
      ("gh run rerun", (1,)), ("continuous integration pipeline failures", (0, 1, 3, 4)),
      "github actions ci continuous integration pipeline workflow run checks rerun flaky green"),
    t("mysql migration", ["mysqldump --single-transaction app > app.sql", "mysql app < migrations/0042_add_index.sql",
                          "mysql -e 'show processlist'"],
      ["migration 42 added the orders index, queries 10x faster", "the migration locked the table for 3 minutes"],
      ("mysql migration", (1, 3, 4)), ("schema change made queries faster", (1, 3)),
      "mysql mariadb migration schema index table lock sql queries faster processlist"),
    t("tmux sessions", ["tmux new -s work", "tmux attach -t work", "tmux kill-session -t old"],
      ["the work session keeps the editor and the server panes", "killed the stale tmux sessions"],
      ("tmux attach", (1,)), ("terminal multiplexer workspace", (0, 1, 3)),
      "tmux terminal multiplexer session sessions panes windows attach detach workspace"),
    t("dns", ["dig +short api.shop.example", "dig @1.1.1.1 shop.example MX", "resolvectl flush-caches"],
      ["api.shop.example now points at the new load balancer", "the MX record was missing after the move"],
      ("dig api", (0, 3)), ("name resolution of the domain", (0, 1, 2, 3)),
      "dns dig domain name resolution record mx cname load balancer resolver cache"),
    t("python venv", ["python3 -m venv .venv", ".venv/bin/pip install -e '.[test]'", "pip freeze > requirements.lock"],
      ["pinned the dependencies in requirements.lock", "recreated the virtualenv with python 3.12"],
      ("venv pip install", (0, 1, 4)), ("isolated python environment", (0, 4)),
      "python venv virtualenv virtual environment pip install requirements dependencies isolated"),
    t("kafka topics", ["kafka-topics.sh --bootstrap-server kafka:9092 --list",
                       "kafka-consumer-groups.sh --bootstrap-server kafka:9092 --describe --group billing",
                       "kafka-topics.sh --create --topic invoices --partitions 6"],
      ["billing consumer group lag is back to zero", "created the invoices topic with 6 partitions"],
      ("kafka topics", (0, 2, 4)), ("event stream consumer lag", (1, 3)),
      "kafka topics partitions consumer group lag stream events broker bootstrap"),
    t("ssl debugging", ["openssl s_client -connect shop.example:443 -servername shop.example",
                        "openssl x509 -in cert.pem -noout -dates", "curl -vI https://shop.example"],
      ["the chain was missing the intermediate certificate", "certificate expires on 2027-01-10"],
      ("openssl s_client", (0,)), ("when does the certificate expire", (1, 4)),
      "openssl ssl tls certificate chain intermediate expire expiry dates x509 handshake"),
    t("memory leak", ["ps aux --sort=-rss | head", "valgrind --leak-check=full ./worker",
                      "python -X tracemalloc=5 worker.py"],
      ["the worker leaks memory through the unbounded cache", "rss of the worker grows 200MB per hour"],
      ("valgrind leak", (1, 3)), ("process memory keeps growing", (0, 3, 4)),
      "memory leak rss heap growing valgrind tracemalloc ram process cache unbounded"),
)

GLOSSARY: tuple[str, ...] = tuple(topic.glossary for topic in TOPICS)


def documents() -> list[tuple[str, str, str]]:
    """Every document: ``(doc id, kind, text)`` with ids ``<topic number>.<index>``."""
    found = []
    for number, topic in enumerate(TOPICS):
        texts = [("command", c) for c in topic.commands] + [("intent", i) for i in topic.intents]
        found += [(f"{number}.{i}", kind, text) for i, (kind, text) in enumerate(texts)]
    return found


def queries() -> list[tuple[str, dict[str, int], bool]]:
    """Every query: ``(text, grades by doc id, held_out)``."""
    found = []
    for number, topic in enumerate(TOPICS):
        size = len(topic.commands) + len(topic.intents)
        for kind, (text, best) in (("words", topic.words), ("meaning", topic.meaning)):
            grades = {f"{number}.{i}": 2 if i in best else 1 for i in range(size)}
            held_out = (kind == "words") == (number % 2 == 0)
            found.append((text, grades, held_out))
    return found
