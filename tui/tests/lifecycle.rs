//! Typing, quitting, signing out and keeping what is shown current
//! (issue 14): multi-line boxes, Ctrl-C, choice popups on the current
//! value, status-line messages, one's own changes and the connection.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{AccountCall, Action, ApiError, Reply, ReportCall, Request, TicketCall};
use portal::app::App;
use portal::ui::popup::Popup;
use portal_proto::pb;

fn snap(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
}

/// Alice with ticket 1042 open, as a technician may change it.
fn ticket_open(me: pb::Identity) -> App {
    let mut app = signed_in(me);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    let mut d = detail();
    if let Some(t) = &mut d.ticket {
        t.assigned_staff_id = 2;
        t.assigned_staff_name = "Dina Duarte".into();
    }
    d.permissions = Some(pb::TicketPermissions {
        allowed_statuses: vec![
            pb::TicketStatus::WaitingOnClient.into(),
            pb::TicketStatus::Cancelled.into(),
            pb::TicketStatus::NoActionRequired.into(),
        ],
        can_post: true,
        can_set_priority: true,
        can_assign: true,
        ..Default::default()
    });
    show_ticket(&mut app, d);
    app
}

fn failed(request: Request, code: tonic::Code, message: &str) -> Reply {
    Reply::Failed {
        request: Box::new(request),
        error: ApiError {
            code,
            message: message.into(),
        },
    }
}

fn status_line(app: &mut App) -> String {
    render(app, 80, 24)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn enter_in_a_text_box_is_a_new_line_and_f1_shows_the_keys() {
    let mut app = ticket_open(alice());
    press(&mut app, KeyCode::Char('r'));
    type_text(
        &mut app,
        "First line\ncso the rest is text, not commands, and a long line wraps \
         at a space within the box rather than running out of sight",
    );
    assert!(app.take_requests().is_empty(), "Enter sent nothing");
    snap("reply_two_lines", &mut app);
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::AddPost {
            number: 1042,
            kind: pb::PostKind::Discussion,
            body: "First line\ncso the rest is text, not commands, and a long line wraps \
                   at a space within the box rather than running out of sight"
                .into(),
            chat: false,
        })]
    );
    reply(&mut app, Reply::Posted { number: 1042 });

    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::F(1));
    snap("reply_keys", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(
        matches!(app.popups.last(), Some(Popup::Prompt(_))),
        "closing the keys goes back to the box"
    );
}

#[test]
fn ctrl_c_asks_when_typing_would_be_lost_and_a_second_one_quits() {
    let mut app = ticket_open(alice());
    ctrl(&mut app, 'c');
    assert!(app.quit, "nothing typed: Ctrl-C quits at once");

    let mut app = ticket_open(alice());
    press(&mut app, KeyCode::Char('r'));
    type_text(&mut app, "Half a thought");
    ctrl(&mut app, 'c');
    assert!(!app.quit);
    insta::assert_snapshot!("ctrl_c_asks_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Char('n'));
    assert!(render(&mut app, 80, 24).contains("Half a thought"));
    ctrl(&mut app, 'c');
    ctrl(&mut app, 'c');
    assert!(app.quit, "the second Ctrl-C forces");

    // A half-filled new-ticket form counts too.
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "Monitor");
    ctrl(&mut app, 'c');
    assert!(!app.quit);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.quit);
}

#[test]
fn choice_popups_open_on_the_current_value_and_ending_moves_ask() {
    let mut app = ticket_open(tom());
    press(&mut app, KeyCode::Char('p'));
    insta::assert_snapshot!("priority_on_current_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::SetPriority {
            number: 1042,
            priority: 3
        })]
    );
    press(&mut app, KeyCode::Char('A'));
    insta::assert_snapshot!("assign_on_current_80x24", render(&mut app, 80, 24));
    press(&mut app, KeyCode::Esc);

    press(&mut app, KeyCode::Char('c'));
    insta::assert_snapshot!("status_on_current_80x24", render(&mut app, 80, 24));
    for (downs, status) in [
        (2, pb::TicketStatus::Cancelled),
        (3, pb::TicketStatus::NoActionRequired),
    ] {
        if app.popups.is_empty() {
            press(&mut app, KeyCode::Char('c'));
        }
        for _ in 0..downs {
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Enter);
        assert!(app.take_requests().is_empty(), "{status:?} asks first");
        press(&mut app, KeyCode::Char('y'));
        assert_eq!(
            app.take_requests(),
            vec![Request::Ticket(TicketCall::ChangeStatus {
                number: 1042,
                status,
                note: String::new(),
            })]
        );
    }
}

#[test]
fn an_attachment_saved_to_a_folder_keeps_its_name() {
    let mut app = ticket_open(alice());
    let mut d = detail();
    d.attachments = vec![pb::Attachment {
        id: 7,
        file_name: "jam-photo.jpg".into(),
        size: 2048,
        ..Default::default()
    }];
    show_ticket(&mut app, d);
    let folder = tempfile::tempdir().expect("tempdir");
    press(&mut app, KeyCode::Char('w'));
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'u');
    type_text(&mut app, &folder.path().display().to_string());
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::Download {
            attachment_id: 7,
            path: folder.path().join("jam-photo.jpg"),
        })]
    );
}

