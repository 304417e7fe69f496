//! What screens ask of the server ([`Request`]) and what comes back
//! ([`Action`]). Screens never call the network: they queue requests, the
//! event loop hands them to [`crate::client`], and each one answers with
//! exactly one [`Action::Reply`].

use std::path::PathBuf;

use portal_proto::pb;

pub use crate::client::{
    AccountCall, AdminCall, ArticlesFor, AuditQuery, AuthCall, BillingCall, BillingReply,
    KnowledgeCall, ReportCall, SettingsCall, TicketCall, WorkCall, upload_problem,
};

/// A call to make in the background, by the gRPC service that answers it;
/// each service's calls are listed in its module under [`crate::client`].
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Auth(AuthCall),
    Ticket(TicketCall),
    Account(AccountCall),
    Report(ReportCall),
    Work(WorkCall),
    Billing(BillingCall),
    Admin(AdminCall),
    Settings(SettingsCall),
    Knowledge(KnowledgeCall),
}

impl From<AuthCall> for Request {
    fn from(call: AuthCall) -> Self {
        Request::Auth(call)
    }
}

impl From<TicketCall> for Request {
    fn from(call: TicketCall) -> Self {
        Request::Ticket(call)
    }
}

impl From<AccountCall> for Request {
    fn from(call: AccountCall) -> Self {
        Request::Account(call)
    }
}

impl From<WorkCall> for Request {
    fn from(call: WorkCall) -> Self {
        Request::Work(call)
    }
}

impl From<BillingCall> for Request {
    fn from(call: BillingCall) -> Self {
        Request::Billing(call)
    }
}

impl From<AdminCall> for Request {
    fn from(call: AdminCall) -> Self {
        Request::Admin(call)
    }
}

impl From<SettingsCall> for Request {
    fn from(call: SettingsCall) -> Self {
        Request::Settings(call)
    }
}

impl From<KnowledgeCall> for Request {
    fn from(call: KnowledgeCall) -> Self {
        Request::Knowledge(call)
    }
}

impl From<ReportCall> for Request {
    fn from(call: ReportCall) -> Self {
        Request::Report(call)
    }
}

/// Which ticket list a page is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListId {
    Tickets,
    Home,
    Triage,
}

impl ListId {
    /// Its name in the config file's `[page_size]`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tickets => "tickets",
            Self::Home => "home",
            Self::Triage => "triage",
        }
    }
}

/// A failed call, as the user should read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: tonic::Code,
    pub message: String,
}

impl ApiError {
    pub fn from_status(status: &tonic::Status) -> Self {
        Self {
            code: status.code(),
            message: status.message().to_owned(),
        }
    }

    /// `field: message` as the server names a bad field (`INVALID_ARGUMENT`).
    pub fn field(&self) -> Option<(&str, &str)> {
        if self.code != tonic::Code::InvalidArgument {
            return None;
        }
        let (field, message) = self.message.split_once(": ")?;
        let is_name = !field.is_empty()
            && field
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
        is_name.then_some((field, message))
    }

    /// The connection itself failed (the server is down or unreachable).
    pub fn is_connection(&self) -> bool {
        matches!(
            self.code,
            tonic::Code::Unavailable | tonic::Code::DeadlineExceeded
        )
    }

    /// A one-line text for the status line.
    pub fn text(&self) -> String {
        match self.code {
            tonic::Code::Unavailable if self.message.contains("certificate") => {
                return format!("Secure connection refused: {}", self.message);
            }
            tonic::Code::Unavailable => return "Cannot reach the server".to_owned(),
            tonic::Code::DeadlineExceeded => return "The server did not answer in time".to_owned(),
            _ => {}
        }
        if let Some((field, message)) = self.field() {
            return format!("{}: {message}", field_label(field));
        }
        if self.message.is_empty() {
            format!("{:?}", self.code)
        } else {
            self.message.clone()
        }
    }
}

