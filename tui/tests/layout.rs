//! Issue 14's client defects of layout and conventions, each driven as a
//! user would: keys in, requests out, replies back, the screen read.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{AccountCall, ListId, Reply, Request, TicketCall};
use portal::app::{App, Phase};
use portal::ui::TabId;
use portal_proto::pb;

fn tab(app: &App) -> TabId {
    match &app.phase {
        Phase::Main(main) => main.tab,
        Phase::Login(_) => panic!("signed out"),
    }
}

fn dispatcher() -> pb::Identity {
    pb::Identity {
        display_name: "Dina Duarte".into(),
        role: pb::StaffRole::Dispatcher.into(),
        ..tom()
    }
}

fn other_company_contacts() -> Vec<pb::Contact> {
    let mut c = contact(
        21,
        "Fiona",
        "Finch",
        "fiona@alder.example",
        pb::AccessLevel::Admin,
    );
    c.company_id = 2;
    c.company_name = "Alder & Finch Law".into();
    vec![c]
}

#[test]
fn summary_dates_are_never_cut() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    let requests = app.take_requests();
    let mut t = ticket(
        1050,
        "Scanner in the lab",
        pb::TicketStatus::WaitingOnClient,
        2,
        "2026-10-28T09:00:00Z",
    );
    t.contact_name = "Maximiliana Bartholomew-Fitzgerald".into();
    t.service_type_name = "Printing and scanning".into();
    ctrl(&mut app, 'r');
    let requests = [requests, app.take_requests()].concat();
    answer_tickets(&mut app, &requests, ListId::Tickets, vec![t], "");
    press(&mut app, KeyCode::Char('v'));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("… · updated Oct 28"),
        "the facts are cut, the date whole:\n{screen}"
    );
    insta::assert_snapshot!("summary_long_names_80x24", screen);
}

#[test]
fn a_ticket_opened_from_home_keeps_home_and_esc_returns_there() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    // An old filter on the Tickets list.
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "printer\n");
    press(&mut app, KeyCode::Char('1'));
    app.take_requests();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.take_requests(), opened(1042));
    assert_eq!(tab(&app), TabId::Home, "Home stays the active tab");
    show_ticket(&mut app, detail());
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Printer on the second floor"), "{screen}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(tab(&app), TabId::Home);
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Welcome, Alice Archer"),
        "Esc is back on Home:\n{screen}"
    );
    assert!(
        app.take_requests().iter().any(|r| matches!(
            r,
            Request::Ticket(TicketCall::List {
                list: ListId::Home,
                ..
            })
        )),
        "Home is fetched again"
    );
}

#[test]
fn a_dispatcher_filters_by_a_contact_of_the_companies_on_show() {
    let mut app = signed_in(dispatcher());
    press(&mut app, KeyCode::Char('2'));
    app.take_requests();
    press(&mut app, KeyCode::Char('f'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::CompanyContacts {
            company_id: 1
        })]
    );
    reply(
        &mut app,
        Reply::CompanyContacts {
            company_id: 1,
            contacts: contacts(),
        },
    );
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    insta::assert_snapshot!("dispatcher_filter_contact_80x24", render(&mut app, 80, 24));
    ctrl(&mut app, 's');
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List { query, .. })) = requests.last() else {
        panic!("a list request, got {requests:?}")
    };
    assert_eq!(query.contact_id, 2, "Mark Mendez, the second contact");
    // The contacts are known now: the panel opens at once.
    press(&mut app, KeyCode::Char('f'));
    assert!(app.take_requests().is_empty());
    assert!(render(&mut app, 80, 24).contains("Mark Mendez"));
}

#[test]
fn staff_subscribe_a_contact_of_the_tickets_company_and_are_told_who() {
    let mut app = signed_in(dispatcher());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    let mut d = detail();
    if let Some(t) = &mut d.ticket {
        t.company_id = 2;
        t.company_name = "Alder & Finch Law".into();
    }
    show_ticket(&mut app, d);
    press(&mut app, KeyCode::Char('+'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::SubscriberCandidates {
            company_id: 2
        })]
    );
    // Alder & Finch's contact, and Uma of Harbor, related to Alder & Finch.
    let mut candidates = other_company_contacts();
    let mut uma = contacts()[2].clone();
    uma.related_company_ids = vec![2];
    candidates.push(uma);
    reply(
        &mut app,
        Reply::SubscriberCandidates {
            company_id: 2,
            contacts: candidates,
        },
    );
    let screen = render(&mut app, 80, 24);
    let line = |who: &str| {
        screen
            .lines()
            .find(|l| l.contains(who))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(!line("Fiona Finch").contains("(related)"), "{screen}");
    assert!(line("Uma Ueda").contains("(related)"), "{screen}");
    insta::assert_snapshot!("subscribe_related_80x24", screen);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(TicketCall::AddSubscriber {
            number: 1042,
            contact_id: 21
        })]
    );
    let mut subscribers = detail().subscribers;
    subscribers.push(pb::Subscriber {
        contact_id: 21,
        name: "Fiona Finch".into(),
        email: "fiona@alder.example".into(),
    });
    reply(
        &mut app,
        Reply::Subscribers {
            number: 1042,
            subscribers,
        },
    );
    let screen = render(&mut app, 80, 24);
    let status = screen.lines().last().unwrap_or_default();
    assert!(
        status.contains("Subscribed Fiona Finch to #1042"),
        "{status}"
    );
}

