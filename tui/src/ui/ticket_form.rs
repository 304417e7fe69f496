//! New ticket: pick the service type first, then the form its fields follow.
//! Files named in its Attach field are checked before anything is sent and
//! uploaded one after the other once the ticket exists.

use std::collections::VecDeque;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, FieldKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};

use super::checks;
use super::form::{Extra, Field, FieldId, Form, FormEvent, Key};
use super::popup::{Popup, Then, expand_home};
use super::suggestions::Suggestions;
use super::{Catalog, Ctx, Effects, HelpLines, Nav, Screen, format, moved, plain_help};
use crate::action::{AccountCall, ApiError, Reply, Request, TicketCall, upload_problem};
use crate::keys::Cmd;
use crate::local_files;

/// The files of a created ticket still being attached, and how it went.
#[derive(Debug, Clone, Default)]
pub struct Attaching {
    pub number: i64,
    /// The file on its way, then those still to send.
    pub queue: VecDeque<PathBuf>,
    pub total: usize,
    pub attached: Vec<String>,
    /// File name and why it could not be attached.
    pub failed: Vec<(String, String)>,
}

impl Attaching {
    fn current(&self) -> Option<&PathBuf> {
        self.queue.front()
    }

    /// "attaching 2 of 3: scan.pdf…"
    fn progress(&self) -> String {
        let name = self.current().map(|p| file_name(p)).unwrap_or_default();
        format!(
            "Ticket #{} created · attaching {} of {}: {name}…",
            self.number,
            self.total - self.queue.len() + 1,
            self.total
        )
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The paths typed in the Attach field: comma- or newline-separated, `~/`
/// for the home directory. Each must be a readable file of at most 64 MiB;
/// the first that is not is the error.
pub fn attachment_paths(raw: &str) -> Result<Vec<PathBuf>, String> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for part in raw.split([',', '\n']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let path = PathBuf::from(expand_home(part));
        if let Some(problem) = upload_problem(&path) {
            return Err(problem);
        }
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    Ok(paths)
}

/// The new-ticket form's fixed fields; the fields a service type adds are
/// [`Key::Extra`], by the catalog's key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TicketField {
    ServiceType,
    Company,
    Contact,
    Priority,
    Title,
    Description,
    Site,
    DueDate,
    Emergency,
    PoNumber,
    /// The requester's phone and e-mail for this ticket, where they differ
    /// from the profile (clients only).
    Phone,
    Email,
    /// Files to attach once the ticket exists: paths, comma-separated.
    Attach,
    Submit,
}

impl FieldId for TicketField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::ServiceType => Some("service_type_id"),
            Self::Company => Some("company_id"),
            Self::Contact => Some("contact_id"),
            Self::Priority => Some("priority"),
            Self::Title => Some("title"),
            Self::Description => Some("description"),
            Self::Site => Some("site_id"),
            Self::DueDate => Some("due_date"),
            Self::PoNumber => Some("po_number"),
            Self::Phone => Some("contact_phone"),
            Self::Email => Some("contact_email"),
            Self::Emergency | Self::Attach | Self::Submit => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TicketForm {
    /// Choosing the service type (`None` once chosen).
    pub picking: Option<ListState>,
    pub form: Form,
    /// The service types in picker order.
    pub types: Vec<pb::ServiceType>,
    pub type_index: usize,
    pub busy: bool,
    pub error: Option<String>,
    /// Raised by staff, for a company they choose.
    pub staff: bool,
    /// The company the ticket is for (its sites are offered).
    pub company: pb::Company,
    pub company_index: usize,
    /// Contacts who may be named instead of the caller.
    pub contacts: Vec<pb::Contact>,
    /// The files to attach, checked when the form was sent.
    pub files: Vec<PathBuf>,
    /// The ticket exists and its files are being attached.
    pub attaching: Option<Attaching>,
    /// Knowledge articles matching the title ("these may help").
    pub suggestions: Suggestions,
}

impl TicketForm {
    pub fn new(catalog: &Catalog) -> Self {
        let types: Vec<pb::ServiceType> = catalog.ordered_types().into_iter().cloned().collect();
        Self {
            picking: Some(ListState::default().with_selected(Some(0))),
            form: Form::default(),
            types,
            type_index: 0,
            busy: false,
            error: None,
            staff: false,
            company: pb::Company::default(),
            company_index: 0,
            contacts: Vec::new(),
            files: Vec::new(),
            attaching: None,
            suggestions: Suggestions::default(),
        }
    }

