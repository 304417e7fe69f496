//! Demo-like data and helpers that drive the app as a user would: keys in,
//! requests out, replies back in, then a snapshot of the screen.

#![allow(dead_code, clippy::unnecessary_wraps)]

use chrono::DateTime;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portal::action::{
    Action, AuthCall, BillingCall, BillingReply, ListId, Reply, Request, TicketCall,
};
use portal::app::App;
use portal::keys::KeyMap;
use portal::theme::Theme;
use portal_proto::pb;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const NOW: &str = "2026-11-20T12:00:00Z";

pub fn ts(s: &str) -> Option<prost_types::Timestamp> {
    let t = DateTime::parse_from_rfc3339(s).expect("valid time");
    Some(prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    })
}

/// A fresh app that was asked to resume and found nothing remembered.
pub fn signed_out() -> App {
    let mut app = App::new(
        Theme::default(),
        KeyMap::default(),
        "http://127.0.0.1:50051".into(),
        Request::Auth(AuthCall::Resume),
    );
    app.now = DateTime::parse_from_rfc3339(NOW).expect("valid").to_utc();
    assert_eq!(app.take_requests(), vec![Request::Auth(AuthCall::Resume)]);
    reply(&mut app, Reply::NotRemembered { note: None });
    app
}

pub fn reply(app: &mut App, reply: Reply) {
    app.handle_action(Action::Reply(Box::new(reply)));
}

pub fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        press(app, code);
    }
}

pub fn render(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| app.render(f)).expect("draw");
    terminal.backend().to_string()
}

/// What opening ticket `number` asks for: the ticket and its work.
pub fn opened(number: i64) -> Vec<Request> {
    vec![
        Request::Ticket(TicketCall::Get { number }),
        Request::Work(portal::action::WorkCall::Get { number }),
    ]
}

/// Answers the requests of an opened ticket: `detail`, and no work on it.
pub fn show_ticket(app: &mut App, detail: pb::TicketDetail) {
    let number = detail.ticket.as_ref().map_or(0, |t| t.number);
    reply(app, Reply::Ticket(Box::new(detail)));
    let work = Box::new(pb::TicketWork::default());
    reply(app, Reply::Work { number, work });
}

/// Answers the last ticket-list request for `list` with `tickets`.
pub fn answer_tickets(
    app: &mut App,
    requests: &[Request],
    list: ListId,
    tickets: Vec<pb::Ticket>,
    next_cursor: &str,
) {
    let (seq, append) = requests
        .iter()
        .rev()
        .find_map(|r| match r {
            Request::Ticket(TicketCall::List {
                list: l,
                seq,
                append,
                ..
            }) if *l == list => Some((*seq, *append)),
            _ => None,
        })
        .expect("a ticket list was asked for");
    let total = tickets.len() as u64 + if next_cursor.is_empty() { 0 } else { 100 };
    reply(
        app,
        Reply::Tickets {
            list,
            seq,
            append,
            page: pb::ListTicketsResponse {
                tickets,
                next_cursor: next_cursor.into(),
                total,
                total_is_lower_bound: false,
            },
        },
    );
}

pub fn alice() -> pb::Identity {
    pb::Identity {
        staff: false,
        id: 1,
        email: "alice@harbor.example".into(),
        display_name: "Alice Archer".into(),
        access: pb::AccessLevel::Admin.into(),
        role: 0,
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        must_change_password: false,
        time_zone: "UTC".into(),
        provider_name: "Keystone Managed IT".into(),
    }
}

pub fn tom() -> pb::Identity {
    pb::Identity {
        staff: true,
        id: 1,
        email: "tom@keystone.example".into(),
        display_name: "Tom Tran".into(),
        access: 0,
        role: pb::StaffRole::Technician.into(),
        company_id: 0,
        company_name: "Keystone Managed IT".into(),
        must_change_password: false,
        time_zone: "UTC".into(),
        provider_name: "Keystone Managed IT".into(),
    }
}