/// A service type with a long date label, an optional choice and enough
/// fields that the new-ticket form overflows 80×24.
fn site_visit() -> pb::ServiceType {
    let field = |key: &str, label: &str, kind: pb::FieldKind, choices: &[&str]| pb::FieldDef {
        key: key.into(),
        label: label.into(),
        kind: kind.into(),
        required: false,
        choices: choices.iter().map(|c| (*c).to_owned()).collect(),
    };
    pb::ServiceType {
        id: 7,
        name: "Network".into(),
        description: "Connection problems".into(),
        sort_order: 5,
        active: true,
        fields: vec![
            field("started", "When did it happen", pb::FieldKind::Date, &[]),
            field(
                "connection",
                "Connection",
                pb::FieldKind::Choice,
                &["Wired", "Wi-Fi"],
            ),
            field("room", "Room", pb::FieldKind::Text, &[]),
            field("device", "Device", pb::FieldKind::Text, &[]),
            field("others", "Others affected", pb::FieldKind::YesNo, &[]),
        ],
    }
}

#[test]
fn long_labels_show_whole_and_an_overflowing_form_says_so() {
    let mut app = signed_in(alice());
    let mut types = service_types();
    types.push(site_visit());
    reply(
        &mut app,
        Reply::FormData {
            service_types: types,
            company: Some(Box::new(company())),
            contacts: contacts(),
            staff: Vec::new(),
            companies: Vec::new(),
        },
    );
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter); // Network sorts first
    let screen = render(&mut app, 80, 24);
    insta::assert_snapshot!("new_ticket_overflow_80x24", screen);
    assert!(
        screen.contains("When did it happen (YYYY-MM-DD):"),
        "the label and its format show whole:\n{screen}"
    );
    assert!(screen.contains("Connection: ◂ not set ▸"), "{screen}");
    assert!(screen.contains("Description"), "{screen}");
    assert!(screen.contains("more below"), "{screen}");
    // Down to the end (past the requester's phone and e-mail): the focus
    // shows, and so does what is above.
    for _ in 0..15 {
        press(&mut app, KeyCode::Tab);
    }
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("[ Submit ]") && screen.contains("more above"),
        "{screen}"
    );
}

#[test]
fn list_cells_are_cut_with_an_ellipsis_and_the_title_takes_the_room() {
    let mut app = signed_in(tom());
    press(&mut app, KeyCode::Char('2'));
    ctrl(&mut app, 'r');
    let requests = app.take_requests();
    let mut rows = tickets();
    rows[0].title = "Second monitor not detected at the front desk".into();
    rows[1].status = pb::TicketStatus::NoActionRequired.into();
    rows[2].contact_name = "Bartholomew Fitzgerald-Hargreaves".into();
    answer_tickets(&mut app, &requests, ListId::Tickets, rows, "");
    let narrow = render(&mut app, 80, 24);
    assert!(
        narrow.contains("Second monitor not dete…") && narrow.contains("No Action Required"),
        "{narrow}"
    );
    assert!(narrow.contains("Bartholomew F…"), "{narrow}");
    let wide = render(&mut app, 120, 40);
    // Beside the Due column the contact gets its fair share, more than at 80.
    assert!(
        wide.contains("Bartholomew Fitzgeral…"),
        "at 120 columns the contact gets more room:\n{wide}"
    );
    insta::assert_snapshot!("tickets_cut_80x24", narrow);
    insta::assert_snapshot!("tickets_cut_120x40", wide);
}