    /// The catalog arrived after the form opened.
    pub fn on_catalog(&mut self, catalog: &Catalog) {
        if self.types.is_empty() {
            self.types = catalog.ordered_types().into_iter().cloned().collect();
        }
    }

    fn build(&mut self, ctx: &Ctx, fx: &mut Effects) {
        let names = self.types.iter().map(|t| t.name.clone()).collect();
        self.staff = ctx.is_staff();
        if self.staff {
            self.company = ctx.catalog.companies.first().cloned().unwrap_or_default();
            self.contacts.clear();
            fx.send(AccountCall::CompanyContacts {
                company_id: self.company.id,
            });
        } else {
            self.company = ctx.catalog.company.clone().unwrap_or_default();
            self.contacts = if ctx.is_manager() {
                ctx.catalog
                    .contacts
                    .iter()
                    .filter(|c| c.active && c.id != ctx.me.id)
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
        }
        let mut fields = vec![Field::choice(
            TicketField::ServiceType,
            "Service type",
            names,
            self.type_index,
        )];
        fields.extend(self.extra_fields(&Form::default()));
        if self.staff {
            let companies = ctx
                .catalog
                .companies
                .iter()
                .map(|c| c.name.clone())
                .collect();
            let mut priorities = vec!["By default".to_owned()];
            priorities.extend((1..=5).map(|p| format::priority(p).to_owned()));
            fields.extend([
                Field::choice(TicketField::Company, "Company", companies, 0),
                Field::choice(
                    TicketField::Contact,
                    "Contact",
                    vec!["(loading…)".to_owned()],
                    0,
                ),
                Field::choice(TicketField::Priority, "Priority", priorities, 0),
            ]);
        }
        let mut po = Field::line(TicketField::PoNumber, "PO number", "");
        po.required = self.po_required();
        fields.extend([
            Field::line(TicketField::Title, "Title", "").required(),
            Field::multi(TicketField::Description, "Description", "").required(),
            Field::choice(TicketField::Site, "Site", self.site_options(), 0),
            Field::line(TicketField::DueDate, "Due date", ""),
            Field::toggle(TicketField::Emergency, "Emergency (priority 1)", false),
            po,
            Field::line(TicketField::Attach, "Attach files", ""),
        ]);
        if !self.staff {
            fields.extend([
                Field::choice(
                    TicketField::Contact,
                    "Contact",
                    self.contact_options(ctx),
                    0,
                ),
                // Empty: as in the profile.
                Field::line(TicketField::Phone, "Phone (this ticket)", ""),
                Field::line(TicketField::Email, "E-mail (this ticket)", ""),
            ]);
        }
        fields.push(Field::button(TicketField::Submit, "Submit"));
        self.form = Form::new(fields);
        self.form.focus = 1;
    }

    fn po_required(&self) -> bool {
        self.company
            .preferences
            .as_ref()
            .is_some_and(|p| p.require_po_number)
    }

    fn site_options(&self) -> Vec<String> {
        let mut sites = vec!["None".to_owned()];
        sites.extend(self.company.sites.iter().map(|s| s.name.clone()));
        sites
    }

    fn contact_options(&self, ctx: &Ctx) -> Vec<String> {
        let mut options = vec![if self.staff {
            "(none)".to_owned()
        } else {
            format!("Me ({})", ctx.me.display_name)
        }];
        options.extend(self.contacts.iter().map(Catalog::contact_name));
        options
    }

    /// Staff picked another company: its sites and contacts apply.
    fn recompany(&mut self, ctx: &Ctx, fx: &mut Effects) {
        let index = self.form.choice(TicketField::Company);
        if !self.staff || index == self.company_index {
            return;
        }
        self.company_index = index;
        self.company = ctx
            .catalog
            .companies
            .get(index)
            .cloned()
            .unwrap_or_default();
        self.contacts.clear();
        self.form
            .set_options(TicketField::Contact, vec!["(loading…)".to_owned()]);
        self.form
            .set_options(TicketField::Site, self.site_options());
        let po_required = self.po_required();
        if let Some(po) = self.form.field_mut(TicketField::PoNumber) {
            po.required = po_required;
        }
        fx.send(AccountCall::CompanyContacts {
            company_id: self.company.id,
        });
    }

    /// The contacts of the chosen company arrived.
    pub fn on_company_contacts(&mut self, company_id: i64, contacts: Vec<pb::Contact>) {
        if self.staff && self.company.id == company_id {
            self.contacts = contacts.into_iter().filter(|c| c.active).collect();
            let mut options = vec!["(none)".to_owned()];
            options.extend(self.contacts.iter().map(Catalog::contact_name));
            self.form.set_options(TicketField::Contact, options);
        }
    }

    /// The fields the chosen type adds, keeping values typed in `old`.
    fn extra_fields(&self, old: &Form) -> Vec<Field> {
        let Some(ty) = self.types.get(self.type_index) else {
            return Vec::new();
        };
        ty.fields
            .iter()
            .map(|def| {
                let key = Key::Extra(def.key.clone());
                let kept = old.raw(Extra(&def.key));
                let mut field = match def.kind() {
                    FieldKind::Multiline => Field::multi(key, &def.label, &kept),
                    FieldKind::YesNo => Field::toggle(key, &def.label, kept == "yes"),
                    FieldKind::Choice => {
                        let mut options = if def.required {
                            Vec::new()
                        } else {
                            vec![String::new()]
                        };
                        options.extend(def.choices.iter().cloned());
                        let index = options.iter().position(|o| *o == kept).unwrap_or(0);
                        Field::choice(key, &def.label, options, index)
                    }
                    FieldKind::Date => {
                        Field::line(key, &format!("{} (YYYY-MM-DD)", def.label), &kept)
                    }
                    FieldKind::Text | FieldKind::Unspecified => Field::line(key, &def.label, &kept),
                };
                field.required = def.required && def.kind() != FieldKind::YesNo;
                field
            })
            .collect()
    }

    /// The type changed in the form: swap its extra fields.
    fn retype(&mut self) {
        let index = self.form.choice(TicketField::ServiceType);
        if index == self.type_index {
            return;
        }
        self.type_index = index;
        let old = self.form.clone();
        let fields = self.extra_fields(&old);
        self.form.fields.retain(|f| !matches!(f.key, Key::Extra(_)));
        let at = 1;
        for (i, f) in fields.into_iter().enumerate() {
            self.form.fields.insert(at + i, f);
        }
    }

    pub fn help() -> HelpLines {
        let mut lines = vec![
            plain_help("Tab/Shift-Tab", "next / previous field"),
            plain_help("←/→ Space", "change a choice, tick a box"),
        ];
        if local_files::check().is_ok() {
            lines.push(plain_help("Ctrl-E", "edit the description in $EDITOR"));
        }
        lines.extend([
            plain_help(
                "Attach files",
                "paths, a comma between; sent once the ticket exists",
            ),
            plain_help(
                "F2",
                "read an article that may help (named above the form once the title is typed)",
            ),
            plain_help("Enter", "new line in the description; elsewhere next field"),
            plain_help("Ctrl-S", "submit (or Enter on Submit)"),
            plain_help("Esc", "leave (asks when something was typed)"),
        ]);
        lines
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if let Some(state) = &mut self.picking {
            let n = self.types.len();
            if let Some(to) = moved(ctx.keys, key, state.selected().unwrap_or(0), n, 10) {
                state.select(Some(to));
                return true;
            }
            match key.code {
                KeyCode::Esc => fx.nav = Some(Nav::TicketList),
                KeyCode::Enter if n > 0 => {
                    self.type_index = state.selected().unwrap_or(0);
                    self.picking = None;
                    self.build(ctx, fx);
                }
                _ => {}
            }
            return true;
        }
        if self.busy {
            return true;
        }
        if ctx.keys.is(Cmd::MayHelp, key) {
            self.suggestions.pick(fx);
            return true;
        }
        match self.form.handle_key(key) {
            FormEvent::Cancel => {
                if self.form.is_dirty() {
                    fx.popup = Some(Popup::confirm(
                        "Discard this ticket?",
                        "What you typed will be lost.",
                        Then::Nav(Nav::TicketList),
                    ));
                } else {
                    fx.nav = Some(Nav::TicketList);
                }
            }
            FormEvent::Submit => self.submit(fx),
            FormEvent::ExternalEdit(i) => {
                fx.external_edit = Some(
                    self.form
                        .fields
                        .get(i)
                        .map(Field::value)
                        .unwrap_or_default(),
                );
            }
            FormEvent::Handled | FormEvent::Ignored => {
                self.retype();
                self.recompany(ctx, fx);
                // Asked once the title is left, not at every key.
                if !self.form.has_focus(TicketField::Title) {
                    self.suggestions
                        .on_title(&self.form.text(TicketField::Title), fx);
                }
            }
        }
        true
    }

    fn submit(&mut self, fx: &mut Effects) {
        self.form.clear_errors();
        self.error = None;
        self.form.check_required();
        let checked: [(TicketField, checks::Check); 3] = [
            (TicketField::DueDate, checks::date_problem),
            (TicketField::Phone, checks::phone_problem),
            (TicketField::Email, checks::email_problem),
        ];
        for (field, check) in checked {
            let value = self.form.text(field);
            if !value.is_empty()
                && let Some(problem) = check(&value)
            {
                self.form.set_error(field, problem);
            }
        }
        if self.form.text(TicketField::Title).chars().count() > 200 {
            self.form
                .set_error(TicketField::Title, "at most 200 characters");
        }
        let Some(ty) = self.types.get(self.type_index) else {
            self.error = Some("No service types are available".to_owned());
            return;
        };
        for def in &ty.fields {
            let value = self.form.text(Extra(&def.key));
            if def.kind() == FieldKind::Date
                && !value.is_empty()
                && let Some(problem) = checks::date_problem(&value)
            {
                self.form.set_error(Extra(&def.key), problem);
            }
        }
        match attachment_paths(&self.form.raw(TicketField::Attach)) {
            Ok(files) => self.files = files,
            Err(problem) => self.form.set_error(TicketField::Attach, problem),
        }
        if self.form.has_errors() {
            self.form.focus_first_error();
            return;
        }
        let fields = ty
            .fields
            .iter()
            .map(|def| pb::FieldValue {
                key: def.key.clone(),
                value: self.form.text(Extra(&def.key)),
            })
            .filter(|v| !v.value.is_empty())
            .collect();
        let site_id = self
            .form
            .choice(TicketField::Site)
            .checked_sub(1)
            .and_then(|i| self.company.sites.get(i))
            .map_or(0, |s| s.id);
        let contact_id = self
            .form
            .choice(TicketField::Contact)
            .checked_sub(1)
            .and_then(|i| self.contacts.get(i))
            .map_or(0, |c| c.id);
        self.busy = true;
        fx.send(TicketCall::CreateTicket(pb::CreateTicketRequest {
            title: self.form.text(TicketField::Title),
            description: self
                .form
                .raw(TicketField::Description)
                .trim_end()
                .to_owned(),
            service_type_id: ty.id,
            fields,
            site_id,
            due_date: self.form.text(TicketField::DueDate),
            emergency: self.form.on(TicketField::Emergency),
            po_number: self.form.text(TicketField::PoNumber),
            contact_phone: self.form.text(TicketField::Phone),
            contact_email: self.form.text(TicketField::Email),
            contact_id,
            company_id: if self.staff { self.company.id } else { 0 },
            priority: if self.staff {
                self.form.choice(TicketField::Priority) as i32
            } else {
                0
            },
            chat: false,
        }));
    }

    /// The ticket exists: attach its files one after the other, then open it.
    fn on_created(&mut self, ticket: &pb::Ticket, fx: &mut Effects) {
        if self.files.is_empty() {
            fx.ok(format!("Ticket #{} created", ticket.number));
            fx.nav = Some(Nav::OpenTicket(ticket.number));
            return;
        }
        let queue: VecDeque<PathBuf> = std::mem::take(&mut self.files).into();
        self.attaching = Some(Attaching {
            number: ticket.number,
            total: queue.len(),
            queue,
            ..Attaching::default()
        });
        self.attach_next(fx);
    }

    /// Sends the next file, or when none is left opens the ticket and
    /// says how the attaching went.
    fn attach_next(&mut self, fx: &mut Effects) {
        let Some(a) = &self.attaching else {
            return;
        };
        if let Some(path) = a.current() {
            fx.send(TicketCall::Upload {
                number: a.number,
                path: path.clone(),
            });
            fx.info(a.progress());
            return;
        }
        let number = a.number;
        if a.failed.is_empty() {
            fx.ok(format!(
                "Ticket #{number} created; attached {}",
                a.attached.join(", ")
            ));
        } else {
            let failed: Vec<String> = a
                .failed
                .iter()
                .map(|(name, why)| format!("{name} ({why})"))
                .collect();
            fx.error(format!(
                "Ticket #{number} created, but not attached: {}; a attaches from the ticket",
                failed.join(", ")
            ));
        }
        fx.nav = Some(Nav::OpenTicket(number));
    }

    /// One file's upload ended: `Ok` its stored name, `Err` why not.
    fn on_attached(&mut self, outcome: Result<String, String>, fx: &mut Effects) {
        let Some(a) = &mut self.attaching else {
            return;
        };
        let Some(path) = a.queue.pop_front() else {
            return;
        };
        match outcome {
            Ok(name) => a.attached.push(name),
            Err(why) => a.failed.push((file_name(&path), why)),
        }
        self.attach_next(fx);
    }

    /// The server refused: put its message beside the field it names.
    pub fn on_failed(&mut self, error: &ApiError) {
        self.busy = false;
        if !self.form.place_error(error) {
            self.error = Some(error.text());
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let block = Block::bordered()
            .border_style(theme.focus_border)
            .title(Line::styled(" New ticket ", theme.title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if let Some(state) = &self.picking {
            let [hint, list] =
                Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    " What do you need help with? Enter picks, Esc leaves.",
                    theme.muted,
                )),
                hint,
            );
            if self.types.is_empty() {
                frame.render_widget(
                    Paragraph::new(Line::styled(" Loading service types…", theme.muted)),
                    list,
                );
                return;
            }
            let room = usize::from(list.width.saturating_sub(2 + 22));
            let items: Vec<ListItem> = self
                .types
                .iter()
                .map(|t| {
                    ListItem::new(Line::from(vec![
                        Span::styled(format!("{:<22}", t.name), theme.text),
                        Span::styled(format::fit(&t.description, room), theme.muted),
                    ]))
                })
                .collect();
            let mut state = state.clone();
            frame.render_stateful_widget(
                List::new(items)
                    .highlight_style(theme.selected)
                    .highlight_symbol("› "),
                list,
                &mut state,
            );
            return;
        }
        let [message, form, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let top = match (&self.error, self.busy, &self.attaching) {
            (Some(e), _, _) => Line::styled(format!("✗ {e}"), theme.error),
            (None, _, Some(a)) => Line::styled(a.progress(), theme.muted),
            (None, true, None) => Line::styled("Sending…", theme.muted),
            (None, false, None) => self
                .suggestions
                .line(ctx.keys, theme, usize::from(message.width))
                .unwrap_or_else(|| Line::styled("Fields with * are required.", theme.muted)),
        };
        frame.render_widget(Paragraph::new(top), message);
        self.form.render(frame, form, theme, !self.busy);
        let enter = if self
            .form
            .fields
            .get(self.form.focus)
            .is_some_and(Field::is_multi_line)
        {
            "Enter new line"
        } else {
            "Enter next"
        };
        let mut hints = vec![
            "Ctrl-S submit",
            enter,
            "Tab next",
            "←/→ choose",
            "Esc leave",
        ];
        if local_files::check().is_ok() {
            hints.push("Ctrl-E $EDITOR");
        }
        let hints = format::hints_with(&hints, "F1 help", usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

impl Screen for TicketForm {
    fn title(&self) -> &'static str {
        "New ticket"
    }

    fn help(&self, _ctx: &Ctx) -> HelpLines {
        TicketForm::help()
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        TicketForm::handle_key(self, key, ctx, fx)
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        TicketForm::render(self, frame, area, ctx);
    }

    fn on_reply(&mut self, reply: &Reply, ctx: &Ctx, fx: &mut Effects) {
        self.suggestions.on_reply(reply, ctx, fx);
        match reply {
            Reply::FormData { .. } => self.on_catalog(ctx.catalog),
            Reply::CompanyContacts {
                company_id,
                contacts,
            } => self.on_company_contacts(*company_id, contacts.clone()),
            // Home's "chat with us" creates tickets too; the form's are asked for.
            Reply::Created(ticket) if self.busy => self.on_created(ticket, fx),
            Reply::Uploaded(a)
                if self
                    .attaching
                    .as_ref()
                    .is_some_and(|at| at.number == a.ticket_number) =>
            {
                self.on_attached(Ok(a.file_name.clone()), fx);
            }
            _ => {}
        }
    }

    fn on_failed(&mut self, request: &Request, error: &ApiError, fx: &mut Effects) {
        match request {
            Request::Ticket(TicketCall::CreateTicket(_)) => self.on_failed(error),
            Request::Ticket(TicketCall::Upload { number, .. })
                if self.attaching.as_ref().is_some_and(|a| a.number == *number) =>
            {
                self.on_attached(Err(error.text()), fx);
            }
            _ => {}
        }
    }

    fn unsaved(&self) -> bool {
        self.form.is_dirty()
    }
}
