//! `portal invoices …` and `portal agreements list` end to end
//! (docs/CLI.md): the real `portal` binary against the real server over the
//! demo store's money — output, `--json`, `--csv`, saving the PDF, paying
//! once however often the same key is sent, and the exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use portal_e2e::{DEMO_PASSWORD, TestServer, bin, demo};
use serde_json::Value;

/// `portal ARGS` as `email`, in `dir`.
struct Portal {
    addr: String,
    token: String,
    dir: tempfile::TempDir,
}

impl Portal {
    async fn new(server: &TestServer, email: &str) -> anyhow::Result<Self> {
        Ok(Self {
            addr: server.addr.clone(),
            token: server.login(email, DEMO_PASSWORD).await?.token,
            dir: tempfile::tempdir()?,
        })
    }

    fn run(&self, args: &[&str]) -> anyhow::Result<Output> {
        let mut child = Command::new(bin("portal"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path())
            .env("PORTAL_SERVER", &self.addr)
            .env("PORTAL_TOKEN", &self.token)
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        child
            .stdin
            .take()
            .map(|mut s| s.write_all(b""))
            .transpose()?;
        Ok(child.wait_with_output()?)
    }

    fn ok(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.run(args)?;
        anyhow::ensure!(
            out.status.success(),
            "portal {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8(out.stdout)?)
    }

    /// Expects exit `code` and one line on stderr; returns it.
    fn fails(&self, args: &[&str], code: i32) -> anyhow::Result<String> {
        let out = self.run(args)?;
        let stderr = String::from_utf8(out.stderr)?;
        anyhow::ensure!(
            out.status.code() == Some(code),
            "portal {args:?}: expected exit {code}, got {} with {stderr}",
            out.status
        );
        anyhow::ensure!(
            stderr.lines().count() == 1 && stderr.starts_with("portal: "),
            "one line on stderr: {stderr:?}"
        );
        Ok(stderr)
    }

    /// JSON lines.
    fn json_lines(&self, args: &[&str]) -> anyhow::Result<Vec<Value>> {
        let mut args = args.to_vec();
        args.push("--json");
        self.ok(&args)?
            .lines()
            .map(|l| Ok(serde_json::from_str(l)?))
            .collect()
    }
}

fn cents(v: &Value, field: &str) -> i64 {
    v[field].as_i64().unwrap_or_default()
}

#[tokio::test]
async fn a_client_admin_lists_shows_saves_and_pays_an_invoice_once() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let alice = Portal::new(&server, demo::CLIENT_ADMIN).await?;

    let unpaid = alice.json_lines(&["invoices", "list", "--status", "unpaid"])?;
    anyhow::ensure!(!unpaid.is_empty(), "the demo has unpaid invoices");
    for i in &unpaid {
        let status = i["status"].as_str().unwrap_or_default();
        assert!(
            status == "INVOICE_STATUS_UNPAID" || status == "INVOICE_STATUS_PARTIALLY_PAID",
            "{i}"
        );
        assert_eq!(
            i["company_name"], "Harbor Dental Group",
            "only her company's"
        );
    }
    let invoice = &unpaid[0];
    let number = invoice["number"].as_i64().unwrap_or_default().to_string();

    // The table and the CSV show the same invoices, amounts as decimals.
    let csv = alice.ok(&["invoices", "list", "--status", "unpaid", "--csv"])?;
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("number,company,issued,due,total,balance,status")
    );
    assert_eq!(rows.count(), unpaid.len());
    let balance = cents(invoice, "balance_cents");
    assert!(
        csv.contains(&format!("{}.{:02}", balance / 100, balance % 100)),
        "{csv}"
    );

    // show: the lines sum to the subtotal.
    let detail: Value = serde_json::from_str(&alice.ok(&["invoices", "show", &number, "--json"])?)?;
    let lines = detail["lines"].as_array().cloned().unwrap_or_default();
    let sum: i64 = lines.iter().map(|l| cents(l, "amount_cents")).sum();
    assert_eq!(sum, cents(&detail["invoice"], "subtotal_cents"));
    let text = alice.ok(&["invoices", "show", &number])?;
    assert!(text.contains(&format!("Invoice {number}")), "{text}");

    // pdf: a new file, never overwritten; --text -o - to stdout.
    alice.ok(&["invoices", "pdf", &number])?;
    let pdf = std::fs::read(alice.dir.path().join(format!("invoice-{number}.pdf")))?;
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    alice.fails(&["invoices", "pdf", &number], 5)?;
    let text = alice.ok(&["invoices", "pdf", &number, "--text", "-o", "-"])?;
    assert!(text.contains(&number), "{text}");

