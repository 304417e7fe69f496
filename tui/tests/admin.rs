//! The administration screens: the Companies tab (a company, its users),
//! pending requests and the audit log. Keys in, requests out, replies fed
//! back, snapshots at 80×24 and 120×40.

mod fixtures;

use crossterm::event::KeyCode;
use fixtures::*;
use portal::action::{AccountCall, AdminCall, AuditQuery, Reply, Request};
use portal::app::{App, Phase};
use portal::ui::TabId;
use portal_proto::pb;

fn snap(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
}

/// Paula, the provider's Admin.
fn paula() -> pb::Identity {
    pb::Identity {
        id: 3,
        email: "paula@keystone.example".into(),
        display_name: "Paula Park".into(),
        role: pb::StaffRole::Admin.into(),
        ..tom()
    }
}

fn tab(app: &App) -> Option<TabId> {
    match &app.phase {
        Phase::Main(main) => Some(main.tab),
        Phase::Login(_) => None,
    }
}

/// Tabs along (as Tab does) until `want` is on show.
fn go_to(app: &mut App, want: TabId) {
    for _ in 0..10 {
        if tab(app) == Some(want) {
            return;
        }
        press(app, KeyCode::Tab);
    }
    panic!("no {want:?} tab");
}

/// Types each text into a field, Tab between them.
fn fill(app: &mut App, texts: &[&str]) {
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            press(app, KeyCode::Tab);
        }
        type_text(app, text);
    }
}

fn companies() -> Vec<pb::Company> {
    vec![
        pb::Company {
            phone: "+1 207 555 0100".into(),
            payment_terms_days: 30,
            active: true,
            address: Some(pb::Address {
                line1: "12 Quay Street".into(),
                city: "Portside".into(),
                region: "ME".into(),
                ..Default::default()
            }),
            ..company()
        },
        pb::Company {
            id: 2,
            name: "Alder & Finch Law".into(),
            phone: "+1 207 555 0190".into(),
            active: true,
            ..Default::default()
        },
        pb::Company {
            id: 3,
            name: "Old Mill Bakery".into(),
            payment_terms_days: 14,
            ..Default::default()
        },
    ]
}

/// Paula on the Companies tab, the list answered.
fn on_companies() -> App {
    let mut app = signed_in(paula());
    app.take_requests();
    go_to(&mut app, TabId::Companies);
    // The tabs passed on the way load too; this one asks for companies.
    let asked: Vec<Request> = app
        .take_requests()
        .into_iter()
        .filter(|r| matches!(r, Request::Admin(_)))
        .collect();
    assert_eq!(
        asked,
        vec![Request::Admin(AdminCall::Companies {
            query: String::new()
        })]
    );
    reply(&mut app, Reply::Companies(companies()));
    app
}

#[test]
fn companies_are_listed_searched_and_added() {
    let mut app = on_companies();
    snap("companies_list", &mut app);

    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "harb\n");
    assert_eq!(
        app.take_requests(),
        vec![Request::Admin(AdminCall::Companies {
            query: "harb".into()
        })]
    );
    reply(&mut app, Reply::Companies(companies()[..1].to_vec()));
    assert!(render(&mut app, 80, 24).contains("matching “harb”"));

    // A new company: the terms must be a number; sites come one a line.
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Quarry Lane Bakery");
    for _ in 0..8 {
        press(&mut app, KeyCode::Tab);
    }
    ctrl(&mut app, 'u');
    type_text(&mut app, "net 30");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Shop\nOvens");
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty(), "the terms are refused here");
    snap("company_form_error", &mut app);
    // The focus went to the field in error.
    ctrl(&mut app, 'u');
    type_text(&mut app, "30");
    ctrl(&mut app, 's');
    let sent = app.take_requests();
    let [Request::Admin(AdminCall::SaveCompany(sent))] = sent.as_slice() else {
        panic!("one SaveCompany");
    };
    assert_eq!(sent.name, "Quarry Lane Bakery");
    assert_eq!(sent.payment_terms_days, 30);
    assert_eq!(
        sent.sites
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Shop", "Ovens"]
    );
    assert!(sent.active);
    let saved = pb::Company {
        id: 9,
        ..(**sent).clone()
    };
    reply(&mut app, Reply::CompanySaved(Box::new(saved)));
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("Quarry Lane Bakery is saved"), "{screen}");
    assert!(!screen.contains("New company"), "the form closed");
}

