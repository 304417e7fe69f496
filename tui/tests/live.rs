//! The app and its gRPC client against the real server (the embedded demo
//! server over a fresh demo store), driven through keys like a user.

mod live_session;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use live_session::{Session, main_of, open_detail};
use portal::action::{AccountCall, AdminCall, BillingCall, BillingReply, Reply, Request};
use portal::app::{App, Phase};
use portal::ui::popup::Popup;
use portal_proto::pb;

fn timeline_has(app: &App, text: &str) -> bool {
    main_of(app)
        .and_then(|m| m.detail())
        .is_some_and(|d| d.timeline.iter().any(|e| e.body == text))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_reply_reaches_the_clients_open_ticket_and_notes_stay_internal() {
    let demo = portal::demo::start().await.expect("demo server");
    let mut alice = Session::new(&demo.url, "alice@harbor.example");
    alice
        .until("Home", |app| {
            main_of(app).is_some_and(|m| m.home.stats.is_some() && !m.home.open.is_empty())
        })
        .await;
    alice
        .until("live updates", |app| app.status.connected == Some(true))
        .await;

    // Alice opens her newest open ticket from the Tickets tab.
    alice.open_newest_ticket().await;
    let number = open_detail(&alice.app)
        .and_then(|d| d.ticket.as_ref())
        .map(|t| t.number)
        .expect("number");

    // Tom, a technician, answers from his own terminal: a note, then a reply.
    let mut tom = Session::new(&demo.url, "tom@keystone.example");
    tom.until("Home", |app| main_of(app).is_some()).await;
    tom.press(KeyCode::Char('3'));
    tom.until("triage", |app| {
        main_of(app).is_some_and(|m| m.triage.loaded)
    })
    .await;
    let triage_due: Vec<i64> = main_of(&tom.app)
        .map(|m| {
            m.triage
                .rows
                .iter()
                .map(|t| t.next_due_at.as_ref().map_or(i64::MAX, |t| t.seconds))
                .collect()
        })
        .unwrap_or_default();
    // Two different due times at least, or any order would pass.
    let mut distinct = triage_due.clone();
    distinct.dedup();
    assert!(
        distinct.len() >= 2 && triage_due.windows(2).all(|w| w[0] <= w[1]),
        "triage is sorted by the next deadline: {triage_due:?}"
    );
    tom.app
        .handle_key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE));
    // Open Alice's ticket by number through the filter panel.
    tom.press(KeyCode::Char('f'));
    // Staff's panel opens once the contacts of the companies on show came.
    tom.until("the filter panel", |app| !app.popups.is_empty())
        .await;
    tom.press(KeyCode::Tab);
    tom.press(KeyCode::Tab);
    tom.type_text(&number.to_string());
    tom.ctrl('s');
    tom.until("the ticket in Tom's list", |app| {
        main_of(app).is_some_and(|m| m.tickets.rows.first().is_some_and(|t| t.number == number))
    })
    .await;
    tom.press(KeyCode::Enter);
    tom.until("Tom's view", |app| open_detail(app).is_some())
        .await;
    tom.press(KeyCode::Char('i'));
    tom.type_text("Internal: the dock firmware is the suspect.");
    tom.ctrl('s');
    // Each post is shown and its prompt closed before the next key.
    tom.until("the note", |app| {
        app.popups.is_empty() && timeline_has(app, "Internal: the dock firmware is the suspect.")
    })
    .await;
    tom.press(KeyCode::Char('r'));
    tom.type_text("Please try the other USB-C port.");
    tom.ctrl('s');
    tom.until("the reply", |app| {
        app.popups.is_empty() && timeline_has(app, "Please try the other USB-C port.")
    })
    .await;

    // Alice sees the reply without refreshing, and never the note.
    alice
        .until("the reply on Alice's screen", |app| {
            timeline_has(app, "Please try the other USB-C port.")
        })
        .await;
    assert!(!timeline_has(
        &alice.app,
        "Internal: the dock firmware is the suspect."
    ));
    let kinds: Vec<pb::TimelineKind> = main_of(&alice.app)
        .and_then(|m| m.detail())
        .map(|d| d.timeline.iter().map(pb::TimelineEntry::kind).collect())
        .unwrap_or_default();
    assert!(!kinds.contains(&pb::TimelineKind::InternalNote));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_ended_by_the_server_returns_to_sign_in() {
    let demo = portal::demo::start().await.expect("demo server");
    let mut uma = Session::new(&demo.url, "uma@harbor.example");
    uma.until("live updates", |app| app.status.connected == Some(true))
        .await;
    let uma_id = main_of(&uma.app).map(|m| m.me.id).expect("signed in");

    // Her Admin disables her; she is doing nothing, yet her screen knows.
    let mut alice = Session::new(&demo.url, "alice@harbor.example");
    alice.until("Home", |app| main_of(app).is_some()).await;
    alice
        .client
        .dispatch(Request::Account(AccountCall::SetActive {
            contact_id: uma_id,
            active: false,
        }));
    uma.until("the sign-in screen", |app| {
        matches!(&app.phase, Phase::Login(login)
            if login.error.as_deref().is_some_and(|e| e.contains("session has ended")))
    })
    .await;
}

