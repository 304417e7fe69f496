//! Every screen at 80×24 and 120×40, reached through keys as a user would,
//! plus the requests those keys send.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{
    AccountCall, ApiError, AuthCall, ListId, Reply, ReportCall, Request, TicketCall,
};
use portal::app::App;
use portal_proto::pb;

fn snap(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
}

#[test]
fn sign_in_screen_and_wrong_password() {
    let mut app = signed_out();
    snap("login", &mut app);
    type_text(&mut app, "alice@harbor.example");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "wrong-pass\n");
    let login = Request::Auth(AuthCall::Login {
        email: "alice@harbor.example".into(),
        password: "wrong-pass".into(),
        remember: false,
    });
    assert_eq!(app.take_requests(), vec![login.clone()]);
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(login),
            error: ApiError {
                code: tonic::Code::Unauthenticated,
                message: String::new(),
            },
        },
    );
    snap("login_wrong_password", &mut app);
}

#[test]
fn sign_in_checks_fields_before_asking_the_server() {
    let mut app = signed_out();
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty());
    insta::assert_snapshot!("login_empty_80x24", render(&mut app, 80, 24));
}

#[test]
fn remember_me_and_lockout_message() {
    let mut app = signed_out();
    type_text(&mut app, "alice@harbor.example");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "secret");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    let login = Request::Auth(AuthCall::Login {
        email: "alice@harbor.example".into(),
        password: "secret".into(),
        remember: true,
    });
    assert_eq!(app.take_requests(), vec![login.clone()]);
    let error = ApiError {
        code: tonic::Code::PermissionDenied,
        message: "account locked for 15 minutes".into(),
    };
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(login),
            error,
        },
    );
    insta::assert_snapshot!("login_locked_80x24", render(&mut app, 80, 24));
}

#[test]
fn forced_password_change_shows_policy_and_broken_rules() {
    let mut app = signed_out();
    type_text(&mut app, "uma@harbor.example");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Temp-1234\n");
    app.take_requests();
    let me = pb::Identity {
        must_change_password: true,
        ..alice()
    };
    reply(
        &mut app,
        Reply::SignedIn {
            identity: me,
            remember_note: None,
        },
    );
    assert_eq!(
        app.take_requests(),
        vec![Request::Auth(AuthCall::PasswordPolicy)]
    );
    reply(
        &mut app,
        Reply::PasswordPolicy(pb::PasswordPolicy {
            min_length: 12,
            max_length: 128,
            rules: vec![
                "At least 12 characters".into(),
                "Not your e-mail address".into(),
                "Not a common password".into(),
            ],
        }),
    );
    type_text(&mut app, "short");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "short");
    ctrl(&mut app, 's');
    assert!(
        app.take_requests().is_empty(),
        "a too-short password is refused locally"
    );
    snap("password_change_local_error", &mut app);
    // The focus went back to the field in error.
    ctrl(&mut app, 'u');
    type_text(&mut app, "password1234");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "password1234");
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Auth(AuthCall::ChangeTempPassword {
            current: "Temp-1234".into(),
            new: "password1234".into()
        })]
    );
    let error = ApiError {
        code: tonic::Code::InvalidArgument,
        message: "new_password: must contain an upper-case letter; must not be one of the most common passwords".into(),
    };
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(Request::Auth(AuthCall::ChangeTempPassword {
                current: String::new(),
                new: String::new(),
            })),
            error,
        },
    );
    insta::assert_snapshot!(
        "password_change_server_error_80x24",
        render(&mut app, 80, 24)
    );
}

#[test]
fn forgot_password_gives_the_neutral_answer() {
    let mut app = signed_out();
    type_text(&mut app, "alice@harbor.example");
    press(&mut app, KeyCode::F(2));
    insta::assert_snapshot!("forgot_password_80x24", render(&mut app, 80, 24));
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Auth(AuthCall::ForgotPassword {
            email: "alice@harbor.example".into()
        })]
    );
    reply(
        &mut app,
        Reply::Neutral(
            "If that address has an account, its Admin has been asked to reset it.".into(),
        ),
    );
    insta::assert_snapshot!("forgot_password_answer_80x24", render(&mut app, 80, 24));
}

#[test]
fn home_then_enter_opens_the_ticket() {
    let mut app = signed_in(alice());
    snap("home", &mut app);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_requests(), opened(1042));
}

#[test]
fn home_says_connecting_until_live_updates_start() {
    let mut app = signed_in_connecting(alice());
    insta::assert_snapshot!("home_connecting_80x24", render(&mut app, 80, 24));
    app.handle_action(portal::action::Action::Connected(true));
    let status = render(&mut app, 80, 24);
    let status = status.lines().last().unwrap_or_default();
    assert!(
        status.contains("● online") && !status.contains("connecting"),
        "{status}"
    );
}

#[test]
fn home_alert_lists_waiting_tickets() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Enter);
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List { query, .. })) = requests.first() else {
        panic!("a list request, got {requests:?}")
    };
    assert_eq!(query.status(), pb::TicketStatus::WaitingOnClient);
}