#[test]
fn a_company_shows_its_users_and_preferences() {
    let mut app = on_companies();
    press(&mut app, KeyCode::Enter);
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
    snap("company_page", &mut app);

    // The provider Admin adds a user to this company, not to its own.
    press(&mut app, KeyCode::Char('a'));
    fill(&mut app, &["nina@harbor.example", "Nina", "North"]);
    ctrl(&mut app, 's');
    let add = app.take_requests();
    let [Request::Account(AccountCall::AddUser(add))] = add.as_slice() else {
        panic!("one AddUser");
    };
    assert_eq!(add.company_id, 1);
    let nina = pb::Contact {
        id: 4,
        email: "nina@harbor.example".into(),
        ..contacts()[2].clone()
    };
    reply(
        &mut app,
        Reply::UserAdded {
            contact: Box::new(nina),
            temporary_password: "Reef-Cloud-17".into(),
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Reef-Cloud-17"), "{screen}");
    press(&mut app, KeyCode::Enter);
    assert!(render(&mut app, 80, 24).contains("nina@harbor.example"));

    // Preferences: one toggle changed, the default subscribers kept.
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    assert_eq!(
        app.take_requests(),
        vec![Request::Admin(AdminCall::SavePreferences {
            company_id: 1,
            preferences: pb::CompanyPreferences {
                require_po_number: true,
                ..Default::default()
            },
        })]
    );
    let saved = pb::Company {
        preferences: Some(pb::CompanyPreferences {
            require_po_number: true,
            ..Default::default()
        }),
        ..companies()[0].clone()
    };
    reply(&mut app, Reply::CompanySaved(Box::new(saved)));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("PO number required: yes"), "{screen}");
    press(&mut app, KeyCode::Esc);
    assert!(
        render(&mut app, 80, 24).contains("Old Mill Bakery"),
        "back to the list"
    );
}

fn pending() -> Vec<pb::PendingRequest> {
    vec![
        pb::PendingRequest {
            id: 7,
            kind: pb::PendingRequestKind::PasswordReset.into(),
            company_id: 1,
            company_name: "Harbor Dental Group".into(),
            contact_id: 3,
            contact_name: "Uma Ueda".into(),
            email: "uma@harbor.example".into(),
            created_at: ts("2026-11-20T09:00:00Z"),
            ..Default::default()
        },
        pb::PendingRequest {
            id: 8,
            kind: pb::PendingRequestKind::Access.into(),
            company_id: 2,
            company_name: "Alder & Finch Law".into(),
            email: "new.hire@alderfinch.example".into(),
            message: "I started on Monday at the front desk.".into(),
            created_at: ts("2026-11-20T10:30:00Z"),
            ..Default::default()
        },
    ]
}

#[test]
fn pending_requests_are_approved_or_dismissed() {
    let mut app = on_companies();
    press(&mut app, KeyCode::Char('R'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Admin(AdminCall::PendingRequests)]
    );
    reply(&mut app, Reply::PendingRequests(pending()));
    snap("pending_requests", &mut app);

    // The access request: granted at a level picked from a list.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('Y'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Admin(AdminCall::ResolveRequest {
            id: 8,
            approve: true,
            access: pb::AccessLevel::Manager,
        })]
    );
    reply(
        &mut app,
        Reply::RequestResolved {
            id: 8,
            approve: true,
            temporary_password: "Tide-Lamp-42".into(),
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Tide-Lamp-42"), "{screen}");
    press(&mut app, KeyCode::Enter);

    // The reset request is dismissed.
    press(&mut app, KeyCode::Char('N'));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Admin(AdminCall::ResolveRequest {
            id: 7,
            approve: false,
            access: pb::AccessLevel::Unspecified,
        })]
    );
    reply(
        &mut app,
        Reply::RequestResolved {
            id: 7,
            approve: false,
            temporary_password: String::new(),
        },
    );
    assert!(render(&mut app, 80, 24).contains("Nothing waits"));
}

fn entry(id: i64, at: &str, actor: &str, action: &str, subject: &str) -> pb::AuditEntry {
    pb::AuditEntry {
        id,
        at: ts(at),
        actor: actor.into(),
        action: action.into(),
        subject: subject.into(),
        company_id: 1,
        detail: String::new(),
    }
}