fn subscriber_ids(app: &App) -> Vec<i64> {
    open_detail(app)
        .map(|d| d.subscribers.iter().map(|s| s.contact_id).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_is_added_and_removed_after_a_confirmation() {
    let demo = portal::demo::start().await.expect("demo server");
    let mut alice = Session::new(&demo.url, "alice@harbor.example");
    // The subscribe picker offers the company's contacts from the catalog.
    alice
        .until("the catalog", |app| {
            main_of(app).is_some_and(|m| m.catalog.loaded && !m.catalog.contacts.is_empty())
        })
        .await;
    alice.open_newest_ticket().await;
    let before = subscriber_ids(&alice.app);

    alice.press(KeyCode::Char('+'));
    alice.press(KeyCode::Enter);
    alice
        .until("the new subscriber", |app| {
            subscriber_ids(app).len() == before.len() + 1
        })
        .await;
    let after = subscriber_ids(&alice.app);
    let added = *after
        .iter()
        .find(|id| !before.contains(id))
        .expect("one more subscriber");

    // `-` lists the subscribers; choosing one asks before anything is sent.
    alice.press(KeyCode::Char('-'));
    let index = after.iter().position(|id| *id == added).expect("listed");
    for _ in 0..index {
        alice.press(KeyCode::Down);
    }
    alice.press(KeyCode::Enter);
    assert!(
        matches!(alice.app.popups.last(), Some(Popup::Confirm { title, .. }) if title == "Remove subscriber?"),
        "a confirmation, not a removal, follows the choice"
    );
    assert!(alice.app.take_requests().is_empty(), "nothing sent yet");
    alice.press(KeyCode::Char('y'));
    alice
        .until("the subscriber gone", |app| {
            !subscriber_ids(app).contains(&added)
        })
        .await;
    assert_eq!(subscriber_ids(&alice.app), before);
    let message = alice.app.status.message.clone().map(|(_, m)| m);
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.ends_with("subscriber removed")),
        "{message:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ticket_is_saved_as_text_where_the_user_confirms() {
    use portal::ui::popup::PromptField;
    let demo = portal::demo::start().await.expect("demo server");
    let mut alice = Session::new(&demo.url, "alice@harbor.example");
    alice
        .until("signed in", |app| {
            main_of(app).is_some_and(|m| m.catalog.loaded)
        })
        .await;
    alice.open_newest_ticket().await;
    let ticket = open_detail(&alice.app)
        .and_then(|d| d.ticket.clone())
        .expect("a ticket");
    let number = ticket.number;

    // `x` offers the documents; the second is the ticket as plain text.
    alice.press(KeyCode::Char('x'));
    alice.press(KeyCode::Down);
    alice.press(KeyCode::Enter);
    let Some(Popup::Prompt(prompt)) = alice.app.popups.last() else {
        panic!("a prompt for the path");
    };
    assert_eq!(
        prompt.form.raw(PromptField::Path),
        format!("~/ticket-{number}.txt")
    );
    assert!(alice.app.take_requests().is_empty(), "nothing sent yet");

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saved.txt");
    alice.ctrl('u');
    alice.type_text(&path.to_string_lossy());
    alice.press(KeyCode::Enter);
    alice
        .until("the saved file", |app| {
            app.status
                .message
                .as_ref()
                .is_some_and(|(_, m)| m.starts_with("Saved"))
        })
        .await;
    let text = std::fs::read_to_string(&path).expect("the file");
    assert!(
        text.starts_with(&format!("Ticket #{number}: {}", ticket.title)),
        "{text}"
    );
    assert!(text.contains("Timeline ("), "{text}");
}

/// Alice's invoice on show, once its detail came.
fn open_invoice(app: &App) -> Option<&pb::InvoiceDetail> {
    main_of(app)?
        .account
        .invoices
        .open
        .as_ref()?
        .detail
        .as_ref()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_sent_twice_from_one_form_is_recorded_once() {
    let demo = portal::demo::start().await.expect("demo server");
    let mut alice = Session::new(&demo.url, "alice@harbor.example");
    alice
        .until("Home with what is owed", |app| {
            main_of(app).is_some_and(|m| {
                m.home.stats.is_some()
                    && m.home
                        .billing
                        .as_ref()
                        .is_some_and(|b| !b.unpaid.is_empty())
            })
        })
        .await;
    // Home lists the waiting alert (if any), then the unpaid invoices.
    let waiting = main_of(&alice.app)
        .and_then(|m| m.home.stats.as_ref())
        .is_some_and(|s| s.awaiting_client > 0);
    if waiting {
        alice.press(KeyCode::Down);
    }
    alice.press(KeyCode::Enter);
    // Several to pay: Home's line lists them, and the first opens.
    let several = main_of(&alice.app)
        .and_then(|m| m.home.billing.as_ref())
        .is_some_and(|b| b.unpaid.len() > 1);
    if several {
        alice
            .until("the unpaid invoices", |app| {
                main_of(app).is_some_and(|m| {
                    m.account.invoices.loaded && !m.account.invoices.rows.is_empty()
                })
            })
            .await;
        alice.press(KeyCode::Enter);
    }
    alice
        .until("the invoice", |app| open_invoice(app).is_some())
        .await;
    let before = open_invoice(&alice.app).cloned().expect("an invoice");
    let number = before.invoice.as_ref().map_or(0, |i| i.number);

    // The form is sent, and the same request again, as a retry after a
    // timeout would.
    alice.press(KeyCode::Char('$'));
    alice.ctrl('s');
    let sent: Vec<Request> = alice.app.take_requests();
    let [pay @ Request::Billing(portal::action::BillingCall::Pay(_))] = sent.as_slice() else {
        panic!("one payment asked: {sent:?}");
    };
    alice.client.dispatch(pay.clone());
    alice.client.dispatch(pay.clone());
    alice
        .until("the payment recorded and the invoice again", |app| {
            open_invoice(app).is_some_and(|d| d.payments.len() > before.payments.len())
                && !matches!(app.popups.last(), Some(Popup::Prompt(_)))
        })
        .await;
    // Both answers are in: the server holds one new payment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let asked = Request::Billing(portal::action::BillingCall::Invoice { number });
    let Ok(portal::action::Reply::Billing(reply)) = alice.client.request(asked).await else {
        panic!("the invoice");
    };
    let portal::action::BillingReply::Invoice(after) = *reply else {
        panic!("the invoice");
    };
    assert_eq!(
        after.payments.len(),
        before.payments.len() + 1,
        "invoice {number}: one payment for one form"
    );
}

/// Asks the server directly, past the screens, with the session's token.
async fn billing_reply(session: &Session, call: BillingCall) -> BillingReply {
    match session.client.request(Request::Billing(call)).await {
        Ok(portal::action::Reply::Billing(reply)) => *reply,
        other => panic!("a billing answer: {other:?}"),
    }
}

fn billing_of(app: &App) -> Option<&portal::ui::billing::Billing> {
    main_of(app).map(|m| &m.billing)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_admin_voids_and_mails_an_invoice_and_sets_billing_on_the_server() {
    let demo = portal::demo::start().await.expect("demo server");
    let mut paula = Session::new(&demo.url, "paula@keystone.example");
    paula.until("signed in", |app| main_of(app).is_some()).await;
    paula.press(KeyCode::Char('6'));
    paula
        .until("every company's invoices", |app| {
            billing_of(app).is_some_and(|b| !b.invoices.rows.is_empty())
        })
        .await;
    paula.press(KeyCode::Enter);
    paula
        .until("the invoice", |app| {
            billing_of(app)
                .is_some_and(|b| b.invoices.open.as_ref().is_some_and(|o| o.detail.is_some()))
        })
        .await;
    let number = billing_of(&paula.app)
        .and_then(|b| b.invoices.open.as_ref()?.detail.as_ref()?.invoice.as_ref())
        .map(|i| i.number)
        .expect("an invoice number");

    // E-mail: a question, then the server's answer names the address.
    paula.press(KeyCode::Char('M'));
    paula.press(KeyCode::Char('y'));
    paula
        .until("the mail queued", |app| {
            app.status
                .message
                .as_ref()
                .is_some_and(|(_, m)| m.contains(&format!("Invoice {number} queued to")))
        })
        .await;

    // Void, with a reason; the server holds it, and the screen shows it.
    paula.press(KeyCode::Char('V'));
    paula.type_text("Billed twice");
    paula.ctrl('s');
    // Void on screen, and the prompt closed by the server's answer: a live
    // refresh can show the void before that answer comes.
    let void_shown = |app: &App| {
        app.popups.is_empty()
            && billing_of(app)
                .and_then(|b| b.invoices.open.as_ref()?.detail.as_ref()?.invoice.as_ref())
                .is_some_and(|i| i.status() == pb::InvoiceStatus::Void)
    };
    paula.until("the invoice shown void", void_shown).await;
    let BillingReply::Invoice(stored) =
        billing_reply(&paula, BillingCall::Invoice { number }).await
    else {
        panic!("the invoice");
    };
    let stored = stored.invoice.expect("the invoice");
    assert_eq!(stored.status(), pb::InvoiceStatus::Void);
    assert_eq!(stored.void_reason, "Billed twice");

    // Settings: the tax rate typed as a percentage is stored in basis points.
    paula.press(KeyCode::Esc);
    paula.press(KeyCode::Left);
    paula
        .until("the settings", |app| {
            billing_of(app).is_some_and(|b| b.settings.is_some())
        })
        .await;
    paula.press(KeyCode::Char('e'));
    paula.press(KeyCode::Tab);
    for _ in 0..8 {
        paula.press(KeyCode::Backspace);
    }
    paula.type_text("7.5");
    paula.ctrl('s');
    paula
        .until("the settings saved", |app| {
            app.popups.is_empty()
                && billing_of(app)
                    .and_then(|b| b.settings.as_ref())
                    .is_some_and(|s| s.tax_rate_basis_points == 750)
        })
        .await;
    let BillingReply::Settings(settings) = billing_reply(&paula, BillingCall::Settings).await
    else {
        panic!("the settings");
    };
    assert_eq!(settings.tax_rate_basis_points, 750);

    // A new agreement from the form, for the first company offered (past
    // the run and the subscriptions).
    for _ in 0..3 {
        paula.press(KeyCode::Left);
    }
    paula
        .until("the agreements", |app| {
            billing_of(app).is_some_and(|b| b.agreements.loaded)
        })
        .await;
    paula.press(KeyCode::Char('n'));
    paula.press(KeyCode::Tab);
    paula.type_text("Backup add-on");
    paula.press(KeyCode::Tab);
    paula.press(KeyCode::Tab);
    paula.type_text("2026-12-01");
    paula.press(KeyCode::Tab);
    paula.press(KeyCode::Tab);
    paula.type_text("250.00");
    paula.ctrl('s');
    paula
        .until("the agreement saved and listed", |app| {
            billing_of(app)
                .is_some_and(|b| b.agreements.rows.iter().any(|a| a.title == "Backup add-on"))
        })
        .await;
    let BillingReply::Agreements(stored) =
        billing_reply(&paula, BillingCall::Agreements { company_id: 0 }).await
    else {
        panic!("the agreements");
    };
    let added = stored
        .iter()
        .find(|a| a.title == "Backup add-on")
        .expect("the new agreement stored");
    assert_eq!(added.monthly_amount_cents, 25_000);
    assert_eq!(added.start_date, "2026-12-01");
}

fn new_ticket_form(app: &App) -> Option<&portal::ui::ticket_form::TicketForm> {
    match &main_of(app)?.view {
        portal::app::TicketsView::New(form) => Some(form),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_named_on_the_new_ticket_form_is_attached_to_the_created_ticket() {
    use portal::ui::ticket_form::TicketField as F;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("error-screen.txt");
    std::fs::write(&file, "PC LOAD LETTER\n").expect("write");
    let demo = portal::demo::start().await.expect("demo server");
    let mut alice = Session::new(&demo.url, "alice@harbor.example");
    alice
        .until("the catalog", |app| {
            main_of(app).is_some_and(|m| m.catalog.loaded)
        })
        .await;
    alice.press(KeyCode::Char('2'));
    alice.press(KeyCode::Char('n'));
    // The type "Other", which asks for nothing more.
    let other = new_ticket_form(&alice.app)
        .and_then(|f| f.types.iter().position(|t| t.name == "Other"))
        .expect("the Other type");
    for _ in 0..other {
        alice.press(KeyCode::Down);
    }
    alice.press(KeyCode::Enter);
    let focus = |s: &mut Session, field: F| {
        for _ in 0..30 {
            if new_ticket_form(&s.app).is_some_and(|f| f.form.has_focus(field)) {
                return;
            }
            s.press(KeyCode::Tab);
        }
        panic!("no {field:?} field");
    };
    focus(&mut alice, F::Title);
    alice.type_text("Printer shows an error");
    focus(&mut alice, F::Description);
    alice.type_text("A photo of the screen is attached.");
    focus(&mut alice, F::Attach);
    alice.type_text(&file.display().to_string());
    alice.ctrl('s');
    alice
        .until("the new ticket with its attachment", |app| {
            open_detail(app).is_some_and(|d| {
                d.ticket
                    .as_ref()
                    .is_some_and(|t| t.title == "Printer shows an error")
                    && d.attachments
                        .iter()
                        .any(|a| a.file_name == "error-screen.txt" && a.size == 15)
            })
        })
        .await;
    let message = alice.app.status.message.clone().map(|(_, m)| m);
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.ends_with("created; attached error-screen.txt")),
        "{message:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_subscribe_a_contact_related_to_the_tickets_company() {
    let demo = portal::demo::start().await.expect("demo server");
    let mut dina = Session::new(&demo.url, "dina@keystone.example");
    dina.until("signed in", |app| {
        main_of(app).is_some_and(|m| m.catalog.loaded)
    })
    .await;
    dina.press(KeyCode::Char('2'));
    dina.until("the list", |app| {
        main_of(app).is_some_and(|m| !m.tickets.rows.is_empty())
    })
    .await;
    // A Harbor ticket: nora of Alder & Finch is related to Harbor in the demo.
    let index = main_of(&dina.app)
        .and_then(|m| {
            m.tickets
                .rows
                .iter()
                .position(|t| t.company_name.starts_with("Harbor"))
        })
        .expect("a Harbor ticket on the first page");
    for _ in 0..index {
        dina.press(KeyCode::Down);
    }
    dina.press(KeyCode::Enter);
    dina.until("the ticket", |app| open_detail(app).is_some())
        .await;
    let nora = "nora@alderfinch.example";
    if open_detail(&dina.app).is_some_and(|d| d.subscribers.iter().any(|s| s.email == nora)) {
        // Already following: `-` takes her off first.
        let at = open_detail(&dina.app)
            .and_then(|d| d.subscribers.iter().position(|s| s.email == nora))
            .unwrap_or_default();
        dina.press(KeyCode::Char('-'));
        for _ in 0..at {
            dina.press(KeyCode::Down);
        }
        dina.press(KeyCode::Enter);
        dina.press(KeyCode::Char('y'));
        dina.until("nora unsubscribed", |app| {
            open_detail(app).is_some_and(|d| d.subscribers.iter().all(|s| s.email != nora))
        })
        .await;
    }
    dina.press(KeyCode::Char('+'));
    dina.until(
        "the subscribe picker",
        |app| matches!(app.popups.last(), Some(Popup::Pick { title, .. }) if title == "Subscribe"),
    )
    .await;
    let Some(Popup::Pick { items, .. }) = dina.app.popups.last() else {
        panic!("a picker");
    };
    let at = items
        .iter()
        .position(|i| i.contains(nora))
        .expect("nora is offered");
    assert!(items[at].ends_with("(related)"), "{items:?}");
    assert!(
        items
            .iter()
            .filter(|i| i.contains("@harbor.example"))
            .all(|i| !i.contains("(related)")),
        "{items:?}"
    );
    for _ in 0..at {
        dina.press(KeyCode::Down);
    }
    dina.press(KeyCode::Enter);
    dina.until("nora subscribed", |app| {
        open_detail(app).is_some_and(|d| d.subscribers.iter().any(|s| s.email == nora))
    })
    .await;
}

async fn companies(session: &Session, query: &str) -> Vec<pb::Company> {
    let call = AdminCall::Companies {
        query: query.to_owned(),
    };
    match session.client.request(Request::Admin(call)).await {
        Ok(Reply::Companies(rows)) => rows,
        other => panic!("the companies: {other:?}"),
    }
}

/// The Companies tab holds every company, past the server's pages of 200.
#[tokio::test(flavor = "multi_thread")]
async fn the_companies_list_holds_every_company_past_the_first_page() {
    let demo = portal::demo::start().await.expect("demo server");
    let mut paula = Session::new(&demo.url, "paula@keystone.example");
    paula.until("Home", |app| main_of(app).is_some()).await;
    let before = companies(&paula, "").await.len();
    for i in 0..201 {
        let company = pb::Company {
            name: format!("Paging Test {i:03}"),
            active: true,
            ..Default::default()
        };
        let saved = paula
            .client
            .request(Request::Admin(AdminCall::SaveCompany(Box::new(company))))
            .await;
        assert!(matches!(saved, Ok(Reply::CompanySaved(_))), "{saved:?}");
    }
    let all = companies(&paula, "").await;
    assert_eq!(all.len(), before + 201);
    let found = companies(&paula, "Paging Test").await;
    let named: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(named.len(), 201, "{named:?}");
    assert!(named.contains(&"Paging Test 200"), "{named:?}");
}