#[test]
fn tickets_list_summary_filter_sort_and_paging() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    snap("tickets_list", &mut app);
    press(&mut app, KeyCode::Char('v'));
    snap("tickets_summary", &mut app);
    press(&mut app, KeyCode::Char('v'));

    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "vpn");
    assert!(
        app.take_requests().is_empty(),
        "nothing is asked while typing"
    );
    let later = app.now + chrono::TimeDelta::seconds(1);
    app.tick(later);
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List { query, .. })) = requests.last() else {
        panic!("a list request")
    };
    assert_eq!(query.text, "vpn");
    // Typing a text filter keeps the sort on show (Updated ↓).
    assert_eq!(query.sort(), pb::TicketSort::Updated);
    assert!(query.descending);
    let vpn: Vec<pb::Ticket> = tickets()
        .into_iter()
        .filter(|t| t.title.contains("VPN"))
        .collect();
    answer_tickets(&mut app, &requests, ListId::Tickets, vpn, "");
    snap("tickets_text_filter", &mut app);
    press(&mut app, KeyCode::Esc);
    let requests = app.take_requests();
    answer_tickets(&mut app, &requests, ListId::Tickets, tickets(), "");

    press(&mut app, KeyCode::Char('f'));
    snap("tickets_filter_panel", &mut app);
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Right); // priority 1
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "20-11-2026");
    ctrl(&mut app, 's');
    assert!(
        app.take_requests().is_empty(),
        "a bad date stays in the panel"
    );
    insta::assert_snapshot!("tickets_filter_panel_error_80x24", render(&mut app, 80, 24));
    ctrl(&mut app, 'u');
    type_text(&mut app, "2026-11-01");
    ctrl(&mut app, 's');
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List { query, .. })) = requests.last() else {
        panic!("a list request")
    };
    assert_eq!(
        (query.priority, query.created_from.as_str()),
        (1, "2026-11-01")
    );

    press(&mut app, KeyCode::Char('s'));
    snap("tickets_sort", &mut app); // open on the current sort, Updated
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Down); // Title
    press(&mut app, KeyCode::Enter);
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List { query, .. })) = requests.last() else {
        panic!("a list request")
    };
    assert_eq!(
        (query.sort(), query.descending),
        (pb::TicketSort::Title, false)
    );
    press(&mut app, KeyCode::Char('S'));
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List { query, .. })) = requests.last() else {
        panic!("a list request")
    };
    assert!(query.descending);

    // Paging: a page with a cursor; moving near its end asks for the next one.
    let many: Vec<pb::Ticket> = (0..30)
        .map(|i| {
            ticket(
                2000 - i,
                &format!("Ticket {i}"),
                pb::TicketStatus::New,
                3,
                "2026-11-20T09:00:00Z",
            )
        })
        .collect();
    answer_tickets(&mut app, &requests, ListId::Tickets, many, "cursor-1");
    for _ in 0..19 {
        press(&mut app, KeyCode::Down);
    }
    assert!(
        app.take_requests().is_empty(),
        "no page before the selection nears the end"
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("#1981") && !screen.contains("#2000 "),
        "the list scrolled with the selection:\n{screen}"
    );
    press(&mut app, KeyCode::Down);
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List { query, append, .. })) = requests.last() else {
        panic!("next page, got {requests:?}")
    };
    assert!(append);
    assert_eq!(
        query.page.as_ref().map(|p| p.cursor.as_str()),
        Some("cursor-1")
    );
    assert_eq!(query.page.as_ref().map(|p| p.page_size), Some(50));
}

#[test]
fn ticket_detail_reply_and_status() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_requests(), opened(1042));
    show_ticket(&mut app, detail());
    snap("ticket_detail", &mut app);

    press(&mut app, KeyCode::Char('r'));
    type_text(&mut app, "Thanks, tomorrow works.");
    snap("ticket_reply", &mut app);
    ctrl(&mut app, 's');
    let post = Request::Ticket(TicketCall::AddPost {
        number: 1042,
        kind: pb::PostKind::Discussion,
        body: "Thanks, tomorrow works.".into(),
        chat: false,
    });
    assert_eq!(app.take_requests(), vec![post.clone()]);
    // A failed post keeps the text.
    let error = ApiError {
        code: tonic::Code::Unavailable,
        message: "transport".into(),
    };
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(post.clone()),
            error,
        },
    );
    insta::assert_snapshot!("ticket_reply_failed_80x24", render(&mut app, 80, 24));
    ctrl(&mut app, 's');
    assert_eq!(app.take_requests(), vec![post]);
    // The answer after a failed call says the connection is back: what is
    // open is fetched again (the ticket once).
    reply(&mut app, Reply::Posted { number: 1042 });
    let get = Request::Ticket(TicketCall::Get { number: 1042 });
    let requests = app.take_requests();
    assert_eq!(
        requests.iter().filter(|r| **r == get).count(),
        1,
        "{requests:?}"
    );

    // The picker opens on the status the ticket has; cancelling asks first.
    press(&mut app, KeyCode::Char('c'));
    snap("ticket_status", &mut app);
    press(&mut app, KeyCode::Enter);
    assert!(
        app.take_requests().is_empty(),
        "the current status changes nothing"
    );
    press(&mut app, KeyCode::Char('c'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert!(app.take_requests().is_empty(), "not before it is confirmed");
    insta::assert_snapshot!(
        "ticket_status_confirm_cancel_80x24",
        render(&mut app, 80, 24)
    );
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::ChangeStatus {
            number: 1042,
            status: pb::TicketStatus::Cancelled,
            note: String::new()
        })]
    );

    press(&mut app, KeyCode::Char('o'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::OlderTimeline {
            number: 1042,
            cursor: "older".into()
        })]
    );

    press(&mut app, KeyCode::Char('a'));
    insta::assert_snapshot!("ticket_attach_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('+'));
    insta::assert_snapshot!("ticket_subscribe_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::AddSubscriber {
            number: 1042,
            contact_id: 1
        })]
    );
}