#[test]
fn the_audit_log_filters_by_person_action_and_days_and_pages() {
    let mut app = on_companies();
    press(&mut app, KeyCode::Char('A'));
    let first = Request::Admin(AdminCall::Audit {
        query: AuditQuery::default(),
        cursor: String::new(),
        page_size: 50,
    });
    assert_eq!(app.take_requests(), vec![first]);
    reply(
        &mut app,
        Reply::Audit {
            query: Box::default(),
            first: true,
            page: pb::ListAuditLogResponse {
                entries: vec![
                    entry(
                        41,
                        "2026-11-20T11:50:00Z",
                        "alice@harbor.example",
                        "role.change",
                        "uma@harbor.example",
                    ),
                    entry(
                        40,
                        "2026-11-20T08:00:00Z",
                        "alice@harbor.example",
                        "login.ok",
                        "alice@harbor.example",
                    ),
                ],
                next_cursor: "c40".into(),
            },
        },
    );
    snap("audit_log", &mut app);

    // Older entries are added below.
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Admin(AdminCall::Audit {
            query: AuditQuery::default(),
            cursor: "c40".into(),
            page_size: 50,
        })]
    );

    // A bad day is marked on its field; a good filter asks again.
    press(&mut app, KeyCode::Char('/'));
    fill(&mut app, &["alice", "login", "2026-11-31"]);
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty());
    assert!(render(&mut app, 80, 24).contains("a day as YYYY-MM-DD"));
    ctrl(&mut app, 'u');
    fill(&mut app, &["2026-11-19", "2026-11-20"]);
    ctrl(&mut app, 's');
    let query = AuditQuery {
        actor: "alice".into(),
        action: "login".into(),
        since: ts("2026-11-19T00:00:00Z"),
        until: ts("2026-11-21T00:00:00Z"),
    };
    assert_eq!(
        app.take_requests(),
        vec![Request::Admin(AdminCall::Audit {
            query: query.clone(),
            cursor: String::new(),
            page_size: 50,
        })]
    );

    // Entries a page: 50, then 100, asked again from the newest.
    press(&mut app, KeyCode::Char('#'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Admin(AdminCall::Audit {
            query,
            cursor: String::new(),
            page_size: 100,
        })]
    );
}

fn sla() -> pb::SlaSettings {
    let target = |priority, name: &str, response, resolution| pb::SlaTargetSetting {
        priority,
        name: name.into(),
        response_minutes: response,
        resolution_minutes: resolution,
        clock: pb::SlaClock::Business.into(),
    };
    pb::SlaSettings {
        targets: vec![
            target(1, "Critical", 30, 240),
            target(2, "High", 60, 480),
            target(3, "Medium", 240, 1440),
        ],
        time_zone: "America/New_York".into(),
        business_days: vec![1, 2, 3, 4, 5],
        business_start_minute: 8 * 60,
        business_end_minute: 17 * 60,
        holidays: vec![pb::Holiday {
            day: "2026-12-25".into(),
            name: "Christmas Day".into(),
        }],
        at_risk_percent: 25,
    }
}

#[test]
fn settings_staff_and_sla_are_edited_in_prompts() {
    use portal::action::SettingsCall;
    let mut app = on_companies();
    press(&mut app, KeyCode::Char('S'));
    assert_eq!(
        app.take_requests(),
        vec![
            Request::Settings(SettingsCall::Staff),
            Request::Settings(SettingsCall::Backup)
        ]
    );
    let staff = |id, first: &str, last: &str, role: pb::StaffRole, active| pb::StaffMember {
        id,
        first_name: first.into(),
        last_name: last.into(),
        email: format!("{}@keystone.example", first.to_lowercase()),
        role: role.into(),
        active,
        ..Default::default()
    };
    reply(
        &mut app,
        Reply::StaffList(vec![
            staff(1, "Tom", "Tran", pb::StaffRole::Technician, true),
            staff(2, "Dina", "Duarte", pb::StaffRole::Dispatcher, true),
            staff(3, "Paula", "Park", pb::StaffRole::Admin, true),
            staff(4, "Olaf", "Old", pb::StaffRole::Technician, false),
        ]),
    );
    snap("settings_staff", &mut app);

    // Tom becomes a Dispatcher.
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Settings(SettingsCall::UpdateStaff(
            pb::UpdateStaffRequest {
                staff_id: 1,
                first_name: "Tom".into(),
                last_name: "Tran".into(),
                role: pb::StaffRole::Dispatcher.into(),
                active: true,
            }
        ))]
    );

    // The SLA section: a priority's targets, then the hours refused locally.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.take_requests(),
        vec![
            Request::Settings(SettingsCall::ServiceTypes),
            Request::Settings(SettingsCall::Sla)
        ]
    );
    reply(&mut app, Reply::Sla(sla()));
    snap("settings_sla", &mut app);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "45");
    ctrl(&mut app, 's');
    let mut want = sla();
    want.targets[1].response_minutes = 45;
    assert_eq!(
        app.take_requests(),
        vec![Request::Settings(SettingsCall::SaveSla(Box::new(
            want.clone()
        )))]
    );
    reply(&mut app, Reply::Sla(want));
    press(&mut app, KeyCode::Char('h'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "8am");
    ctrl(&mut app, 's');
    assert!(app.take_requests().is_empty());
    assert!(render(&mut app, 80, 24).contains("a time as HH:MM"));
}

