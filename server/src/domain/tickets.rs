//! Tickets and what hangs off them: the catalog, timeline, tasks,
//! attachments, subscribers, list filters and figures.

use serde::{Deserialize, Serialize};

use super::TicketStatus;
use super::input::{Invalid, Max, long_text, multi_line, parse_date, single_line};
use super::sla::DeadlineKind;

/// The kind of an extra form field of a service type. Stored in JSON as
/// `text`, `multiline`, `date`, `choice` or `yes_no`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Multiline,
    Date,
    Choice,
    YesNo,
}

/// One extra form field of a service type, as `data/catalog.toml` gives it
/// and `service_types.fields` stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<String>,
}

/// An entry of the service catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceType {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub sort_order: i32,
    pub active: bool,
    pub fields: Vec<FieldDef>,
}

/// A value of an extra field on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValue {
    pub key: String,
    pub value: String,
}

/// A ticket with the names of what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub number: i64,
    pub company_id: i64,
    pub company_name: String,
    pub site_id: Option<i64>,
    pub site_name: String,
    pub contact_id: i64,
    pub contact_name: String,
    pub title: String,
    /// In lists: the first 200 characters.
    pub description: String,
    pub service_type_id: i64,
    pub service_type_name: String,
    pub fields: Vec<FieldValue>,
    pub priority: i32,
    pub status: TicketStatus,
    pub emergency: bool,
    pub due_date: Option<String>,
    pub po_number: String,
    pub board: String,
    pub assigned_staff_id: Option<i64>,
    pub assigned_staff_name: String,
    /// Staff assigned besides the primary, in the order they were added.
    pub other_assignees: Vec<Assignee>,
    pub created_at: i64,
    pub updated_at: i64,
    pub responded_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub response_due_at: Option<i64>,
    pub resolution_due_at: Option<i64>,
    /// The next SLA deadline (docs/TICKETS.md, "SLA"): which, when (None
    /// while the clock is stopped short of it), and when it turns at risk.
    pub next_due_kind: Option<DeadlineKind>,
    pub next_due_at: Option<i64>,
    pub next_risk_at: Option<i64>,
    /// Since when a client's chat message waits for staff (docs/TICKETS.md, "Chat").
    pub chat_waiting_since: Option<i64>,
}

impl Ticket {
    /// Who is assigned, as lists, the detail and exports say it:
    /// "Primary (+ Other, Other)", or "Unassigned".
    pub fn assigned_label(&self) -> String {
        let mut label = if self.assigned_staff_id.is_some() {
            self.assigned_staff_name.clone()
        } else {
            "Unassigned".to_owned()
        };
        if !self.other_assignees.is_empty() {
            let others: Vec<&str> = self
                .other_assignees
                .iter()
                .map(|a| a.name.as_str())
                .collect();
            label = format!("{label} (+ {})", others.join(", "));
        }
        label
    }
}

/// A staff member assigned to a ticket besides its primary assignee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    pub staff_id: i64,
    pub name: String,
}

/// A validated new ticket, ready to store.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub company_id: i64,
    pub site_id: Option<i64>,
    pub contact_id: i64,
    pub service_type_id: i64,
    pub title: String,
    pub description: String,
    pub fields: Vec<FieldValue>,
    pub priority: i32,
    pub emergency: bool,
    pub due_date: Option<String>,
    pub po_number: String,
    /// The requester's phone and e-mail for this ticket ('' = the profile's).
    pub contact_phone: String,
    pub contact_email: String,
}

/// Priority names (docs/TICKETS.md, "Priorities").
pub fn priority_label(priority: i32) -> String {
    let name = match priority {
        1 => "Critical",
        2 => "High",
        3 => "Medium",
        4 => "Low",
        5 => "Planned",
        _ => "",
    };
    format!("{priority} {name}").trim_end().to_owned()
}

/// The default priority of a new ticket.
pub const DEFAULT_PRIORITY: i32 = 3;

/// The stored `timeline.kind` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineKind {
    Discussion = 1,
    Resolution = 2,
    InternalNote = 3,
    StatusChange = 4,
    PriorityChange = 5,
    AssignmentChange = 6,
    /// An estimate proposed, approved or declined (public).
    Estimate = 7,
    /// The requester's rating of the closed ticket (public): `to` is
    /// "4/5", the body its comment.
    Rating = 8,
}

