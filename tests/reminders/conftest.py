"""A real SMTP server (aiosmtpd) on a loopback port, and the app configured to send through it."""

import socket
import threading
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """What the server received: parsed messages, in order."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def mail_config(app, monkeypatch, smtp_port):
    """Point the app's SMTP settings at the loopback port (no STARTTLS: the test server has no certificate)."""
    for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port, "SMTP_STARTTLS": False,
                       "SMTP_USER": None, "SMTP_FROM": "mhu@agency.test", "SMTP_TIMEOUT_SECONDS": 5,
                       "BASE_URL": "https://mhu.agency.test"}.items():
        monkeypatch.setitem(app.config, key, value)
    return smtp_port


@pytest.fixture
def smtp_server(mail_config):
    """Start the server; yield its Inbox; stop it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=mail_config)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
