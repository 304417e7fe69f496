//! One ticket: its fields, problem, timeline (older entries on demand),
//! tasks, attachments and subscribers, with keys to act on it.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, PostKind, TicketStatus, TimelineKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::chat::{Chat, ChatKey};
use super::form::{Field, Form};
use super::popup::{Popup, PromptField, PromptPopup, Submit, Then, expand_home};
use super::ticket_work::WorkPanel;
use super::{Catalog, Ctx, Effects, HelpLines, Nav, Screen, format, help_line, plain_help, sla};
use crate::action::{AccountCall, ApiError, Reply, Request, TicketCall};
use crate::keys::Cmd;
use crate::local_files;

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
    /// Staff: the contacts of the ticket's company and those related to
    /// it, once asked for.
    pub company_contacts: Option<Vec<pb::Contact>>,
    /// Staff pressed `+` before those contacts came.
    pub subscribe_waits: bool,
    /// Its estimates, sign-off and time.
    pub work: WorkPanel,
    /// The chat, while it is open over the ticket.
    pub chat: Option<Chat>,
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
            company_contacts: None,
            subscribe_waits: false,
            work: WorkPanel::default(),
            chat: None,
        }
    }

    /// Opens with the chat on show (Home's "chat with us").
    #[must_use]
    pub fn chatting(mut self, on: bool) -> Self {
        self.chat = on.then(Chat::default);
        self
    }

    pub fn load(&self, fx: &mut Effects) {
        fx.send(TicketCall::Get {
            number: self.number,
        });
        self.work.load(self.number, fx);
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

    /// Scrolling keys; false when the key is not one.
    fn scroll_key(&mut self, key: &KeyEvent, ctx: &Ctx) -> bool {
        let Some(to) = super::scrolled(ctx.keys, key, self.scroll) else {
            return false;
        };
        self.scroll = to;
        true
    }

    /// Keys that post or attach: each opens its prompt.
    fn post_key(&self, key: &KeyEvent, ctx: &Ctx) -> Option<Popup> {
        let p = self.permissions();
        let number = self.number;
        let keys = ctx.keys;
        if keys.is(Cmd::Reply, key) && p.can_post {
            Some(post_popup(number, PostKind::Discussion))
        } else if keys.is(Cmd::Resolution, key) && p.can_post {
            Some(post_popup(number, PostKind::Resolution))
        } else if keys.is(Cmd::InternalNote, key) && p.can_add_internal_note {
            Some(post_popup(number, PostKind::InternalNote))
        } else if keys.is(Cmd::Attach, key) && p.can_post {
            Some(Popup::Prompt(
                PromptPopup::new(
                    "Attach a file",
                    Submit::send(move |form: &mut Form| {
                        let path = expand_home(form.raw(PromptField::Path).trim());
                        if path.is_empty() {
                            form.set_error(PromptField::Path, "which file?");
                            return None;
                        }
                        Some(TicketCall::Upload {
                            number,
                            path: path.into(),
                        })
                    }),
                    vec![Field::line(PromptField::Path, "File", "")],
                )
                .hint("Tab completes the path")
                .with_path_completion(),
            ))
        } else if keys.is(Cmd::Rate, key) && p.can_rate {
            Some(rate_popup(number))
        } else if keys.is(Cmd::AddTask, key) && p.can_manage_tasks {
            Some(Popup::Prompt(PromptPopup::new(
                format!("New task on #{number}"),
                Submit::send(move |form: &mut Form| {
                    form.check_required().then(|| TicketCall::AddTask {
                        number,
                        text: form.text(PromptField::Text),
                    })
                }),
                vec![Field::line(PromptField::Text, "Task", "").required()],
            )))
        } else {
            None
        }
    }

    /// The current ticket's field, if it is loaded.
    fn ticket(&self) -> Option<&pb::Ticket> {
        self.detail.as_ref().and_then(|d| d.ticket.as_ref())
    }

    /// The status picker: the current status first (choosing it changes
    /// nothing), then the moves the server says are open; the moves that
    /// end the ticket without work ask first.
    fn pick_status(&self, fx: &mut Effects) {
        let number = self.number;
        let moves: Vec<(String, Then)> = self
            .permissions()
            .allowed_statuses()
            .map(|status| {
                let change = Then::send(TicketCall::ChangeStatus {
                    number,
                    status,
                    note: String::new(),
                });
                let label = format::status(status);
                let then = if matches!(
                    status,
                    TicketStatus::Cancelled | TicketStatus::NoActionRequired
                ) {
                    Then::Open(Box::new(Popup::confirm(
                        format!("{label}?"),
                        format!("#{number} will be {label}: it ends without further work."),
                        change,
                    )))
                } else {
                    change
                };
                (label.to_owned(), then)
            })
            .collect();
        if moves.is_empty() {
            fx.info("No status change is open to you on this ticket");
            return;
        }
        let mut items = Vec::new();
        if let Some(t) = self.ticket() {
            items.push((format!("{} (now)", format::status(t.status())), Then::Close));
        }
        items.extend(moves);
        fx.popup = Some(Popup::pick("Change status to", items));
    }

    fn pick_attachment(&self, fx: &mut Effects) {
        let items: Vec<(String, Then)> = self
            .detail
            .iter()
            .flat_map(|d| &d.attachments)
            .map(|a| {
                let save = Then::Open(Box::new(save_popup(a.id, &a.file_name)));
                (a.file_name.clone(), save)
            })
            .collect();
        if items.is_empty() {
            fx.info("This ticket has no attachments");
        } else {
            fx.popup = Some(Popup::pick("Save which attachment?", items));
        }
    }

    fn pick_priority(&self, fx: &mut Effects) {
        let number = self.number;
        let items = (1..=5)
            .map(|priority| {
                let set = TicketCall::SetPriority { number, priority };
                (format::priority(priority).to_owned(), Then::send(set))
            })
            .collect();
        let now = self.ticket().map_or(1, |t| t.priority);
        let at = usize::try_from(now - 1).unwrap_or(0);
        fx.popup = Some(Popup::pick("Priority", items).selecting(at));
    }

    /// `A`: the primary assignee; once there is one, also another
    /// assignee to add or remove (docs/TICKETS.md, "Assignees").
    fn pick_assignment(&self, catalog: &Catalog, fx: &mut Effects) {
        let Some(t) = self.ticket() else { return };
        let primary = self.primary_pick(catalog);
        if t.assigned_staff_id == 0 {
            fx.popup = Some(primary);
            return;
        }
        let number = self.number;
        let assigned: Vec<i64> = t.other_assignees.iter().map(|a| a.staff_id).collect();
        let addable: Vec<(String, Then)> = catalog
            .staff
            .iter()
            .filter(|s| s.active && s.id != t.assigned_staff_id && !assigned.contains(&s.id))
            .map(|s| {
                let add = TicketCall::OtherAssignee {
                    number,
                    staff_id: s.id,
                    add: true,
                };
                (staff_label(s), Then::send(add))
            })
            .collect();
        let mut items = vec![(
            "Primary assignee…".to_owned(),
            Then::Open(Box::new(primary)),
        )];
        if !addable.is_empty() {
            let add = Popup::pick("Add an assignee", addable);
            items.push((
                "Add another assignee…".to_owned(),
                Then::Open(Box::new(add)),
            ));
        }
        if !t.other_assignees.is_empty() {
            let removable = t
                .other_assignees
                .iter()
                .map(|a| {
                    let remove = TicketCall::OtherAssignee {
                        number,
                        staff_id: a.staff_id,
                        add: false,
                    };
                    (a.name.clone(), Then::send(remove))
                })
                .collect();
            let remove = Popup::pick("Remove an assignee", removable);
            items.push((
                "Remove an assignee…".to_owned(),
                Then::Open(Box::new(remove)),
            ));
        }
        fx.popup = Some(Popup::pick(
            format!("Assigned: {}", format::assigned(t)),
            items,
        ));
    }

    fn primary_pick(&self, catalog: &Catalog) -> Popup {
        let number = self.number;
        let assign = |staff_id| Then::send(TicketCall::Assign { number, staff_id });
        let mut items = vec![("Nobody".to_owned(), assign(0))];
        let active = catalog.staff.iter().filter(|s| s.active);
        let assigned = self.ticket().map_or(0, |t| t.assigned_staff_id);
        let at = active
            .clone()
            .position(|s| s.id == assigned)
            .map_or(0, |i| i + 1);
        items.extend(active.map(|s| (staff_label(s), assign(s.id))));
        Popup::pick("Assign to", items).selecting(at)
    }

    fn pick_task(&self, fx: &mut Effects) {
        let number = self.number;
        let items: Vec<(String, Then)> = self
            .detail
            .iter()
            .flat_map(|d| &d.tasks)
            .map(|t| {
                let mark = if t.done { "[x]" } else { "[ ]" };
                let toggle = TicketCall::SetTaskDone {
                    number,
                    task_id: t.id,
                    done: !t.done,
                };
                (format!("{mark} {}", t.text), Then::send(toggle))
            })
            .collect();
        if items.is_empty() {
            fx.info("No tasks yet; t adds one");
        } else {
            fx.popup = Some(Popup::pick("Tick or untick", items));
        }
    }

    /// `+`: a client picks among the company's contacts; staff among the
    /// ticket's company's and those related to it, fetched the first time.
    fn subscribe(&mut self, ctx: &Ctx, fx: &mut Effects) {
        if !ctx.is_staff() {
            self.pick_subscriber(&ctx.catalog.contacts, fx);
        } else if let Some(contacts) = &self.company_contacts {
            self.pick_subscriber(contacts, fx);
        } else if let Some(t) = self.detail.as_ref().and_then(|d| d.ticket.as_ref()) {
            self.subscribe_waits = true;
            fx.send(AccountCall::SubscriberCandidates {
                company_id: t.company_id,
            });
            fx.info(format!("Loading the contacts of {}…", t.company_name));
        }
    }

    fn company_id(&self) -> Option<i64> {
        self.detail
            .as_ref()
            .and_then(|d| d.ticket.as_ref())
            .map(|t| t.company_id)
    }

    /// Says who was subscribed or unsubscribed, by name.
    fn on_subscribers(&mut self, subscribers: &[pb::Subscriber], ctx: &Ctx, fx: &mut Effects) {
        let Some(d) = &mut self.detail else {
            return;
        };
        let number = self.number;
        let named = |s: &pb::Subscriber| {
            if !ctx.is_staff() && s.contact_id == ctx.me.id {
                "you".to_owned()
            } else {
                s.name.clone()
            }
        };
        let added: Vec<String> = subscribers
            .iter()
            .filter(|s| !d.subscribers.iter().any(|o| o.contact_id == s.contact_id))
            .map(named)
            .collect();
        let removed: Vec<String> = d
            .subscribers
            .iter()
            .filter(|o| !subscribers.iter().any(|s| s.contact_id == o.contact_id))
            .map(named)
            .collect();
        d.subscribers = subscribers.to_vec();
        if !added.is_empty() {
            fx.ok(format!("Subscribed {} to #{number}", added.join(", ")));
        } else if !removed.is_empty() {
            fx.ok(format!(
                "Unsubscribed {} from #{number}",
                removed.join(", ")
            ));
        }
    }

    fn pick_subscriber(&self, contacts: &[pb::Contact], fx: &mut Effects) {
        let current: Vec<i64> = self
            .detail
            .iter()
            .flat_map(|d| &d.subscribers)
            .map(|s| s.contact_id)
            .collect();
        let number = self.number;
        let company_id = self.company_id();
        let items: Vec<(String, Then)> = contacts
            .iter()
            .filter(|c| c.active && !current.contains(&c.id))
            .map(|c| {
                let add = TicketCall::AddSubscriber {
                    number,
                    contact_id: c.id,
                };
                let mut name = format!("{} <{}>", Catalog::contact_name(c), c.email);
                if company_id.is_some_and(|id| id != c.company_id) {
                    name.push_str(" (related)");
                }
                (name, Then::send(add))
            })
            .collect();
        if items.is_empty() {
            fx.info("Nobody else to subscribe");
        } else {
            fx.popup = Some(Popup::pick("Subscribe", items));
        }
    }

    /// Who to unsubscribe, then a confirmation before the server is asked.
    fn pick_unsubscribe(&self, fx: &mut Effects) {
        let number = self.number;
        let items: Vec<(String, Then)> = self
            .detail
            .iter()
            .flat_map(|d| &d.subscribers)
            .map(|s| {
                let remove = TicketCall::RemoveSubscriber {
                    number,
                    contact_id: s.contact_id,
                };
                let confirm = Popup::confirm(
                    "Remove subscriber?",
                    format!("{} gets no more updates on #{number}.", s.name),
                    Then::send(remove),
                );
                let name = format!("{} <{}>", s.name, s.email);
                (name, Then::Open(Box::new(confirm)))
            })
            .collect();
        if items.is_empty() {
            fx.info("Nobody is subscribed");
        } else {
            fx.popup = Some(Popup::pick("Unsubscribe", items));
        }
    }

    fn older(&mut self, fx: &mut Effects) {
        if self.cursor.is_empty() {
            fx.info("No older entries");
        } else if !self.loading_older {
            self.loading_older = true;
            fx.send(TicketCall::OlderTimeline {
                number: self.number,
                cursor: self.cursor.clone(),
            });
        }
    }

    /// When the server refused a status change for want of a note, ask for
    /// one, its words beside the note field.
    fn ask_status_note(&self, status: TicketStatus, error: &ApiError, fx: &mut Effects) {
        let number = self.number;
        let mut prompt = PromptPopup::new(
            format!("#{number} to {}", format::status(status)),
            Submit::send(move |form: &mut Form| {
                form.check_required().then(|| TicketCall::ChangeStatus {
                    number,
                    status,
                    note: form.text(PromptField::Note),
                })
            }),
            vec![Field::multi(PromptField::Note, "Note", "").required()],
        )
        .width(72);
        if prompt.form.place_error(error) {
            fx.popup = Some(Popup::Prompt(prompt));
        }
    }

    fn footer_hints(&self) -> Vec<&'static str> {
        let p = self.permissions();
        let mut hints = vec!["Esc back"];
        if p.can_rate {
            hints.push("* rate");
        }
        if p.can_post {
            hints.extend(["r reply", "C chat", "R resolution", "a attach"]);
        }
        hints.extend(self.work.hints());
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
        hints.push("w save");
        hints
    }
    /// The whole ticket as lines, laid out for `width` columns.
    fn lines(&self, detail: &pb::TicketDetail, ctx: &Ctx, width: u16) -> Vec<Line<'static>> {
        let theme = ctx.theme;
        let t = detail.ticket.clone().unwrap_or_default();
        let heading = |text: &str| heading(text, width, ctx);
        let mut lines = fields_lines(&t, ctx, width);
        lines.extend(reach_line(detail, ctx));
        lines.extend(rating_lines(detail, ctx, (&heading, width)));
        lines.push(heading("Problem"));
        lines.extend(problem_lines(&t, ctx, width));
        lines.extend(self.work.lines(ctx, &heading));
        let more = if self.cursor.is_empty() {
            String::new()
        } else {
            " (o: older)".to_owned()
        };
        let zone = format::zone(ctx.tz, ctx.now);
        lines.push(heading(&format!("Timeline · times {zone}{more}")));
        if self.timeline.is_empty() {
            lines.push(Line::styled(" No entries yet", theme.muted));
        }
        for entry in &self.timeline {
            lines.extend(timeline_entry(entry, ctx, width));
        }
        if self.loading_older {
            lines.push(Line::styled(" loading older entries…", theme.muted));
        }
        if !detail.tasks.is_empty() {
            lines.push(heading("Tasks"));
            lines.extend(detail.tasks.iter().map(|task| task_line(task, ctx)));
        }
        lines.push(heading("Attachments"));
        if detail.attachments.is_empty() {
            lines.push(Line::styled(" None", theme.muted));
        }
        lines.extend(detail.attachments.iter().map(|a| attachment_line(a, ctx)));
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

