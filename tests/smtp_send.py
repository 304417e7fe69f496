"""Sends one e-mail into Portal's mail in, as a client's mail program would
(Python's smtplib and email packages), for the end-to-end tests.

Reads a JSON request on stdin: host, port, from, to, subject, body, headers
([[name, value], ...]), files ([{"name", "hex"}]), envelope_from and
starttls_ca (null, or the CA file to trust: the message then goes over
STARTTLS, and fails without it). Prints
the SMTP server's final reply code: 250 when the message was taken, the
refusal's code otherwise.
"""

import json
import smtplib
import ssl
import sys
from email.message import EmailMessage
from email.utils import make_msgid


def main():
    request = json.load(sys.stdin)
    message = EmailMessage()
    message["From"] = request["from"]
    message["To"] = request["to"]
    message["Subject"] = request["subject"]
    for name, value in request["headers"]:
        message[name] = value
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain="client.example")
    message.set_content(request["body"])
    for f in request["files"]:
        message.add_attachment(
            bytes.fromhex(f["hex"]),
            maintype="application",
            subtype="octet-stream",
            filename=f["name"],
        )
    try:
        with smtplib.SMTP(request["host"], request["port"], timeout=30) as smtp:
            if request.get("starttls_ca"):
                context = ssl.create_default_context(cafile=request["starttls_ca"])
                smtp.starttls(context=context)
            smtp.send_message(
                message, from_addr=request["envelope_from"], to_addrs=[request["to"]]
            )
    except smtplib.SMTPRecipientsRefused as e:
        print(next(iter(e.recipients.values()))[0])
        return
    except smtplib.SMTPResponseException as e:
        print(e.smtp_code)
        return
    print(250)


if __name__ == "__main__":
    main()
