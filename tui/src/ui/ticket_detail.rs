//! One ticket: its fields, problem, timeline (older entries on demand),
//! tasks, attachments and subscribers, with keys to act on it.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, PostKind, TicketStatus, TimelineKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::form::Field;
use super::popup::{Pick, Popup, Prompt, PromptPopup};
use super::{Catalog, Ctx, Effects, HelpLines, Nav, format, help_line, plain_help};
use crate::action::TicketCall;
use crate::keys::Cmd;

#[derive(Debug, Clone)]
pub struct TicketDetail {
    pub number: i64,
    pub detail: Option<pb::TicketDetail>,
    /// Newest first: the latest page plus any older pages fetched.
    pub timeline: Vec<pb::TimelineEntry>,
    pub cursor: String,
    pub loading_older: bool,
    pub scroll: u16,
    pub error: Option<String>,
}

impl TicketDetail {
    pub fn new(number: i64) -> Self {
        Self {
            number,
            detail: None,
            timeline: Vec::new(),
            cursor: String::new(),
            loading_older: false,
            scroll: 0,
            error: None,
        }
    }

    pub fn load(&self, fx: &mut Effects) {
        fx.send(TicketCall::Get {
            number: self.number,
        });
    }

    /// A fresh copy arrived: keep older entries already fetched.
    pub fn on_detail(&mut self, detail: pb::TicketDetail) {
        let older: Vec<pb::TimelineEntry> = if self.cursor.is_empty() && !self.timeline.is_empty() {
            let oldest_new = detail.timeline.last().map_or(i64::MAX, |e| e.id);
            self.timeline
                .iter()
                .filter(|e| e.id < oldest_new)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        if older.is_empty() {
            self.cursor.clone_from(&detail.timeline_cursor);
        }
        self.timeline.clone_from(&detail.timeline);
        self.timeline.extend(older);
        self.error = None;
        self.detail = Some(detail);
    }

    pub fn on_older(&mut self, page: pb::GetTimelineResponse) {
        self.loading_older = false;
        self.timeline.extend(page.entries);
        self.cursor = page.next_cursor;
    }

    fn permissions(&self) -> pb::TicketPermissions {
        self.detail
            .as_ref()
            .and_then(|d| d.permissions.clone())
            .unwrap_or_default()
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        let p = self.permissions();
        let mut lines = vec![
            plain_help("↑/↓ j/k PgUp/PgDn", "scroll"),
            plain_help("Esc/Backspace", "back to the list"),
        ];
        if p.can_post {
            lines.push(help_line(ctx.keys, Cmd::Reply, "reply (discussion)"));
            lines.push(help_line(ctx.keys, Cmd::Resolution, "add resolution text"));
            lines.push(help_line(
                ctx.keys,
                Cmd::Attach,
                "attach a file (Tab completes the path)",
            ));
        }
        if p.can_add_internal_note {
            lines.push(help_line(
                ctx.keys,
                Cmd::InternalNote,
                "internal note (staff only)",
            ));
        }
        if !p.allowed_statuses.is_empty() {
            lines.push(help_line(ctx.keys, Cmd::Status, "change status"));
        }
        lines.push(help_line(
            ctx.keys,
            Cmd::SaveAttachment,
            "save an attachment",
        ));
        if p.can_manage_subscribers {
            lines.push(help_line(ctx.keys, Cmd::AddSubscriber, "add a subscriber"));
        }
        if p.can_set_priority {
            lines.push(help_line(ctx.keys, Cmd::Priority, "set the priority"));
        }
        if p.can_assign {
            lines.push(help_line(ctx.keys, Cmd::Assign, "assign to a staff member"));
        }
        if p.can_manage_tasks {
            lines.push(help_line(ctx.keys, Cmd::AddTask, "add a task"));
            lines.push(help_line(
                ctx.keys,
                Cmd::ToggleTask,
                "tick or untick a task",
            ));
        }
        lines.push(help_line(
            ctx.keys,
            Cmd::OlderTimeline,
            "load older timeline entries",
        ));
        lines.push(help_line(ctx.keys, Cmd::Refresh, "refresh"));
        lines
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let p = self.permissions();
        let number = self.number;
        match key.code {
            KeyCode::Esc | KeyCode::Backspace => fx.nav = Some(Nav::TicketList),
            KeyCode::Down | KeyCode::Char('j') => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll = self.scroll.saturating_add(10),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Char('g') | KeyCode::Home => self.scroll = 0,
            _ if ctx.keys.is(Cmd::Reply, key) && p.can_post => {
                fx.popup = Some(post_popup(number, PostKind::Discussion));
            }
            _ if ctx.keys.is(Cmd::Resolution, key) && p.can_post => {
                fx.popup = Some(post_popup(number, PostKind::Resolution));
            }
            _ if ctx.keys.is(Cmd::InternalNote, key) && p.can_add_internal_note => {
                fx.popup = Some(post_popup(number, PostKind::InternalNote));
            }
            _ if ctx.keys.is(Cmd::Status, key) => {
                let statuses: Vec<TicketStatus> = p.allowed_statuses().collect();
                if statuses.is_empty() {
                    fx.info("No status change is open to you on this ticket");
                } else {
                    let items = statuses
                        .iter()
                        .map(|s| format::status(*s).to_owned())
                        .collect();
                    fx.popup = Some(Popup::pick(
                        "Change status to",
                        items,
                        Pick::Status { number, statuses },
                    ));
                }
            }
            _ if ctx.keys.is(Cmd::Attach, key) && p.can_post => {
                fx.popup = Some(Popup::Prompt(
                    PromptPopup::new(
                        "Attach a file",
                        Prompt::Attach { number },
                        vec![Field::line("path", "File", "")],
                    )
                    .hint("Tab completes the path")
                    .with_path_completion(),
                ));
            }
            _ if ctx.keys.is(Cmd::SaveAttachment, key) => {
                let attachments: Vec<(i64, String)> = self
                    .detail
                    .iter()
                    .flat_map(|d| &d.attachments)
                    .map(|a| (a.id, a.file_name.clone()))
                    .collect();
                if attachments.is_empty() {
                    fx.info("This ticket has no attachments");
                } else {
                    let items = attachments.iter().map(|(_, n)| n.clone()).collect();
                    fx.popup = Some(Popup::pick(
                        "Save which attachment?",
                        items,
                        Pick::SaveAttachment(attachments),
                    ));
                }
            }
            _ if ctx.keys.is(Cmd::Priority, key) && p.can_set_priority => {
                let items = (1..=5).map(|p| format::priority(p).to_owned()).collect();
                fx.popup = Some(Popup::pick("Priority", items, Pick::Priority { number }));
            }
            _ if ctx.keys.is(Cmd::Assign, key) && p.can_assign => {
                let staff: Vec<&pb::StaffMember> =
                    ctx.catalog.staff.iter().filter(|s| s.active).collect();
                let mut items = vec!["Nobody".to_owned()];
                items.extend(staff.iter().map(|s| {
                    format!(
                        "{} {} ({})",
                        s.first_name,
                        s.last_name,
                        format::role(s.role())
                    )
                }));
                let mut staff_ids = vec![0];
                staff_ids.extend(staff.iter().map(|s| s.id));
                fx.popup = Some(Popup::pick(
                    "Assign to",
                    items,
                    Pick::Assign { number, staff_ids },
                ));
            }
            _ if ctx.keys.is(Cmd::AddTask, key) && p.can_manage_tasks => {
                fx.popup = Some(Popup::Prompt(PromptPopup::new(
                    format!("New task on #{number}"),
                    Prompt::AddTask { number },
                    vec![Field::line("text", "Task", "").required()],
                )));
            }
            _ if ctx.keys.is(Cmd::ToggleTask, key) && p.can_manage_tasks => {
                let tasks: Vec<&pb::Task> = self.detail.iter().flat_map(|d| &d.tasks).collect();
                if tasks.is_empty() {
                    fx.info("No tasks yet; t adds one");
                } else {
                    let items = tasks
                        .iter()
                        .map(|t| format!("{} {}", if t.done { "[x]" } else { "[ ]" }, t.text))
                        .collect();
                    let tasks = tasks.iter().map(|t| (t.id, t.done)).collect();
                    fx.popup = Some(Popup::pick(
                        "Tick or untick",
                        items,
                        Pick::Task { number, tasks },
                    ));
                }
            }
            _ if ctx.keys.is(Cmd::AddSubscriber, key) && p.can_manage_subscribers => {
                self.pick_subscriber(ctx.catalog, fx);
            }
            _ if ctx.keys.is(Cmd::OlderTimeline, key) => {
                if self.cursor.is_empty() {
                    fx.info("No older entries");
                } else if !self.loading_older {
                    self.loading_older = true;
                    fx.send(TicketCall::OlderTimeline {
                        number,
                        cursor: self.cursor.clone(),
                    });
                }
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ => return false,
        }
        true
    }

    fn pick_subscriber(&self, catalog: &Catalog, fx: &mut Effects) {
        let current: Vec<i64> = self
            .detail
            .iter()
            .flat_map(|d| &d.subscribers)
            .map(|s| s.contact_id)
            .collect();
        let candidates: Vec<&pb::Contact> = catalog
            .contacts
            .iter()
            .filter(|c| c.active && !current.contains(&c.id))
            .collect();
        if candidates.is_empty() {
            fx.info("Nobody else to subscribe");
            return;
        }
        let items = candidates
            .iter()
            .map(|c| format!("{} <{}>", Catalog::contact_name(c), c.email))
            .collect();
        let contact_ids = candidates.iter().map(|c| c.id).collect();
        fx.popup = Some(Popup::pick(
            "Subscribe",
            items,
            Pick::Subscriber {
                number: self.number,
                contact_ids,
            },
        ));
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [body, footer] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let Some(detail) = &self.detail else {
            let text = self
                .error
                .clone()
                .unwrap_or_else(|| format!("Loading #{}…", self.number));
            frame.render_widget(
                Paragraph::new(Line::styled(format!(" {text}"), theme.muted)),
                body,
            );
            return;
        };
        let lines = self.lines(detail, ctx, body.width);
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        let total = paragraph.line_count(body.width) as u16;
        self.scroll = self.scroll.min(total.saturating_sub(body.height));
        frame.render_widget(paragraph.scroll((self.scroll, 0)), body);
        let p = self.permissions();
        let mut hints = vec!["Esc back"];
        if p.can_post {
            hints.extend(["r reply", "R resolution", "a attach"]);
        }
        if p.can_add_internal_note {
            hints.push("i note");
        }
        if !p.allowed_statuses.is_empty() {
            hints.push("c status");
        }
        if p.can_set_priority {
            hints.push("p priority");
        }
        if p.can_assign {
            hints.push("A assign");
        }
        hints.extend(["w save", "? help"]);
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {}", hints.join(" · ")), theme.muted)),
            footer,
        );
    }

    fn lines(&self, detail: &pb::TicketDetail, ctx: &Ctx, width: u16) -> Vec<Line<'static>> {
        let theme = ctx.theme;
        let t = detail.ticket.clone().unwrap_or_default();
        let heading = |text: &str| {
            Line::styled(
                format!(
                    "── {text} {}",
                    "─".repeat(usize::from(width).saturating_sub(text.len() + 4))
                ),
                theme.title,
            )
        };
        let mut lines = vec![Line::from(vec![
            Span::styled(format!(" #{} ", t.number), theme.accent),
            Span::styled(t.title.clone(), theme.title),
            if t.emergency {
                Span::styled("  EMERGENCY", theme.error)
            } else {
                Span::raw("")
            },
        ])];
        let pairs = [
            ("Status", format::status(t.status()).to_owned()),
            ("Priority", format::priority(t.priority).to_owned()),
            ("Contact", t.contact_name.clone()),
            ("Company", t.company_name.clone()),
            ("Type", t.service_type_name.clone()),
            ("Site", t.site_name.clone()),
            ("PO", t.po_number.clone()),
            ("Due", t.due_date.clone()),
            ("Assigned", t.assigned_staff_name.clone()),
            ("Created", format::time(t.created_at.as_ref(), ctx.tz)),
            ("Updated", format::time(t.updated_at.as_ref(), ctx.tz)),
            (
                "Response due",
                format::time(t.response_due_at.as_ref(), ctx.tz),
            ),
        ];
        let cell = |(label, value): &(&str, String)| {
            let value = if value.is_empty() {
                "—".to_owned()
            } else {
                value.clone()
            };
            vec![
                Span::styled(format!(" {label:>12} "), theme.muted),
                Span::styled(format!("{:<24}", format::fit(&value, 24)), theme.text),
            ]
        };
        let per_row = if width >= 114 {
            3
        } else if width >= 76 {
            2
        } else {
            1
        };
        for chunk in pairs.chunks(per_row) {
            lines.push(Line::from(chunk.iter().flat_map(cell).collect::<Vec<_>>()));
        }
        lines.push(heading("Problem"));
        lines.extend(
            t.description
                .lines()
                .map(|l| Line::styled(format!(" {l}"), theme.text)),
        );
        let defs = ctx
            .catalog
            .service_types
            .iter()
            .find(|s| s.id == t.service_type_id)
            .map(|s| s.fields.as_slice());
        for field in &t.fields {
            let label = defs
                .and_then(|defs| defs.iter().find(|d| d.key == field.key))
                .map_or_else(|| field.key.replace('_', " "), |d| d.label.clone());
            lines.push(Line::from(vec![
                Span::styled(format!(" {label}: "), theme.muted),
                Span::styled(field.value.clone(), theme.text),
            ]));
        }
        let more = if self.cursor.is_empty() {
            String::new()
        } else {
            " (o: older)".to_owned()
        };
        lines.push(heading(&format!("Timeline{more}")));
        if self.timeline.is_empty() {
            lines.push(Line::styled(" No entries yet", theme.muted));
        }
        for entry in &self.timeline {
            lines.extend(timeline_entry(entry, ctx));
        }
        if self.loading_older {
            lines.push(Line::styled(" loading older entries…", theme.muted));
        }
        if !detail.tasks.is_empty() {
            lines.push(heading("Tasks"));
            for task in &detail.tasks {
                let mark = if task.done { "[x]" } else { "[ ]" };
                let by = if task.done {
                    format!("  — {}", task.done_by)
                } else {
                    String::new()
                };
                lines.push(Line::from(vec![
                    Span::styled(format!(" {mark} "), theme.accent),
                    Span::styled(task.text.clone(), theme.text),
                    Span::styled(by, theme.muted),
                ]));
            }
        }
        lines.push(heading("Attachments"));
        if detail.attachments.is_empty() {
            lines.push(Line::styled(" None", theme.muted));
        }
        for a in &detail.attachments {
            lines.push(Line::from(vec![
                Span::styled(format!(" {} ", a.file_name), theme.text),
                Span::styled(
                    format!(
                        "{} · {} · {}",
                        format::bytes(a.size),
                        a.uploaded_by,
                        format::time(a.uploaded_at.as_ref(), ctx.tz)
                    ),
                    theme.muted,
                ),
            ]));
        }
        lines.push(heading("Subscribers"));
        if detail.subscribers.is_empty() {
            lines.push(Line::styled(" None", theme.muted));
        }
        for s in &detail.subscribers {
            lines.push(Line::from(vec![
                Span::styled(format!(" {} ", s.name), theme.text),
                Span::styled(format!("<{}>", s.email), theme.muted),
            ]));
        }
        lines
    }
}