impl TimelineKind {
    pub fn from_i64(n: i64) -> Option<Self> {
        Some(match n {
            1 => Self::Discussion,
            2 => Self::Resolution,
            3 => Self::InternalNote,
            4 => Self::StatusChange,
            5 => Self::PriorityChange,
            6 => Self::AssignmentChange,
            7 => Self::Estimate,
            8 => Self::Rating,
            _ => return None,
        })
    }

    /// Discussion and resolution posts are public; internal notes are staff-only.
    pub fn is_post(self) -> bool {
        matches!(
            self,
            Self::Discussion | Self::Resolution | Self::InternalNote
        )
    }
}

/// Who made a change, as recorded on the timeline and attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub kind: AuthorKind,
    /// The contact or staff member; unused for the system.
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorKind {
    Contact,
    Staff,
    /// The portal itself, for changes nobody made (closing after sign-off
    /// was not given).
    System,
}

impl AuthorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Staff => "staff",
            Self::System => "system",
        }
    }
}

impl Author {
    pub fn system() -> Self {
        Self {
            kind: AuthorKind::System,
            id: 0,
            name: "Portal".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub id: i64,
    pub ticket_id: i64,
    pub kind: TimelineKind,
    pub at: i64,
    pub author_name: String,
    pub author_is_staff: bool,
    pub body: String,
    pub from_value: String,
    pub to_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: i64,
    pub ticket_id: i64,
    pub text: String,
    pub done: bool,
    pub done_by: String,
    pub done_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: i64,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub contact_id: i64,
    pub name: String,
    pub email: String,
}

/// The columns a ticket list may be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketSort {
    Number,
    Title,
    Status,
    Priority,
    Contact,
    Updated,
    Created,
    Company,
    NextDue,
}

/// Filters of a ticket list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Already sanitised FTS5 query (`store::ticket_list::SearchText`).
    pub text: Option<String>,
    pub status_group: Option<super::StatusGroup>,
    pub status: Option<TicketStatus>,
    pub number: Option<i64>,
    pub contact_id: Option<i64>,
    pub priority: Option<i32>,
    pub service_type_id: Option<i64>,
    /// Half-open millisecond ranges `[from, to)`.
    pub created: (Option<i64>, Option<i64>),
    pub updated: (Option<i64>, Option<i64>),
    pub company_id: Option<i64>,
    pub assigned_staff_id: Option<i64>,
    pub unassigned: bool,
    /// Only tickets whose next SLA deadline had passed at this instant.
    pub breached_at: Option<i64>,
    /// Only tickets whose chat waits for staff.
    pub chat_waiting: bool,
}

/// A staff member's named Triage filters and sort (docs/TICKETS.md, "Saved
/// views").
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // independent filters, not states
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub unassigned: bool,
    /// Tickets the viewer is assigned to (primary or other).
    pub mine: bool,
    pub company_id: Option<i64>,
    pub priority: Option<i32>,
    pub breached: bool,
    pub sort: TicketSort,
    pub descending: bool,
}

/// Where a keyset page starts: the sort value and id of the last row seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCursor {
    pub sort: TicketSort,
    pub descending: bool,
    pub value: SortValue,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

/// One page of tickets.
#[derive(Debug, Clone)]
pub struct TicketPage {
    pub tickets: Vec<Ticket>,
    pub next: Option<TicketCursor>,
    pub total: u64,
    /// A search counts at most `SEARCH_COUNT_CAP` matches; true when it
    /// stopped there.
    pub total_is_lower_bound: bool,
}

/// Figures for the Home tab and reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketStats {
    pub open: u64,
    pub created_this_month: u64,
    pub created_this_year: u64,
    pub awaiting_client: u64,
    /// `(YYYY-MM, created, completed)`, oldest first, every month present.
    pub by_month: Vec<(String, u64, u64)>,
    pub by_status: Vec<(TicketStatus, u64)>,
}

/// Text fields of the ticket form are at most this many characters.
pub const MAX_TEXT_FIELD_CHARS: usize = 200;
/// A choice field offers at most this many choices.
pub const MAX_CHOICES: usize = 100;

