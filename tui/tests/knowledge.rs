//! The knowledge library and the account team in the client
//! (docs/KNOWLEDGE.md): the article list, search, an article read with its
//! Markdown drawn, the writer's editor, "these may help" on the new-ticket
//! form and "Our account team": keys in, requests out, replies fed back,
//! snapshots at 80×24 and 120×40.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{ArticlesFor, KnowledgeCall, Reply, Request};
use portal_proto::pb;

fn snap(name: &str, app: &mut portal::app::App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
}

fn article(id: i64, title: &str, company: Option<&str>, updated: &str) -> pb::Article {
    pb::Article {
        id,
        title: title.into(),
        company_id: i64::from(company.is_some()),
        company_name: company.unwrap_or_default().into(),
        author_name: "Tom Tran".into(),
        created_at: ts("2026-09-01T10:00:00Z"),
        updated_at: ts(updated),
        ..Default::default()
    }
}

fn articles() -> Vec<pb::Article> {
    vec![
        article(
            5,
            "Harbor: restarting the X-ray imaging workstation",
            Some("Harbor Dental Group"),
            "2026-11-18T09:00:00Z",
        ),
        article(
            4,
            "Recognising a phishing e-mail",
            None,
            "2026-10-21T09:00:00Z",
        ),
        article(
            2,
            "Clearing a stuck print queue",
            None,
            "2026-09-06T09:00:00Z",
        ),
        article(
            1,
            "Connecting to the office VPN from home",
            None,
            "2026-07-23T09:00:00Z",
        ),
    ]
}

const VPN: &str = "Working from home? The VPN makes your laptop act as if it sat in the \
office, so shared drives work as usual.\n\n## Connecting\n\n1. Click the shield icon near \
the clock and choose **Connect**.\n2. Sign in with your usual e-mail and password.\n3. Approve \
the prompt on your phone.\n\n## If it will not connect\n\n- Check that ordinary websites load.\n\
- Hotel Wi-Fi sometimes blocks VPNs: try `your phone's hotspot`.\n\n> Still stuck? Raise a \
ticket under *Network*.";

fn vpn() -> pb::Article {
    pb::Article {
        body: VPN.into(),
        ..article(
            1,
            "Connecting to the office VPN from home",
            None,
            "2026-07-23T09:00:00Z",
        )
    }
}

/// The `seq` of the last article list asked for `to`.
fn list_seq(requests: &[Request], to: ArticlesFor) -> u64 {
    requests
        .iter()
        .rev()
        .find_map(|r| match r {
            Request::Knowledge(KnowledgeCall::List { to: t, seq, .. }) if *t == to => Some(*seq),
            _ => None,
        })
        .expect("articles were asked for")
}

/// The library opened with `K` and its first page answered.
fn library(me: pb::Identity) -> portal::app::App {
    let mut app = signed_in(me);
    press(&mut app, KeyCode::Char('K'));
    let seq = list_seq(&app.take_requests(), ArticlesFor::Library);
    reply(
        &mut app,
        Reply::Articles {
            to: ArticlesFor::Library,
            seq,
            list: pb::ListArticlesResponse {
                articles: articles(),
                next_cursor: String::new(),
            },
        },
    );
    app
}

#[test]
fn clients_list_search_and_read_articles() {
    let mut app = library(alice());
    snap("knowledge_list", &mut app);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Harbor Dental Group only"), "{screen}");
    assert!(!screen.contains("n new"), "clients do not write: {screen}");

    // Search: the words go to the server.
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "vpn home");
    press(&mut app, KeyCode::Enter);
    let requests = app.take_requests();
    let searched = requests.iter().any(|r| {
        matches!(r, Request::Knowledge(KnowledgeCall::List { search, .. }) if search == "vpn home")
    });
    assert!(searched, "{requests:?}");
    let seq = list_seq(&requests, ArticlesFor::Library);
    reply(
        &mut app,
        Reply::Articles {
            to: ArticlesFor::Library,
            seq,
            list: pb::ListArticlesResponse {
                articles: vec![vpn()],
                next_cursor: String::new(),
            },
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("matching “vpn home”"), "{screen}");

    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Knowledge(KnowledgeCall::Get {
            to: ArticlesFor::Library,
            id: 1
        })]
    );
    reply(
        &mut app,
        Reply::Article {
            to: ArticlesFor::Library,
            article: Box::new(vpn()),
        },
    );
    snap("knowledge_article", &mut app);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("1. Click the shield icon"), "{screen}");
    assert!(!screen.contains("**Connect**"), "Markdown drawn: {screen}");
    // Esc back to the list, Esc back to the tickets.
    press(&mut app, KeyCode::Esc);
    assert!(render(&mut app, 80, 24).contains(" Knowledge "));
    press(&mut app, KeyCode::Esc);
    assert!(!render(&mut app, 80, 24).contains(" Knowledge "));
}