pub fn stats() -> pb::TicketStats {
    let counts = [4, 6, 3, 8, 5, 7, 9, 4, 6, 10, 7, 5];
    let by_month = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (y, m) = if i < 1 { (2025, 12) } else { (2026, i) };
            pb::MonthCount {
                month: format!("{y}-{m:02}"),
                created: *c,
                completed: c.saturating_sub(2),
            }
        })
        .collect();
    pb::TicketStats {
        open: 6,
        created_this_month: 5,
        created_this_year: 70,
        awaiting_client: 2,
        awaiting_rating: 0,
        by_month,
        by_status: vec![
            pb::StatusCount {
                status: pb::TicketStatus::New.into(),
                count: 2,
            },
            pb::StatusCount {
                status: pb::TicketStatus::InProgress.into(),
                count: 2,
            },
            pb::StatusCount {
                status: pb::TicketStatus::WaitingOnClient.into(),
                count: 2,
            },
            pb::StatusCount {
                status: pb::TicketStatus::Closed.into(),
                count: 60,
            },
        ],
    }
}

pub fn ticket(
    number: i64,
    title: &str,
    status: pb::TicketStatus,
    priority: i32,
    updated: &str,
) -> pb::Ticket {
    use pb::TicketStatus::{Completed, WaitingOnClient};
    // The provider's move on open tickets: an answer due at 12:40, at risk
    // from 12:25; the client's move stops the clock.
    let (whose_move, next_due_at) = match status {
        WaitingOnClient | Completed => (pb::WhoseMove::Client, None),
        s if s as i32 <= 4 => (pb::WhoseMove::Provider, ts("2026-11-20T12:40:00Z")),
        _ => (pb::WhoseMove::Nobody, None),
    };
    pb::Ticket {
        number,
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        contact_id: 1,
        contact_name: "Alice Archer".into(),
        title: title.into(),
        description: format!("{title}. It started this week and gets worse."),
        service_type_id: 5,
        service_type_name: "Hardware".into(),
        priority,
        status: status.into(),
        created_at: ts("2026-11-02T09:00:00Z"),
        updated_at: ts(updated),
        response_due_at: ts("2026-11-20T12:40:00Z"),
        next_due_kind: if whose_move == pb::WhoseMove::Nobody {
            pb::SlaDeadline::None
        } else {
            pb::SlaDeadline::Response
        }
        .into(),
        next_risk_at: next_due_at.and(ts("2026-11-20T12:25:00Z")),
        next_due_at,
        whose_move: whose_move.into(),
        emergency: priority == 1,
        ..Default::default()
    }
}

pub fn tickets() -> Vec<pb::Ticket> {
    use pb::TicketStatus::*;
    vec![
        ticket(
            1042,
            "Printer on the second floor jams on every job",
            InProgress,
            3,
            "2026-11-20T10:15:00Z",
        ),
        ticket(
            1041,
            "New laptop for the front desk",
            WaitingOnClient,
            4,
            "2026-11-19T16:30:00Z",
        ),
        ticket(1039, "VPN drops every hour", New, 2, "2026-11-18T08:05:00Z"),
        ticket(
            1035,
            "Shared mailbox for appointments",
            Scheduled,
            5,
            "2026-11-12T13:00:00Z",
        ),
        ticket(
            1031,
            "X-ray workstation will not boot",
            WaitingOnClient,
            1,
            "2026-10-30T07:45:00Z",
        ),
        ticket(
            1020,
            "Password reset for reception",
            New,
            3,
            "2025-12-20T09:00:00Z",
        ),
    ]
}