impl Screen for TicketDetail {
    fn title(&self) -> &'static str {
        "Ticket"
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        let p = self.permissions();
        let mut lines = vec![
            plain_help("↑/↓ j/k PgUp/PgDn", "scroll"),
            plain_help("g/G Home/End", "top / bottom"),
            plain_help("Esc/Backspace", "back to the list"),
        ];
        if p.can_rate {
            lines.push(help_line(
                ctx.keys,
                Cmd::Rate,
                "rate this closed ticket, 1 to 5",
            ));
        }
        if p.can_post {
            lines.push(help_line(ctx.keys, Cmd::Reply, "reply (discussion)"));
            lines.push(help_line(
                ctx.keys,
                Cmd::Chat,
                "chat: the conversation, live, a line at a time",
            ));
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
        lines.push(help_line(
            ctx.keys,
            Cmd::Export,
            "save or print the ticket or its sign-off form",
        ));
        if p.can_manage_subscribers {
            lines.push(help_line(ctx.keys, Cmd::AddSubscriber, "add a subscriber"));
            lines.push(help_line(
                ctx.keys,
                Cmd::RemoveSubscriber,
                "remove a subscriber",
            ));
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
        lines.extend(self.work.help(ctx));
        lines.push(help_line(
            ctx.keys,
            Cmd::OlderTimeline,
            "load older timeline entries",
        ));
        lines.push(help_line(ctx.keys, Cmd::Refresh, "refresh"));
        lines
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if let Some(chat) = &mut self.chat {
            if let ChatKey::Leave = chat.handle_key(self.number, key, fx) {
                self.chat = None;
            }
            return true;
        }
        if ctx.keys.is(Cmd::Chat, key) && self.permissions().can_post {
            self.chat = Some(Chat::default());
            return true;
        }
        if matches!(key.code, KeyCode::Esc | KeyCode::Backspace) {
            fx.nav = Some(Nav::TicketList);
            return true;
        }
        if self.scroll_key(key, ctx) {
            return true;
        }
        let file_keys = [Cmd::Attach, Cmd::SaveAttachment, Cmd::Export];
        if file_keys.iter().any(|cmd| ctx.keys.is(*cmd, key)) && !fx.may_use_files() {
            return true;
        }
        if let Some(popup) = self.post_key(key, ctx) {
            fx.popup = Some(popup);
            return true;
        }
        if self.work.handle_key(self.number, key, ctx, fx) {
            return true;
        }
        let p = self.permissions();
        let keys = ctx.keys;
        if keys.is(Cmd::Status, key) {
            self.pick_status(fx);
        } else if keys.is(Cmd::SaveAttachment, key) {
            self.pick_attachment(fx);
        } else if keys.is(Cmd::Export, key) {
            fx.popup = Some(export_pick(self.number));
        } else if keys.is(Cmd::Priority, key) && p.can_set_priority {
            self.pick_priority(fx);
        } else if keys.is(Cmd::Assign, key) && p.can_assign {
            self.pick_assignment(ctx.catalog, fx);
        } else if keys.is(Cmd::ToggleTask, key) && p.can_manage_tasks {
            self.pick_task(fx);
        } else if keys.is(Cmd::AddSubscriber, key) && p.can_manage_subscribers {
            self.subscribe(ctx, fx);
        } else if keys.is(Cmd::RemoveSubscriber, key) && p.can_manage_subscribers {
            self.pick_unsubscribe(fx);
        } else if keys.is(Cmd::OlderTimeline, key) {
            self.older(fx);
        } else if keys.is(Cmd::Refresh, key) {
            self.load(fx);
        } else {
            return false;
        }
        true
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
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
        if let Some(chat) = &self.chat {
            let ticket = detail.ticket.as_ref();
            chat.render(frame, area, (ticket, &self.timeline), ctx);
            return;
        }
        let lines = self.lines(detail, ctx, body.width);
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        let total = paragraph.line_count(body.width) as u16;
        self.scroll = self.scroll.min(total.saturating_sub(body.height));
        frame.render_widget(paragraph.scroll((self.scroll, 0)), body);
        let hints = format::hints(&self.footer_hints(), usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }

    fn on_reply(&mut self, reply: &Reply, ctx: &Ctx, fx: &mut Effects) {
        if self.work.on_reply(self.number, reply, fx) {
            return;
        }
        let mine = |number: i64| number == self.number;
        let done = match reply {
            Reply::Ticket(detail) if detail.ticket.as_ref().is_some_and(|t| mine(t.number)) => {
                self.on_detail((**detail).clone());
                return;
            }
            Reply::OlderTimeline { number, page } if mine(*number) => {
                self.on_older(page.clone());
                return;
            }
            Reply::Subscribers {
                number,
                subscribers,
            } if mine(*number) => {
                self.on_subscribers(subscribers, ctx, fx);
                return;
            }
            Reply::SubscriberCandidates {
                company_id,
                contacts,
            } if ctx.is_staff() && self.company_id() == Some(*company_id) => {
                self.company_contacts = Some(contacts.clone());
                if std::mem::take(&mut self.subscribe_waits) {
                    self.pick_subscriber(contacts, fx);
                }
                return;
            }
            Reply::Downloaded { path, bytes } => {
                fx.close_prompt = true;
                fx.ok(format::saved(path, *bytes));
                return;
            }
            Reply::Posted { number } if mine(*number) => {
                if let Some(chat) = &mut self.chat {
                    chat.sent(true);
                }
                format!("Posted on #{number}")
            }
            Reply::StatusChanged(t) if mine(t.number) => {
                format!("#{} is now {}", t.number, format::status(t.status()))
            }
            Reply::Uploaded(a) if mine(a.ticket_number) => {
                format!("Attached {} to #{}", a.file_name, a.ticket_number)
            }
            Reply::Changed { number, what } | Reply::TimeChanged { number, what }
                if mine(*number) =>
            {
                format!("#{number}: {what}")
            }
            _ => return,
        };
        // A change went through: its prompt closes and the ticket reloads.
        fx.close_prompt = true;
        fx.ok(done);
        self.load(fx);
    }

    fn on_failed(&mut self, request: &Request, error: &ApiError, fx: &mut Effects) {
        let Request::Ticket(call) = request else {
            return;
        };
        match call {
            TicketCall::Get { number } if *number == self.number => {
                self.error = Some(error.text());
            }
            TicketCall::OlderTimeline { number, .. } if *number == self.number => {
                self.loading_older = false;
            }
            TicketCall::AddPost {
                number, chat: true, ..
            } if *number == self.number => {
                if let Some(chat) = &mut self.chat {
                    chat.sent(false);
                }
            }
            TicketCall::ChangeStatus {
                number,
                status,
                note,
            } if *number == self.number && note.is_empty() => {
                self.ask_status_note(*status, error, fx);
            }
            _ => {}
        }
    }

    fn refresh(&mut self, fx: &mut Effects) {
        self.load(fx);
    }
}

fn heading(text: &str, width: u16, ctx: &Ctx) -> Line<'static> {
    Line::styled(
        format!(
            "── {text} {}",
            "─".repeat(usize::from(width).saturating_sub(text.chars().count() + 4))
        ),
        ctx.theme.title,
    )
}

/// Staff: the phone and e-mail the requester gave for this ticket, when
/// they gave any (the server sends them to staff only).
fn reach_line(detail: &pb::TicketDetail, ctx: &Ctx) -> Option<Line<'static>> {
    let given: Vec<&str> = [detail.contact_phone.as_str(), detail.contact_email.as_str()]
        .into_iter()
        .filter(|v| !v.is_empty())
        .collect();
    (!given.is_empty()).then(|| {
        Line::from(vec![
            Span::styled(format!(" {:>12} ", "Reach at"), ctx.theme.muted),
            Span::styled(
                format!("{} (for this ticket)", given.join(" · ")),
                ctx.theme.accent,
            ),
        ])
    })
}