#[test]
fn new_ticket_form_checks_fields_and_keeps_text_on_failure() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('n'));
    snap("new_ticket_type", &mut app);
    press(&mut app, KeyCode::Down); // Hardware (Other is last)
    press(&mut app, KeyCode::Enter);
    snap("new_ticket_form", &mut app);
    ctrl(&mut app, 's');
    assert!(take_sent(&mut app).is_empty());
    snap("new_ticket_required", &mut app);

    type_text(&mut app, "HD-PR-02");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Scanner shows a paper error");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "It says paper jam\nbut the tray is empty.");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right); // site: Main office
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-12-01");
    ctrl(&mut app, 's');
    let requests = take_sent(&mut app);
    let [Request::Ticket(TicketCall::CreateTicket(create))] = requests.as_slice() else {
        panic!("one create, got {requests:?}")
    };
    assert_eq!(create.service_type_id, 5);
    assert_eq!(create.title, "Scanner shows a paper error");
    assert_eq!(
        create.description,
        "It says paper jam\nbut the tray is empty."
    );
    assert_eq!(create.site_id, 1);
    assert_eq!(create.due_date, "2026-12-01");
    assert_eq!(
        create.fields,
        vec![
            pb::FieldValue {
                key: "asset_tag".into(),
                value: "HD-PR-02".into()
            },
            pb::FieldValue {
                key: "still_works".into(),
                value: "no".into()
            }
        ]
    );

    let error = ApiError {
        code: tonic::Code::InvalidArgument,
        message: "due_date: must not be in the past".into(),
    };
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(Request::Ticket(TicketCall::CreateTicket(create.clone()))),
            error,
        },
    );
    snap("new_ticket_server_error", &mut app);
    ctrl(&mut app, 's');
    let again = take_sent(&mut app);
    assert_eq!(
        again,
        vec![Request::Ticket(TicketCall::CreateTicket(create.clone()))],
        "nothing typed was lost"
    );

    reply(
        &mut app,
        Reply::Created(Box::new(ticket(
            1043,
            "Scanner shows a paper error",
            pb::TicketStatus::New,
            3,
            NOW,
        ))),
    );
    let requests = take_sent(&mut app);
    assert!(
        requests.contains(&Request::Ticket(TicketCall::Get { number: 1043 })),
        "the new ticket opens: {requests:?}"
    );
}

/// One Ctrl-S marks every field the client can check, each with what is
/// wrong with it, and sends nothing.
#[test]
fn new_ticket_marks_every_bad_field_at_once() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Down); // Hardware
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "HD-PR-02");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Scanner shows a paper error");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "It says paper jam.");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-02-30");
    // Emergency, PO, files, contact, then the phone and e-mail.
    for _ in 0..5 {
        press(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "abc!!");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "not-an-email");
    ctrl(&mut app, 's');
    assert!(take_sent(&mut app).is_empty());
    let screen = render(&mut app, 120, 40);
    for problem in [
        "no such day on the calendar",
        "only digits, spaces and +",
        "not an e-mail address",
    ] {
        assert!(screen.contains(problem), "{problem} missing from\n{screen}");
    }
}

#[test]
fn new_ticket_esc_asks_before_discarding() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "Something?");
    assert!(app.popups.is_empty(), "? is typed into the form");
    press(&mut app, KeyCode::F(1));
    assert!(render(&mut app, 80, 24).contains("Keys: New ticket"));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    insta::assert_snapshot!("new_ticket_discard_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Char('n'));
    insta::assert_snapshot!("new_ticket_kept_80x24", render(&mut app, 80, 24));
}

#[test]
fn account_profile_edit_and_password() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('4'));
    snap("account", &mut app);
    press(&mut app, KeyCode::Char('e'));
    snap("account_edit", &mut app);
    for _ in 0..7 {
        press(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "555-0199");
    ctrl(&mut app, 's');
    let requests = app.take_requests();
    let [Request::Account(AccountCall::UpdateProfile(details))] = requests.as_slice() else {
        panic!("an update, got {requests:?}")
    };
    assert!(
        details
            .phones
            .iter()
            .any(|p| p.number == "555-0199" && p.kind() == pb::PhoneKind::Home)
    );
    assert!(
        details
            .phones
            .iter()
            .any(|p| p.number == "555-0142" && p.extension == "12")
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('p'));
    insta::assert_snapshot!("account_password_80x24", render(&mut app, 80, 24));
}

#[test]
fn users_for_admins() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('u'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::Users {
            query: String::new()
        })]
    );
    reply(&mut app, Reply::Users(contacts()));
    snap("users", &mut app);
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "nia@harbor.example");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Nia");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Novak");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    insta::assert_snapshot!("users_add_80x24", render(&mut app, 80, 24));
    ctrl(&mut app, 's');
    let requests = app.take_requests();
    let [Request::Account(AccountCall::AddUser(add))] = requests.as_slice() else {
        panic!("add, got {requests:?}")
    };
    assert_eq!(add.access(), pb::AccessLevel::Manager);
    reply(
        &mut app,
        Reply::UserAdded {
            contact: Box::new(contact(
                4,
                "Nia",
                "Novak",
                "nia@harbor.example",
                pb::AccessLevel::Manager,
            )),
            temporary_password: "Tq8-vz3-Lm2-kp9".into(),
        },
    );
    insta::assert_snapshot!("users_temporary_password_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('l'));
    insta::assert_snapshot!("users_level_80x24", render(&mut app, 80, 24));
}