/// A field the server names (`details.phones`, `current_password`) as a
/// person would ("Phones", "Current password"), for errors no form field
/// shows beside itself.
fn field_label(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    let last = last.split('[').next().unwrap_or(last);
    let words = last.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The answer to one [`Request`].
#[derive(Debug, Clone)]
pub enum Reply {
    SignedIn {
        identity: pb::Identity,
        remember_note: Option<String>,
    },
    /// No remembered session: show the sign-in form.
    NotRemembered {
        note: Option<String>,
    },
    PasswordPolicy(pb::PasswordPolicy),
    PasswordChanged,
    /// My own sessions, the latest sign-in first.
    Sessions(Vec<pb::MySession>),
    SessionRevoked {
        id: i64,
    },
    SignedOutEverywhere {
        ended: u32,
        keep_current: bool,
    },
    /// My SSH keys, and the gateway's host key fingerprint (empty: the
    /// server runs no gateway).
    SshKeys(pb::ListMySshKeysResponse),
    SshKeyAdded(pb::SshKey),
    SshKeyRemoved {
        id: i64,
    },
    Neutral(String),
    SignedOut,
    Stats(pb::TicketStats),
    Report {
        request: pb::ReportRequest,
        report: pb::Report,
    },
    Tickets {
        list: ListId,
        seq: u64,
        append: bool,
        page: pb::ListTicketsResponse,
    },
    Ticket(Box<pb::TicketDetail>),
    OlderTimeline {
        number: i64,
        page: pb::GetTimelineResponse,
    },
    Posted {
        number: i64,
    },
    StatusChanged(Box<pb::Ticket>),
    Subscribers {
        number: i64,
        subscribers: Vec<pb::Subscriber>,
    },
    /// The caller's saved Triage views, by name.
    SavedViews(Vec<pb::SavedView>),
    /// A view was saved under `name`; `views` are all of them now.
    ViewSaved {
        name: String,
        views: Vec<pb::SavedView>,
    },
    Uploaded(pb::Attachment),
    Downloaded {
        path: PathBuf,
        bytes: u64,
    },
    FormData {
        service_types: Vec<pb::ServiceType>,
        company: Option<Box<pb::Company>>,
        contacts: Vec<pb::Contact>,
        companies: Vec<pb::Company>,
        staff: Vec<pb::StaffMember>,
    },
    /// A staff change to a ticket went through.
    Changed {
        number: i64,
        what: String,
    },
    CompanyContacts {
        company_id: i64,
        contacts: Vec<pb::Contact>,
    },
    /// Who may subscribe to a ticket of `company_id`: its contacts and the
    /// related contacts of other companies (their own `company_id`).
    SubscriberCandidates {
        company_id: i64,
        contacts: Vec<pb::Contact>,
    },
    Created(Box<pb::Ticket>),
    Profile(Box<pb::MyProfile>),
    Users(Vec<pb::Contact>),
    UserAdded {
        contact: Box<pb::Contact>,
        temporary_password: String,
    },
    UserChanged(Box<pb::Contact>),
    TemporaryPassword {
        contact_id: i64,
        password: String,
    },
    /// A ticket's estimates, sign-off and time.
    Work {
        number: i64,
        work: Box<pb::TicketWork>,
    },
    WorkTypes(Vec<pb::WorkType>),
    AwaitingEstimates(Vec<pb::Estimate>),
    /// The staff member's timer, as it is now.
    Timer(pb::TimerState),
    /// The timer's time was logged and the timer stopped.
    TimerStopped(pb::TimerState),
    /// The caller's time in the week of `week_of` (empty: this week).
    MyTime {
        week_of: String,
        time: Box<pb::MyTime>,
    },
    /// One of the caller's time entries was changed or deleted.
    TimeChanged {
        number: i64,
        what: String,
    },
    /// Agreements, invoices, payments, runs and settings.
    Billing(Box<BillingReply>),
    // --- The administration screens
    Companies(Vec<pb::Company>),
    /// A company created, changed, or its preferences saved.
    CompanySaved(Box<pb::Company>),
    StaffList(Vec<pb::StaffMember>),
    StaffAdded {
        staff: pb::StaffMember,
        temporary_password: String,
    },
    StaffChanged(pb::StaffMember),
    /// The whole catalog, retired types included.
    ServiceTypes(Vec<pb::ServiceType>),
    ServiceTypeSaved(pb::ServiceType),
    Sla(pb::SlaSettings),
    /// Every work type and the time settings.
    WorkSetup {
        types: Vec<pb::WorkType>,
        settings: pb::WorkSettings,
    },
    WorkTypeSaved(pb::WorkType),
    WorkSettings(pb::WorkSettings),
    FailedMail(Vec<pb::OutboxMessage>),
    MailRetried(pb::OutboxMessage),
    BackupStatus(pb::BackupStatus),
    PendingRequests(Vec<pb::PendingRequest>),
    RequestResolved {
        id: i64,
        approve: bool,
        temporary_password: String,
    },
    /// A page of the audit log for `query`; `first` when it is the newest.
    Audit {
        query: Box<AuditQuery>,
        first: bool,
        page: pb::ListAuditLogResponse,
    },
    // --- The knowledge library and the account team
    Articles {
        to: ArticlesFor,
        seq: u64,
        list: pb::ListArticlesResponse,
    },
    Article {
        to: ArticlesFor,
        article: Box<pb::Article>,
    },
    ArticleSaved(Box<pb::Article>),
    Team(Box<pb::AccountTeam>),
    TeamSaved(Box<pb::AccountTeam>),
    Failed {
        request: Box<Request>,
        error: ApiError,
    },
}

/// Everything the event loop feeds the app besides keys.
#[derive(Debug, Clone)]
pub enum Action {
    Reply(Box<Reply>),
    /// A change made by someone else.
    Event(pb::Event),
    /// The live-update stream is (re)connected or lost.
    Connected(bool),
    /// The server ended the session (signed out elsewhere, disabled, expired)
    /// and it could not be renewed.
    SessionEnded,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_problems_are_not_called_unreachable() {
        let e = ApiError {
            code: tonic::Code::Unavailable,
            message: "invalid peer certificate: UnknownIssuer".into(),
        };
        assert!(e.text().contains("UnknownIssuer"));
        let e = ApiError {
            code: tonic::Code::Unavailable,
            message: "tcp connect error".into(),
        };
        assert_eq!(e.text(), "Cannot reach the server");
    }

    #[test]
    fn field_prefix_is_read_only_from_invalid_argument() {
        let e = ApiError {
            code: tonic::Code::InvalidArgument,
            message: "title: must not be empty".into(),
        };
        assert_eq!(e.field(), Some(("title", "must not be empty")));
        let e = ApiError {
            code: tonic::Code::InvalidArgument,
            message: "Bad thing: happened".into(),
        };
        assert_eq!(e.field(), None);
        let e = ApiError {
            code: tonic::Code::NotFound,
            message: "title: nope".into(),
        };
        assert_eq!(e.field(), None);
    }

    #[test]
    fn errors_name_fields_as_people_do() {
        for (wire, shown) in [
            ("details.phones: each kind once", "Phones: each kind once"),
            (
                "current_password: is not correct",
                "Current password: is not correct",
            ),
            ("fields.asset_tag: required", "Asset tag: required"),
        ] {
            let e = ApiError {
                code: tonic::Code::InvalidArgument,
                message: wire.into(),
            };
            assert_eq!(e.text(), shown);
        }
    }
}