#[test]
fn home_scrolls_to_every_open_ticket_and_moves_like_the_lists() {
    let mut app = signed_in(alice());
    ctrl(&mut app, 'r');
    let requests = app.take_requests();
    let open: Vec<pb::Ticket> = (0..50)
        .map(|i| {
            ticket(
                3000 - i,
                &format!("Open ticket {i}"),
                pb::TicketStatus::New,
                3,
                "2026-11-20T09:00:00Z",
            )
        })
        .collect();
    answer_tickets(&mut app, &requests, ListId::Home, open, "cursor-1");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("#      Title") && screen.contains("Status") && screen.contains("Updated"),
        "Home's list has column headers:\n{screen}"
    );
    insta::assert_snapshot!("home_headers_80x24", screen);
    press(&mut app, KeyCode::Char('G'));
    let requests = app.take_requests();
    let Some(Request::Ticket(TicketCall::List {
        list: ListId::Home,
        append: true,
        query,
        ..
    })) = requests.last()
    else {
        panic!("the next page of Home, got {requests:?}")
    };
    assert_eq!(
        query.page.as_ref().map(|p| p.cursor.as_str()),
        Some("cursor-1")
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("#2951"),
        "G shows the last loaded:\n{screen}"
    );
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::Enter);
    // The waiting alert is the first line; a page down is ten lines on.
    assert_eq!(app.take_requests(), opened(2991));
}

#[test]
fn end_and_g_reach_the_bottom_of_a_ticket() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    let mut d = detail();
    let post = d.timeline[0].clone();
    d.timeline = (0..12)
        .map(|i| pb::TimelineEntry {
            id: 10 + i,
            ..post.clone()
        })
        .collect();
    show_ticket(&mut app, d);
    assert!(!render(&mut app, 80, 24).contains("Subscribers"));
    press(&mut app, KeyCode::Char('G'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("── Subscribers"), "{screen}");
    press(&mut app, KeyCode::Home);
    assert!(!render(&mut app, 80, 24).contains("── Subscribers"));
    press(&mut app, KeyCode::End);
    assert!(render(&mut app, 80, 24).contains("Mark Mendez <mark@harbor.example>"));
}

#[test]
fn wrapped_text_keeps_its_indent_and_times_say_their_zone_once() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    let mut d = detail();
    d.timeline[0].body = "The new fuser is on its way from the supplier; I will fit it \
        tomorrow morning before the lab opens and run a test page on every tray."
        .into();
    show_ticket(&mut app, d);
    let screen = render(&mut app, 80, 24);
    insta::assert_snapshot!("ticket_wrapped_80x24", screen);
    let body: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("The new fuser"))
        .take(2)
        .collect();
    assert!(
        body.len() == 2
            && body
                .iter()
                .all(|l| l.starts_with("\"   ") && !l.starts_with("\"    ")),
        "both lines of the reply keep its indent:\n{screen}"
    );
    assert_eq!(
        screen.matches("times UTC").count(),
        1,
        "the zone is said once:\n{screen}"
    );
}

fn mouse(app: &mut App, kind: crossterm::event::MouseEventKind, column: u16, row: u16) {
    app.handle_mouse(crossterm::event::MouseEvent {
        kind,
        column,
        row,
        modifiers: crossterm::event::KeyModifiers::NONE,
    });
}

fn click(app: &mut App, column: u16, row: u16) {
    use crossterm::event::{MouseButton, MouseEventKind};
    mouse(app, MouseEventKind::Down(MouseButton::Left), column, row);
}

#[test]
fn the_mouse_picks_tabs_and_rows_and_the_wheel_scrolls() {
    use crossterm::event::MouseEventKind;
    let mut app = signed_in(alice());
    render(&mut app, 80, 24);
    // Home's list (below the line of what is owed): line 15 is the
    // waiting alert, 16 the first ticket.
    click(&mut app, 10, 16);
    assert!(app.take_requests().is_empty(), "a click selects");
    click(&mut app, 10, 16);
    assert_eq!(
        app.take_requests(),
        opened(1042),
        "a click on the selected line opens it"
    );
    press(&mut app, KeyCode::Esc);
    app.take_requests();
    // " 1 Home │ 2 Tickets │ …": column 12 is on "2 Tickets".
    click(&mut app, 12, 0);
    assert_eq!(tab(&app), TabId::Tickets);
    render(&mut app, 80, 24);
    click(&mut app, 20, 4);
    click(&mut app, 20, 4);
    assert_eq!(app.take_requests(), opened(1041));
    press(&mut app, KeyCode::Esc);
    app.take_requests();
    render(&mut app, 80, 24);
    mouse(&mut app, MouseEventKind::ScrollDown, 20, 6);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        opened(1031),
        "the wheel moved the selection three rows on"
    );
}