/// The title line and the ticket's fields, as many to a row as fit.
fn fields_lines(t: &pb::Ticket, ctx: &Ctx, width: u16) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" #{} ", t.number), theme.accent),
        sla::emergency(t, theme),
        Span::styled(t.title.clone(), theme.title),
        if t.emergency {
            Span::styled("  EMERGENCY (priority 1)", theme.error)
        } else {
            Span::raw("")
        },
    ])];
    let move_line = sla::whose_move(t, ctx);
    if !move_line.is_empty() {
        let (symbol, style) = sla::marks(t, ctx.now, theme);
        lines.push(Line::from(vec![
            Span::styled(format!(" {symbol} "), style),
            Span::styled(move_line, style),
        ]));
    }
    let pairs = [
        ("Status", format::status(t.status()).to_owned()),
        ("Priority", format::priority(t.priority).to_owned()),
        ("Contact", t.contact_name.clone()),
        ("Company", t.company_name.clone()),
        ("Type", t.service_type_name.clone()),
        ("Site", t.site_name.clone()),
        ("PO", t.po_number.clone()),
        ("Due", t.due_date.clone()),
        ("Assigned", assigned_cell(t)),
        ("Created", format::time(t.created_at.as_ref(), ctx.tz)),
        ("Updated", format::time(t.updated_at.as_ref(), ctx.tz)),
        (sla_label(t), format::time(t.next_due_at.as_ref(), ctx.tz)),
    ];
    let cell = |(label, value): &(&str, String)| {
        let value = format::or_dash(value.clone());
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
    // Several assignees rarely fit their cell: all of them on a line.
    let assigned = format::assigned(t);
    if assigned.chars().count() > 24 {
        lines.push(Line::from(vec![
            Span::styled(format!(" {:>12} ", "Assigned"), theme.muted),
            Span::styled(assigned, theme.text),
        ]));
    }
    lines
}

