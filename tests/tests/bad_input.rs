//! docs/INPUT.md against the real server: every RPC that takes input
//! refuses bad values with INVALID_ARGUMENT naming the field and changes
//! nothing; oversized messages, deadlines, a burst of hostile calls, random
//! input and other companies' ids neither crash the server, corrupt the
//! store, starve well-behaved callers nor leak data.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code};
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use rusqlite::{Connection, OpenFlags};
use tonic::{Code, Status};

/// The tables a refused call must leave as they were (sessions, refresh
/// tokens and the audit log record calls, not data).
const DATA_TABLES: &[&str] = &[
    "provider_settings",
    "companies",
    "sites",
    "contacts",
    "contact_related_companies",
    "company_default_subscribers",
    "staff",
    "credentials",
    "pending_requests",
    "service_types",
    "tickets",
    "ticket_subscribers",
    "timeline",
    "tasks",
    "attachments",
    "estimates",
    "signoffs",
    "ratings",
    "work_types",
    "time_entries",
    "timers",
    "ticket_assignees",
    "saved_views",
    "agreements",
    "agreement_work_types",
    "time_draws",
    "invoices",
    "invoice_lines",
    "payments",
    "articles",
    "account_teams",
];

/// A hash of every row of the data tables, read straight from the file.
fn fingerprint(db: &Path) -> anyhow::Result<u64> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut h = DefaultHasher::new();
    for table in DATA_TABLES {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        let mut all = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = String::new();
            for i in 0..n {
                write!(row, "{:?}|", r.get_ref(i)?)?;
            }
            all.push(row);
        }
        all.sort();
        (table, all).hash(&mut h);
    }
    Ok(h.finish())
}

fn integrity_check(db: &Path) -> anyhow::Result<String> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
}

/// What the cases need: signed-in people and ids from the demo store.
struct Fixture {
    server: TestServer,
    alice: Session,
    /// Alice's contact id.
    alice_id: i64,
    harbor: i64,
    uma_id: i64,
    dina: Session,
    paula: Session,
    /// A Harbor ticket.
    ticket: i64,
    service_type: i64,
    /// The provider's SLA settings as they are.
    sla: pb::SlaSettings,
}

async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<(Session, pb::Identity)> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    Ok((
        Session::new(server.channel().await?, &login.token)?,
        login.identity.unwrap_or_default(),
    ))
}

async fn first_ticket(s: &Session) -> anyhow::Result<pb::Ticket> {
    let page = s
        .tickets()
        .list_tickets(pb::ListTicketsRequest::default())
        .await?
        .into_inner();
    page.tickets
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no tickets"))
}

impl Fixture {
    async fn new(server: TestServer) -> anyhow::Result<Self> {
        let (alice, alice_who) = sign_in(&server, demo::CLIENT_ADMIN).await?;
        let (_, uma) = sign_in(&server, demo::CLIENT_USER).await?;
        let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
        let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
        let ticket = first_ticket(&alice).await?.number;
        let service_type = alice
            .tickets()
            .list_service_types(pb::ListServiceTypesRequest::default())
            .await?
            .into_inner()
            .service_types
            .iter()
            .find(|s| s.fields.iter().all(|f| !f.required))
            .map(|s| s.id)
            .ok_or_else(|| anyhow::anyhow!("no service type without required fields"))?;
        let sla = paula
            .staff()
            .get_sla_settings(pb::Empty {})
            .await?
            .into_inner();
        Ok(Self {
            server,
            alice,
            alice_id: alice_who.id,
            harbor: alice_who.company_id,
            uma_id: uma.id,
            dina,
            paula,
            ticket,
            service_type,
            sla,
        })
    }
}

type Call = Pin<Box<dyn Future<Output = Result<(), Status>> + Send>>;
/// A call whose answer was checked: `Err` says what was wrong.
type Check = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// One bad value sent to one RPC, and the field the answer must name.
struct Case {
    rpc: &'static str,
    field: &'static str,
    what: &'static str,
    call: Call,
}

/// `case!(cases, "Rpc", "field", "what", client, method, request)`.
macro_rules! case {
    ($cases:ident, $rpc:literal, $field:literal, $what:expr, $client:expr, $method:ident, $req:expr) => {{
        let mut client = $client;
        let req = $req;
        $cases.push(Case {
            rpc: $rpc,
            field: $field,
            what: $what,
            call: Box::pin(async move { client.$method(req).await.map(drop) }),
        });
    }};
}

#[path = "bad_input/knowledge.rs"]
mod knowledge;
#[path = "bad_input/queue.rs"]
mod queue;
#[path = "bad_input/ratings.rs"]
mod ratings;
#[path = "bad_input/work.rs"]
mod work;

#[path = "bad_input/billing.rs"]
mod billing;
#[path = "bad_input/subscriptions.rs"]
mod subscriptions;

fn long(n: usize) -> String {
    "x".repeat(n)
}

/// Just over the 64 KiB a post may hold.
fn too_long_post() -> String {
    "y".repeat(64 * 1024 + 1)
}

fn details(first: &str, last: &str) -> pb::ContactDetails {
    pb::ContactDetails {
        first_name: first.into(),
        last_name: last.into(),
        ..Default::default()
    }
}

fn with_details(f: impl FnOnce(&mut pb::ContactDetails)) -> pb::ContactDetails {
    let mut d = details("Ann", "Lee");
    f(&mut d);
    d
}

fn phone(kind: pb::PhoneKind, number: &str, extension: &str) -> pb::Phone {
    pb::Phone {
        kind: kind as i32,
        number: number.into(),
        extension: extension.into(),
    }
}

/// `Some` page: the requests' page fields are optional.
#[allow(clippy::unnecessary_wraps)]
fn page(page_size: u32, cursor: &str) -> Option<pb::PageRequest> {
    Some(pb::PageRequest {
        page_size,
        cursor: cursor.into(),
    })
}