fn backup_status(last: &str) -> pb::BackupStatus {
    pb::BackupStatus {
        scheduled: true,
        directory: "/var/backups/portal".into(),
        every_hours: 24.0,
        keep: 7,
        last_backup_at: ts(last),
    }
}

#[test]
fn the_last_good_backup_is_shown_with_its_age_and_a_warning_when_late() {
    use portal::action::SettingsCall;
    let mut app = on_companies();
    press(&mut app, KeyCode::Char('S'));
    app.take_requests();
    // Yesterday's backup is on schedule: no mark on the section bar.
    reply(
        &mut app,
        Reply::BackupStatus(backup_status("2026-11-19T03:00:00Z")),
    );
    assert!(!render(&mut app, 80, 24).contains("Backups ⚠"));
    // Three days old with a daily schedule: marked whichever section is open.
    reply(
        &mut app,
        Reply::BackupStatus(backup_status("2026-11-17T03:00:00Z")),
    );
    assert!(render(&mut app, 80, 24).contains("Backups ⚠"));
    // ← from Staff wraps to Backups, which is loaded already, but for the
    // SSH gateway's host key shown with it.
    press(&mut app, KeyCode::Left);
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::SshKeys)]
    );
    reply(
        &mut app,
        Reply::SshKeys(pb::ListMySshKeysResponse {
            keys: Vec::new(),
            host_key_fingerprint: "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8".into(),
        }),
    );
    snap("settings_backup_late", &mut app);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("2026-11-17"), "{screen}");
    assert!(screen.contains("3 d ago"), "{screen}");
    assert!(
        screen.contains("Older than twice the schedule (48 h): a backup was missed"),
        "{screen}"
    );
    // Refresh asks again.
    ctrl(&mut app, 'r');
    assert_eq!(
        app.take_requests(),
        vec![
            Request::Settings(SettingsCall::Backup),
            Request::Account(AccountCall::SshKeys)
        ]
    );
    // A server without a backup directory says so.
    reply(
        &mut app,
        Reply::BackupStatus(pb::BackupStatus {
            scheduled: false,
            ..pb::BackupStatus::default()
        }),
    );
    assert!(render(&mut app, 80, 24).contains("Scheduled backups are off"));
}

#[test]
fn a_service_type_field_line_is_checked_before_sending() {
    use portal::ui::settings_forms::parse_fields;
    let fields = parse_fields(
        "asset_tag | Asset tag | text | required\nroom | Room | choice | optional | A, B",
    )
    .expect("two fields");
    assert_eq!(fields.len(), 2);
    assert!(fields[0].required);
    assert_eq!(fields[1].choices, ["A", "B"]);
    assert_eq!(
        parse_fields("x | X | colour").unwrap_err(),
        "line 1: kind is text, multiline, date, choice or yes/no"
    );
    assert!(
        parse_fields("x | X | choice | required").is_err(),
        "a choice needs choices"
    );
}

