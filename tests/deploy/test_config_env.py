"""Environment variables as an administrator writes them in /etc/mhu/env: yes/no switches in
their usual spellings, and a value that is not what the variable needs refused by name instead of
read as "off" (two-step sign-in, STARTTLS) or failing deep inside a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = ("import json, config; c = config.ProductionConfig; print(json.dumps({'mfa': c.MFA_REQUIRED_DEFAULT, "
        "'starttls': c.SMTP_STARTTLS, 'hops': c.PROXY_FIX_HOPS, 'port': c.SMTP_PORT}))")


def read_config(**variables):
    """config.py as a fresh process sees it with these variables (it reads them on import)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MHU_")}
    done = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, env={**env, **variables},
                          capture_output=True, text=True, timeout=60)
    return (json.loads(done.stdout) if done.returncode == 0 else None), done.stderr


def test_switches_take_the_usual_spellings_and_unset_or_empty_keeps_the_default():
    assert read_config()[0] == {"mfa": True, "starttls": True, "hops": 0, "port": 587}
    assert read_config(MHU_MFA_REQUIRED="", MHU_SMTP_STARTTLS=" ")[0]["mfa"] is True
    for on in ("1", "true", "True", "yes", "on"):
        assert read_config(MHU_MFA_REQUIRED=on, MHU_SMTP_STARTTLS=on)[0] | {"hops": 0, "port": 587} == \
            {"mfa": True, "starttls": True, "hops": 0, "port": 587}
    for off in ("0", "false", "FALSE", "no", "off"):
        values = read_config(MHU_MFA_REQUIRED=off, MHU_SMTP_STARTTLS=off)[0]
        assert values["mfa"] is False and values["starttls"] is False


def test_a_switch_that_is_neither_yes_nor_no_is_refused_by_name():
    values, error = read_config(MHU_MFA_REQUIRED="required")
    assert values is None and "MHU_MFA_REQUIRED='required'" in error and "1 or 0" in error


def test_a_number_followed_by_a_comment_is_refused_by_name_with_the_reason():
    # systemd's EnvironmentFile keeps "  # ..." after a value as part of the value.
    values, error = read_config(MHU_PROXY_FIX_HOPS="1   # one proxy in front")
    assert values is None and "MHU_PROXY_FIX_HOPS='1   # one proxy in front'" in error
    assert "comment" in error
    assert read_config(MHU_PROXY_FIX_HOPS="2", MHU_SMTP_PORT="25")[0] | {"mfa": True, "starttls": True} == \
        {"mfa": True, "starttls": True, "hops": 2, "port": 25}


def test_production_refuses_a_secret_key_with_a_comment_after_it():
    key = "5f0c6b2e9a1d47c38e2b7a90d1c4f6e8b3a5d7c9e1f20314a6b8c0d2e4f60718"
    check = "import config; config.ProductionConfig.validate(); print('ok')"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MHU_")}
    clean = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env={**env, "MHU_SECRET_KEY": key},
                           capture_output=True, text=True, timeout=60)
    commented = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60,
                               env={**env, "MHU_SECRET_KEY": key + "   # python3 -c 'import secrets'"})
    assert clean.stdout.strip() == "ok", clean.stderr
    assert commented.returncode != 0 and "MHU_SECRET_KEY contains spaces" in commented.stderr


def serve(*arguments, **variables):
    """scripts/serve.sh with these variables; `--version` makes gunicorn print and exit at once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MHU_")}
    env.update({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nowhere", **variables})
    return subprocess.run([str(ROOT / "scripts" / "serve.sh"), *arguments], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_serve_skips_the_migration_for_any_yes_and_refuses_a_value_it_cannot_read():
    for yes in ("1", "true", "yes", "on"):
        skipped = serve("--version", MHU_SKIP_MIGRATE=yes)  # a migration would fail: no database there
        assert skipped.returncode == 0 and "gunicorn" in skipped.stdout + skipped.stderr, skipped.stderr
    refused = serve("--version", MHU_SKIP_MIGRATE="skip")
    assert refused.returncode == 2 and "MHU_SKIP_MIGRATE='skip'" in refused.stderr