/// A cursor that decodes (hex of JSON) but is no cursor of the list.
fn forged_cursor() -> String {
    hex::encode(br#"{"sort":"Bogus","value":"'; DROP TABLE tickets; --","id":-1}"#)
}

fn valid_ticket(f: &Fixture) -> pb::CreateTicketRequest {
    pb::CreateTicketRequest {
        title: "Printer offline".into(),
        description: "It shows an error.".into(),
        service_type_id: f.service_type,
        ..Default::default()
    }
}

fn valid_company() -> pb::Company {
    pb::Company {
        name: "Brand New Co".into(),
        ..Default::default()
    }
}

fn valid_service_type() -> pb::ServiceType {
    pb::ServiceType {
        name: "Backups".into(),
        active: true,
        fields: vec![pb::FieldDef {
            key: "size".into(),
            label: "Size".into(),
            kind: pb::FieldKind::Choice as i32,
            choices: vec!["small".into(), "large".into()],
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn upload(
    messages: Vec<pb::UploadAttachmentRequest>,
) -> impl tonic::IntoStreamingRequest<Message = pb::UploadAttachmentRequest> {
    tokio_stream::iter(messages)
}

fn meta(
    number: i64,
    title: &str,
    file_name: &str,
    content_type: &str,
) -> pb::UploadAttachmentRequest {
    pb::UploadAttachmentRequest {
        part: Some(Part::Meta(pb::AttachmentMeta {
            number,
            title: title.into(),
            file_name: file_name.into(),
            content_type: content_type.into(),
        })),
    }
}

fn data(bytes: &[u8]) -> pb::UploadAttachmentRequest {
    pb::UploadAttachmentRequest {
        part: Some(Part::Data(bytes.to_vec())),
    }
}

#[allow(clippy::too_many_lines)]
#[rustfmt::skip]
fn auth_cases(f: &Fixture, anon: &Session, cases: &mut Vec<Case>) {
    let login = |email: &str, password: &str| pb::LoginRequest {
        email: email.into(),
        password: password.into(),
        remember_me: false,
        ..Default::default()
    };
    case!(cases, "Login", "email", "255 characters", anon.auth(), login, login(&format!("{}@x.example", long(245)), "pw"));
    case!(cases, "Login", "email", "empty", anon.auth(), login, login("", "pw"));
    case!(cases, "Login", "email", "NUL byte", anon.auth(), login, login("alice\0@harbor.example", "pw"));
    case!(cases, "Login", "password", "empty", anon.auth(), login, login(demo::CLIENT_ADMIN, ""));
    for (what, email) in [
        ("no @", "not-an-email"),
        ("no domain dot", "a@b"),
        ("space", "a b@c.example"),
        ("two @", "a@@c.example"),
        ("empty", ""),
        ("newline", "a@c.example\nBcc: x@y.example"),
    ] {
        case!(cases, "ForgotPassword", "email", what, anon.auth(), forgot_password, pb::ForgotPasswordRequest { email: email.into() });
        case!(cases, "RequestAccess", "email", what, anon.auth(), request_access, pb::RequestAccessRequest { email: email.into(), message: String::new() });
    }
    case!(cases, "RequestAccess", "message", "1001 characters", anon.auth(), request_access, pb::RequestAccessRequest { email: demo::CLIENT_USER.into(), message: long(1001) });
    case!(cases, "RequestAccess", "message", "NUL byte", anon.auth(), request_access, pb::RequestAccessRequest { email: demo::CLIENT_USER.into(), message: "let me in\0".into() });
    case!(cases, "RequestAccess", "message", "terminal escape", anon.auth(), request_access, pb::RequestAccessRequest { email: demo::CLIENT_USER.into(), message: "\x1b[2Jhi".into() });
    case!(cases, "ChangePassword", "current_password", "empty", f.alice.accounts(), change_password, pb::ChangePasswordRequest { current_password: String::new(), new_password: "Another-Long-Pass-99".into() });
    case!(cases, "ChangePassword", "new_password", "too short", f.alice.accounts(), change_password, pb::ChangePasswordRequest { current_password: DEMO_PASSWORD.into(), new_password: "a".into() });
    case!(cases, "ChangePassword", "new_password", "same as current", f.alice.accounts(), change_password, pb::ChangePasswordRequest { current_password: DEMO_PASSWORD.into(), new_password: DEMO_PASSWORD.into() });
    case!(cases, "RevokeSession", "session_id", "zero", f.alice.auth(), revoke_session, pb::RevokeSessionRequest { session_id: 0 });
    case!(cases, "RevokeSession", "session_id", "negative", f.alice.auth(), revoke_session, pb::RevokeSessionRequest { session_id: -1 });
    for (what, key) in [
        ("empty", String::new()),
        ("not a key", "hello there".to_owned()),
        ("bad base64", "ssh-ed25519 AAAA!!!! me@host".to_owned()),
        ("unknown algorithm", "ssh-foo AAAAB3NzaC1yc2E= me@host".to_owned()),
        ("a private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----".to_owned()),
        ("NUL byte", "ssh-ed25519\0AAAAC3NzaC1lZDI1NTE5 me".to_owned()),
        ("4097 bytes", format!("ssh-ed25519 {}", long(4085))),
    ] {
        case!(cases, "AddSshKey", "public_key", what, f.alice.auth(), add_ssh_key, pb::AddSshKeyRequest { public_key: key });
    }
    case!(cases, "RemoveSshKey", "key_id", "zero", f.alice.auth(), remove_ssh_key, pb::RemoveSshKeyRequest { key_id: 0 });
    case!(cases, "RemoveSshKey", "key_id", "negative", f.alice.auth(), remove_ssh_key, pb::RemoveSshKeyRequest { key_id: -1 });
}

#[allow(clippy::too_many_lines)]
#[rustfmt::skip]
fn account_cases(f: &Fixture, cases: &mut Vec<Case>) {
    let a = || f.alice.accounts();
    let profile = |d: pb::ContactDetails| pb::UpdateMyProfileRequest { details: Some(d) };
    case!(cases, "UpdateMyProfile", "details", "missing", a(), update_my_profile, pb::UpdateMyProfileRequest { details: None });
    case!(cases, "UpdateMyProfile", "details.first_name", "101 characters", a(), update_my_profile, profile(details(&long(101), "Lee")));
    case!(cases, "UpdateMyProfile", "details.first_name", "blank", a(), update_my_profile, profile(details("  ", "Lee")));
    case!(cases, "UpdateMyProfile", "details.last_name", "NUL byte", a(), update_my_profile, profile(details("Ann", "L\0ee")));
    case!(cases, "UpdateMyProfile", "details.last_name", "101 characters", a(), update_my_profile, profile(details("Ann", &long(101))));
    case!(cases, "UpdateMyProfile", "details.title", "terminal escape", a(), update_my_profile, profile(with_details(|d| d.title = "\x1b]0;pwned\x07".into())));
    case!(cases, "UpdateMyProfile", "details.home_email", "malformed", a(), update_my_profile, profile(with_details(|d| d.home_email = "home@".into())));
    case!(cases, "UpdateMyProfile", "details.private_email", "malformed", a(), update_my_profile, profile(with_details(|d| d.private_email = "a@b".into())));
    case!(cases, "UpdateMyProfile", "details.address.city", "201 characters", a(), update_my_profile, profile(with_details(|d| d.address = Some(pb::Address { city: long(201), ..Default::default() }))));
    case!(cases, "UpdateMyProfile", "details.address.line1", "newline", a(), update_my_profile, profile(with_details(|d| d.address = Some(pb::Address { line1: "a\nb".into(), ..Default::default() }))));
    case!(cases, "UpdateMyProfile", "details.phones", "10,000 phones", a(), update_my_profile, profile(with_details(|d| d.phones = (0..10_000).map(|i| phone(pb::PhoneKind::Direct, &format!("555 {i:04}"), "")).collect())));
    case!(cases, "UpdateMyProfile", "details.phones", "unknown kind 99", a(), update_my_profile, profile(with_details(|d| d.phones = vec![pb::Phone { kind: 99, number: "555".into(), extension: String::new() }])));
    case!(cases, "UpdateMyProfile", "details.phones", "letters in number", a(), update_my_profile, profile(with_details(|d| d.phones = vec![phone(pb::PhoneKind::Mobile, "call me", "")])));
    case!(cases, "UpdateMyProfile", "details.phones", "letters in extension", a(), update_my_profile, profile(with_details(|d| d.phones = vec![phone(pb::PhoneKind::Mobile, "555", "12a")])));

    case!(cases, "GetCompany", "company_id", "-1", a(), get_company, pb::GetCompanyRequest { company_id: -1 });
    let prefs = |ids: Vec<i64>| {
        Some(pb::CompanyPreferences {
            default_subscriber_ids: ids,
            ..Default::default()
        })
    };
    case!(cases, "UpdateCompanyPreferences", "company_id", "-1", a(), update_company_preferences, pb::UpdateCompanyPreferencesRequest { company_id: -1, preferences: prefs(vec![]) });
    case!(cases, "UpdateCompanyPreferences", "preferences", "missing", a(), update_company_preferences, pb::UpdateCompanyPreferencesRequest { company_id: 0, preferences: None });
    case!(cases, "UpdateCompanyPreferences", "preferences.default_subscriber_ids", "0", a(), update_company_preferences, pb::UpdateCompanyPreferencesRequest { company_id: 0, preferences: prefs(vec![0]) });
    case!(cases, "UpdateCompanyPreferences", "preferences.default_subscriber_ids", "-5", a(), update_company_preferences, pb::UpdateCompanyPreferencesRequest { company_id: 0, preferences: prefs(vec![f.uma_id, -5]) });
    case!(cases, "UpdateCompanyPreferences", "preferences.default_subscriber_ids", "100,000 ids", a(), update_company_preferences, pb::UpdateCompanyPreferencesRequest { company_id: 0, preferences: prefs((1..=100_000).collect()) });
    case!(cases, "UpdateCompanyPreferences", "preferences.default_subscriber_ids", "unknown contact", a(), update_company_preferences, pb::UpdateCompanyPreferencesRequest { company_id: 0, preferences: prefs(vec![9_999_999]) });

    let list = |company_id: i64, query: &str, page: Option<pb::PageRequest>| pb::ListUsersRequest {
        company_id,
        query: query.into(),
        include_inactive: false,
        page,
        include_related: false,
    };
    case!(cases, "ListUsers", "company_id", "-1", a(), list_users, list(-1, "", None));
    case!(cases, "ListUsers", "query", "201 characters", a(), list_users, list(0, &long(201), None));
    case!(cases, "ListUsers", "query", "NUL byte", a(), list_users, list(0, "a\0", None));
    case!(cases, "ListUsers", "page.page_size", "201", a(), list_users, list(0, "", page(201, "")));
    case!(cases, "ListUsers", "page.cursor", "not hex", a(), list_users, list(0, "", page(0, "zz")));
    case!(cases, "ListUsers", "page.cursor", "forged", a(), list_users, list(0, "", page(0, &forged_cursor())));
    case!(cases, "GetUser", "contact_id", "0", a(), get_user, pb::GetUserRequest { contact_id: 0 });
    case!(cases, "GetUser", "contact_id", "-1", a(), get_user, pb::GetUserRequest { contact_id: -1 });

    let add = |email: &str, access: i32, d: Option<pb::ContactDetails>| pb::AddUserRequest {
        company_id: 0,
        email: email.into(),
        details: d,
        access,
    };
    let user = pb::AccessLevel::User as i32;
    for email in [
        "",
        "nobody",
        "a@b",
        "a b@harbor.example",
        "a@harbor..example",
        "a@-harbor.example",
        "\0@harbor.example",
    ] {
        case!(cases, "AddUser", "email", "malformed e-mail", a(), add_user, add(email, user, Some(details("New", "Person"))));
    }
    case!(cases, "AddUser", "email", "255 characters", a(), add_user, add(&format!("{}@harbor.example", long(240)), user, Some(details("New", "Person")) ));
    case!(cases, "AddUser", "company_id", "-1", a(), add_user, pb::AddUserRequest { company_id: -1, ..add("new@harbor.example", user, Some(details("New", "Person"))) });
    case!(cases, "AddUser", "access", "unspecified", a(), add_user, add("new@harbor.example", 0, Some(details("New", "Person"))));
    case!(cases, "AddUser", "access", "unknown 99", a(), add_user, add("new@harbor.example", 99, Some(details("New", "Person"))));
    case!(cases, "AddUser", "access", "-1", a(), add_user, add("new@harbor.example", -1, Some(details("New", "Person"))));
    case!(cases, "AddUser", "details", "missing", a(), add_user, add("new@harbor.example", user, None));
    case!(cases, "AddUser", "details.first_name", "101 characters", a(), add_user, add("new@harbor.example", user, Some(details(&long(101), "Person")) ));
    case!(cases, "AddUser", "details.last_name", "control character", a(), add_user, add("new@harbor.example", user, Some(details("New", "Per\x07son")) ));
    case!(cases, "AddUser", "details.phones", "10,000 phones", a(), add_user, add("new@harbor.example", user, Some(with_details(|d| d.phones = (0..10_000).map(|_| phone(pb::PhoneKind::Fax, "555", "")).collect())) ));

    let update =
        |contact_id: i64, email: &str, d: Option<pb::ContactDetails>| pb::UpdateUserRequest {
            contact_id,
            details: d,
            email: email.into(),
        };
    case!(cases, "UpdateUser", "contact_id", "0", a(), update_user, update(0, "", Some(details("Uma", "U"))));
    case!(cases, "UpdateUser", "contact_id", "-7", a(), update_user, update(-7, "", Some(details("Uma", "U"))));
    case!(cases, "UpdateUser", "details", "missing", a(), update_user, update(f.uma_id, "", None));
    case!(cases, "UpdateUser", "details.first_name", "NUL byte", a(), update_user, update(f.uma_id, "", Some(details("U\0ma", "U"))));
    case!(cases, "UpdateUser", "email", "malformed", a(), update_user, update(f.uma_id, "uma@", Some(details("Uma", "U"))));

    case!(cases, "SetAccessLevel", "contact_id", "0", a(), set_access_level, pb::SetAccessLevelRequest { contact_id: 0, access: pb::AccessLevel::Manager as i32 });
    case!(cases, "SetAccessLevel", "access", "unspecified", a(), set_access_level, pb::SetAccessLevelRequest { contact_id: f.uma_id, access: 0 });
    case!(cases, "SetAccessLevel", "access", "unknown 99", a(), set_access_level, pb::SetAccessLevelRequest { contact_id: f.uma_id, access: 99 });
    case!(cases, "SetUserActive", "contact_id", "-1", a(), set_user_active, pb::SetUserActiveRequest { contact_id: -1, active: false });
    let p = || f.paula.accounts();
    let relate = |contact_id: i64, ids: Vec<i64>| pb::SetRelatedCompaniesRequest { contact_id, related_company_ids: ids };
    case!(cases, "SetRelatedCompanies", "contact_id", "0", p(), set_related_companies, relate(0, vec![]));
    case!(cases, "SetRelatedCompanies", "contact_id", "-2", p(), set_related_companies, relate(-2, vec![]));
    case!(cases, "SetRelatedCompanies", "related_company_ids", "0", p(), set_related_companies, relate(f.uma_id, vec![0]));
    case!(cases, "SetRelatedCompanies", "related_company_ids", "-3", p(), set_related_companies, relate(f.uma_id, vec![f.harbor + 1, -3]));
    case!(cases, "SetRelatedCompanies", "related_company_ids", "51 companies", p(), set_related_companies, relate(f.uma_id, (1..=51).collect()));
    case!(cases, "SetRelatedCompanies", "related_company_ids", "unknown company", p(), set_related_companies, relate(f.uma_id, vec![9_999_999]));
    case!(cases, "SetRelatedCompanies", "related_company_ids", "the contact's own company", p(), set_related_companies, relate(f.uma_id, vec![f.harbor]));
    case!(cases, "ResetUserPassword", "contact_id", "0", a(), reset_user_password, pb::ResetUserPasswordRequest { contact_id: 0 });
    case!(cases, "ListPendingRequests", "company_id", "-1", a(), list_pending_requests, pb::ListPendingRequestsRequest { company_id: -1, page: None });
    case!(cases, "ListPendingRequests", "page.page_size", "201", a(), list_pending_requests, pb::ListPendingRequestsRequest { company_id: 0, page: page(201, "") });
    case!(cases, "ListPendingRequests", "page.cursor", "not hex", a(), list_pending_requests, pb::ListPendingRequestsRequest { company_id: 0, page: page(0, "zz") });
    case!(cases, "ResolvePendingRequest", "request_id", "0", a(), resolve_pending_request, pb::ResolvePendingRequestRequest { request_id: 0, approve: true, access: 0 });
    case!(cases, "ResolvePendingRequest", "access", "unknown 99", a(), resolve_pending_request, pb::ResolvePendingRequestRequest { request_id: 1, approve: true, access: 99 });
}

#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
#[rustfmt::skip]
fn ticket_cases(f: &Fixture, cases: &mut Vec<Case>) {
    let t = || f.alice.tickets();
    let n = f.ticket;
    let create = |g: &dyn Fn(&mut pb::CreateTicketRequest)| {
        let mut r = valid_ticket(f);
        g(&mut r);
        r
    };
    case!(cases, "CreateTicket", "title", "201 characters", t(), create_ticket, create(&|r| r.title = long(201)));
    case!(cases, "CreateTicket", "title", "blank", t(), create_ticket, create(&|r| r.title = " \t ".into()));
    case!(cases, "CreateTicket", "title", "NUL byte", t(), create_ticket, create(&|r| r.title = "Print\0er".into()));
    case!(cases, "CreateTicket", "title", "newline", t(), create_ticket, create(&|r| r.title = "Printer\noffline".into()));
    case!(cases, "CreateTicket", "title", "terminal escape", t(), create_ticket, create(&|r| r.title = "\x1b[31mred".into()));
    case!(cases, "CreateTicket", "description", "64 KiB + 1", t(), create_ticket, create(&|r| r.description = too_long_post()));
    case!(cases, "CreateTicket", "description", "NUL byte", t(), create_ticket, create(&|r| r.description = "a\0b".into()));
    case!(cases, "CreateTicket", "description", "terminal escape", t(), create_ticket, create(&|r| r.description = "line\n\x1b[2J".into()));
    case!(cases, "CreateTicket", "service_type_id", "0", t(), create_ticket, create(&|r| r.service_type_id = 0));
    case!(cases, "CreateTicket", "service_type_id", "-1", t(), create_ticket, create(&|r| r.service_type_id = -1));
    case!(cases, "CreateTicket", "service_type_id", "unknown", t(), create_ticket, create(&|r| r.service_type_id = 9_999_999));
    case!(cases, "CreateTicket", "site_id", "-1", t(), create_ticket, create(&|r| r.site_id = -1));
    case!(cases, "CreateTicket", "site_id", "unknown", t(), create_ticket, create(&|r| r.site_id = 9_999_999));
    case!(cases, "CreateTicket", "contact_id", "-1", t(), create_ticket, create(&|r| r.contact_id = -1));
    case!(cases, "CreateTicket", "company_id", "-1", t(), create_ticket, create(&|r| r.company_id = -1));
    case!(cases, "CreateTicket", "contact_phone", "letters", t(), create_ticket, create(&|r| r.contact_phone = "call me".into()));
    case!(cases, "CreateTicket", "contact_phone", "41 characters", t(), create_ticket, create(&|r| r.contact_phone = "1".repeat(41)));
    case!(cases, "CreateTicket", "contact_email", "not an address", t(), create_ticket, create(&|r| r.contact_email = "alice at harbor".into()));
    case!(cases, "CreateTicket", "contact_email", "NUL byte", t(), create_ticket, create(&|r| r.contact_email = "a\0@harbor.example".into()));
    for (what, date) in [
        ("Feb 30", "2026-02-30"),
        ("word", "tomorrow"),
        ("no padding", "2030-1-1"),
        ("in the past", "2001-01-01"),
        ("time too", "2030-01-01T10:00"),
    ] {
        case!(cases, "CreateTicket", "due_date", what, t(), create_ticket, create(&|r| r.due_date = date.into()));
    }
    case!(cases, "CreateTicket", "po_number", "51 characters", t(), create_ticket, create(&|r| r.po_number = long(51)));
    case!(cases, "CreateTicket", "fields", "10,000 values", t(), create_ticket, create(&|r| r.fields = (0..10_000).map(|i| pb::FieldValue { key: format!("k{i}"), value: "v".into() }).collect()));
    case!(cases, "CreateTicket", "fields.nope", "unknown key", t(), create_ticket, create(&|r| r.fields = vec![pb::FieldValue { key: "nope".into(), value: "v".into() }]));
    for p in [6, -1, 99] {
        case!(cases, "CreateTicket", "priority", "out of range", f.dina.tickets(), create_ticket, pb::CreateTicketRequest { contact_id: f.uma_id, priority: p, ..valid_ticket(f) });
    }
    case!(cases, "CreateTicket", "priority", "out of range (client)", t(), create_ticket, create(&|r| r.priority = 6));

    let list = |g: &dyn Fn(&mut pb::ListTicketsRequest)| {
        let mut r = pb::ListTicketsRequest::default();
        g(&mut r);
        r
    };
    case!(cases, "ListTickets", "text", "1001 characters", t(), list_tickets, list(&|r| r.text = long(1001)));
    case!(cases, "ListTickets", "status", "unknown 99", t(), list_tickets, list(&|r| r.status = 99));
    case!(cases, "ListTickets", "status", "-1", t(), list_tickets, list(&|r| r.status = -1));
    case!(cases, "ListTickets", "status_group", "unknown 99", t(), list_tickets, list(&|r| r.status_group = 99));
    case!(cases, "ListTickets", "sort", "unknown 99", t(), list_tickets, list(&|r| r.sort = 99));
    case!(cases, "ListTickets", "number", "-1", t(), list_tickets, list(&|r| r.number = -1));
    case!(cases, "ListTickets", "contact_id", "-1", t(), list_tickets, list(&|r| r.contact_id = -1));
    for p in [6, -1] {
        case!(cases, "ListTickets", "priority", "out of range", t(), list_tickets, list(&|r| r.priority = p));
    }
    case!(cases, "ListTickets", "service_type_id", "-1", t(), list_tickets, list(&|r| r.service_type_id = -1));
    case!(cases, "ListTickets", "created_from", "Feb 30", t(), list_tickets, list(&|r| r.created_from = "2026-02-30".into()));
    case!(cases, "ListTickets", "created_to", "word", t(), list_tickets, list(&|r| r.created_to = "tomorrow".into()));
    case!(cases, "ListTickets", "updated_from", "month 13", t(), list_tickets, list(&|r| r.updated_from = "2026-13-01".into()));
    case!(cases, "ListTickets", "updated_to", "before from", t(), list_tickets, list(&|r| { r.updated_from = "2026-03-02".into(); r.updated_to = "2026-03-01".into(); }));
    case!(cases, "ListTickets", "company_id", "-1", t(), list_tickets, list(&|r| r.company_id = -1));
    case!(cases, "ListTickets", "assigned_staff_id", "-1", t(), list_tickets, list(&|r| r.assigned_staff_id = -1));
    case!(cases, "ListTickets", "page.page_size", "201", t(), list_tickets, list(&|r| r.page = page(201, "")));
    case!(cases, "ListTickets", "page.cursor", "not hex", t(), list_tickets, list(&|r| r.page = page(0, "not a cursor")));
    case!(cases, "ListTickets", "page.cursor", "forged", t(), list_tickets, list(&|r| r.page = page(0, &forged_cursor())));

    case!(cases, "GetTicket", "number", "0", t(), get_ticket, pb::GetTicketRequest { number: 0 });
    case!(cases, "GetTicket", "number", "-1", t(), get_ticket, pb::GetTicketRequest { number: -1 });
    case!(cases, "GetTimeline", "number", "0", t(), get_timeline, pb::GetTimelineRequest { number: 0, page: None });
    case!(cases, "GetTimeline", "page.cursor", "garbage", t(), get_timeline, pb::GetTimelineRequest { number: n, page: page(0, "t-5") });
    case!(cases, "GetTimeline", "page.page_size", "201", t(), get_timeline, pb::GetTimelineRequest { number: n, page: page(201, "") });

    let post = |kind: i32, body: String| pb::AddPostRequest {
        number: n,
        kind,
        body,
        chat: false,
    };
    case!(cases, "AddPost", "number", "0", t(), add_post, pb::AddPostRequest { number: 0, ..post(1, "hi".into()) });
    case!(cases, "AddPost", "kind", "unknown 99", t(), add_post, post(99, "hi".into()));
    case!(cases, "AddPost", "body", "blank", t(), add_post, post(1, " \n ".into()));
    case!(cases, "AddPost", "body", "64 KiB + 1", t(), add_post, post(1, too_long_post()));
    case!(cases, "AddPost", "body", "NUL byte", t(), add_post, post(1, "a\0b".into()));
    case!(cases, "AddPost", "body", "terminal escape", t(), add_post, post(1, "see \x1b]8;;http://evil.example\x07here".into()));

    let status = |number: i64, status: i32, note: String| pb::ChangeStatusRequest {
        number,
        status,
        note,
    };
    case!(cases, "ChangeStatus", "number", "-1", t(), change_status, status(-1, pb::TicketStatus::Cancelled as i32, String::new()));
    case!(cases, "ChangeStatus", "status", "unspecified", t(), change_status, status(n, 0, String::new()));
    case!(cases, "ChangeStatus", "status", "unknown 99", t(), change_status, status(n, 99, String::new()));
    case!(cases, "ChangeStatus", "note", "64 KiB + 1", t(), change_status, status(n, pb::TicketStatus::Cancelled as i32, too_long_post()));

    let d = || f.dina.tickets();
    for p in [0, 6, -1] {
        case!(cases, "SetPriority", "priority", "out of range", d(), set_priority, pb::SetPriorityRequest { number: n, priority: p, note: String::new() });
    }
    case!(cases, "SetPriority", "number", "0", d(), set_priority, pb::SetPriorityRequest { number: 0, priority: 2, note: String::new() });
    case!(cases, "SetPriority", "note", "NUL byte", d(), set_priority, pb::SetPriorityRequest { number: n, priority: 2, note: "\0".into() });
    case!(cases, "Assign", "staff_id", "-1", d(), assign, pb::AssignRequest { number: n, staff_id: -1, board: String::new() });
    case!(cases, "Assign", "staff_id", "unknown", d(), assign, pb::AssignRequest { number: n, staff_id: 9_999_999, board: String::new() });
    case!(cases, "Assign", "board", "51 characters", d(), assign, pb::AssignRequest { number: n, staff_id: 0, board: long(51) });
    case!(cases, "Assign", "board", "newline", d(), assign, pb::AssignRequest { number: n, staff_id: 0, board: "a\nb".into() });
    case!(cases, "Assign", "number", "-3", d(), assign, pb::AssignRequest { number: -3, staff_id: 0, board: String::new() });

    case!(cases, "AddSubscriber", "number", "0", t(), add_subscriber, pb::SubscriberRequest { number: 0, contact_id: f.uma_id });
    case!(cases, "AddSubscriber", "contact_id", "0", t(), add_subscriber, pb::SubscriberRequest { number: n, contact_id: 0 });
    case!(cases, "RemoveSubscriber", "contact_id", "-1", t(), remove_subscriber, pb::SubscriberRequest { number: n, contact_id: -1 });
    case!(cases, "AddTask", "text", "blank", d(), add_task, pb::AddTaskRequest { number: n, text: String::new() });
    case!(cases, "AddTask", "text", "501 characters", d(), add_task, pb::AddTaskRequest { number: n, text: long(501) });
    case!(cases, "AddTask", "text", "NUL byte", d(), add_task, pb::AddTaskRequest { number: n, text: "\0".into() });
    case!(cases, "AddTask", "number", "-1", d(), add_task, pb::AddTaskRequest { number: -1, text: "Check".into() });
    case!(cases, "SetTaskDone", "task_id", "0", d(), set_task_done, pb::SetTaskDoneRequest { number: n, task_id: 0, done: true });
    case!(cases, "SetTaskDone", "number", "0", d(), set_task_done, pb::SetTaskDoneRequest { number: 0, task_id: 1, done: true });

    case!(cases, "UploadAttachment", "meta", "no messages", t(), upload_attachment, upload(vec![]));
    case!(cases, "UploadAttachment", "meta", "data first", t(), upload_attachment, upload(vec![data(b"abc")]));
    case!(cases, "UploadAttachment", "meta", "meta twice", t(), upload_attachment, upload(vec![meta(n, "", "a.txt", ""), data(b"abc"), meta(n, "", "a.txt", "") ]));
    case!(cases, "UploadAttachment", "number", "0", t(), upload_attachment, upload(vec![meta(0, "", "a.txt", ""), data(b"abc")]));
    case!(cases, "UploadAttachment", "file_name", "path", t(), upload_attachment, upload(vec![meta(n, "", "../../etc/passwd", ""), data(b"abc")]));
    case!(cases, "UploadAttachment", "file_name", "NUL byte", t(), upload_attachment, upload(vec![meta(n, "", "a\0.txt", ""), data(b"abc")]));
    case!(cases, "UploadAttachment", "title", "201 characters", t(), upload_attachment, upload(vec![meta(n, &long(201), "a.txt", ""), data(b"abc")]));
    case!(cases, "UploadAttachment", "content_type", "not a MIME type", t(), upload_attachment, upload(vec![meta(n, "", "a.txt", "nonsense"), data(b"abc")]));
    case!(cases, "UploadAttachment", "data", "empty file", t(), upload_attachment, upload(vec![meta(n, "", "a.txt", "")]));
    case!(cases, "DownloadAttachment", "attachment_id", "0", t(), download_attachment, pb::DownloadAttachmentRequest { attachment_id: 0 });
    case!(cases, "DownloadAttachment", "attachment_id", "-1", t(), download_attachment, pb::DownloadAttachmentRequest { attachment_id: -1 });

    let r = || f.alice.reports();
    case!(cases, "TicketStats", "months", "37", r(), ticket_stats, pb::TicketStatsRequest { company_id: 0, months: 37 });
    case!(cases, "TicketStats", "company_id", "-1", f.paula.reports(), ticket_stats, pb::TicketStatsRequest { company_id: -1, months: 0 });
    let report = |kind: pb::ReportKind, from: &str, to: &str| pb::ReportRequest { kind: kind.into(), from: from.into(), to: to.into(), company_id: 0 };
    case!(cases, "GetReport", "kind", "unspecified", r(), get_report, report(pb::ReportKind::Unspecified, "", ""));
    case!(cases, "GetReport", "from", "month 13", r(), get_report, report(pb::ReportKind::ByStatus, "2025-13", ""));
    case!(cases, "GetReport", "to", "a word", r(), get_report, report(pb::ReportKind::ByStatus, "", "march"));
    case!(cases, "GetReport", "to", "31 February", r(), get_report, report(pb::ReportKind::ByStatus, "", "2025-02-31"));
    case!(cases, "GetReport", "from", "after to", r(), get_report, report(pb::ReportKind::ByStatus, "2025-05", "2025-04"));
    case!(cases, "GetReport", "from", "over ten years", r(), get_report, report(pb::ReportKind::ByStatus, "2000-01", "2025-01"));
    case!(cases, "GetReport", "company_id", "-1", f.paula.reports(), get_report, pb::ReportRequest { company_id: -1, ..report(pb::ReportKind::ByStatus, "", "") });
}

#[allow(clippy::too_many_lines)]
#[rustfmt::skip]
fn staff_cases(f: &Fixture, cases: &mut Vec<Case>) {
    let s = || f.paula.staff();
    let list = |query: &str, page: Option<pb::PageRequest>| pb::ListCompaniesRequest {
        query: query.into(),
        include_inactive: true,
        page,
    };
    case!(cases, "ListCompanies", "query", "201 characters", s(), list_companies, list(&long(201), None));
    case!(cases, "ListCompanies", "page.page_size", "1000", s(), list_companies, list("", page(1000, "")));
    case!(cases, "ListCompanies", "page.cursor", "forged", s(), list_companies, list("", page(0, &forged_cursor())));

    let company = |g: &dyn Fn(&mut pb::Company)| {
        let mut c = valid_company();
        g(&mut c);
        pb::SaveCompanyRequest { company: Some(c) }
    };
    case!(cases, "CreateCompany", "company", "missing", s(), create_company, pb::SaveCompanyRequest { company: None });
    case!(cases, "CreateCompany", "company.name", "blank", s(), create_company, company(&|c| c.name = String::new()));
    case!(cases, "CreateCompany", "company.name", "101 characters", s(), create_company, company(&|c| c.name = long(101)));
    case!(cases, "CreateCompany", "company.name", "NUL byte", s(), create_company, company(&|c| c.name = "Co\0".into()));
    case!(cases, "CreateCompany", "company.payment_terms_days", "366", s(), create_company, company(&|c| c.payment_terms_days = 366));
    case!(cases, "CreateCompany", "company.phone", "letters", s(), create_company, company(&|c| c.phone = "call us".into()));
    case!(cases, "CreateCompany", "company.address.line1", "201 characters", s(), create_company, company(&|c| c.address = Some(pb::Address { line1: long(201), ..Default::default() })));
    case!(cases, "CreateCompany", "company.address.country", "no letters", s(), create_company, company(&|c| c.address = Some(pb::Address { country: "-5".into(), ..Default::default() })));
    case!(cases, "CreateCompany", "company.address.city", "digits only", s(), create_company, company(&|c| c.address = Some(pb::Address { city: "12345".into(), ..Default::default() })));
    case!(cases, "CreateCompany", "company.address.postal_code", "punctuation", s(), create_company, company(&|c| c.address = Some(pb::Address { postal_code: "<script>".into(), ..Default::default() })));
    case!(cases, "CreateCompany", "company.sites", "10,000 sites", s(), create_company, company(&|c| c.sites = (0..10_000).map(|i| pb::Site { id: 0, name: format!("Site {i}"), address: None }).collect()));
    case!(cases, "CreateCompany", "company.sites", "negative id", s(), create_company, company(&|c| c.sites = vec![pb::Site { id: -1, name: "Main".into(), address: None }]));
    case!(cases, "CreateCompany", "company.sites.name", "twice", s(), create_company, company(&|c| c.sites = vec![pb::Site { id: 0, name: "Main".into(), address: None }, pb::Site { id: 0, name: "main".into(), address: None } ]));
    case!(cases, "CreateCompany", "company.preferences.default_subscriber_ids", "-1", s(), create_company, company(&|c| c.preferences = Some(pb::CompanyPreferences { default_subscriber_ids: vec![-1], ..Default::default() })));
    case!(cases, "CreateCompany", "company.preferences.default_subscriber_ids", "100,000 ids", s(), create_company, company(&|c| c.preferences = Some(pb::CompanyPreferences { default_subscriber_ids: (1..=100_000).collect(), ..Default::default() })));
    // Checked by the store, named as on the wire all the same.
    let harbor_contact = f.uma_id;
    case!(cases, "CreateCompany", "company.preferences.default_subscriber_ids", "another company's contact", s(), create_company, company(&|c| c.preferences = Some(pb::CompanyPreferences { default_subscriber_ids: vec![harbor_contact], ..Default::default() })));
    let harbor = f.harbor;
    case!(cases, "UpdateCompany", "company.sites", "unknown site id", s(), update_company, company(&|c| { c.id = harbor; c.sites = vec![pb::Site { id: 9_999_999, name: "Main".into(), address: None }]; }));
    case!(cases, "UpdateCompany", "company.id", "0", s(), update_company, company(&|_| {}));
    case!(cases, "UpdateCompany", "company.id", "-1", s(), update_company, company(&|c| c.id = -1));

    let staff = |first: &str, last: &str, email: &str, role: i32| pb::CreateStaffRequest {
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        role,
    };
    let tech = pb::StaffRole::Technician as i32;
    case!(cases, "CreateStaff", "first_name", "101 characters", s(), create_staff, staff(&long(101), "Tech", "t2@keystone.example", tech));
    case!(cases, "CreateStaff", "last_name", "blank", s(), create_staff, staff("Tia", "", "t2@keystone.example", tech));
    case!(cases, "CreateStaff", "email", "malformed", s(), create_staff, staff("Tia", "Tech", "t2@keystone", tech));
    case!(cases, "CreateStaff", "role", "unspecified", s(), create_staff, staff("Tia", "Tech", "t2@keystone.example", 0));
    case!(cases, "CreateStaff", "role", "unknown 99", s(), create_staff, staff("Tia", "Tech", "t2@keystone.example", 99));
    let update = |staff_id: i64, first: &str, role: i32| pb::UpdateStaffRequest {
        staff_id,
        first_name: first.into(),
        last_name: "Tech".into(),
        role,
        active: true,
    };
    case!(cases, "UpdateStaff", "staff_id", "0", s(), update_staff, update(0, "Tom", tech));
    case!(cases, "UpdateStaff", "role", "unknown 99", s(), update_staff, update(1, "Tom", 99));
    case!(cases, "UpdateStaff", "first_name", "101 characters", s(), update_staff, update(1, &long(101), tech));

    let st = |g: &dyn Fn(&mut pb::ServiceType)| {
        let mut t = valid_service_type();
        g(&mut t);
        t
    };
    case!(cases, "SaveServiceType", "id", "-1", s(), save_service_type, st(&|t| t.id = -1));
    case!(cases, "SaveServiceType", "name", "blank", s(), save_service_type, st(&|t| t.name = String::new()));
    case!(cases, "SaveServiceType", "name", "101 characters", s(), save_service_type, st(&|t| t.name = long(101)));
    case!(cases, "SaveServiceType", "name", "NUL byte", s(), save_service_type, st(&|t| t.name = "Back\0ups".into()));
    case!(cases, "SaveServiceType", "description", "1001 characters", s(), save_service_type, st(&|t| t.description = long(1001)));
    case!(cases, "SaveServiceType", "fields", "10,000 fields", s(), save_service_type, st(&|t| t.fields = (0..10_000).map(|i| pb::FieldDef { key: format!("k{i}"), label: "L".into(), kind: 1, ..Default::default() }).collect()));
    case!(cases, "SaveServiceType", "fields[0].kind", "unknown 99", s(), save_service_type, st(&|t| t.fields[0].kind = 99));
    case!(cases, "SaveServiceType", "fields[0].key", "upper case and space", s(), save_service_type, st(&|t| t.fields[0].key = "Bad Key".into()));
    case!(cases, "SaveServiceType", "fields[0].label", "control character", s(), save_service_type, st(&|t| t.fields[0].label = "Si\x1bze".into()));
    case!(cases, "SaveServiceType", "fields[0].choices", "100,000 choices", s(), save_service_type, st(&|t| t.fields[0].choices = (0..100_000).map(|i| format!("c{i}")).collect()));
    case!(cases, "SaveServiceType", "fields[0].choices", "NUL byte", s(), save_service_type, st(&|t| t.fields[0].choices = vec!["a\0".into()]));

    let audit =
        |action: &str, company_id: i64, page: Option<pb::PageRequest>| pb::ListAuditLogRequest {
            action: action.into(),
            company_id,
            page,
            ..Default::default()
        };
    case!(cases, "ListAuditLog", "action", "101 characters", s(), list_audit_log, audit(&long(101), 0, None));
    case!(cases, "ListAuditLog", "company_id", "-1", s(), list_audit_log, audit("", -1, None));
    case!(cases, "ListAuditLog", "actor", "101 characters", s(), list_audit_log, pb::ListAuditLogRequest { actor: long(101), ..audit("", 0, None) });
    case!(cases, "ListAuditLog", "since", "nanos out of range", s(), list_audit_log, pb::ListAuditLogRequest { since: Some(prost_types::Timestamp { seconds: 0, nanos: -1 }), ..audit("", 0, None) });
    case!(cases, "ListAuditLog", "page.page_size", "201", s(), list_audit_log, audit("", 0, page(201, "")));
    case!(cases, "ListStaff", "page.page_size", "201", s(), list_staff, pb::ListStaffRequest { include_inactive: true, page: page(201, "") });
    case!(cases, "ListStaff", "page.cursor", "forged", s(), list_staff, pb::ListStaffRequest { include_inactive: true, page: page(0, &forged_cursor()) });
    case!(cases, "ListAuditLog", "page.cursor", "not hex", s(), list_audit_log, audit("", 0, page(0, "xyz")));

    // The rest of the provider's Settings (issue 9): failed mail and the SLA.
    case!(cases, "ListFailedMail", "page.page_size", "201", s(), list_failed_mail, pb::ListFailedMailRequest { page: page(201, "") });
    case!(cases, "ListFailedMail", "page.cursor", "forged", s(), list_failed_mail, pb::ListFailedMailRequest { page: page(0, &forged_cursor()) });
    case!(cases, "RetryMail", "id", "0", s(), retry_mail, pb::RetryMailRequest { id: 0 });
    case!(cases, "RetryMail", "id", "-1", s(), retry_mail, pb::RetryMailRequest { id: -1 });
    let sla = |g: &dyn Fn(&mut pb::SlaSettings)| {
        let mut t = f.sla.clone();
        g(&mut t);
        t
    };
    case!(cases, "UpdateSlaSettings", "targets", "four of five", s(), update_sla_settings, sla(&|t| t.targets.truncate(4)));
    case!(cases, "UpdateSlaSettings", "time_zone", "Mars/Olympus", s(), update_sla_settings, sla(&|t| t.time_zone = "Mars/Olympus".into()));
    case!(cases, "UpdateSlaSettings", "holidays[0].day", "not a date", s(), update_sla_settings, sla(&|t| t.holidays = vec![pb::Holiday { day: "25/12".into(), name: "Christmas".into() }]));
    case!(cases, "UpdateSlaSettings", "at_risk_percent", "100", s(), update_sla_settings, sla(&|t| t.at_risk_percent = 100));
}

#[tokio::test]
async fn every_rpc_refuses_bad_fields_by_name_and_changes_nothing() -> anyhow::Result<()> {
    let f = Fixture::new(TestServer::demo().await?).await?;
    let anon = f.server.anonymous().await?;
    let mut cases = Vec::new();
    auth_cases(&f, &anon, &mut cases);
    account_cases(&f, &mut cases);
    ticket_cases(&f, &mut cases);
    staff_cases(&f, &mut cases);
    let wf = work::WorkFixture::new(&f).await?;
    work::work_cases(&f, &wf, &mut cases);
    let qf = queue::QueueFixture::new(&f).await?;
    queue::queue_cases(&f, &qf, &mut cases);
    let bf = billing::BillingFixture::new(&f).await?;
    billing::billing_cases(&f, &bf, &mut cases);
    let sub = subscriptions::harbor_subscription(&f).await?;
    subscriptions::subscription_cases(&f, &sub, &mut cases);
    let closed = ratings::closed_ticket(&f).await?;
    ratings::rating_cases(&f, closed, &mut cases);
    let article = knowledge::article(&f).await?;
    knowledge::article_cases(&f, article, &mut cases);
    knowledge::team_cases(&f, &mut cases);
    assert!(cases.len() >= 200, "{} cases", cases.len());

    let before = fingerprint(&f.server.db)?;
    let mut failures = Vec::new();
    let total = cases.len();
    for case in cases {
        let Case {
            rpc,
            field,
            what,
            call,
        } = case;
        let outcome = call.await;
        let ok = match &outcome {
            Err(s) => {
                s.code() == Code::InvalidArgument && s.message().starts_with(&format!("{field}: "))
            }
            Ok(()) => false,
        };
        if !ok {
            let got = match outcome {
                Ok(()) => "OK".to_owned(),
                Err(s) => format!(
                    "{:?} {:?}",
                    s.code(),
                    s.message().chars().take(120).collect::<String>()
                ),
            };
            failures.push(format!("{rpc} {field} ({what}): {got}"));
        }
        if fingerprint(&f.server.db)? != before {
            failures.push(format!("{rpc} {field} ({what}): changed the store"));
            break;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Still serving, and what the cases tried to change reads back unchanged.
    let me = f
        .alice
        .accounts()
        .get_my_profile(pb::Empty {})
        .await?
        .into_inner();
    let d = me.contact.and_then(|c| c.details).unwrap_or_default();
    assert!(!d.first_name.is_empty() && d.first_name.chars().count() <= 100);
    let t = f
        .alice
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: f.ticket })
        .await?
        .into_inner();
    assert!(t.timeline.iter().all(|e| !e.body.contains(['\0', '\x1b'])));
    assert_eq!(integrity_check(&f.server.db)?, "ok");
    Ok(())
}

/// An enum number the server does not know is named as such; UNSPECIFIED
/// where a value is required is missing.
#[tokio::test]
async fn unknown_enum_values_are_told_apart_from_missing_ones() -> anyhow::Result<()> {
    let f = Fixture::new(TestServer::demo().await?).await?;
    let add = |access: i32| pb::AddUserRequest {
        company_id: 0,
        email: "new@harbor.example".into(),
        access,
        details: Some(details("New", "Person")),
    };
    let staff = |role: i32| pb::CreateStaffRequest {
        first_name: "Tia".into(),
        last_name: "Tech".into(),
        email: "t2@keystone.example".into(),
        role,
    };
    let set = |access: i32| pb::SetAccessLevelRequest {
        contact_id: f.uma_id,
        access,
    };
    for (raw, message) in [
        (99, "access: not a known security level"),
        (0, "access: required"),
    ] {
        let s = expect_code(
            f.alice.accounts().add_user(add(raw)).await,
            Code::InvalidArgument,
        );
        assert_eq!(s.message(), message, "AddUser {raw}");
        let s = expect_code(
            f.alice.accounts().set_access_level(set(raw)).await,
            Code::InvalidArgument,
        );
        assert_eq!(s.message(), message, "SetAccessLevel {raw}");
    }
    for (raw, message) in [(99, "role: not a known role"), (0, "role: required")] {
        let s = expect_code(
            f.paula.staff().create_staff(staff(raw)).await,
            Code::InvalidArgument,
        );
        assert_eq!(s.message(), message, "CreateStaff {raw}");
    }
    Ok(())
}

/// More than the server's 4 MiB message limit.
fn oversized() -> String {
    "z".repeat(5 * 1024 * 1024)
}

fn is_size_refusal(code: Code) -> bool {
    matches!(code, Code::ResourceExhausted | Code::OutOfRange)
}

#[tokio::test]
async fn oversized_messages_are_refused_and_the_server_keeps_serving() -> anyhow::Result<()> {
    let f = Fixture::new(TestServer::demo().await?).await?;
    let before = fingerprint(&f.server.db)?;
    let post = f
        .alice
        .tickets()
        .add_post(pb::AddPostRequest {
            number: f.ticket,
            kind: 1,
            body: oversized(),
            chat: false,
        })
        .await;
    let s = post.expect_err("a 5 MiB post");
    assert!(is_size_refusal(s.code()), "{s:?}");

    let upload = f
        .alice
        .tickets()
        .upload_attachment(upload(vec![
            meta(f.ticket, "", "big.bin", ""),
            data(oversized().as_bytes()),
        ]))
        .await;
    let s = upload.expect_err("a 5 MiB chunk");
    assert!(is_size_refusal(s.code()), "{s:?}");

    let profile = f
        .alice
        .accounts()
        .update_my_profile(pb::UpdateMyProfileRequest {
            details: Some(details(&oversized(), "Lee")),
        })
        .await;
    let s = profile.expect_err("a 5 MiB name");
    assert!(is_size_refusal(s.code()), "{s:?}");

    // The same connection still answers, and nothing was stored.
    let t = f
        .alice
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: f.ticket })
        .await?
        .into_inner();
    assert_eq!(t.ticket.map(|t| t.number), Some(f.ticket));
    assert_eq!(fingerprint(&f.server.db)?, before);
    Ok(())
}

/// Sends `bytes` on a raw TCP connection to the server, reads whatever
/// comes back for a moment, and closes it.
async fn raw_garbage(addr: &str, bytes: Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = addr.trim_start_matches("http://");
    if let Ok(mut tcp) = tokio::net::TcpStream::connect(host).await {
        let _ = tcp.write_all(&bytes).await;
        let mut buf = [0u8; 1024];
        let _ = tokio::time::timeout(Duration::from_millis(200), tcp.read(&mut buf)).await;
    }
}

/// An HTTP/2 connection that sends the preface and half a frame, then
/// nothing: held open until `release` fires.
async fn half_open(addr: String, release: tokio::sync::watch::Receiver<bool>) {
    use tokio::io::AsyncWriteExt;
    let host = addr.trim_start_matches("http://").to_owned();
    let Ok(mut tcp) = tokio::net::TcpStream::connect(host).await else {
        return;
    };
    let _ = tcp
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04")
        .await;
    let mut release = release;
    let _ = release.wait_for(|done| *done).await;
}

/// `s` is the answer `expected` allows: a timeout is not a refusal.
fn answered(what: &str, s: &Status, expected: impl Fn(Code) -> bool) -> Result<(), String> {
    if expected(s.code()) {
        Ok(())
    } else {
        Err(format!("{what}: {s:?}"))
    }
}

fn not_internal(what: &str, s: &Status) -> Result<(), String> {
    if matches!(s.code(), Code::Internal | Code::Unknown) {
        Err(format!("{what}: {s:?}"))
    } else {
        Ok(())
    }
}

fn is_alive(pid: Option<u32>) -> bool {
    pid.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists())
        && pid.is_some_and(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
        })
}

/// The well-behaved caller: reads one ticket and a list page until told to
/// stop; every answer must be right and come within its deadline.
async fn well_behaved(
    s: Session,
    number: i64,
    title: String,
    stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<usize> {
    let mut calls = 0;
    loop {
        let mut req = tonic::Request::new(pb::GetTicketRequest { number });
        req.set_timeout(Duration::from_secs(20));
        let got = tokio::time::timeout(Duration::from_secs(25), s.tickets().get_ticket(req))
            .await
            .map_err(|_| anyhow::anyhow!("GetTicket never answered"))??
            .into_inner();
        assert_eq!(got.ticket.map(|t| t.title), Some(title.clone()));
        let mut req = tonic::Request::new(pb::ListTicketsRequest {
            number,
            ..Default::default()
        });
        req.set_timeout(Duration::from_secs(20));
        let list = tokio::time::timeout(Duration::from_secs(25), s.tickets().list_tickets(req))
            .await
            .map_err(|_| anyhow::anyhow!("ListTickets never answered"))??
            .into_inner();
        assert_eq!(
            list.tickets.iter().map(|t| t.number).collect::<Vec<_>>(),
            vec![number]
        );
        calls += 2;
        if *stop.borrow() {
            return Ok(calls);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[allow(clippy::too_many_lines)]
async fn a_burst_of_bad_calls_neither_crashes_nor_starves_the_server() -> anyhow::Result<()> {
    use futures::StreamExt;
    // Every wrong password costs a full verification here: the per-address
    // sign-in throttle, which would refuse most of them cheaply from one
    // address, is set out of reach.
    let f = Fixture::new(TestServer::demo_with(&["--signin-address-failures", "1000000"]).await?)
        .await?;
    let ticket = f.ticket;
    // A separate connection for the well-behaved caller, as a real client has.
    let good = sign_in(&f.server, demo::CLIENT_USER).await?.0;
    let good_ticket = first_ticket(&good).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let good_task = tokio::spawn(well_behaved(
        good,
        good_ticket.number,
        good_ticket.title,
        stop_rx.clone(),
    ));

    let mut half = Vec::new();
    for _ in 0..50 {
        half.push(tokio::spawn(half_open(
            f.server.addr.clone(),
            stop_rx.clone(),
        )));
    }

    // 5,000 bad calls over 10 connections, all in flight at once.
    let mut channels = Vec::new();
    for _ in 0..10 {
        channels.push(f.server.channel().await?);
    }
    let mut calls: Vec<Check> = Vec::new();
    for i in 0..5_000_usize {
        let channel = channels[i % channels.len()].clone();
        let alice = f.alice.clone();
        let addr = f.server.addr.clone();
        calls.push(Box::pin(async move {
            match i % 10 {
                0..=2 => {
                    let forged =
                        Session::new(channel, &format!("{i:064x}")).map_err(|e| e.to_string())?;
                    let s = forged
                        .tickets()
                        .list_tickets(pb::ListTicketsRequest::default())
                        .await
                        .expect_err("a forged token");
                    answered("forged token", &s, |c| c == Code::Unauthenticated)
                }
                3 | 4 => {
                    let s = alice
                        .tickets()
                        .list_tickets(pb::ListTicketsRequest {
                            status: 99,
                            ..Default::default()
                        })
                        .await
                        .expect_err("status 99");
                    answered("status 99", &s, |c| c == Code::InvalidArgument)
                }
                5 | 6 => {
                    let s = alice
                        .tickets()
                        .get_ticket(pb::GetTicketRequest {
                            number: 9_000_000 + i64::try_from(i).unwrap_or_default(),
                        })
                        .await
                        .expect_err("a missing ticket");
                    answered("missing ticket", &s, |c| c == Code::NotFound)
                }
                7 => {
                    // Garbage bytes, or a well-formed preface and then garbage.
                    let mut bytes = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
                    if i % 20 == 7 {
                        bytes.clear();
                    }
                    bytes.extend(
                        (0..512).map(|k| u8::try_from((i * 31 + k * 7) % 256).unwrap_or(0)),
                    );
                    raw_garbage(&addr, bytes).await;
                    Ok(())
                }
                8 if i % 250 == 8 => {
                    // An oversized message now and then (5 MiB each).
                    let s = alice
                        .tickets()
                        .add_post(pb::AddPostRequest {
                            number: ticket,
                            kind: 1,
                            body: oversized(),
                            chat: false,
                        })
                        .await
                        .expect_err("an oversized post");
                    answered("oversized", &s, is_size_refusal)
                }
                8 => {
                    // A wrong password for an account that does not exist:
                    // a full argon2 verification each.
                    let s = pb::auth_service_client::AuthServiceClient::new(channel)
                        .login(pb::LoginRequest {
                            email: format!("nobody{i}@nowhere.example"),
                            password: "wrong-password".into(),
                            remember_me: false,
                            ..Default::default()
                        })
                        .await
                        .expect_err("a wrong password");
                    answered("wrong password", &s, |c| c == Code::Unauthenticated)
                }
                _ => {
                    let s = alice
                        .accounts()
                        .add_user(pb::AddUserRequest {
                            email: format!("bad{i}@"),
                            ..Default::default()
                        })
                        .await
                        .expect_err("a bad e-mail");
                    not_internal("add user", &s)
                }
            }
        }));
    }
    let outcomes: Vec<Result<(), String>> = futures::stream::iter(calls)
        .buffer_unordered(5_000)
        .collect()
        .await;
    let _ = stop_tx.send(true);
    let failures: Vec<String> = outcomes.into_iter().filter_map(Result::err).collect();
    assert!(
        failures.is_empty(),
        "{} bad answers: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );

    let good_calls = good_task.await??;
    assert!(good_calls >= 2);
    for h in half {
        h.await?;
    }

    // Still alive, still answering, store intact.
    assert!(is_alive(f.server.pid()), "the server process died");
    let t = f
        .alice
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: f.ticket })
        .await?
        .into_inner();
    assert_eq!(t.ticket.map(|t| t.number), Some(f.ticket));
    let fresh = sign_in(&f.server, demo::CLIENT_MANAGER).await?.0;
    fresh.auth().who_am_i(pb::Empty {}).await?;
    assert_eq!(integrity_check(&f.server.db)?, "ok");
    Ok(())
}

/// Holds the store's write lock from outside the server until dropped, so
/// every write waits (reads go on: WAL).
fn lock_writes(db: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(db)?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    Ok(conn)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_calls_at_once_on_one_connection_all_get_served() -> anyhow::Result<()> {
    use futures::StreamExt;
    let f = Fixture::new(TestServer::demo().await?).await?;
    // Writes wait behind the lock, so the server's streams stay busy while
    // the rest of the calls arrive: they must wait their turn, not bring the
    // connection down.
    let lock = lock_writes(&f.server.db)?;
    let (alice, number) = (f.alice.clone(), f.ticket);
    let calls = (0..3_000).map(move |i| {
        let alice = alice.clone();
        async move {
            alice
                .tickets()
                .add_post(pb::AddPostRequest {
                    number,
                    kind: 1,
                    body: format!("{i}"),
                    chat: false,
                })
                .await
        }
    });
    let all = tokio::spawn(
        futures::stream::iter(calls)
            .buffer_unordered(3_000)
            .collect::<Vec<_>>(),
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(lock);
    let failures: Vec<Status> = all.await?.into_iter().filter_map(Result::err).collect();
    assert!(
        failures.is_empty(),
        "{} calls failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    Ok(())
}

fn is_timeout(s: &Status) -> bool {
    matches!(s.code(), Code::DeadlineExceeded | Code::Cancelled)
        && s.message().contains("Timeout expired")
}

async fn create_with_timeout(
    f: &Fixture,
    timeout: Option<Duration>,
) -> anyhow::Result<Result<pb::Ticket, Status>> {
    let mut req = tonic::Request::new(valid_ticket(f));
    if let Some(t) = timeout {
        req.set_timeout(t);
    }
    // The client itself never gives up first: any timeout comes from the server.
    let reply = tokio::time::timeout(Duration::from_mins(1), f.alice.tickets().create_ticket(req))
        .await
        .map_err(|_| anyhow::anyhow!("no answer at all"))?;
    Ok(reply.map(tonic::Response::into_inner))
}

#[tokio::test]
async fn the_servers_request_timeout_and_the_clients_deadline_are_enforced() -> anyhow::Result<()> {
    // The server's own limit (`request_timeout_seconds`), set low.
    let f =
        Fixture::new(TestServer::demo_configured("request_timeout_seconds = 1\n").await?).await?;
    let lock = lock_writes(&f.server.db)?;
    let s = create_with_timeout(&f, None)
        .await?
        .expect_err("a write behind a held lock");
    assert!(is_timeout(&s), "{s:?}");
    // Reads are not held up by the stuck write.
    f.alice
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: f.ticket })
        .await?;
    drop(lock);
    create_with_timeout(&f, None)
        .await?
        .map_err(|s| anyhow::anyhow!("{s:?}"))?;

    // A client deadline (`grpc-timeout`) shorter than the server's 30 s.
    let f = Fixture::new(TestServer::demo().await?).await?;
    let lock = lock_writes(&f.server.db)?;
    let s = create_with_timeout(&f, Some(Duration::from_millis(300)))
        .await?
        .expect_err("a write behind a held lock");
    assert!(is_timeout(&s), "{s:?}");
    drop(lock);
    let t = create_with_timeout(&f, Some(Duration::from_secs(20)))
        .await?
        .map_err(|s| anyhow::anyhow!("{s:?}"))?;
    assert_eq!(t.title, "Printer offline");
    Ok(())
}

/// Pieces random input is made of: FTS5 syntax, SQL, quotes, wide and
/// combining characters, direction overrides, control characters.
const PIECES: &[&str] = &[
    "\"",
    "'",
    "*",
    "NEAR(",
    "NEAR",
    ")",
    "(",
    "AND",
    "OR",
    "NOT",
    "-",
    "^",
    ":",
    "+",
    "{",
    "}",
    "title:",
    "ticket_search",
    "'; DROP TABLE tickets; --",
    "\" OR 1=1 --",
    "%",
    "_",
    "\\",
    "/*",
    "*/",
    "UNION SELECT",
    "printer",
    "Printer",
    "ü",
    "漢字",
    "🙂",
    "e\u{301}",
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    " ",
    "  ",
    "\t",
    "\n",
    "\0",
    "\x1b[2J",
    "x",
    "42",
    "#1001",
    "@",
    ".example",
    "a@b.example",
];

fn random_text(rng: &mut rand::rngs::StdRng, max_pieces: usize) -> String {
    use rand::Rng;
    let n = rng.gen_range(0..=max_pieces);
    let mut s = String::new();
    for _ in 0..n {
        if rng.gen_bool(0.2) {
            s.push(char::from_u32(rng.gen_range(0x20..0x3000)).unwrap_or('?'));
        } else {
            s.push_str(PIECES[rng.gen_range(0..PIECES.len())]);
        }
    }
    if rng.gen_bool(0.02) {
        s.push_str(&"w ".repeat(rng.gen_range(100..700)));
    }
    s
}

/// Codes a clean refusal may have; never INTERNAL or UNKNOWN.
fn clean(s: &Status) -> bool {
    matches!(
        s.code(),
        Code::InvalidArgument
            | Code::NotFound
            | Code::PermissionDenied
            | Code::FailedPrecondition
            | Code::AlreadyExists
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)]
async fn random_requests_get_ok_or_a_clean_refusal() -> anyhow::Result<()> {
    use futures::StreamExt;
    use rand::{Rng, SeedableRng};
    let f = Fixture::new(TestServer::demo().await?).await?;
    let uma = sign_in(&f.server, demo::CLIENT_USER).await?.0;
    let total = |s: Session| async move {
        s.tickets()
            .list_tickets(pb::ListTicketsRequest::default())
            .await
            .map(|r| r.into_inner().total)
    };
    let tickets_before = total(f.alice.clone()).await?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed_0007);
    let mut calls: Vec<Check> = Vec::new();
    for i in 0..3_000 {
        let text = random_text(&mut rng, 8);
        let other = random_text(&mut rng, 4);
        let kind = rng.gen_range(0..10);
        let (alice, uma, dina) = (f.alice.clone(), uma.clone(), f.dina.clone());
        let (ticket, service_type) = (f.ticket, f.service_type);
        let filters = rng.gen_bool(0.3).then(|| pb::ListTicketsRequest {
            status: rng.gen_range(-1..10),
            status_group: rng.gen_range(-1..6),
            priority: rng.gen_range(-1..7),
            sort: rng.gen_range(-1..11),
            descending: rng.gen_bool(0.5),
            created_from: if rng.gen_bool(0.5) {
                other.clone()
            } else {
                String::new()
            },
            ..Default::default()
        });
        calls.push(Box::pin(async move {
            let what = format!("#{i} kind {kind} text {text:?}");
            match kind {
                // Full-text search alone never errors, whatever the text.
                0..=3 => {
                    let s = if kind == 3 { &dina } else { &alice };
                    s.tickets()
                        .list_tickets(pb::ListTicketsRequest {
                            text: text.chars().take(300).collect(),
                            ..Default::default()
                        })
                        .await
                        .map(drop)
                        .map_err(|s| format!("search {what}: {s:?}"))
                }
                4 => match alice
                    .tickets()
                    .list_tickets(pb::ListTicketsRequest {
                        text: text.clone(),
                        ..filters.unwrap_or_default()
                    })
                    .await
                {
                    Err(s) if !clean(&s) => Err(format!("filtered {what}: {s:?}")),
                    _ => Ok(()),
                },
                5 | 6 => {
                    let r = uma
                        .tickets()
                        .create_ticket(pb::CreateTicketRequest {
                            title: text.clone(),
                            description: other,
                            service_type_id: service_type,
                            due_date: if kind == 6 {
                                text.clone()
                            } else {
                                String::new()
                            },
                            ..Default::default()
                        })
                        .await;
                    match r {
                        Ok(t) if t.get_ref().title != text.trim() => {
                            Err(format!("create {what}: stored {:?}", t.get_ref().title))
                        }
                        Err(s) if !clean(&s) => Err(format!("create {what}: {s:?}")),
                        _ => Ok(()),
                    }
                }
                7 => match alice
                    .tickets()
                    .add_post(pb::AddPostRequest {
                        number: ticket,
                        kind: 1,
                        body: format!("{text}{other}"),
                        chat: false,
                    })
                    .await
                {
                    Err(s) if !clean(&s) => Err(format!("post {what}: {s:?}")),
                    _ => Ok(()),
                },
                8 => match uma
                    .accounts()
                    .update_my_profile(pb::UpdateMyProfileRequest {
                        details: Some(pb::ContactDetails {
                            first_name: text,
                            last_name: other.clone(),
                            title: other,
                            ..Default::default()
                        }),
                    })
                    .await
                {
                    Err(s) if !clean(&s) => Err(format!("profile {what}: {s:?}")),
                    _ => Ok(()),
                },
                _ => match alice
                    .accounts()
                    .add_user(pb::AddUserRequest {
                        company_id: 0,
                        email: format!("{}@harbor.example", text.replace(' ', "")),
                        details: Some(details(&other, &text)),
                        // No password to hash: keeps the run short.
                        access: pb::AccessLevel::None as i32,
                    })
                    .await
                {
                    Err(s) if !clean(&s) => Err(format!("add user {what}: {s:?}")),
                    _ => Ok(()),
                },
            }
        }));
    }
    let outcomes: Vec<Result<(), String>> = futures::stream::iter(calls)
        .buffer_unordered(32)
        .collect()
        .await;
    let failures: Vec<String> = outcomes.into_iter().filter_map(Result::err).collect();
    assert!(
        failures.is_empty(),
        "{} bad answers:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
    // Some random tickets were good enough to store; the store is whole.
    assert!(total(f.alice.clone()).await? > tickets_before);
    let t = f
        .alice
        .tickets()
        .get_ticket(pb::GetTicketRequest { number: f.ticket })
        .await?
        .into_inner();
    assert!(t.timeline.iter().all(|e| !e.body.contains(['\0', '\x1b'])));
    assert_eq!(integrity_check(&f.server.db)?, "ok");
    Ok(())
}

/// Every ticket `s` lists with `req`, all pages.
async fn list_all(s: &Session, req: pb::ListTicketsRequest) -> Result<Vec<pb::Ticket>, Status> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = s
            .tickets()
            .list_tickets(pb::ListTicketsRequest {
                page: page(200, &cursor),
                ..req.clone()
            })
            .await?
            .into_inner();
        out.extend(page.tickets);
        if page.next_cursor.is_empty() {
            return Ok(out);
        }
        cursor = page.next_cursor;
    }
}

/// The code of a call, OK included, to compare answers.
fn code<T>(r: &Result<T, Status>) -> Code {
    r.as_ref().err().map_or(Code::Ok, Status::code)
}

#[tokio::test]
#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
async fn nothing_a_client_sends_shows_it_another_companys_data() -> anyhow::Result<()> {
    let f = Fixture::new(TestServer::demo().await?).await?;
    let harbor = f.harbor;
    let companies = f
        .paula
        .staff()
        .list_companies(pb::ListCompaniesRequest {
            include_inactive: true,
            page: page(200, ""),
            ..Default::default()
        })
        .await?
        .into_inner()
        .companies;
    let others: Vec<i64> = companies
        .iter()
        .map(|c| c.id)
        .filter(|&id| id != harbor)
        .collect();
    assert!(others.len() >= 2);
    let service_types: Vec<i64> = f
        .paula
        .tickets()
        .list_service_types(pb::ListServiceTypesRequest {
            include_inactive: true,
        })
        .await?
        .into_inner()
        .service_types
        .iter()
        .map(|s| s.id)
        .collect();

    let mine = list_all(&f.alice, pb::ListTicketsRequest::default()).await?;
    assert!(!mine.is_empty() && mine.iter().all(|t| t.company_id == harbor));
    let assert_harbor = |what: &str, list: &[pb::Ticket]| {
        let strays: Vec<i64> = list
            .iter()
            .filter(|t| t.company_id != harbor)
            .map(|t| t.number)
            .collect();
        assert!(
            strays.is_empty(),
            "{what}: tickets of other companies {strays:?}"
        );
    };

    // The answer to naming a company that does not exist; every other
    // company must get exactly the same.
    let missing = 9_999_999;
    let a = f.alice.accounts();
    let by_company = |company_id: i64| {
        let (a, t, r) = (a.clone(), f.alice.tickets(), f.alice.reports());
        let (alice, svc, all) = (f.alice.clone(), f.service_type, mine.len());
        async move {
            let list = list_all(
                &alice,
                pb::ListTicketsRequest {
                    company_id,
                    ..Default::default()
                },
            )
            .await;
            vec![
                (
                    "ListTickets.company_id",
                    match &list {
                        Ok(l) if l.len() == all => Code::Ok,
                        Ok(l) if l.is_empty() => Code::NotFound,
                        Ok(_) => Code::DataLoss,
                        Err(s) => s.code(),
                    },
                ),
                (
                    "GetCompany",
                    code(
                        &a.clone()
                            .get_company(pb::GetCompanyRequest { company_id })
                            .await,
                    ),
                ),
                (
                    "ListUsers",
                    code(
                        &a.clone()
                            .list_users(pb::ListUsersRequest {
                                company_id,
                                ..Default::default()
                            })
                            .await,
                    ),
                ),
                (
                    "AddUser",
                    code(
                        &a.clone()
                            .add_user(pb::AddUserRequest {
                                company_id,
                                email: "spy@harbor.example".into(),
                                details: Some(details("Spy", "Spy")),
                                access: pb::AccessLevel::None as i32,
                            })
                            .await,
                    ),
                ),
                (
                    "UpdateCompanyPreferences",
                    code(
                        &a.clone()
                            .update_company_preferences(pb::UpdateCompanyPreferencesRequest {
                                company_id,
                                preferences: Some(pb::CompanyPreferences::default()),
                            })
                            .await,
                    ),
                ),
                (
                    "ListPendingRequests",
                    code(
                        &a.clone()
                            .list_pending_requests(pb::ListPendingRequestsRequest {
                                company_id,
                                ..Default::default()
                            })
                            .await,
                    ),
                ),
                (
                    "CreateTicket.company_id",
                    code(
                        &t.clone()
                            .create_ticket(pb::CreateTicketRequest {
                                title: "Spy".into(),
                                service_type_id: svc,
                                company_id,
                                ..Default::default()
                            })
                            .await,
                    ),
                ),
                (
                    "TicketStats",
                    code(
                        &r.clone()
                            .ticket_stats(pb::TicketStatsRequest {
                                company_id,
                                months: 0,
                            })
                            .await,
                    ),
                ),
            ]
        }
    };
    let expected = by_company(missing).await;
    for (what, c) in &expected {
        assert!(
            matches!(c, Code::NotFound | Code::PermissionDenied),
            "{what} for a missing company: {c:?}"
        );
    }
    for &company in &others {
        assert_eq!(by_company(company).await, expected, "company {company}");
    }

    for &company in &others {
        let theirs = list_all(
            &f.paula,
            pb::ListTicketsRequest {
                company_id: company,
                ..Default::default()
            },
        )
        .await?;
        let contacts = f
            .paula
            .accounts()
            .list_users(pb::ListUsersRequest {
                company_id: company,
                include_inactive: true,
                page: page(200, ""),
                ..Default::default()
            })
            .await?
            .into_inner()
            .contacts;
        for t in theirs.iter().take(20) {
            let by_number = list_all(
                &f.alice,
                pb::ListTicketsRequest {
                    number: t.number,
                    ..Default::default()
                },
            )
            .await?;
            assert!(by_number.is_empty(), "#{} by number", t.number);
            let by_title = list_all(
                &f.alice,
                pb::ListTicketsRequest {
                    text: t.title.clone(),
                    ..Default::default()
                },
            )
            .await?;
            assert_harbor("search by title", &by_title);
            let by_contact = list_all(
                &f.alice,
                pb::ListTicketsRequest {
                    contact_id: t.contact_id,
                    ..Default::default()
                },
            )
            .await?;
            assert_harbor("by contact", &by_contact);
            let staff_filters = list_all(
                &f.alice,
                pb::ListTicketsRequest {
                    assigned_staff_id: t.assigned_staff_id,
                    unassigned: t.assigned_staff_id == 0,
                    sort: pb::TicketSort::Company as i32,
                    ..Default::default()
                },
            )
            .await;
            if let Ok(l) = staff_filters {
                assert_harbor("by staff", &l);
            }
        }
        for c in contacts.iter().take(10) {
            expect_code(
                a.clone()
                    .get_user(pb::GetUserRequest { contact_id: c.id })
                    .await,
                Code::NotFound,
            );
            let create = f
                .alice
                .tickets()
                .create_ticket(pb::CreateTicketRequest {
                    contact_id: c.id,
                    ..valid_ticket(&f)
                })
                .await;
            expect_code(create, Code::NotFound);
            let subscribe = f
                .alice
                .tickets()
                .add_subscriber(pb::SubscriberRequest {
                    number: f.ticket,
                    contact_id: c.id,
                })
                .await;
            expect_code(subscribe, Code::NotFound);
            let prefs = a
                .clone()
                .update_company_preferences(pb::UpdateCompanyPreferencesRequest {
                    company_id: 0,
                    preferences: Some(pb::CompanyPreferences {
                        default_subscriber_ids: vec![c.id],
                        ..Default::default()
                    }),
                })
                .await;
            assert!(prefs.is_err(), "contact {} as a default subscriber", c.id);
        }
    }
    for &st in &service_types {
        for sort in 0..=9 {
            let l = list_all(
                &f.alice,
                pb::ListTicketsRequest {
                    service_type_id: st,
                    sort,
                    descending: sort % 2 == 0,
                    ..Default::default()
                },
            )
            .await?;
            assert_harbor("by service type", &l);
        }
    }
    // Every ticket Harbor's Admin can reach, by any filter, is Harbor's.
    let stats = f
        .alice
        .reports()
        .ticket_stats(pb::TicketStatsRequest::default())
        .await?
        .into_inner();
    let open = list_all(
        &f.alice,
        pb::ListTicketsRequest {
            status_group: pb::StatusGroup::Open as i32,
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(stats.open, open.len() as u64);
    Ok(())
}