/// The report `request` asked for, over Harbor's figures of 2026.
fn harbor_report(request: &pb::ReportRequest) -> pb::Report {
    let col = |name: &str, unit: pb::ReportUnit| pb::ReportColumn {
        name: name.into(),
        unit: unit.into(),
    };
    let row = |label: &str, values: &[i64]| pb::ReportRow {
        labels: vec![label.into()],
        values: values.to_vec(),
    };
    let (title, columns, rows) = match request.kind() {
        pb::ReportKind::RequestsByMonth => (
            "Service requests, 2026 against 2025",
            vec![
                col("month", pb::ReportUnit::Text),
                col("2025", pb::ReportUnit::Count),
                col("2026", pb::ReportUnit::Count),
            ],
            (1..=12)
                .map(|m| {
                    row(
                        &format!("{m:02}"),
                        &[3 + m % 4, if m < 4 { 5 + m } else { 0 }],
                    )
                })
                .collect(),
        ),
        pb::ReportKind::SlaByPriority => (
            "SLA compliance by priority",
            vec![
                col("priority", pb::ReportUnit::Text),
                col("responses due", pb::ReportUnit::Count),
                col("answered in time", pb::ReportUnit::Count),
                col("response met", pb::ReportUnit::BasisPoints),
                col("resolutions due", pb::ReportUnit::Count),
                col("resolved in time", pb::ReportUnit::Count),
                col("resolution met", pb::ReportUnit::BasisPoints),
            ],
            vec![
                row("1 Critical", &[4, 4, 10_000, 4, 3, 7500]),
                row("2 High", &[9, 8, 8889, 8, 6, 7500]),
                row("3 Medium", &[30, 27, 9000, 25, 24, 9600]),
                row("4 Low", &[12, 11, 9167, 10, 10, 10_000]),
            ],
        ),
        _ => (
            "Tickets by status",
            vec![
                col("status", pb::ReportUnit::Text),
                col("tickets", pb::ReportUnit::Count),
                col("open", pb::ReportUnit::Count),
            ],
            vec![
                row("New", &[3, 3]),
                row("In Progress", &[5, 5]),
                row("Waiting on Client", &[2, 2]),
                row("Completed", &[4, 0]),
                row("Closed", &[31, 0]),
            ],
        ),
    };
    pb::Report {
        kind: request.kind,
        title: title.into(),
        from: "2025-12-01".into(),
        to: "2026-11-30".into(),
        company_id: 1,
        columns,
        rows,
    }
}

/// Answers the report the last request asked for.
fn answer_report(app: &mut App) -> pb::ReportRequest {
    let requests = app.take_requests();
    let Some(Request::Report(ReportCall::Get(request))) = requests.last() else {
        panic!("a report, got {requests:?}")
    };
    let request = request.clone();
    reply(
        app,
        Reply::Report {
            report: harbor_report(&request),
            request: request.clone(),
        },
    );
    request
}

#[test]
fn reports_chart_a_table_step_through_reports_and_take_a_period() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('3'));
    let first = answer_report(&mut app);
    assert_eq!(first.kind(), pb::ReportKind::RequestsByMonth);
    assert_eq!((first.from.as_str(), first.company_id), ("", 0));
    snap("reports_requests", &mut app);
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(answer_report(&mut app).kind(), pb::ReportKind::ByStatus);
    snap("reports_by_status", &mut app);
    // Enter picks one from the list; a client has no staff time in it.
    press(&mut app, KeyCode::Enter);
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("SLA compliance by priority") && !screen.contains("Time logged"),
        "{screen}"
    );
    for _ in 0..6 {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        answer_report(&mut app).kind(),
        pb::ReportKind::SlaByPriority
    );
    snap("reports_sla_priority", &mut app);
    // The period prompt sends the report over the period typed.
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "2025-01");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2025-06");
    app.handle_key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        crossterm::event::KeyModifiers::CONTROL,
    ));
    let asked = answer_report(&mut app);
    assert_eq!(
        (asked.from.as_str(), asked.to.as_str()),
        ("2025-01", "2025-06")
    );
    assert_eq!(asked.kind(), pb::ReportKind::SlaByPriority);
    // x saves the CSV the table shows, as plain numbers.
    press(&mut app, KeyCode::Char('x'));
    app.handle_key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        crossterm::event::KeyModifiers::CONTROL,
    ));
    let requests = app.take_requests();
    let Some(Request::Report(ReportCall::SaveCsv { csv, path })) = requests.last() else {
        panic!("a CSV to save, got {requests:?}")
    };
    assert!(
        path.to_string_lossy()
            .ends_with("sla-priority-2025-12-01-2026-11-30.csv"),
        "{path:?}"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "priority,responses due,answered in time,response met %,resolutions due,resolved in time,resolution met %"
    );
    assert_eq!(lines[2], "2 High,9,8,88.89,8,6,75.00");
}