#[test]
fn my_new_name_shows_at_once_and_home_counts_follow_my_changes() {
    let mut app = signed_in(alice());
    let renamed = pb::Identity {
        display_name: "Alice Marsh".into(),
        ..alice()
    };
    reply(
        &mut app,
        Reply::Profile(Box::new(pb::MyProfile {
            identity: Some(renamed),
            contact: Some(contacts()[0].clone()),
            ..Default::default()
        })),
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Welcome, Alice Marsh") && !screen.contains("Archer"),
        "{screen}"
    );

    // My own change: said once by the reply, not again as an event, and
    // Home's counts are fetched again.
    let mut app = ticket_open(alice());
    reply(
        &mut app,
        Reply::Changed {
            number: 1042,
            what: "moved to Waiting on Client".into(),
        },
    );
    app.take_requests();
    app.handle_action(Action::Event(pb::Event {
        kind: pb::EventKind::TicketUpdated.into(),
        ticket_number: 1042,
        at: ts(NOW),
        actor_name: "Alice Archer".into(),
        summary: "#1042 moved from In Progress to Waiting on Client".into(),
        ..Default::default()
    }));
    assert!(!status_line(&mut app).contains("moved from"), "not echoed");
    app.tick(app.now + chrono::TimeDelta::seconds(1));
    assert!(
        app.take_requests()
            .contains(&Request::Report(ReportCall::Stats))
    );

    // Someone else's change is said, with the number once.
    app.handle_action(Action::Event(pb::Event {
        kind: pb::EventKind::TicketUpdated.into(),
        ticket_number: 1042,
        at: ts(NOW),
        actor_name: "Tom Tran".into(),
        summary: "#1042 moved from Waiting on Client to In Progress".into(),
        ..Default::default()
    }));
    let line = status_line(&mut app);
    assert!(
        line.contains("#1042 moved from") && !line.contains("#1042 #1042"),
        "{line}"
    );
}

#[test]
fn messages_expire_and_errors_use_the_forms_labels() {
    let mut app = signed_in(alice());
    app.handle_action(Action::Event(pb::Event {
        kind: pb::EventKind::PostAdded.into(),
        ticket_number: 1042,
        at: ts(NOW),
        actor_name: "Tom Tran".into(),
        summary: "new reply".into(),
        ..Default::default()
    }));
    assert!(status_line(&mut app).contains("new reply"));
    app.tick(app.now + chrono::TimeDelta::seconds(6));
    assert!(!status_line(&mut app).contains("new reply"), "expired");

    // A refused password change: beside its field, and the status line
    // names no wire field.
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "wrong-one");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "A-much-better-passphrase-1");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "A-much-better-passphrase-1");
    ctrl(&mut app, 's');
    let change = app.take_requests().pop().expect("a password change");
    assert!(matches!(
        change,
        Request::Account(AccountCall::ChangePassword { .. })
    ));
    reply(
        &mut app,
        failed(
            change,
            tonic::Code::InvalidArgument,
            "current_password: is not correct",
        ),
    );
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("current_password"), "{screen}");
    insta::assert_snapshot!("password_refused_80x24", screen);

    // An error for a field the form does not show is named as people do.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 's');
    let save = app.take_requests().pop().expect("a profile save");
    reply(
        &mut app,
        failed(
            save,
            tonic::Code::InvalidArgument,
            "details.phones: each kind of phone may be given once",
        ),
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        !screen.contains("details.phones") && screen.contains("Phones: each kind"),
        "{screen}"
    );
    // Errors stay a little longer than other messages, then go too.
    app.tick(app.now + chrono::TimeDelta::seconds(6));
    assert!(status_line(&mut app).contains('✗') || status_line(&mut app).contains("Phones"));
    app.tick(app.now + chrono::TimeDelta::seconds(11));
    assert!(!status_line(&mut app).contains("Phones"));
}

#[test]
fn signing_out_says_so_and_nothing_of_the_session_follows() {
    let mut app = ticket_open(alice());
    app.handle_action(Action::Event(pb::Event {
        kind: pb::EventKind::PostAdded.into(),
        ticket_number: 1042,
        at: ts(NOW),
        actor_name: "Tom Tran".into(),
        summary: "new reply".into(),
        ..Default::default()
    }));
    press(&mut app, KeyCode::Char('L'));
    press(&mut app, KeyCode::Char('y'));
    app.take_requests();
    reply(&mut app, Reply::SignedOut);
    // The live-update stream noticing the ended session says nothing more.
    app.handle_action(Action::SessionEnded);
    snap("signed_out", &mut app);
    let screen = render(&mut app, 80, 24);
    assert!(
        !screen.contains("session has ended") && !screen.contains("new reply"),
        "{screen}"
    );
}

#[test]
fn failing_calls_show_offline_and_the_first_answer_reloads_what_is_open() {
    let mut app = ticket_open(alice());
    press(&mut app, KeyCode::Char('1'));
    app.take_requests();
    reply(
        &mut app,
        failed(
            Request::Report(ReportCall::Stats),
            tonic::Code::Unavailable,
            "tcp connect error",
        ),
    );
    let line = status_line(&mut app);
    assert!(
        line.contains("reconnecting") && !line.contains("online"),
        "{line}"
    );
    // Back: the open ticket, Home and the screen on show are fetched again.
    app.handle_action(Action::Connected(true));
    let requests = app.take_requests();
    assert!(
        requests.contains(&Request::Ticket(TicketCall::Get { number: 1042 }))
            && requests.contains(&Request::Report(ReportCall::Stats)),
        "{requests:?}"
    );
    assert!(status_line(&mut app).contains("online"));
}

#[test]
fn every_bad_field_of_my_details_shows_at_once() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('e'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "alice-at-home"); // Home e-mail
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "x"); // Direct phone: 555-0142x
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "7"); // Home phone's extension, with no number
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty(), "nothing is sent");
    let screen = render(&mut app, 120, 40);
    for error in [
        "✗ not an e-mail address",
        "✗ only digits, spaces and + ( ) - .",
        "✗ an extension needs a number",
    ] {
        assert!(screen.contains(error), "{error}:\n{screen}");
    }
    insta::assert_snapshot!("details_all_errors_120x40", screen);
}