/// Checks a ticket's extra field values against its service type's fields;
/// returns them in the type's order, empty optional values left out.
/// Errors name `fields.<key>`.
pub fn validate_field_values(
    defs: &[FieldDef],
    values: &[FieldValue],
) -> Result<Vec<FieldValue>, Invalid> {
    for (i, v) in values.iter().enumerate() {
        let field = || format!("fields.{}", printable_key(&v.key));
        if !defs.iter().any(|d| d.key == v.key) {
            return Err(Invalid::new(field(), "not a field of this service type"));
        }
        if values[..i].iter().any(|w| w.key == v.key) {
            return Err(Invalid::new(field(), "given more than once"));
        }
    }
    let mut out = Vec::with_capacity(defs.len());
    for def in defs {
        let field = format!("fields.{}", def.key);
        let value = values
            .iter()
            .find(|v| v.key == def.key)
            .map_or("", |v| v.value.trim());
        if value.is_empty() {
            if def.required {
                return Err(Invalid::new(field, "required"));
            }
            continue;
        }
        let value = match def.kind {
            FieldKind::Text => single_line(&field, value, MAX_TEXT_FIELD_CHARS, false)?,
            FieldKind::Multiline => long_text(&field, value, false)?,
            FieldKind::Date => {
                if parse_date(value).is_none() {
                    return Err(Invalid::new(field, "not a valid date (YYYY-MM-DD)"));
                }
                value.to_owned()
            }
            FieldKind::Choice => {
                if !def.choices.iter().any(|c| c == value) {
                    return Err(Invalid::new(
                        field,
                        format!("must be one of: {}", def.choices.join(", ")),
                    ));
                }
                value.to_owned()
            }
            FieldKind::YesNo => {
                if value != "yes" && value != "no" {
                    return Err(Invalid::new(field, "must be \"yes\" or \"no\""));
                }
                value.to_owned()
            }
        };
        out.push(FieldValue {
            key: def.key.clone(),
            value,
        });
    }
    Ok(out)
}

/// A key as it may appear in an error message: bounded and printable.
fn printable_key(key: &str) -> String {
    key.chars().filter(|c| !c.is_control()).take(40).collect()
}

impl ServiceType {
    /// Checks a catalog entry as a provider Admin saves it.
    pub fn validate(&self) -> Result<(), Invalid> {
        single_line("name", &self.name, 100, true)?;
        multi_line("description", &self.description, Max::Chars(1000), false)?;
        if self.fields.len() > 50 {
            return Err(Invalid::new("fields", "at most 50 fields"));
        }
        for (i, f) in self.fields.iter().enumerate() {
            let at = |what: &str| format!("fields[{i}].{what}");
            let key_ok = (1..=40).contains(&f.key.len())
                && f.key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !key_ok {
                return Err(Invalid::new(
                    at("key"),
                    "1 to 40 lower-case letters, digits or '_'",
                ));
            }
            if self.fields[..i].iter().any(|g| g.key == f.key) {
                return Err(Invalid::new(at("key"), "used by another field"));
            }
            single_line(&at("label"), &f.label, 100, true)?;
            if f.kind == FieldKind::Choice {
                if f.choices.is_empty() {
                    return Err(Invalid::new(at("choices"), "a choice field needs choices"));
                }
                // Duplicates are looked for pairwise: keep the list short.
                if f.choices.len() > MAX_CHOICES {
                    return Err(Invalid::new(
                        at("choices"),
                        format!("at most {MAX_CHOICES} choices"),
                    ));
                }
                for (j, c) in f.choices.iter().enumerate() {
                    if c.trim().is_empty()
                        || c.trim() != c
                        || c.chars().count() > 100
                        || c.chars().any(char::is_control)
                    {
                        return Err(Invalid::new(
                            at("choices"),
                            "each choice is 1 to 100 characters on one line without surrounding spaces",
                        ));
                    }
                    if f.choices[..j].contains(c) {
                        return Err(Invalid::new(
                            at("choices"),
                            format!("\"{c}\" is listed twice"),
                        ));
                    }
                }
            } else if !f.choices.is_empty() {
                return Err(Invalid::new(
                    at("choices"),
                    "only choice fields have choices",
                ));
            }
        }
        Ok(())
    }
}