/// The status line's "Not sent" goes once the fixed period goes through.
#[test]
fn a_refused_period_fixed_and_sent_leaves_no_error_behind() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('3'));
    answer_report(&mut app);
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "2026-11");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-09");
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(asked[0].clone()),
            error: ApiError {
                code: tonic::Code::InvalidArgument,
                message: "from: after `to`".into(),
            },
        },
    );
    assert!(render(&mut app, 80, 24).contains("Not sent"));
    // The field marked has the focus.
    for _ in 0..7 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "2026-08");
    ctrl(&mut app, 's');
    let asked = answer_report(&mut app);
    assert_eq!(
        (asked.from.as_str(), asked.to.as_str()),
        ("2026-08", "2026-09")
    );
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("Not sent"), "{screen}");
}

#[test]
fn reports_for_staff_pick_a_company_and_users_and_technicians_have_none() {
    let mut app = signed_in(alice());
    assert!(render(&mut app, 80, 24).contains("Reports"));
    let mut app = signed_in(pb::Identity {
        access: pb::AccessLevel::User.into(),
        ..alice()
    });
    assert!(!render(&mut app, 80, 24).contains("Reports"));
    let mut app = signed_in(tom());
    assert!(!render(&mut app, 80, 24).contains("Reports"));
    let dina = pb::Identity {
        role: pb::StaffRole::Dispatcher.into(),
        display_name: "Dina Duarte".into(),
        ..tom()
    };
    let mut app = signed_in(dina);
    press(&mut app, KeyCode::Char('4'));
    answer_report(&mut app);
    assert!(render(&mut app, 80, 24).contains("all companies"));
    press(&mut app, KeyCode::Char('c'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("All companies"), "{screen}");
}

#[test]
fn reports_and_help() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('3'));
    answer_report(&mut app);
    press(&mut app, KeyCode::Char('?'));
    snap("help_reports", &mut app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('?'));
    snap("help_tickets", &mut app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn staff_get_triage_sorted_by_next_deadline() {
    let mut app = signed_in(tom());
    press(&mut app, KeyCode::Char('3'));
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List {
        query,
        list: ListId::Triage,
        ..
    })) = requests.last()
    else {
        panic!("triage list, got {requests:?}")
    };
    assert_eq!(query.sort(), pb::TicketSort::NextDue);
    assert_eq!(query.status_group(), pb::StatusGroup::Open);
    answer_tickets(&mut app, &requests, ListId::Triage, tickets(), "");
    snap("triage", &mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_requests(), opened(1042));
    press(&mut app, KeyCode::Esc);
    let requests = app.take_requests();
    assert!(
        matches!(
            requests.as_slice(),
            [Request::Ticket(TicketCall::List {
                list: ListId::Triage,
                ..
            })]
        ),
        "back to triage: {requests:?}"
    );
}

#[test]
fn live_events_refresh_the_open_ticket_and_reconnects_show() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    show_ticket(&mut app, detail());
    app.handle_action(portal::action::Action::Connected(false));
    insta::assert_snapshot!("connection_lost_80x24", render(&mut app, 80, 24));
    // A burst of events about the open ticket makes one refresh.
    for summary in ["new reply", "status changed", "new attachment"] {
        app.handle_action(portal::action::Action::Event(pb::Event {
            kind: pb::EventKind::PostAdded.into(),
            ticket_number: 1042,
            at: ts(NOW),
            actor_name: "Tom Tran".into(),
            summary: summary.into(),
            ..Default::default()
        }));
    }
    assert!(app.take_requests().is_empty(), "not before the pause");
    let later = app.now + chrono::TimeDelta::seconds(1);
    app.tick(later);
    let get = Request::Ticket(TicketCall::Get { number: 1042 });
    let requests = app.take_requests();
    assert_eq!(
        requests.iter().filter(|r| **r == get).count(),
        1,
        "{requests:?}"
    );
    assert!(
        requests.contains(&Request::Report(ReportCall::Stats)),
        "Home's counts follow: {requests:?}"
    );
    app.handle_action(portal::action::Action::Connected(true));
    assert!(app.take_requests().contains(&get));
}

#[test]
fn staff_raise_a_ticket_for_a_company_and_its_contact() {
    let mut app = signed_in(tom());
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::End); // Other
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        take_sent(&mut app),
        vec![Request::Account(AccountCall::CompanyContacts {
            company_id: 1
        })]
    );
    press(&mut app, KeyCode::Right); // company: the second one
    assert_eq!(
        take_sent(&mut app),
        vec![Request::Account(AccountCall::CompanyContacts {
            company_id: 2
        })]
    );
    reply(
        &mut app,
        Reply::CompanyContacts {
            company_id: 1,
            contacts: contacts(),
        },
    );
    reply(
        &mut app,
        Reply::CompanyContacts {
            company_id: 2,
            contacts: vec![contact(
                7,
                "Ava",
                "Abbott",
                "ava@alderfinch.example",
                pb::AccessLevel::Admin,
            )],
        },
    );
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right); // contact: Ava
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right); // priority 1
    snap("new_ticket_staff", &mut app);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Mail server certificate expires Friday");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Renew before it lapses.");
    ctrl(&mut app, 's');
    let requests = take_sent(&mut app);
    let [Request::Ticket(TicketCall::CreateTicket(create))] = requests.as_slice() else {
        panic!("create, got {requests:?}")
    };
    assert_eq!(
        (
            create.company_id,
            create.contact_id,
            create.priority,
            create.service_type_id
        ),
        (2, 7, 1, 9)
    );
}

