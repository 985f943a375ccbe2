"""The shared SFTP client (connectors.sftp) against a real OpenSSH sshd."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from canonical_model.errors import ConfigError
from connectors.errors import AuthenticationError, FatalConnectorError, RetriableConnectorError
from connectors.sftp import SftpClient, SftpSettings
from tests.connectors.sshd import SshdServer, running_sshd


def settings(server: SshdServer, **overrides: object) -> SftpSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "username": server.user,
        "private_key": server.client_private_key,
        "known_hosts": server.known_hosts,
        "connect_timeout": 10,
        "timeout": 10,
        "system": "wms-sftp",
        **overrides,
    }
    return SftpSettings(**values)  # type: ignore[arg-type]


def test_a_server_with_a_pinned_known_hosts_key_is_reached(sshd: SshdServer, drop: Path) -> None:
    (drop / "out" / "a.csv").write_text("x\n")
    with SftpClient(settings(sshd)) as client:
        assert [f.name for f in client.list_files(str(drop / "out"))] == ["a.csv"]


def test_an_unknown_host_key_is_refused_with_a_clear_message(sshd: SshdServer, tmp_path: Path) -> None:
    with running_sshd(tmp_path / "other") as other:
        known_elsewhere = other.known_hosts.replace(f"]:{other.port} ", f"]:{sshd.port} ")
    with pytest.raises(FatalConnectorError) as caught:
        SftpClient(settings(sshd, known_hosts=f"[unrelated.example]:22 {sshd.host_public_key}\n")).connect()
    assert "is not in known_hosts; unknown hosts are rejected" in str(caught.value)
    # A known_hosts entry for this host:port with another key is a *changed* key, not an unknown one.
    with pytest.raises(FatalConnectorError, match="does not match known_hosts"):
        SftpClient(settings(sshd, known_hosts=known_elsewhere)).connect()


def test_a_changed_host_key_is_refused_and_nothing_is_learned(sshd: SshdServer) -> None:
    pinned = sshd.known_hosts
    sshd.rotate_host_key()
    client = SftpClient(settings(sshd, known_hosts=pinned))
    with pytest.raises(FatalConnectorError) as caught:
        client.connect()
    message = str(caught.value)
    assert "does not match known_hosts" in message and "someone is in between" in message
    assert "\n" not in message
    with pytest.raises(FatalConnectorError, match="does not match known_hosts"):
        client.connect()  # still refused: the new key was not added anywhere


def test_a_changed_host_key_is_refused_when_pinned_by_fingerprint(sshd: SshdServer) -> None:
    pinned = sshd.host_fingerprint
    with SftpClient(settings(sshd, known_hosts="", host_key_fingerprints=(pinned,))) as client:
        client.connect()  # the pinned fingerprint is accepted
    sshd.rotate_host_key()
    with pytest.raises(FatalConnectorError) as caught:
        SftpClient(settings(sshd, known_hosts="", host_key_fingerprints=(pinned,))).connect()
    assert "matches none of the pinned fingerprints" in str(caught.value)
    assert sshd.host_fingerprint in str(caught.value)


def test_a_host_key_must_be_pinned() -> None:
    with pytest.raises(ConfigError, match="pin the server's host key"):
        SftpSettings(host="h", username="u", password="pw")


def test_a_refused_password_is_an_authentication_error_without_the_password(sshd: SshdServer) -> None:
    secret = "not-the-password-4711"
    with pytest.raises(AuthenticationError) as caught:
        SftpClient(settings(sshd, private_key=None, password=secret)).connect()
    assert "authentication" in str(caught.value) and secret not in str(caught.value)


def test_a_private_key_that_does_not_parse_is_a_config_error_without_its_text(sshd: SshdServer) -> None:
    with pytest.raises(ConfigError, match="not an Ed25519, ECDSA or RSA key") as caught:
        SftpClient(settings(sshd, private_key="-----BEGIN NONSENSE-----\nsecret-bits\n"))
    assert "secret-bits" not in str(caught.value)


def test_an_upload_lands_complete_under_its_name_and_leaves_no_part_file(
    sshd: SshdServer, drop: Path
) -> None:
    target = drop / "in" / "ord_1.csv"
    (drop / "in" / "ord_1.csv.part").write_text("stale half of an earlier attempt")
    with SftpClient(settings(sshd)) as client:
        client.upload(str(target), b"a,b\n1,2\n")
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert sorted(p.name for p in (drop / "in").iterdir()) == ["ord_1.csv"]


def test_an_upload_falls_back_to_plain_rename_without_posix_rename(tmp_path: Path, drop: Path) -> None:
    with running_sshd(tmp_path / "plain", denied_requests=("posix-rename",)) as server:
        with SftpClient(settings(server)) as client:
            client.upload(str(drop / "in" / "ord_2.csv"), b"x\n")
        log = server.log()
    assert (drop / "in" / "ord_2.csv").read_bytes() == b"x\n"
    assert "posix-rename" in log  # the server did refuse the extension


def test_blocks_resume_after_the_serving_process_is_killed_mid_file(sshd: SshdServer, drop: Path) -> None:
    data = os.urandom(3_000_000)
    (drop / "out" / "big.bin").write_bytes(data)
    waits: list[float] = []
    client = SftpClient(settings(sshd), sleep=waits.append)
    received: list[bytes] = []
    offsets: list[int] = []
    with client:
        for offset, block in client.read_blocks(str(drop / "out" / "big.bin"), block_size=256 * 1024):
            offsets.append(offset)
            received.append(block)
            if len(received) == 3:
                assert sshd.kill_sessions() > 0  # the connection drops between two blocks
    assert b"".join(received) == data
    assert offsets == list(range(0, len(data), 256 * 1024))  # every block once, in order
    assert client.connections == 2 and len(waits) == 1


def test_reads_give_up_after_the_allowed_reconnects(sshd: SshdServer, drop: Path) -> None:
    (drop / "out" / "f.bin").write_bytes(b"0" * 1_000_000)
    client = SftpClient(settings(sshd, reconnects=1), sleep=lambda _s: None)
    blocks = client.read_blocks(str(drop / "out" / "f.bin"), block_size=100_000)
    next(blocks)
    sshd.stop()
    with pytest.raises(RetriableConnectorError, match="wms-sftp: connection to"):
        next(blocks)
    client.close()
