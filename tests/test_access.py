"""Credentials: where they come from, how bad ones are reported, and that they are masked in any text."""

from __future__ import annotations

import pytest

from qa.config import PROJECT_SCHEMA, validate
from qa.errors import ConfigError
from qa.redact import redact_text
from qa.visit.access import load_credentials
from tests.conftest import run_qa


def config_with(secrets_file: str | None) -> dict:
    return validate({"access": {"secrets_file": secrets_file}}, PROJECT_SCHEMA, "test")


def test_environment_wins_over_the_secrets_file_and_values_are_masked(tmp_path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("basic_user: staging\nbasic_password: from-the-file-1234\n", encoding="utf-8")
    secrets.chmod(0o600)
    creds = load_credentials(config_with(str(secrets)), {"QA_BASIC_PASSWORD": "from-the-env-5678"})
    assert creds.basic == ("staging", "from-the-env-5678")
    assert redact_text("auth failed for from-the-env-5678") == "auth failed for ***"


def test_secrets_file_is_validated(tmp_path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("basic_pasword: x\n", encoding="utf-8")
    secrets.chmod(0o600)
    with pytest.raises(ConfigError, match="did you mean 'basic_password'"):
        load_credentials(config_with(str(secrets)), {})
    secrets.write_text("basic_password: x\n", encoding="utf-8")
    secrets.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_credentials(config_with(str(secrets)), {})


def test_missing_secrets_file_is_one_line_exit_2(tmp_path) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text(f"access:\n  secrets_file: {tmp_path / 'nope.yaml'}\n", encoding="utf-8")
    run = run_qa("audit", "http://127.0.0.1:9/", "--config", str(config), out=tmp_path)
    assert run.code == 2 and run.stderr.count("\n") == 1 and "secrets file not found" in run.stderr