#[test]
fn a_failed_automatic_sign_in_shows_the_form_with_the_email() {
    let first = Request::Auth(AuthCall::Login {
        email: "uma@harbor.example".into(),
        password: "x".into(),
        remember: false,
    });
    let mut app = App::new(
        portal::theme::Theme::default(),
        portal::keys::KeyMap::default(),
        "http://127.0.0.1:1".into(),
        first.clone(),
    );
    assert_eq!(app.take_requests(), vec![first.clone()]);
    let error = ApiError {
        code: tonic::Code::Unavailable,
        message: "connect error".into(),
    };
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(first),
            error,
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("E-mail: uma@harbor.example"), "{screen}");
    assert!(screen.contains("Cannot reach the server"), "{screen}");
}

#[test]
fn no_keyring_is_said_in_the_status_line() {
    let mut app = App::new(
        portal::theme::Theme::default(),
        portal::keys::KeyMap::default(),
        "http://127.0.0.1:50051".into(),
        Request::Auth(AuthCall::Resume),
    );
    app.take_requests();
    reply(
        &mut app,
        Reply::NotRemembered {
            note: Some("No keyring here, so remember me is off".into()),
        },
    );
    let screen = render(&mut app, 80, 24);
    let status = screen.lines().last().unwrap_or_default();
    assert!(status.contains("No keyring here"), "{status}");
    assert!(
        screen.contains("E-mail:"),
        "the sign-in form shows:\n{screen}"
    );
}

#[test]
fn staff_set_priority_assign_and_work_tasks() {
    let mut app = signed_in(tom());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    let mut d = detail();
    d.permissions = Some(pb::TicketPermissions {
        allowed_statuses: vec![
            pb::TicketStatus::WaitingOnClient.into(),
            pb::TicketStatus::Completed.into(),
        ],
        can_post: true,
        can_add_internal_note: true,
        can_set_priority: true,
        can_assign: true,
        can_manage_tasks: true,
        can_manage_subscribers: true,
        can_rate: false,
    });
    show_ticket(&mut app, d);
    press(&mut app, KeyCode::Char('?'));
    snap("ticket_detail_staff_help", &mut app);
    assert!(!render(&mut app, 80, 24).contains("Ctrl-C"));
    press(&mut app, KeyCode::PageDown);
    assert!(
        render(&mut app, 80, 24).contains("Ctrl-C"),
        "the help scrolls to its end"
    );
    press(&mut app, KeyCode::Esc);

    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::SetPriority {
            number: 1042,
            priority: 2
        })]
    );

    press(&mut app, KeyCode::Char('A'));
    insta::assert_snapshot!("ticket_assign_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::Assign {
            number: 1042,
            staff_id: 2
        })]
    );

    press(&mut app, KeyCode::Char('t'));
    type_text(&mut app, "Fit the new fuser");
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::AddTask {
            number: 1042,
            text: "Fit the new fuser".into()
        })]
    );
    reply(
        &mut app,
        Reply::Changed {
            number: 1042,
            what: "task added".into(),
        },
    );
    assert!(app.popups.is_empty(), "the task prompt closed");
    assert_eq!(app.take_requests(), opened(1042));

    press(&mut app, KeyCode::Char('T'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::SetTaskDone {
            number: 1042,
            task_id: 1,
            done: false
        })]
    );
}

#[test]
fn esc_asks_before_discarding_a_typed_reply() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    show_ticket(&mut app, detail());
    press(&mut app, KeyCode::Char('r'));
    type_text(&mut app, "Half a thought");
    press(&mut app, KeyCode::Esc);
    insta::assert_snapshot!("ticket_reply_discard_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Char('n'));
    assert!(
        render(&mut app, 80, 24).contains("Half a thought"),
        "the reply is still there"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.popups.is_empty(), "discarded");
    assert!(app.take_requests().is_empty(), "nothing was sent");
}

#[test]
fn a_status_change_the_server_wants_a_note_for_asks_for_one_in_its_words() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    let mut d = detail();
    if let Some(t) = &mut d.ticket {
        t.status = pb::TicketStatus::Completed.into();
    }
    d.permissions = Some(pb::TicketPermissions {
        allowed_statuses: vec![
            pb::TicketStatus::InProgress.into(),
            pb::TicketStatus::Closed.into(),
        ],
        can_post: true,
        ..Default::default()
    });
    show_ticket(&mut app, d);

    // The client does not know the rule: it asks, and the server says.
    press(&mut app, KeyCode::Char('c'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let bare = Request::Ticket(TicketCall::ChangeStatus {
        number: 1042,
        status: pb::TicketStatus::InProgress,
        note: String::new(),
    });
    assert_eq!(app.take_requests(), vec![bare.clone()]);
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(bare),
            error: ApiError {
                code: tonic::Code::InvalidArgument,
                message: "note: say why the work is not complete".into(),
            },
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("#1042 to In Progress") && screen.contains("say why the work is not"),
        "{screen}"
    );
    type_text(&mut app, "Still jams on tray 2.");
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::ChangeStatus {
            number: 1042,
            status: pb::TicketStatus::InProgress,
            note: "Still jams on tray 2.".into(),
        })]
    );
}

#[test]
fn the_command_palette_finds_and_runs_any_command_tab_or_ticket() {
    let mut app = signed_in(tom());
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "new tic");
    insta::assert_snapshot!("palette_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Enter);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("New ticket"), "{screen}");

    let mut app = signed_in(tom());
    app.take_requests();
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "#1042");
    press(&mut app, KeyCode::Enter);
    let requests = app.take_requests();
    assert!(
        requests.contains(&Request::Ticket(TicketCall::Get { number: 1042 })),
        "{requests:?}"
    );

    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "triage");
    press(&mut app, KeyCode::Enter);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Triage"), "{screen}");

    // Esc closes it with nothing run.
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "quit");
    press(&mut app, KeyCode::Esc);
    assert!(!app.quit);
}