/// The refusal of an illegal status move, naming the allowed ones.
pub fn illegal_move(from: TicketStatus, to: TicketStatus, allowed: &[TicketStatus]) -> String {
    let allowed = if allowed.is_empty() {
        "none".to_owned()
    } else {
        allowed
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "cannot move from {} to {}; allowed: {allowed}",
        from.label(),
        to.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(key: &str, kind: FieldKind, required: bool) -> FieldDef {
        FieldDef {
            key: key.into(),
            label: key.into(),
            kind,
            required,
            choices: if kind == FieldKind::Choice {
                vec!["A".into(), "B".into()]
            } else {
                vec![]
            },
        }
    }

    fn val(key: &str, value: &str) -> FieldValue {
        FieldValue {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn free_text_keeps_line_breaks_and_tabs_only() {
        use crate::domain::input::has_stray_control;
        assert!(!has_stray_control("two\nlines\r\n\tindented, ü 🙂"));
        for bad in ["nul\0", "\x1b[2J", "bell\x07", "\u{9b}31m"] {
            assert!(has_stray_control(bad), "{bad:?}");
        }
        let defs = [
            def("note", FieldKind::Text, false),
            def("more", FieldKind::Multiline, false),
        ];
        assert!(validate_field_values(&defs, &[val("note", "a\tb")]).is_err());
        assert!(validate_field_values(&defs, &[val("more", "a\nb\tc")]).is_ok());
        assert!(validate_field_values(&defs, &[val("more", "a\x1b]0;x\x07")]).is_err());
    }

    #[test]
    fn field_values_are_checked_against_their_definitions() {
        let defs = [
            def("name", FieldKind::Text, true),
            def("notes", FieldKind::Multiline, false),
            def("start", FieldKind::Date, false),
            def("pick", FieldKind::Choice, false),
            def("ok", FieldKind::YesNo, false),
        ];
        let err = |values: &[FieldValue]| validate_field_values(&defs, values).unwrap_err();
        assert_eq!(err(&[]).field, "fields.name");
        assert_eq!(err(&[val("name", "  ")]).message, "required");
        assert_eq!(err(&[val("name", &"x".repeat(201))]).field, "fields.name");
        assert_eq!(
            err(&[val("name", "a"), val("start", "2026-02-30")]).field,
            "fields.start"
        );
        assert_eq!(
            err(&[val("name", "a"), val("start", "2026-2-3")]).field,
            "fields.start"
        );
        assert_eq!(
            err(&[val("name", "a"), val("pick", "C")]).field,
            "fields.pick"
        );
        assert_eq!(
            err(&[val("name", "a"), val("ok", "Yes")]).field,
            "fields.ok"
        );
        assert_eq!(
            err(&[val("name", "a"), val("zzz", "1")]).field,
            "fields.zzz"
        );
        assert_eq!(
            err(&[val("name", "a"), val("name", "b")]).message,
            "given more than once"
        );
        let ok = validate_field_values(
            &defs,
            &[
                val("ok", "yes"),
                val("name", " Ann "),
                val("start", "2028-02-29"),
                val("pick", "B"),
                val("notes", ""),
            ],
        )
        .unwrap();
        assert_eq!(
            ok,
            vec![
                val("name", "Ann"),
                val("start", "2028-02-29"),
                val("pick", "B"),
                val("ok", "yes")
            ]
        );
    }

    #[test]
    fn service_types_are_validated() {
        let mut st = ServiceType {
            id: 0,
            name: "Printer".into(),
            description: String::new(),
            sort_order: 1,
            active: true,
            fields: vec![def("model", FieldKind::Text, false)],
        };
        assert_eq!(st.validate(), Ok(()));
        st.fields.push(def("Model", FieldKind::Text, false));
        assert_eq!(st.validate().unwrap_err().field, "fields[1].key");
        st.fields[1].key = "model".into();
        assert_eq!(st.validate().unwrap_err().message, "used by another field");
        st.fields[1].key = "colour".into();
        st.fields[1].choices = vec!["x".into()];
        assert_eq!(st.validate().unwrap_err().field, "fields[1].choices");
        st.fields[1].kind = FieldKind::Choice;
        assert_eq!(st.validate(), Ok(()));
        st.fields[1].choices.clear();
        assert_eq!(st.validate().unwrap_err().field, "fields[1].choices");
        st.name = " ".into();
        assert_eq!(st.validate().unwrap_err().field, "name");
    }
}
