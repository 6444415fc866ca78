"""What a hosting party installs from deploy/: each file says what the app needs of it."""

import configparser
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from voorelkaar import config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("voorelkaar-web.service", "voorelkaar-scheduler.service")
HARDENING = {
    "User": "voorelkaar",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "Restart": "on-failure",
}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_the_units_run_as_their_own_user_on_a_read_only_system(name):
    service = unit(name)["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == value, key
    assert service["EnvironmentFile"] == "/etc/voorelkaar/voorelkaar.env"
    assert service["ReadWritePaths"] == "/opt/voorelkaar/instance"
    assert service["ExecStart"].startswith("/opt/voorelkaar/.venv/bin/")


@pytest.mark.parametrize("name", UNITS)
def test_systemd_finds_nothing_wrong_in_the_units(name, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    # The venv belongs to the host it is installed on: here, stand-ins for its commands.
    venv = tmp_path / "bin"
    venv.mkdir()
    for command in ("gunicorn", "flask"):
        (venv / command).symlink_to(shutil.which("true"))
    copy = tmp_path / name
    copy.write_text((DEPLOY / name).read_text().replace("/opt/voorelkaar/.venv/bin", str(venv)))
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def environment_keys_read_by_the_code() -> set[str]:
    """Every variable the app and gunicorn.conf.py read from the environment."""
    keys = set(config.ENVIRONMENT_KEYS)
    sources = [ROOT / "gunicorn.conf.py", *(ROOT / "voorelkaar").rglob("*.py")]
    for source in sources:
        keys |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z_]+)\"", source.read_text()))
    return keys


def test_the_environment_template_names_every_setting():
    template = (DEPLOY / "voorelkaar.env.example").read_text()
    named = set(re.findall(r"^#? ?([A-Z_]+)=", template, re.MULTILINE))
    missing = environment_keys_read_by_the_code() - named
    assert not missing, f"not in voorelkaar.env.example: {sorted(missing)}"
    assert "TRUSTED_PROXIES=1" in template  # behind deploy/haproxy.cfg


def test_publiccode_yml_has_what_the_catalogues_require():
    code = yaml.safe_load((ROOT / "publiccode.yml").read_text())
    assert code["publiccodeYmlVersion"] == "0.4"
    for key in ("name", "url", "releaseDate", "developmentStatus", "softwareType"):
        assert code[key], key
    assert code["platforms"] == ["web"]
    assert code["categories"]
    assert code["softwareType"] == "standalone/web"
    assert datetime.strptime(code["releaseDate"], "%Y-%m-%d")
    dutch = code["description"]["nl"]
    assert dutch["shortDescription"] and len(dutch["shortDescription"]) <= 150
    assert dutch["longDescription"] and dutch["features"]
    assert code["legal"]["license"] == "EUPL-1.2"
    assert "EUPL-1.2" in (ROOT / "NOTICE").read_text()
    assert code["maintenance"]["type"] in ("internal", "contract", "community", "none")
    assert code["maintenance"]["contacts"]
    assert code["localisation"]["localisationReady"] is True
    assert code["localisation"]["availableLanguages"] == ["nl", "en"]


def test_haproxy_checks_readiness_and_forwards_the_client():
    cfg = (DEPLOY / "haproxy.cfg").read_text()
    assert re.search(r"^\s*option httpchk GET /readyz\s*$", cfg, re.MULTILINE)
    assert re.search(r"^\s*balance roundrobin\s*$", cfg, re.MULTILINE)
    assert re.search(r"^\s*option forwardfor\s*$", cfg, re.MULTILINE)
    assert "set-header X-Forwarded-Proto" in cfg
    assert len(re.findall(r"^\s*server \S+ \S+ check", cfg, re.MULTILINE)) >= 2


def test_haproxy_accepts_the_configuration(tmp_path):
    haproxy = shutil.which("haproxy")
    if not haproxy:
        pytest.skip("haproxy is not installed")
    certificate = tmp_path / "voorelkaar.pem"
    certificate.write_bytes(self_signed_pem())
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(
        (DEPLOY / "haproxy.cfg")
        .read_text()
        .replace("/etc/haproxy/certs/voorelkaar.pem", str(certificate))
    )
    result = subprocess.run(
        [haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def self_signed_pem() -> bytes:
    """A throwaway certificate and key, so haproxy -c can load the TLS line."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "voorelkaar.test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