fn post_popup(number: i64, kind: PostKind) -> Popup {
    let title = match kind {
        PostKind::Resolution => format!("Resolution for #{number}"),
        PostKind::InternalNote => format!("Internal note on #{number} (staff only)"),
        _ => format!("Reply to #{number}"),
    };
    Popup::Prompt(
        PromptPopup::new(
            title,
            Prompt::Post { number, kind },
            vec![Field::multi("body", "Text", "")],
        )
        .hint("Ctrl-E opens $EDITOR")
        .width(72),
    )
}

fn timeline_entry(entry: &pb::TimelineEntry, ctx: &Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let when = format::time(entry.at.as_ref(), ctx.tz);
    let who = if entry.author_is_staff {
        format!("{} (staff)", entry.author_name)
    } else {
        entry.author_name.clone()
    };
    let (label, style) = match entry.kind() {
        TimelineKind::Discussion | TimelineKind::Unspecified => ("", theme.accent),
        TimelineKind::Resolution => ("resolution · ", theme.ok),
        TimelineKind::InternalNote => ("internal note · ", theme.warn),
        TimelineKind::StatusChange => ("status · ", theme.muted),
        TimelineKind::PriorityChange => ("priority · ", theme.muted),
        TimelineKind::AssignmentChange => ("assigned · ", theme.muted),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {when} "), theme.muted),
        Span::styled(format!("{label}{who}"), style),
    ])];
    if !entry.from_value.is_empty() || !entry.to_value.is_empty() {
        lines.push(Line::styled(
            format!("   {} → {}", entry.from_value, entry.to_value),
            theme.text,
        ));
    }
    lines.extend(
        entry
            .body
            .lines()
            .map(|l| Line::styled(format!("   {l}"), theme.text)),
    );
    lines
}
