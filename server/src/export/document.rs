//! A document as blocks, and the two documents of a ticket: the ticket
//! itself and its sign-off form. Only public facts go in: the record they
//! are built from holds no internal note.

use chrono::DateTime;
use chrono_tz::Tz;

use crate::domain::export::TicketRecord;
use crate::domain::tickets::{TimelineEntry, TimelineKind, priority_label};
use crate::domain::work::{money, utc_day};

/// A document: a title and its blocks, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// A line under the title: who it is from and when it was made.
    pub subtitle: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    /// A label and its value.
    Field(String, String),
    /// Free text, wrapped; its own line breaks kept.
    Paragraph(String),
    /// A headed item of a list (a timeline entry, an attachment), its body
    /// indented.
    Entry {
        head: String,
        body: String,
    },
}

/// A time as the provider's clock shows it.
fn at(zone: Tz, ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(String::new, |t| {
        t.with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    })
}

fn field(label: &str, value: impl Into<String>) -> Block {
    Block::Field(label.to_owned(), value.into())
}

/// The optional times of a ticket, those that are set.
fn times(r: &TicketRecord) -> Vec<Block> {
    let t = &r.ticket;
    [
        ("Created", Some(t.created_at)),
        ("Updated", Some(t.updated_at)),
        ("Responded", t.responded_at),
        ("Response due", t.response_due_at),
        ("Resolution due", t.resolution_due_at),
        ("Completed", t.completed_at),
        ("Closed", t.closed_at),
    ]
    .into_iter()
    .filter_map(|(label, ms)| ms.map(|ms| field(label, at(r.zone, ms))))
    .collect()
}

fn details(r: &TicketRecord) -> Vec<Block> {
    let t = &r.ticket;
    let mut priority = priority_label(t.priority);
    if t.emergency {
        priority.push_str(" (emergency)");
    }
    let mut blocks = vec![
        Block::Heading("Details".into()),
        field("Status", t.status.label()),
        field("Priority", priority),
        field("Service type", t.service_type_name.clone()),
        field("Company", t.company_name.clone()),
        field("Site", t.site_name.clone()),
        field("Requester", t.contact_name.clone()),
        field("Assigned to", t.assigned_label()),
        field("Board", t.board.clone()),
        field("PO number", t.po_number.clone()),
        field("Due date", t.due_date.clone().unwrap_or_default()),
    ];
    blocks.retain(|b| !matches!(b, Block::Field(_, v) if v.is_empty()));
    blocks.extend(times(r));
    blocks.extend(r.fields.iter().map(|(l, v)| field(l, v.clone())));
    blocks
}

/// What a timeline entry says, as an entry of the document.
fn timeline_entry(zone: Tz, e: &TimelineEntry) -> Block {
    let what = match e.kind {
        TimelineKind::Discussion => "Post",
        TimelineKind::Resolution => "Resolution",
        TimelineKind::InternalNote => "Internal note",
        TimelineKind::StatusChange => "Status",
        TimelineKind::PriorityChange => "Priority",
        TimelineKind::AssignmentChange => "Assignment",
        TimelineKind::Estimate => "Estimate",
        TimelineKind::Rating => "Rating",
    };
    let mut body = if e.from_value.is_empty() && e.to_value.is_empty() {
        String::new()
    } else if e.kind == TimelineKind::Rating {
        format!("{what}: {}", e.to_value)
    } else {
        format!("{what}: {} to {}", e.from_value, e.to_value)
    };
    if !e.body.is_empty() {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(&e.body);
    }
    Block::Entry {
        head: format!("{}  {}  ({what})", at(zone, e.at), e.author_name),
        body,
    }
}

fn title(r: &TicketRecord) -> String {
    format!("Ticket #{}: {}", r.ticket.number, r.ticket.title)
}

fn subtitle(r: &TicketRecord, now: i64) -> String {
    format!("{}, exported {}", r.provider_name, at(r.zone, now))
}

/// The whole ticket: its fields, description, tasks, attachments and
/// public timeline.
pub fn ticket_document(r: &TicketRecord, now: i64) -> Document {
    let mut blocks = details(r);
    blocks.push(Block::Heading("Description".into()));
    blocks.push(Block::Paragraph(r.ticket.description.clone()));
    if !r.tasks.is_empty() {
        blocks.push(Block::Heading(format!("Tasks ({})", r.tasks.len())));
        blocks.extend(r.tasks.iter().map(|t| {
            let done = match (t.done, t.done_at) {
                (true, Some(ms)) => format!("[x] done by {} at {}", t.done_by, at(r.zone, ms)),
                (true, None) => "[x] done".to_owned(),
                (false, _) => "[ ] open".to_owned(),
            };
            Block::Entry {
                head: t.text.clone(),
                body: done,
            }
        }));
    }
    if !r.attachments.is_empty() {
        blocks.push(Block::Heading(format!(
            "Attachments ({})",
            r.attachments.len()
        )));
        blocks.extend(r.attachments.iter().map(|a| Block::Entry {
            head: format!("{} ({} bytes)", a.file_name, a.size),
            body: format!(
                "{}\nSHA-256: {}\nUploaded by {} at {}",
                a.title,
                a.sha256,
                a.uploaded_by,
                at(r.zone, a.uploaded_at)
            ),
        }));
    }
    blocks.extend(estimates(r, now));
    blocks.extend(signed(r));
    blocks.push(Block::Heading(format!("Timeline ({})", r.timeline.len())));
    blocks.extend(r.timeline.iter().map(|e| timeline_entry(r.zone, e)));
    Document {
        title: title(r),
        subtitle: subtitle(r, now),
        blocks,
    }
}

