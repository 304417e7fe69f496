"""A real SMTP server for the end-to-end tests (aiosmtpd), on 127.0.0.1.

Usage: python3 smtp_sink.py PORT OUT [REFUSE]

Appends one JSON line per accepted message to OUT: the envelope sender and
recipients, and the decoded Subject, Message-ID, Reply-To and plain-text body.
Recipients containing REFUSE are refused for good (550). Prints "ready"
once it accepts connections, then serves until killed.
"""

import email
import email.policy
import json
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, refuse):
        self.out = out
        self.refuse = refuse
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and self.refuse in address:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "message_id": str(message["message-id"]),
            "reply_to": str(message["reply-to"] or ""),
            "body": body.get_content() if body is not None else "",
        }
        with self.lock, open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    refuse = sys.argv[3] if len(sys.argv) > 3 else ""
    controller = Controller(Sink(out, refuse), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