pub fn detail() -> pb::TicketDetail {
    let mut t = ticket(
        1042,
        "Printer on the second floor jams on every job",
        pb::TicketStatus::InProgress,
        3,
        "2026-11-20T10:15:00Z",
    );
    t.description = "The printer by the lab jams on every job.\nWe restarted it twice.".into();
    t.site_name = "Main office".into();
    t.po_number = "PO-7781".into();
    t.assigned_staff_name = "Tom Tran".into();
    t.fields = vec![pb::FieldValue {
        key: "asset_tag".into(),
        value: "HD-PR-02".into(),
    }];
    pb::TicketDetail {
        ticket: Some(t),
        timeline: vec![
            pb::TimelineEntry {
                id: 3,
                kind: pb::TimelineKind::Discussion.into(),
                at: ts("2026-11-20T10:15:00Z"),
                author_name: "Tom Tran".into(),
                author_is_staff: true,
                body: "A new fuser is on its way; I will fit it tomorrow morning.".into(),
                ..Default::default()
            },
            pb::TimelineEntry {
                id: 2,
                kind: pb::TimelineKind::StatusChange.into(),
                at: ts("2026-11-19T09:00:00Z"),
                author_name: "Tom Tran".into(),
                author_is_staff: true,
                from_value: "New".into(),
                to_value: "In Progress".into(),
                ..Default::default()
            },
        ],
        timeline_cursor: "older".into(),
        tasks: vec![pb::Task {
            id: 1,
            text: "Order a fuser unit".into(),
            done: true,
            done_by: "Tom Tran".into(),
            ..Default::default()
        }],
        attachments: vec![pb::Attachment {
            id: 7,
            ticket_number: 1042,
            title: "jam.jpg".into(),
            file_name: "jam.jpg".into(),
            size: 48_213,
            uploaded_by: "Alice Archer".into(),
            uploaded_at: ts("2026-11-18T08:10:00Z"),
            ..Default::default()
        }],
        subscribers: vec![pb::Subscriber {
            contact_id: 2,
            name: "Mark Mendez".into(),
            email: "mark@harbor.example".into(),
        }],
        permissions: Some(pb::TicketPermissions {
            allowed_statuses: vec![
                pb::TicketStatus::Cancelled.into(),
                pb::TicketStatus::NoActionRequired.into(),
            ],
            can_post: true,
            can_manage_subscribers: true,
            ..Default::default()
        }),
        rating: None,
        contact_phone: String::new(),
        contact_email: String::new(),
    }
}

pub fn contact(
    id: i64,
    first: &str,
    last: &str,
    email: &str,
    access: pb::AccessLevel,
) -> pb::Contact {
    pb::Contact {
        id,
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        email: email.into(),
        details: Some(pb::ContactDetails {
            first_name: first.into(),
            last_name: last.into(),
            title: "Office manager".into(),
            phones: vec![pb::Phone {
                kind: pb::PhoneKind::Direct.into(),
                number: "555-0142".into(),
                extension: "12".into(),
            }],
            use_company_address: true,
            notifications: Some(pb::NotificationPreferences {
                staff_reply: true,
                status_changed: true,
                ..Default::default()
            }),
            ..Default::default()
        }),
        access: access.into(),
        active: true,
        last_login_at: ts("2026-11-19T08:00:00Z"),
        ..Default::default()
    }
}

pub fn contacts() -> Vec<pb::Contact> {
    vec![
        contact(
            1,
            "Alice",
            "Archer",
            "alice@harbor.example",
            pb::AccessLevel::Admin,
        ),
        contact(
            2,
            "Mark",
            "Mendez",
            "mark@harbor.example",
            pb::AccessLevel::Manager,
        ),
        contact(
            3,
            "Uma",
            "Ueda",
            "uma@harbor.example",
            pb::AccessLevel::User,
        ),
    ]
}

pub fn service_types() -> Vec<pb::ServiceType> {
    let ty = |id, name: &str, description: &str, sort_order, fields| pb::ServiceType {
        id,
        name: name.into(),
        description: description.into(),
        sort_order,
        active: true,
        fields,
    };
    vec![
        ty(9, "Other", "Anything else", 90, vec![]),
        ty(
            1,
            "Password reset",
            "Locked out or forgot a password",
            10,
            vec![],
        ),
        ty(
            5,
            "Hardware",
            "A computer, screen or device is broken",
            50,
            vec![
                pb::FieldDef {
                    key: "asset_tag".into(),
                    label: "Asset tag".into(),
                    kind: pb::FieldKind::Text.into(),
                    required: true,
                    choices: vec![],
                },
                pb::FieldDef {
                    key: "still_works".into(),
                    label: "Still usable".into(),
                    kind: pb::FieldKind::YesNo.into(),
                    required: false,
                    choices: vec![],
                },
            ],
        ),
        ty(6, "Printer", "Printing and scanning", 60, vec![]),
    ]
}