#[test]
fn a_client_admin_sets_the_company_preferences_on_the_account_tab() {
    let mut app = signed_in(alice());
    go_to(&mut app, TabId::Account);
    app.take_requests();
    assert!(render(&mut app, 120, 40).contains("PO required"));
    press(&mut app, KeyCode::Char('o'));
    snap("account_company_preferences", &mut app);
    // PO required on; Mark (the second contact) subscribed to new tickets.
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    let sent = app.take_requests();
    assert_eq!(
        sent,
        vec![Request::Admin(AdminCall::SavePreferences {
            company_id: 1,
            preferences: pb::CompanyPreferences {
                require_po_number: true,
                users_see_all_tickets: false,
                default_subscriber_ids: vec![2],
            },
        })]
    );
    reply(&mut app, Reply::CompanySaved(Box::new(company())));
    // The prompt closes and the new-ticket form's catalog is fetched again.
    assert!(app.popups.is_empty());
    assert_eq!(
        app.take_requests(),
        vec![Request::Ticket(portal::action::TicketCall::FormData)]
    );
}

fn my_sessions() -> Vec<pb::MySession> {
    vec![
        pb::MySession {
            id: 41,
            client: "portal 0.1 full-screen".into(),
            address: "203.0.113.7".into(),
            signed_in_at: ts("2026-11-20T08:15:00Z"),
            last_used_at: ts("2026-11-20T11:58:00Z"),
            current: true,
            remembered: true,
        },
        pb::MySession {
            id: 40,
            client: "portal 0.1 CLI".into(),
            address: "198.51.100.23".into(),
            signed_in_at: ts("2026-11-18T16:40:00Z"),
            last_used_at: ts("2026-11-19T09:05:00Z"),
            current: false,
            remembered: true,
        },
        pb::MySession {
            id: 12,
            client: String::new(),
            address: "2001:db8::5".into(),
            signed_in_at: ts("2025-12-30T10:00:00Z"),
            last_used_at: ts("2026-11-02T14:30:00Z"),
            current: false,
            remembered: false,
        },
    ]
}

#[test]
fn my_sessions_on_the_account_tab_revoke_one_and_sign_out_everywhere_else() {
    let mut app = signed_in(alice());
    go_to(&mut app, TabId::Account);
    app.take_requests();
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::Sessions)]
    );
    reply(&mut app, Reply::Sessions(my_sessions()));
    snap("account_sessions", &mut app);

    // This session is not revoked with d: L signs it out.
    press(&mut app, KeyCode::Char('d'));
    assert!(app.popups.is_empty());
    assert!(app.take_requests().is_empty());

    // The CLI's session, after a confirmation.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('d'));
    snap("account_sessions_revoke", &mut app);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::RevokeSession { id: 40 })]
    );
    reply(&mut app, Reply::SessionRevoked { id: 40 });
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::Sessions)]
    );
    let mut left = my_sessions();
    left.remove(1);
    reply(&mut app, Reply::Sessions(left));
    let screen = render(&mut app, 120, 40);
    assert!(!screen.contains("portal 0.1 CLI"), "{screen}");

    // Everywhere else: this one stays.
    press(&mut app, KeyCode::Char('X'));
    snap("account_sessions_everywhere_else", &mut app);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::SignOutEverywhere {
            keep_current: true
        })]
    );
    reply(
        &mut app,
        Reply::SignedOutEverywhere {
            ended: 1,
            keep_current: true,
        },
    );
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::Sessions)]
    );
    reply(&mut app, Reply::Sessions(my_sessions()[..1].to_vec()));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("this session"), "{screen}");

    // Esc goes back to My Account.
    press(&mut app, KeyCode::Esc);
    assert!(render(&mut app, 80, 24).contains("My Account"));
}

/// Two keys: one used today, one never.
fn my_ssh_keys() -> pb::ListMySshKeysResponse {
    pb::ListMySshKeysResponse {
        keys: vec![
            pb::SshKey {
                id: 7,
                algorithm: "ssh-ed25519".into(),
                fingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s".into(),
                comment: "alice@laptop".into(),
                added_at: ts("2026-10-02T09:00:00Z"),
                last_used_at: ts("2026-11-20T11:40:00Z"),
            },
            pb::SshKey {
                id: 9,
                algorithm: "ecdsa-sha2-nistp256".into(),
                fingerprint: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU".into(),
                comment: String::new(),
                added_at: ts("2025-12-30T10:00:00Z"),
                last_used_at: None,
            },
        ],
        host_key_fingerprint: "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8".into(),
    }
}