/// Who is assigned, in a field's cell: all of them when that fits, else
/// the primary and how many others (the line below names them).
fn assigned_cell(t: &pb::Ticket) -> String {
    let all = format::assigned(t);
    if all.chars().count() <= 24 {
        all
    } else {
        format!("{} (+{})", t.assigned_staff_name, t.other_assignees.len())
    }
}

/// A staff member as the assignment popups list them: "Tom Brandvold (Technician)".
fn staff_label(s: &pb::StaffMember) -> String {
    format!(
        "{} {} ({})",
        s.first_name,
        s.last_name,
        format::role(s.role())
    )
}

/// The label of the next deadline's time: only what is still due is shown.
fn sla_label(t: &pb::Ticket) -> &'static str {
    match t.next_due_kind() {
        pb::SlaDeadline::Response => "Answer due",
        pb::SlaDeadline::Resolution => "Fix due",
        pb::SlaDeadline::None => "SLA",
    }
}

/// The description and the service type's own fields, by their labels.
fn problem_lines(t: &pb::Ticket, ctx: &Ctx, width: u16) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let mut lines: Vec<Line<'static>> = format::wrap(&t.description, " ", usize::from(width))
        .into_iter()
        .map(|l| Line::styled(l, theme.text))
        .collect();
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
    lines
}

