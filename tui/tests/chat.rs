//! Chat in the client (docs/TICKETS.md, "Chat"): the chat over a ticket
//! (`C`), its messages sent as chat posts and the other side's arriving by
//! a live event; Home's "chat with us" opening a ticket with its chat on
//! show; and Triage's filter and marks for waiting chats. Keys in,
//! requests out, replies fed back, snapshots at 80×24 and 120×40.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{Action, ListId, Reply, Request, TicketCall};
use portal_proto::pb;

fn snap(name: &str, app: &mut portal::app::App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
}

/// Ticket 1042 as `detail()` has it, with `extra` posts after its own.
fn with_posts(extra: &[(i64, &str, bool, &str)]) -> pb::TicketDetail {
    let mut d = detail();
    for (id, who, staff, body) in extra {
        d.timeline.insert(
            0,
            pb::TimelineEntry {
                id: *id,
                kind: pb::TimelineKind::Discussion.into(),
                at: ts("2026-11-20T11:50:00Z"),
                author_name: (*who).into(),
                author_is_staff: *staff,
                body: (*body).into(),
                ..Default::default()
            },
        );
    }
    d
}

#[test]
fn a_client_chats_on_a_ticket_and_the_answer_arrives_live() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_requests(), opened(1042));
    show_ticket(&mut app, detail());
    assert!(render(&mut app, 80, 24).contains("C chat"));

    press(&mut app, KeyCode::Char('C'));
    type_text(&mut app, "Will it be done by noon?");
    snap("chat", &mut app);
    press(&mut app, KeyCode::Enter);
    let sent = Request::Ticket(TicketCall::AddPost {
        number: 1042,
        kind: pb::PostKind::Discussion,
        body: "Will it be done by noon?".into(),
        chat: true,
    });
    assert_eq!(app.take_requests(), vec![sent]);
    assert!(render(&mut app, 80, 24).contains("sending…"));
    reply(&mut app, Reply::Posted { number: 1042 });
    let mine = (4, "Alice Archer", false, "Will it be done by noon?");
    show_ticket(&mut app, with_posts(&[mine]));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Will it be done by noon?"), "{screen}");
    assert!(
        !screen.contains(" › Will it"),
        "the line emptied:\n{screen}"
    );

    // Tom answers: the live event reloads the ticket, and the answer shows
    // at the bottom of the chat, still open.
    app.handle_action(Action::Event(pb::Event {
        kind: pb::EventKind::PostAdded.into(),
        ticket_number: 1042,
        actor_name: "Tom Tran".into(),
        summary: "Tom Tran added a chat message to #1042".into(),
        ..Default::default()
    }));
    app.tick(app.now + chrono::TimeDelta::seconds(1));
    assert!(
        app.take_requests()
            .contains(&Request::Ticket(TicketCall::Get { number: 1042 }))
    );
    let answer = (5, "Tom Tran", true, "Yes, I am there at 11.");
    show_ticket(&mut app, with_posts(&[mine, answer]));
    snap("chat_answered", &mut app);

    press(&mut app, KeyCode::Esc);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Esc back"), "back on the ticket:\n{screen}");
}

#[test]
fn home_chat_with_us_opens_a_ticket_with_its_chat_on_show() {
    let mut app = signed_in(alice());
    app.take_requests();
    press(&mut app, KeyCode::Char('C'));
    type_text(&mut app, "The VPN drops every ten minutes");
    snap("home_chat_prompt", &mut app);
    press(&mut app, KeyCode::Enter);
    let Some(Request::Ticket(TicketCall::CreateTicket(create))) = app.take_requests().pop() else {
        panic!("no ticket asked for");
    };
    assert!(create.chat);
    assert_eq!(
        create.service_type_id, 0,
        "the server picks the default type"
    );
    assert_eq!(create.title, "Chat: The VPN drops every ten minutes");
    assert_eq!(create.description, "The VPN drops every ten minutes");

    let mut opened_ticket = ticket(
        1050,
        "Chat: The VPN drops every ten minutes",
        pb::TicketStatus::New,
        3,
        "2026-11-20T12:00:00Z",
    );
    opened_ticket.chat_waiting_since = ts("2026-11-20T12:00:00Z");
    reply(&mut app, Reply::Created(Box::new(opened_ticket.clone())));
    assert_eq!(app.take_requests(), opened(1050));
    opened_ticket.description = "The VPN drops every ten minutes".into();
    let d = pb::TicketDetail {
        ticket: Some(opened_ticket),
        permissions: Some(pb::TicketPermissions {
            can_post: true,
            ..Default::default()
        }),
        ..Default::default()
    };
    show_ticket(&mut app, d);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Chat on #1050"), "{screen}");
    assert!(screen.contains("Chat on #1050 · waiting 0m"), "{screen}");
    assert!(
        screen.contains("   The VPN drops every ten minutes"),
        "{screen}"
    );
}

#[test]
fn triage_marks_waiting_chats_and_filters_them() {
    let mut app = signed_in(tom());
    press(&mut app, KeyCode::Char('3'));
    let requests = app.take_requests();
    let mut rows = tickets();
    rows[0].chat_waiting_since = ts("2026-11-20T11:55:00Z");
    answer_tickets(&mut app, &requests, ListId::Triage, rows.clone(), "");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("chat 5m · "), "{screen}");
    assert!(screen.contains("w ○ chats"), "{screen}");

    press(&mut app, KeyCode::Char('w'));
    let requests = app.take_requests();
    let query = requests
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
        .expect("Triage asked again");
    assert!(query.chat_waiting);
    answer_tickets(&mut app, &requests, ListId::Triage, rows[..1].to_vec(), "");
    snap("triage_chats", &mut app);
}