#[test]
fn my_ssh_keys_are_listed_added_by_pasting_and_removed_after_a_confirmation() {
    let mut app = signed_in(alice());
    go_to(&mut app, TabId::Account);
    app.take_requests();
    press(&mut app, KeyCode::Char('K'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::SshKeys)]
    );
    // None yet, on a server without a gateway: what keys are for.
    reply(
        &mut app,
        Reply::SshKeys(pb::ListMySshKeysResponse::default()),
    );
    insta::assert_snapshot!("account_ssh_keys_empty_80x24", render(&mut app, 80, 24));

    reply(&mut app, Reply::SshKeys(my_ssh_keys()));
    snap("account_ssh_keys", &mut app);

    // Adding: the server's refusal shows beside the one field.
    press(&mut app, KeyCode::Char('a'));
    let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@desk";
    type_text(&mut app, "ssh-rsa nonsense");
    press(&mut app, KeyCode::Enter);
    let sent = Request::Account(AccountCall::AddSshKey {
        public_key: "ssh-rsa nonsense".into(),
    });
    assert_eq!(app.take_requests(), vec![sent.clone()]);
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(sent),
            error: portal::action::ApiError {
                code: tonic::Code::InvalidArgument,
                message: "public_key: is not an OpenSSH public key".into(),
            },
        },
    );
    snap("account_ssh_keys_add_refused", &mut app);
    for _ in 0.."ssh-rsa nonsense".len() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, line);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::AddSshKey {
            public_key: line.into()
        })]
    );
    let mut added = my_ssh_keys().keys[0].clone();
    added.id = 11;
    added.comment = "alice@desk".into();
    reply(&mut app, Reply::SshKeyAdded(added));
    assert!(app.popups.is_empty(), "the form closes once the key is in");
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::SshKeys)]
    );

    // Removing the second key, after a confirmation.
    reply(&mut app, Reply::SshKeys(my_ssh_keys()));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('d'));
    assert!(
        render(&mut app, 80, 24).contains("Remove this SSH key?"),
        "asks first"
    );
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::RemoveSshKey { id: 9 })]
    );
    reply(&mut app, Reply::SshKeyRemoved { id: 9 });
    assert_eq!(
        app.take_requests(),
        vec![Request::Account(AccountCall::SshKeys)]
    );

    // Esc goes back to My Account.
    press(&mut app, KeyCode::Esc);
    assert!(render(&mut app, 80, 24).contains("My Account"));
}

#[test]
fn a_provider_admin_relates_a_user_to_other_companies() {
    let mut app = on_companies();
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    let mut people = contacts();
    people[1].related_company_ids = vec![3];
    reply(
        &mut app,
        Reply::CompanyContacts {
            company_id: 1,
            contacts: people.clone(),
        },
    );
    // Mark, related to Old Mill Bakery: a box per other company.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('r'));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Related companies of Mark Mendez"),
        "{screen}"
    );
    assert!(screen.contains("Alder & Finch Law") && screen.contains("Old Mill Bakery"));
    insta::assert_snapshot!("related_companies_80x24", screen);
    // Alder & Finch ticked too.
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    let sent = app.take_requests();
    assert_eq!(
        sent,
        vec![Request::Account(AccountCall::SetRelatedCompanies {
            contact_id: 2,
            company_ids: vec![2, 3],
        })]
    );
    // A refusal is marked on the form, which stays open.
    reply(
        &mut app,
        Reply::Failed {
            request: Box::new(sent[0].clone()),
            error: portal::action::ApiError {
                code: tonic::Code::InvalidArgument,
                message: "related_company_ids: 2 is not a known company".into(),
            },
        },
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("2 is not a known company"), "{screen}");
    ctrl(&mut app, 's');
    assert_eq!(app.take_requests(), sent);
    let mut mark = people[1].clone();
    mark.related_company_ids = vec![2, 3];
    reply(&mut app, Reply::UserChanged(Box::new(mark)));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("mark@harbor.example is updated"),
        "{screen}"
    );
    assert!(screen.contains("Mark Mendez +2 related"), "{screen}");
    assert!(!screen.contains("Related companies of"), "the form closed");
    // Reopened, both boxes are ticked.
    press(&mut app, KeyCode::Char('r'));
    let screen = render(&mut app, 80, 24);
    assert_eq!(screen.matches("[x]").count(), 2, "{screen}");
}