fn task_line(task: &pb::Task, ctx: &Ctx) -> Line<'static> {
    let theme = ctx.theme;
    let mark = if task.done { "[x]" } else { "[ ]" };
    let by = if task.done {
        format!("  — {}", task.done_by)
    } else {
        String::new()
    };
    Line::from(vec![
        Span::styled(format!(" {mark} "), theme.accent),
        Span::styled(task.text.clone(), theme.text),
        Span::styled(by, theme.muted),
    ])
}

fn attachment_line(a: &pb::Attachment, ctx: &Ctx) -> Line<'static> {
    let theme = ctx.theme;
    Line::from(vec![
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
    ])
}

/// Save and print: which document, in which format.
fn export_pick(number: i64) -> Popup {
    use pb::{ExportDocument as D, ExportFormat as F};
    let items = [
        ("Ticket as PDF", D::Ticket, F::Pdf),
        ("Ticket as plain text", D::Ticket, F::Text),
        ("Sign-off form as PDF", D::SignOff, F::Pdf),
        ("Sign-off form as plain text", D::SignOff, F::Text),
    ]
    .into_iter()
    .map(|(label, document, format)| {
        let save = Then::Open(Box::new(export_popup(number, document, format)));
        (label.to_owned(), save)
    })
    .collect();
    Popup::pick(format!("Save or print #{number}"), items)
}