/// The estimates, each with its decision (none: no blocks).
fn estimates(r: &TicketRecord, now: i64) -> Vec<Block> {
    if r.estimates.is_empty() {
        return Vec::new();
    }
    let today = utc_day(now);
    let mut blocks = vec![Block::Heading(format!("Estimates ({})", r.estimates.len()))];
    blocks.extend(r.estimates.iter().map(|e| {
        let state = if e.expired(&today) {
            "Expired"
        } else {
            e.state.label()
        };
        let mut lines = vec![
            e.description.clone(),
            format!(
                "Proposed by {} at {}",
                e.proposed_by_name,
                at(r.zone, e.proposed_at)
            ),
        ];
        if let Some(ms) = e.decided_at {
            lines.push(format!(
                "{state} by {} at {}",
                e.decided_by_name,
                at(r.zone, ms)
            ));
        } else if let Some(last) = &e.expires_on {
            lines.push(format!("To be decided by {last}"));
        }
        if !e.comment.is_empty() {
            lines.push(format!("Comment: {}", e.comment));
        }
        let body = lines.join("\n");
        Block::Entry {
            head: format!("{}  {state}", money(e.amount_cents)),
            body,
        }
    }));
    blocks
}

/// The stored sign-off record (none yet: no blocks).
fn signed(r: &TicketRecord) -> Vec<Block> {
    let Some(s) = &r.sign_off else {
        return Vec::new();
    };
    let mut blocks = vec![
        Block::Heading("Signed off".into()),
        field("Signed by", s.contact_name.clone()),
        field("Typed name", s.typed_name.clone()),
        field("Signed at", at(r.zone, s.signed_at)),
    ];
    if !s.comment.is_empty() {
        blocks.push(field("Comment", s.comment.clone()));
    }
    let accepted = if s.resolution.is_empty() {
        "(no resolution was recorded)".to_owned()
    } else {
        s.resolution.clone()
    };
    blocks.push(field("Resolution accepted", accepted));
    blocks
}

/// The sign-off form: what was done (the resolutions), and the lines the
/// client signs on.
pub fn sign_off_form(r: &TicketRecord, now: i64) -> Document {
    let t = &r.ticket;
    let mut blocks = vec![
        field("Company", t.company_name.clone()),
        field("Requester", t.contact_name.clone()),
        field("Status", t.status.label()),
    ];
    blocks.extend(t.completed_at.map(|ms| field("Completed", at(r.zone, ms))));
    blocks.push(Block::Heading("Work done".into()));
    let resolutions: Vec<Block> = r
        .timeline
        .iter()
        .filter(|e| e.kind == TimelineKind::Resolution)
        .map(|e| timeline_entry(r.zone, e))
        .collect();
    if resolutions.is_empty() {
        blocks.push(Block::Paragraph("No resolution has been recorded.".into()));
    }
    blocks.extend(resolutions);
    blocks.push(Block::Heading("Acceptance".into()));
    blocks.push(Block::Paragraph(
        "By signing, the client accepts the work described above as complete.".into(),
    ));
    // A signed ticket's form holds the record; an unsigned one, lines to
    // sign on.
    let record = signed(r);
    if record.is_empty() {
        for label in ["Full name", "Signature", "Date", "Comment"] {
            blocks.push(field(label, "_".repeat(40)));
        }
    }
    blocks.extend(record);
    Document {
        title: format!("Sign-off: {}", title(r)),
        subtitle: subtitle(r, now),
        blocks,
    }
}

/// `text` broken into lines no wider than `max`, each character as wide as
/// `width` says: at spaces where it can, inside a word only when the word
/// alone is too wide. The text's own line breaks are kept.
pub fn wrap(text: &str, max: f32, width: impl Fn(char) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for word in paragraph.split(' ') {
            let word_width: f32 = word.chars().map(&width).sum();
            let space = if line.is_empty() { 0.0 } else { width(' ') };
            if used + space + word_width <= max {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                used += space + word_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0.0;
            }
            for c in word.chars() {
                if used + width(c) > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                }
                line.push(c);
                used += width(c);
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_breaks_at_spaces_and_splits_only_long_words() {
        let one = |_| 1.0;
        assert_eq!(wrap("aa bb cc", 5.0, one), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefg", 3.0, one), ["abc", "def", "g"]);
        assert_eq!(wrap("a\n\nb", 5.0, one), ["a", "", "b"]);
        assert_eq!(wrap("", 5.0, one), [""]);
    }
}