#[test]
fn settings_catalog_work_types_and_failed_mail() {
    use portal::action::SettingsCall;
    let mut app = on_companies();
    press(&mut app, KeyCode::Char('S'));
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.take_requests(),
        vec![
            Request::Settings(SettingsCall::Staff),
            Request::Settings(SettingsCall::Backup),
            Request::Settings(SettingsCall::ServiceTypes),
        ]
    );
    let field = |key: &str, label: &str, kind: pb::FieldKind, required| pb::FieldDef {
        key: key.into(),
        label: label.into(),
        kind: kind.into(),
        required,
        choices: vec![],
    };
    let service_type = |id, name: &str, active, fields| pb::ServiceType {
        id,
        name: name.into(),
        description: format!("{name} requests"),
        sort_order: i32::try_from(id).unwrap(),
        active,
        fields,
    };
    reply(
        &mut app,
        Reply::ServiceTypes(vec![
            service_type(
                1,
                "New user",
                true,
                vec![
                    field("start_date", "Start date", pb::FieldKind::Date, true),
                    field("manager", "Manager", pb::FieldKind::Text, false),
                ],
            ),
            service_type(2, "Hardware fault", true, vec![]),
            service_type(3, "Fax line", false, vec![]),
        ]),
    );
    snap("settings_catalog", &mut app);

    // Catalog → SLA → Work types.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.take_requests(),
        vec![
            Request::Settings(SettingsCall::Sla),
            Request::Settings(SettingsCall::WorkTypes),
        ]
    );
    let work_type = |id, name: &str, active| pb::WorkType {
        id,
        name: name.into(),
        active,
    };
    reply(
        &mut app,
        Reply::WorkSetup {
            types: vec![
                work_type(1, "Remote support", true),
                work_type(2, "On-site", true),
                work_type(3, "Project", true),
                work_type(4, "Travel", false),
            ],
            settings: pb::WorkSettings {
                clients_see_time: true,
            },
        },
    );
    snap("settings_work_types", &mut app);

    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.take_requests(),
        vec![Request::Settings(SettingsCall::FailedMail)]
    );
    reply(
        &mut app,
        Reply::FailedMail(vec![pb::OutboxMessage {
            id: 17,
            kind: "ticket.staff_reply".into(),
            recipient: "mark@harbor.example".into(),
            subject: "[#1042] Printer offline: a reply".into(),
            body: "Tom replied to your ticket.".into(),
            ticket_number: 1042,
            created_at: ts("2026-11-19T09:00:00Z"),
            attempts: 8,
            last_error: "550 5.1.1 mailbox unavailable".into(),
            failed_at: ts("2026-11-19T21:00:00Z"),
        }]),
    );
    snap("settings_failed_mail", &mut app);
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("mark@harbor.example"), "{screen}");
    // Enter reads the whole message, with the error the table cuts short.
    press(&mut app, KeyCode::Enter);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("550 5.1.1 mailbox unavailable"), "{screen}");
    assert!(screen.contains("Tom replied to your ticket."), "{screen}");
    press(&mut app, KeyCode::Esc);

    // r puts it back in the queue after a question.
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Settings(SettingsCall::RetryMail { id: 17 })]
    );
}

/// Staff see a company's subscriptions from its page (`S`); Esc goes back.
#[test]
fn a_company_page_shows_its_subscriptions() {
    use portal::action::{BillingCall, BillingReply};
    let mut app = on_companies();
    press(&mut app, KeyCode::Enter);
    app.take_requests();
    press(&mut app, KeyCode::Char('S'));
    assert_eq!(
        app.take_requests(),
        vec![Request::Billing(BillingCall::Subscriptions {
            company_id: 1
        })]
    );
    let m365 = pb::Subscription {
        id: 1,
        company_id: 1,
        company_name: "Harbor Dental Group".into(),
        name: "Microsoft 365 Business Standard".into(),
        kind: pb::SubscriptionKind::Licence.into(),
        quantity: 24,
        term_months: 12,
        renews_on: "2027-01-15".into(),
        unit_price_cents: 15_000,
        term_cents: 360_000,
        billed_by_run: true,
        renews_soon: true,
        ..Default::default()
    };
    // Another list's answer (the Billing tab's, of every company) is not this one's.
    let other = BillingReply::Subscriptions {
        company_id: 0,
        rows: vec![m365.clone(), m365.clone()],
    };
    reply(&mut app, Reply::Billing(Box::new(other)));
    let mine = BillingReply::Subscriptions {
        company_id: 1,
        rows: vec![m365],
    };
    reply(&mut app, Reply::Billing(Box::new(mine)));
    snap("company_subscriptions", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(render(&mut app, 80, 24).contains("Harbor"));
}