#[test]
fn articles_a_page_is_a_choice_remembered_for_the_library() {
    let mut app = library(alice());
    let page_size = |app: &mut portal::app::App| {
        app.take_requests().iter().rev().find_map(|r| match r {
            Request::Knowledge(KnowledgeCall::List { page_size, .. }) => Some(*page_size),
            _ => None,
        })
    };
    press(&mut app, KeyCode::Char('#'));
    assert_eq!(page_size(&mut app), Some(100), "50, then 100");
    // Opened again, the library keeps the choice.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('K'));
    assert_eq!(page_size(&mut app), Some(100));
}

#[test]
fn technicians_write_and_archive_articles() {
    let mut app = library(tom());
    assert!(render(&mut app, 80, 24).contains("n new"));
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "Mapping a network drive");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Open **This PC**.");
    ctrl(&mut app, 's');
    let requests = app.take_requests();
    let [Request::Knowledge(KnowledgeCall::Save { id: 0, article })] = requests.as_slice() else {
        panic!("one save, got {requests:?}")
    };
    assert_eq!(
        (
            article.title.as_str(),
            article.body.as_str(),
            article.company_id
        ),
        ("Mapping a network drive", "Open **This PC**.", 0)
    );
    // Saved: the prompt closes, the article opens, the list reloads.
    let saved = self::article(9, "Mapping a network drive", None, NOW);
    reply(&mut app, Reply::ArticleSaved(Box::new(saved)));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Saved “Mapping a network drive”"),
        "{screen}"
    );
    press(&mut app, KeyCode::Char('d'));
    press(&mut app, KeyCode::Char('y'));
    let requests = app.take_requests();
    assert!(
        requests.contains(&Request::Knowledge(KnowledgeCall::Archive {
            id: 9,
            archived: true
        })),
        "{requests:?}"
    );
}

#[test]
fn the_new_ticket_form_names_articles_that_may_help() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Down); // Hardware (Other is last)
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "VPN will not connect");
    // Asked once the title is left for the description.
    assert!(app.take_requests().is_empty());
    press(&mut app, KeyCode::Tab);
    let requests = app.take_requests();
    let asked = requests.iter().any(|r| {
        matches!(r, Request::Knowledge(KnowledgeCall::List { to: ArticlesFor::Suggestions, search, page_size: 3, .. })
            if search == "VPN will not connect")
    });
    assert!(asked, "{requests:?}");
    let seq = list_seq(&requests, ArticlesFor::Suggestions);
    reply(
        &mut app,
        Reply::Articles {
            to: ArticlesFor::Suggestions,
            seq,
            list: pb::ListArticlesResponse {
                articles: vec![vpn(), articles().remove(1)],
                next_cursor: String::new(),
            },
        },
    );
    snap("ticket_form_may_help", &mut app);
    // F2 picks one to read over the form; the form keeps its text.
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Knowledge(KnowledgeCall::Get {
            to: ArticlesFor::Suggestions,
            id: 1
        })]
    );
    reply(
        &mut app,
        Reply::Article {
            to: ArticlesFor::Suggestions,
            article: Box::new(vpn()),
        },
    );
    snap("ticket_form_article", &mut app);
    press(&mut app, KeyCode::Esc);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("VPN will not connect"), "{screen}");
}

fn team() -> pb::AccountTeam {
    pb::AccountTeam {
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        account_manager: Some(pb::TeamMember {
            staff_id: 3,
            name: "Paula Esterhazy".into(),
            email: "paula@keystone.example".into(),
        }),
        technician: Some(pb::TeamMember {
            staff_id: 1,
            name: "Tom Tran".into(),
            email: "tom@keystone.example".into(),
        }),
        after_hours_phone: "+1 312 555 0199".into(),
        updated_at: ts("2026-10-01T08:00:00Z"),
        updated_by: "Paula Esterhazy".into(),
    }
}

#[test]
fn clients_see_their_account_team() {
    let mut app = signed_in(alice());
    press(&mut app, KeyCode::Char('T'));
    let requests = app.take_requests();
    assert!(
        requests.contains(&Request::Knowledge(KnowledgeCall::Team { company_id: 0 })),
        "{requests:?}"
    );
    reply(&mut app, Reply::Team(Box::new(team())));
    snap("account_team", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(!render(&mut app, 80, 24).contains("Our account team"));
}

#[test]
fn the_provider_admin_sets_a_companys_team_from_companies() {
    let paula = pb::Identity {
        role: pb::StaffRole::Admin.into(),
        display_name: "Paula Esterhazy".into(),
        ..tom()
    };
    let mut app = signed_in(paula);
    reply(
        &mut app,
        Reply::Team(Box::new(pb::AccountTeam {
            account_manager: None,
            ..team()
        })),
    );
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("Account team of Harbor Dental Group"),
        "{screen}"
    );
    assert!(screen.contains("+1 312 555 0199"), "{screen}");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "+1 312 555 0100");
    ctrl(&mut app, 's');
    let requests = app.take_requests();
    let Some(Request::Knowledge(KnowledgeCall::SetTeam(set))) = requests.last() else {
        panic!("the team is saved, got {requests:?}")
    };
    assert_eq!(set.company_id, 1);
    assert!(
        set.after_hours_phone.ends_with("+1 312 555 0100"),
        "{set:?}"
    );
}