pub fn company() -> pb::Company {
    pb::Company {
        id: 1,
        name: "Harbor Dental Group".into(),
        sites: vec![
            pb::Site {
                id: 1,
                name: "Main office".into(),
                address: None,
            },
            pb::Site {
                id: 2,
                name: "Lab".into(),
                address: None,
            },
        ],
        preferences: Some(pb::CompanyPreferences {
            require_po_number: false,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Signed in as `me` with Home, the ticket list and reference data answered,
/// and live updates flowing: what a user normally sees.
pub fn signed_in(me: pb::Identity) -> App {
    let mut app = signed_in_connecting(me);
    app.handle_action(Action::Connected(true));
    app
}

/// As [`signed_in`], before the live updates have started.
pub fn signed_in_connecting(me: pb::Identity) -> App {
    let staff = me.staff;
    let mut app = signed_out();
    reply(
        &mut app,
        Reply::SignedIn {
            identity: me.clone(),
            remember_note: None,
        },
    );
    let requests = app.take_requests();
    reply(&mut app, Reply::Stats(stats()));
    let open: Vec<pb::Ticket> = tickets()
        .into_iter()
        .filter(|t| t.status != pb::TicketStatus::Closed as i32)
        .collect();
    answer_tickets(&mut app, &requests, ListId::Home, open, "");
    answer_tickets(&mut app, &requests, ListId::Tickets, tickets(), "");
    reply(
        &mut app,
        Reply::FormData {
            service_types: service_types(),
            company: Some(Box::new(company())),
            contacts: contacts(),
            staff: if staff {
                vec![
                    pb::StaffMember {
                        id: 1,
                        first_name: "Tom".into(),
                        last_name: "Tran".into(),
                        role: pb::StaffRole::Technician.into(),
                        active: true,
                        ..Default::default()
                    },
                    pb::StaffMember {
                        id: 2,
                        first_name: "Dina".into(),
                        last_name: "Duarte".into(),
                        role: pb::StaffRole::Dispatcher.into(),
                        active: true,
                        ..Default::default()
                    },
                ]
            } else {
                Vec::new()
            },
            companies: if staff {
                vec![
                    company(),
                    pb::Company {
                        id: 2,
                        name: "Alder & Finch Law".into(),
                        ..Default::default()
                    },
                ]
            } else {
                Vec::new()
            },
        },
    );
    let profile = pb::MyProfile {
        identity: Some(me),
        contact: Some(contacts()[0].clone()),
        staff: None,
        company_address: Some(pb::Address {
            line1: "12 Quay Street".into(),
            city: "Portside".into(),
            region: "ME".into(),
            postal_code: "04101".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    reply(&mut app, Reply::Profile(Box::new(profile)));
    if staff {
        // No timer running.
        reply(&mut app, Reply::Timer(pb::TimerState::default()));
    } else if requests.contains(&Request::Work(portal::action::WorkCall::Awaiting)) {
        // No estimate awaits a decision.
        reply(&mut app, Reply::AwaitingEstimates(Vec::new()));
    }
    if requests.contains(&Request::Billing(BillingCall::Summary)) {
        // Nothing is owed.
        let summary = pb::BillingSummary::default();
        reply(
            &mut app,
            Reply::Billing(Box::new(BillingReply::Summary(summary))),
        );
    }
    app
}

/// What the app asked, less the new-ticket form's search for articles that
/// may help (tui/tests/knowledge.rs checks those).
pub fn take_sent(app: &mut App) -> Vec<Request> {
    app.take_requests()
        .into_iter()
        .filter(|r| {
            !matches!(
                r,
                Request::Knowledge(portal::action::KnowledgeCall::List {
                    to: portal::action::ArticlesFor::Suggestions,
                    ..
                })
            )
        })
        .collect()
}