/// The last ticket-list query sent for Triage.
fn triage_query(app: &mut App) -> pb::ListTicketsRequest {
    last_triage(&app.take_requests())
}

fn last_triage(requests: &[Request]) -> pb::ListTicketsRequest {
    requests
        .iter()
        .rev()
        .find_map(|r| match r {
            Request::Ticket(TicketCall::List {
                list: ListId::Triage,
                query,
                ..
            }) => Some(query.clone()),
            _ => None,
        })
        .expect("a Triage list was asked for")
}

fn dina() -> pb::Identity {
    pb::Identity {
        id: 2,
        email: "dina@keystone.example".into(),
        display_name: "Dina Duarte".into(),
        role: pb::StaffRole::Dispatcher.into(),
        ..tom()
    }
}

#[test]
fn triage_quick_filters_saved_views_and_a_paused_breach() {
    let mut app = signed_in(dina());
    press(&mut app, KeyCode::Char('3'));
    let requests = app.take_requests();
    assert!(requests.contains(&Request::Ticket(TicketCall::SavedViews)));
    let mut rows = tickets();
    // #1031 waits on the client, but its answer was already overdue: the
    // row shows the pause and the breach.
    rows[4].next_due_at = fixtures::ts("2026-11-20T09:00:00Z");
    answer_tickets(&mut app, &requests, ListId::Triage, rows.clone(), "");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("‖ ✖ breached"), "{screen}");
    assert!(screen.contains("u ○ unassigned"), "{screen}");

    press(&mut app, KeyCode::Char('u'));
    assert!(triage_query(&mut app).unassigned);
    press(&mut app, KeyCode::Char('b'));
    press(&mut app, KeyCode::Char('m'));
    let query = triage_query(&mut app);
    assert_eq!(
        (query.assigned_staff_id, query.unassigned, query.breached),
        (2, false, true),
        "mine replaces unassigned; breached stays"
    );
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let requests = app.take_requests();
    assert_eq!(last_triage(&requests).priority, 2);
    answer_tickets(
        &mut app,
        &requests,
        ListId::Triage,
        vec![rows[4].clone()],
        "",
    );
    snap("triage_filters", &mut app);

    press(&mut app, KeyCode::Char('W'));
    type_text(&mut app, "Urgent, mine\n");
    let saved = pb::SavedView {
        id: 0,
        name: "Urgent, mine".into(),
        mine: true,
        breached: true,
        priority: 2,
        sort: pb::TicketSort::NextDue.into(),
        ..Default::default()
    };
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::SaveView(saved.clone()))]
    );
    let views = vec![pb::SavedView { id: 7, ..saved }];
    reply(
        &mut app,
        Reply::ViewSaved {
            name: "Urgent, mine".into(),
            views,
        },
    );
    // Everything off, then the view brings it back.
    for key in ['m', 'b'] {
        press(&mut app, KeyCode::Char(key));
    }
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    press(&mut app, KeyCode::Char('V'));
    snap("triage_views", &mut app);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let query = triage_query(&mut app);
    assert_eq!(
        (query.assigned_staff_id, query.breached, query.priority),
        (2, true, 2)
    );
    // And delete it.
    press(&mut app, KeyCode::Char('V'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::DeleteView { id: 7 })]
    );
}

#[test]
fn a_ticket_with_other_assignees_says_so_and_a_dispatcher_changes_them() {
    let mut app = signed_in(dina());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    let mut d = detail();
    if let Some(t) = d.ticket.as_mut() {
        t.assigned_staff_id = 1;
        t.other_assignees = vec![
            pb::Assignee {
                staff_id: 5,
                name: "Raj Menon-Price".into(),
            },
            pb::Assignee {
                staff_id: 6,
                name: "Sofia Lindqvist".into(),
            },
        ];
    }
    if let Some(p) = d.permissions.as_mut() {
        p.can_assign = true;
    }
    show_ticket(&mut app, d);
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Tom Tran (+ Raj Menon-Price, Sofia Lindqvist)"),
        "{screen}"
    );
    press(&mut app, KeyCode::Char('A'));
    snap("detail_assignees", &mut app);
    // Add Dina, the one active staff member not yet on it.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::OtherAssignee {
            number: 1042,
            staff_id: 2,
            add: true,
        })]
    );
}

/// The new-ticket form on show.
fn ticket_form(app: &App) -> &portal::ui::ticket_form::TicketForm {
    match &app.phase {
        portal::app::Phase::Main(main) => match &main.view {
            portal::app::TicketsView::New(form) => form,
            _ => panic!("no new-ticket form"),
        },
        portal::app::Phase::Login(_) => panic!("signed out"),
    }
}

/// Tab along the new-ticket form until `field` has the focus.
fn tab_to(app: &mut App, field: portal::ui::ticket_form::TicketField) {
    for _ in 0..30 {
        if ticket_form(app).form.has_focus(field) {
            return;
        }
        press(app, KeyCode::Tab);
    }
    panic!("no {field:?} field");
}

