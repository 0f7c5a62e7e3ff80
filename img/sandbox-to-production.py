"""Draws img/sandbox-to-production.png: the sandbox's limits, the production access request and its review.

Facts (SES Developer Guide, "Request production access (Moving out of the Amazon SES sandbox)"; SESv2 API
PutAccountDetails and GetAccount; checked in 2026): a new account is in the sandbox in each region: it
sends only to verified identities and the mailbox simulator, at most 200 messages per 24 hours and 1 per
second. PutAccountDetails with ProductionAccessEnabled asks for production access (MailType MARKETING or
TRANSACTIONAL, WebsiteURL required, ContactLanguage EN or JA, a use case); GetAccount's
Details.ReviewDetails.Status goes from PENDING to GRANTED or DENIED. Production lifts the recipient limit and
raises the quotas, per account and region; senders stay verified, and bounce (5 %) and complaint (0.1 %)
rates can put the account under review.

Run: .venv/bin/python img/sandbox-to-production.py
"""

from __future__ import annotations

from _diagram import BAD, GOOD, arrow, box, figure, frame, save, text, title

W, H = 10.0, 5.5


def main() -> None:
    fig, ax = figure(W, H)
    title(ax, W, H, "Leaving the sandbox: the production access request")

    sandbox = box(ax, 0.2, 1.65, 2.2, 2.55, "sandbox", ja_term="サンドボックス",
                  body="every new account,\nin each region\n\nrecipients: verified\naddresses and domains,\n"
                       "and the simulator\n\n200 messages / 24 h\n1 message / second", kind="stop", size=11)
    request = box(ax, 2.85, 1.65, 2.3, 2.55, "production access\nrequest", ja_term="上限緩和申請",
                  body="SESv2 PutAccountDetails\nProductionAccessEnabled\n\nMailType: MARKETING\nor TRANSACTIONAL\n"
                       "WebsiteURL (required)\nContactLanguage: EN, JA\nUseCaseDescription", kind="ses", size=11)
    review = box(ax, 5.6, 1.65, 1.75, 2.55, "review by AWS", body="up to a day\n\nGetAccount:\nDetails.\n"
                 "ReviewDetails.\nStatus\n\nPENDING", kind="check", size=11)
    production = box(ax, 8.0, 1.65, 1.8, 2.55, "production", ja_term="プロダクション",
                     body="any recipient\n\nhigher quotas,\nset per account\nand region\n(the lab: 50,000\n/ 24 h, "
                          "14 / s)", kind="ses", size=11)
    arrow(ax, sandbox.right, request.left)
    arrow(ax, request.right, review.left)
    arrow(ax, review.right, production.left, "GRANTED", colour=GOOD, offset=(0.0, 0.22), size=8.5)
    arrow(ax, review.at(0.5, 1), sandbox.at(0.6, 1), "DENIED: still in the sandbox; answer the case and ask again",
          colour=BAD, rad=0.25, at=0.5, offset=(0.0, 0.6))

    frame(ax, 0.2, 0.2, 9.6, 1.05, "what production does not change", colour="#475569")
    text(ax, 5.0, 0.72, "Senders must still be verified identities (検証済みID).   A message still has at most 50 "
         "recipients.\nBounce rate 5 % and complaint rate 0.1 % put the account under review; 10 % and 0.5 % "
         "may pause sending.\nThe suppression list, SendQuota and the send rate are per region: request "
         "production access in each.", size=9.5, colour="#1e293b")
    save(fig, __file__)


if __name__ == "__main__":
    main()