/// Where to save an export: a path to confirm, prefilled in the home folder.
fn export_popup(number: i64, document: pb::ExportDocument, format: pb::ExportFormat) -> Popup {
    let form_part = if document == pb::ExportDocument::SignOff {
        "-sign-off"
    } else {
        ""
    };
    let extension = if format == pb::ExportFormat::Text {
        "txt"
    } else {
        "pdf"
    };
    Popup::Prompt(
        PromptPopup::new(
            format!("Save #{number}"),
            Submit::send(move |form: &mut Form| {
                let path = expand_home(form.raw(PromptField::Path).trim());
                if path.is_empty() {
                    form.set_error(PromptField::Path, "where to?");
                    return None;
                }
                Some(TicketCall::Export {
                    number,
                    document,
                    format,
                    path: path.into(),
                })
            }),
            vec![Field::line(
                PromptField::Path,
                "Save as",
                &format!("~/ticket-{number}{form_part}.{extension}"),
            )],
        )
        .hint("Tab completes the path; an existing file is never overwritten")
        .with_path_completion(),
    )
}

/// Where to save an attachment: `~/Downloads` when there is one.
fn save_popup(attachment_id: i64, name: &str) -> Popup {
    let file_name = name.to_owned();
    let downloads = std::env::var("HOME")
        .map(|h| format!("{h}/Downloads"))
        .unwrap_or_default();
    let dir = if std::path::Path::new(&downloads).is_dir() {
        format!("{downloads}/")
    } else {
        String::new()
    };
    Popup::Prompt(
        PromptPopup::new(
            format!("Save {name}"),
            Submit::send(move |form: &mut Form| {
                let path = expand_home(form.raw(PromptField::Path).trim());
                if path.is_empty() {
                    form.set_error(PromptField::Path, "where to?");
                    return None;
                }
                // A folder means the file goes into it under its own name.
                let mut path = std::path::PathBuf::from(path);
                if path.is_dir() {
                    path.push(&file_name);
                }
                Some(TicketCall::Download {
                    attachment_id,
                    path,
                })
            }),
            vec![Field::line(
                PromptField::Path,
                "Save as",
                &format!("{dir}{name}"),
            )],
        )
        .hint("Tab completes the path; a folder keeps the file's name; nothing is overwritten")
        .with_path_completion(),
    )
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
            Submit::send(move |form: &mut Form| {
                let body = form.raw(PromptField::Body).trim_end().to_owned();
                if body.trim().is_empty() {
                    form.set_error(PromptField::Body, "write something first");
                    return None;
                }
                Some(TicketCall::AddPost {
                    number,
                    kind,
                    body,
                    chat: false,
                })
            }),
            vec![Field::multi(PromptField::Body, "Text", "")],
        )
        .hint(if local_files::check().is_ok() {
            "Ctrl-E opens $EDITOR"
        } else {
            ""
        })
        .width(72),
    )
}