#[test]
fn new_ticket_attaches_its_files_after_creating_it_and_marks_a_bad_path_first() {
    use portal::ui::ticket_form::TicketField as F;
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("photo.jpg"), dir.path().join("log.txt"));
    std::fs::write(&a, "jpeg").expect("write");
    std::fs::write(&b, "log").expect("write");
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter);
    tab_to(&mut app, F::Title);
    type_text(&mut app, "Printer jam");
    tab_to(&mut app, F::Description);
    type_text(&mut app, "Paper stuck.");
    tab_to(&mut app, F::Attach);
    let bad = "/nonexistent/scan.pdf";
    type_text(&mut app, bad);
    ctrl(&mut app, 's');
    assert!(
        take_sent(&mut app).is_empty(),
        "nothing is sent with a bad path"
    );
    let error = ticket_form(&app)
        .form
        .field(F::Attach)
        .and_then(|f| f.error.clone())
        .unwrap_or_default();
    assert!(error.starts_with("/nonexistent/scan.pdf: "), "{error}");
    insta::assert_snapshot!("new_ticket_bad_attachment_80x24", render(&mut app, 80, 24));

    for _ in 0..bad.len() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, &format!("{}, {}", a.display(), b.display()));
    ctrl(&mut app, 's');
    let requests = take_sent(&mut app);
    let [Request::Ticket(TicketCall::CreateTicket(create))] = requests.as_slice() else {
        panic!("one create, got {requests:?}")
    };
    assert_eq!(create.title, "Printer jam");
    reply(
        &mut app,
        Reply::Created(Box::new(ticket(
            1043,
            "Printer jam",
            pb::TicketStatus::New,
            3,
            NOW,
        ))),
    );
    // One file at a time, the form saying which.
    assert_eq!(
        take_sent(&mut app),
        vec![Request::Ticket(TicketCall::Upload {
            number: 1043,
            path: a.clone()
        })]
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Ticket #1043 created · attaching 1 of 2: photo.jpg…"),
        "{screen}"
    );
    let attachment = |name: &str| pb::Attachment {
        id: 1,
        ticket_number: 1043,
        file_name: name.into(),
        ..Default::default()
    };
    reply(&mut app, Reply::Uploaded(attachment("photo.jpg")));
    let upload_b = Request::Ticket(TicketCall::Upload {
        number: 1043,
        path: b.clone(),
    });
    assert_eq!(take_sent(&mut app), vec![upload_b.clone()]);
    assert!(render(&mut app, 80, 24).contains("attaching 2 of 2: log.txt…"));
    // The second fails: the ticket opens all the same, and says which did not go.
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(upload_b),
            error: ApiError {
                code: tonic::Code::ResourceExhausted,
                message: "the server is busy".into(),
            },
        },
    );
    let requests = take_sent(&mut app);
    assert!(
        requests.contains(&Request::Ticket(TicketCall::Get { number: 1043 })),
        "the new ticket opens: {requests:?}"
    );
    let status = app
        .status
        .message
        .clone()
        .map(|(_, text)| text)
        .unwrap_or_default();
    assert!(
        status.contains("#1043 created, but not attached: log.txt (the server is busy)"),
        "{status}"
    );
}

#[test]
fn a_list_cycles_its_page_size() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    app.take_requests();
    let size = |requests: &[Request]| match requests.last() {
        Some(Request::Ticket(TicketCall::List { query, .. })) => {
            query.page.as_ref().map_or(0, |p| p.page_size)
        }
        other => panic!("a list request, not {other:?}"),
    };
    press(&mut app, KeyCode::Char('#'));
    assert_eq!(size(&app.take_requests()), 100);
    assert!(render(&mut app, 80, 24).contains("100 a page"));
    press(&mut app, KeyCode::Char('#'));
    assert_eq!(size(&app.take_requests()), 25);
    assert_eq!(app.page_sizes.get("tickets"), Some(&25));
}

#[test]
fn staff_see_the_phone_and_email_given_for_the_ticket() {
    use portal::ui::ticket_form::TicketField as F;
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter);
    tab_to(&mut app, F::Phone);
    type_text(&mut app, "+1 207 555 0199");
    tab_to(&mut app, F::Email);
    type_text(&mut app, "alice.away@harbor.example");
    snap("new_ticket_reach", &mut app);
    tab_to(&mut app, F::Title);
    type_text(&mut app, "Printer jam");
    tab_to(&mut app, F::Description);
    type_text(&mut app, "Paper stuck.");
    ctrl(&mut app, 's');
    let asked = app.take_requests();
    let Some(Request::Ticket(TicketCall::CreateTicket(r))) = asked.last() else {
        panic!("the ticket: {asked:?}");
    };
    assert_eq!(
        (r.contact_phone.as_str(), r.contact_email.as_str()),
        ("+1 207 555 0199", "alice.away@harbor.example")
    );

    let mut app = signed_in(tom());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    let mut d = detail();
    d.contact_phone = "+1 207 555 0199".into();
    d.contact_email = "alice.away@harbor.example".into();
    show_ticket(&mut app, d);
    snap("ticket_reach_for_staff", &mut app);
}

#[test]
fn my_account_says_when_it_was_last_updated() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('4'));
    let me = alice();
    fixtures::reply(
        &mut app,
        Reply::Profile(Box::new(pb::MyProfile {
            identity: Some(me),
            contact: Some(contacts()[0].clone()),
            updated_at: ts("2026-11-28T15:30:00Z"),
            updated_by: "Alice Archer".into(),
            ..Default::default()
        })),
    );
    snap("account_last_updated", &mut app);
}