    // pay: the same key twice is one payment; a new key another.
    let owed = balance - cents(invoice, "pending_cents");
    anyhow::ensure!(owed >= 2, "something left to pay");
    let pay = |key: &str| -> anyhow::Result<Value> {
        let out = alice.ok(&[
            "invoices",
            "pay",
            &number,
            "--amount",
            "0.01",
            "--method",
            "ach",
            "--reference",
            "ACH 1",
            "--key",
            key,
            "--json",
        ])?;
        Ok(serde_json::from_str(&out)?)
    };
    let first = pay("cli-billing-key-1")?;
    let again = pay("cli-billing-key-1")?;
    assert_eq!(first["id"], again["id"], "one payment for one key");
    assert_eq!(first["state"], "PAYMENT_STATE_PENDING");
    assert_eq!(cents(&first, "amount_cents"), 1);
    let other = pay("cli-billing-key-2")?;
    assert_ne!(first["id"], other["id"]);
    let table = alice.ok(&[
        "invoices", "pay", &number, "--amount", "0.01", "--method", "check",
    ])?;
    assert!(table.contains("pending"), "{table}");

    // Bad input names the field; nothing is recorded.
    let said = alice.fails(
        &[
            "invoices", "pay", &number, "--amount", "1.234", "--method", "ach",
        ],
        5,
    )?;
    assert!(said.contains("amount"), "{said}");
    let said = alice.fails(
        &[
            "invoices",
            "pay",
            &number,
            "--amount",
            "99999999.00",
            "--method",
            "ach",
        ],
        5,
    )?;
    assert!(said.contains("amount_cents"), "{said}");
    alice.fails(&["invoices", "show", "999999"], 3)?;
    Ok(())
}

#[tokio::test]
async fn agreements_and_who_may_see_money() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let alice = Portal::new(&server, demo::CLIENT_ADMIN).await?;
    let agreements = alice.json_lines(&["agreements", "list"])?;
    anyhow::ensure!(!agreements.is_empty(), "the demo has agreements");
    for a in &agreements {
        assert_eq!(
            cents(a, "prepaid_minutes") - cents(a, "used_minutes"),
            cents(a, "left_minutes"),
            "{a}"
        );
    }
    let csv = alice.ok(&["agreements", "list", "--csv"])?;
    assert!(
        csv.starts_with("id,company,title,kind,start,end,renews,bought,used,left,low"),
        "{csv}"
    );

    // Another company's invoice is not found, exactly like none.
    let ava = Portal::new(&server, demo::OTHER_ADMIN).await?;
    let theirs = ava.json_lines(&["invoices", "list"])?;
    let Some(number) = theirs.first().and_then(|i| i["number"].as_i64()) else {
        anyhow::bail!("Alder & Finch has invoices in the demo");
    };
    alice.fails(&["invoices", "show", &number.to_string()], 3)?;

    // A client User has no money to see.
    let uma = Portal::new(&server, demo::CLIENT_USER).await?;
    let code = uma.run(&["invoices", "list"])?.status.code();
    assert!(matches!(code, Some(3 | 4)), "refused: {code:?}");

    // Staff see every company's, or one company's.
    let paula = Portal::new(&server, demo::PROVIDER_ADMIN).await?;
    let all = paula.json_lines(&["invoices", "list", "--limit", "500"])?;
    let companies: std::collections::HashSet<&str> = all
        .iter()
        .filter_map(|i| i["company_name"].as_str())
        .collect();
    assert!(companies.len() > 1, "{companies:?}");
    Ok(())
}

#[tokio::test]
async fn subscriptions_are_listed_and_a_change_is_requested() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let alice = Portal::new(&server, demo::CLIENT_ADMIN).await?;
    let subs = alice.json_lines(&["subscriptions", "list"])?;
    let m365 = subs
        .iter()
        .find(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("Microsoft 365"))
        })
        .ok_or_else(|| anyhow::anyhow!("the demo has Harbor's Microsoft 365: {subs:?}"))?;
    assert_eq!(m365["renews_soon"], Value::Bool(true), "{m365}");
    assert_eq!(
        cents(m365, "quantity") * cents(m365, "unit_price_cents"),
        cents(m365, "term_cents")
    );
    let csv = alice.ok(&["subscriptions", "list", "--csv"])?;
    assert!(
        csv.starts_with("id,company,name,quantity,term,renews,unit,per_term,state"),
        "{csv}"
    );
    let id = cents(m365, "id").to_string();
    let said = alice.ok(&[
        "subscriptions",
        "request",
        &id,
        "--change",
        "more-seats",
        "--quantity",
        "30",
        "--note",
        "Six starters in March",
    ])?;
    assert!(
        said.starts_with("Ticket #") && said.contains("Subscription change"),
        "{said}"
    );
    // Fewer seats than none is refused by name; a User may not ask.
    let refused = alice.fails(
        &["subscriptions", "request", &id, "--change", "fewer-seats"],
        5,
    )?;
    assert!(refused.contains("requested_quantity"), "{refused}");
    let uma = Portal::new(&server, demo::CLIENT_USER).await?;
    uma.fails(&["subscriptions", "list"], 4)?;
    Ok(())
}