fn timeline_entry(entry: &pb::TimelineEntry, ctx: &Ctx, width: u16) -> Vec<Line<'static>> {
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
        TimelineKind::Estimate => ("estimate · ", theme.accent),
        TimelineKind::Rating => ("rating · ", theme.ok),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {when} "), theme.muted),
        Span::styled(format!("{label}{who}"), style),
    ])];
    if entry.from_value.is_empty() && !entry.to_value.is_empty() {
        // An estimate's entry says only what happened: "Approved"; a
        // rating's its score: "4/5".
        lines.push(Line::styled(format!("   {}", entry.to_value), theme.text));
    } else if !entry.from_value.is_empty() || !entry.to_value.is_empty() {
        lines.push(Line::styled(
            format!("   {} → {}", entry.from_value, entry.to_value),
            theme.text,
        ));
    }
    lines.extend(
        format::wrap(&entry.body, "   ", usize::from(width))
            .into_iter()
            .map(|l| Line::styled(l, theme.text)),
    );
    lines
}

/// Five stars, `score` of them filled.
fn stars(score: u32) -> String {
    (1..=5)
        .map(|i| if i <= score { '★' } else { '☆' })
        .collect()
}

/// The ticket's rating (docs/TICKETS.md, "Ratings"), or, for its requester
/// on a closed ticket not rated yet, the question.
fn rating_lines(
    detail: &pb::TicketDetail,
    ctx: &Ctx,
    (heading, width): (&dyn Fn(&str) -> Line<'static>, u16),
) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let can_rate = detail.permissions.as_ref().is_some_and(|p| p.can_rate);
    let mut lines = Vec::new();
    if let Some(r) = &detail.rating {
        lines.push(heading("Rating"));
        let technician = if r.staff_name.is_empty() {
            String::new()
        } else {
            format!(" · technician {}", r.staff_name)
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", stars(r.score)), theme.ok),
            Span::styled(format!("{}/5 ", r.score), theme.title),
            Span::styled(
                format!(
                    "by {} · {}{technician}",
                    r.contact_name,
                    format::time(r.rated_at.as_ref(), ctx.tz)
                ),
                theme.muted,
            ),
        ]));
        if !r.comment.is_empty() {
            lines.extend(
                format::wrap(&r.comment, "   ", usize::from(width))
                    .into_iter()
                    .map(|l| Line::styled(l, theme.text)),
            );
        }
    } else if can_rate {
        lines.push(heading("How did we do?"));
        let key = ctx.keys.label(Cmd::Rate);
        lines.push(Line::styled(
            format!(
                " This ticket is closed. Press {key} to rate it from 1 (poor) to 5 (excellent)."
            ),
            theme.accent,
        ));
    }
    lines
}

/// `*`: the rating popup, a score from 1 to 5 (a key) and a comment.
fn rate_popup(number: i64) -> Popup {
    Popup::Prompt(
        PromptPopup::new(
            format!("How did we do on #{number}?"),
            Submit::send(move |form: &mut Form| {
                let score = form.raw(PromptField::Score).trim().to_owned();
                if let Ok(score @ 1..=5) = score.parse::<u32>() {
                    Some(TicketCall::Rate {
                        number,
                        score,
                        comment: form.raw(PromptField::Comment).trim_end().to_owned(),
                    })
                } else {
                    form.set_error(PromptField::Score, "1 (poor) to 5 (excellent)");
                    None
                }
            }),
            vec![
                Field::line(PromptField::Score, "Score (1–5)", ""),
                Field::multi(PromptField::Comment, "Comment", ""),
            ],
        )
        .hint("press 1 to 5; a comment is optional; a ticket is rated once")
        .width(72),
    )
}
