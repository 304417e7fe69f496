//! The provider Admin's Settings, one section at a time (←/→): staff, the
//! service catalog with its per-type fields, SLA targets and business
//! hours, work types and whether clients see time, the mail the sender
//! gave up on, and the scheduled backups. Edits are small prompts; each
//! section loads when first shown, and the backup status with any of them,
//! so a missed backup is marked on the section bar whichever is open.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, FieldKind, StaffRole};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use super::backup::{self, Verdict};
use super::popup::{Popup, Then};
use super::rows::{Chrome, Rows};
use super::settings_forms as forms;
use super::users::temporary_password_lines;
use super::{Ctx, Effects, HelpLines, format, help_line, plain_help};
use crate::action::{AccountCall, Reply, SettingsCall};
use crate::keys::Cmd;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Section {
    #[default]
    Staff,
    Catalog,
    Sla,
    WorkTypes,
    Mail,
    Backups,
}

const SECTIONS: [(Section, &str); 6] = [
    (Section::Staff, "Staff"),
    (Section::Catalog, "Catalog"),
    (Section::Sla, "SLA"),
    (Section::WorkTypes, "Work types"),
    (Section::Mail, "Failed mail"),
    (Section::Backups, "Backups"),
];

pub const ROLES: [StaffRole; 3] = [
    StaffRole::Technician,
    StaffRole::Dispatcher,
    StaffRole::Admin,
];

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub section: Section,
    pub staff: Rows<pb::StaffMember>,
    pub types: Rows<pb::ServiceType>,
    pub sla: Option<pb::SlaSettings>,
    /// The SLA targets, one a priority, to select and edit.
    pub targets: Rows<pb::SlaTargetSetting>,
    pub work_types: Rows<pb::WorkType>,
    pub clients_see_time: Option<bool>,
    pub mail: Rows<pb::OutboxMessage>,
    pub backup: Option<pb::BackupStatus>,
    /// The SSH gateway's host key fingerprint (empty: no gateway), shown
    /// with the backups so the provider can tell clients what to expect.
    pub host_key: Option<String>,
}

fn minutes(m: i64) -> String {
    match m {
        0 => "—".to_owned(),
        m if m % (24 * 60) == 0 => format!("{} d", m / (24 * 60)),
        m if m % 60 == 0 => format!("{} h", m / 60),
        m => format!("{m} min"),
    }
}

pub fn clock(c: pb::SlaClock) -> &'static str {
    match c {
        pb::SlaClock::Always => "24×7",
        pb::SlaClock::Business => "business hours",
        pb::SlaClock::None | pb::SlaClock::Unspecified => "no target",
    }
}

pub fn kind(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Text | FieldKind::Unspecified => "text",
        FieldKind::Multiline => "multiline",
        FieldKind::Date => "date",
        FieldKind::Choice => "choice",
        FieldKind::YesNo => "yes/no",
    }
}

impl Settings {
    /// What loads the section on show.
    fn call(&self) -> SettingsCall {
        match self.section {
            Section::Staff => SettingsCall::Staff,
            Section::Catalog => SettingsCall::ServiceTypes,
            Section::Sla => SettingsCall::Sla,
            Section::WorkTypes => SettingsCall::WorkTypes,
            Section::Mail => SettingsCall::FailedMail,
            Section::Backups => SettingsCall::Backup,
        }
    }

    /// Loads the section on show, and the backup status with it.
    pub fn load(&self, fx: &mut Effects) {
        fx.send(self.call());
        if self.section != Section::Backups {
            fx.send(SettingsCall::Backup);
        }
        self.load_host_key(fx);
    }

    /// The SSH gateway's host key, shown with the backups: it comes with
    /// one's own SSH keys.
    fn load_host_key(&self, fx: &mut Effects) {
        if self.section == Section::Backups {
            fx.send(AccountCall::SshKeys);
        }
    }

    fn loaded(&self) -> bool {
        match self.section {
            Section::Staff => self.staff.loaded,
            Section::Catalog => self.types.loaded,
            Section::Sla => self.sla.is_some(),
            Section::WorkTypes => self.work_types.loaded,
            Section::Mail => self.mail.loaded,
            Section::Backups => self.backup.is_some(),
        }
    }

    fn step(&mut self, forward: bool, fx: &mut Effects) {
        let n = SECTIONS.len();
        let i = SECTIONS
            .iter()
            .position(|(s, _)| *s == self.section)
            .unwrap_or(0);
        let next = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.section = SECTIONS[next].0;
        if !self.loaded() {
            fx.send(self.call());
        }
        if self.host_key.is_none() {
            self.load_host_key(fx);
        }
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = vec![
            plain_help("←/→", "previous / next section"),
            plain_help("↑/↓ j/k", "move"),
        ];
        let k = ctx.keys;
        match self.section {
            Section::Staff => lines.extend([
                help_line(k, Cmd::AddUser, "add a staff member"),
                help_line(k, Cmd::Edit, "edit the name"),
                help_line(k, Cmd::Level, "change the role"),
                help_line(k, Cmd::ToggleActive, "disable / enable"),
            ]),
            Section::Catalog => lines.extend([
                help_line(k, Cmd::AddUser, "add a service type"),
                help_line(k, Cmd::Edit, "edit the type and its fields"),
                help_line(k, Cmd::ToggleActive, "retire / restore"),
            ]),
            Section::Sla => lines.extend([
                help_line(k, Cmd::Edit, "edit the priority's targets"),
                help_line(k, Cmd::Hours, "business hours, days, zone, at risk"),
                help_line(k, Cmd::Holidays, "holidays"),
            ]),
            Section::WorkTypes => lines.extend([
                help_line(k, Cmd::AddUser, "add a work type"),
                help_line(k, Cmd::Edit, "rename"),
                help_line(k, Cmd::ToggleActive, "retire / restore"),
                help_line(k, Cmd::ClientsSeeTime, "whether clients see billable time"),
            ]),
            Section::Mail => lines.extend([
                plain_help("Enter", "read the message"),
                help_line(k, Cmd::Retry, "send it again"),
            ]),
            Section::Backups => {}
        }
        lines.extend([
            plain_help("Esc", "back"),
            help_line(k, Cmd::Refresh, "refresh"),
        ]);
        lines
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if ctx.keys.is(Cmd::NextSection, key) || ctx.keys.is(Cmd::PrevSection, key) {
            self.step(ctx.keys.is(Cmd::NextSection, key), fx);
            return true;
        }
        if ctx.keys.is(Cmd::Refresh, key) {
            self.load(fx);
            return true;
        }
        match self.section {
            Section::Staff => self.staff_keys(key, ctx, fx),
            Section::Catalog => self.catalog_keys(key, ctx, fx),
            Section::Sla => self.sla_keys(key, ctx, fx),
            Section::WorkTypes => self.work_type_keys(key, ctx, fx),
            Section::Mail => self.mail_keys(key, ctx, fx),
            Section::Backups => false,
        }
    }

    fn staff_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.staff.handle_move(key, ctx) {
            return true;
        }
        let k = ctx.keys;
        if k.is(Cmd::AddUser, key) {
            fx.popup = Some(forms::add_staff_popup());
            return true;
        }
        let Some(s) = self.staff.selected() else {
            return false;
        };
        let update = |role: StaffRole, active: bool| {
            SettingsCall::UpdateStaff(pb::UpdateStaffRequest {
                staff_id: s.id,
                first_name: s.first_name.clone(),
                last_name: s.last_name.clone(),
                role: role.into(),
                active,
            })
        };
        let name = format!("{} {}", s.first_name, s.last_name);
        if k.is(Cmd::Edit, key) {
            fx.popup = Some(forms::staff_name_popup(s));
        } else if k.is(Cmd::Level, key) {
            let items = ROLES
                .iter()
                .map(|r| {
                    (
                        format::role(*r).to_owned(),
                        Then::send(update(*r, s.active)),
                    )
                })
                .collect();
            fx.popup = Some(Popup::pick(format!("Role of {name}"), items));
        } else if k.is(Cmd::ToggleActive, key) {
            let (title, what) = if s.active {
                ("Disable staff member?", "can no longer sign in")
            } else {
                ("Enable staff member?", "can sign in again")
            };
            fx.popup = Some(Popup::confirm(
                title,
                format!("{name} {what}."),
                Then::send(update(s.role(), !s.active)),
            ));
        } else {
            return false;
        }
        true
    }

    fn catalog_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.types.handle_move(key, ctx) {
            return true;
        }
        let k = ctx.keys;
        if k.is(Cmd::AddUser, key) {
            fx.popup = Some(forms::service_type_popup(&pb::ServiceType {
                active: true,
                sort_order: 50,
                ..pb::ServiceType::default()
            }));
            return true;
        }
        let Some(t) = self.types.selected() else {
            return false;
        };
        if k.is(Cmd::Edit, key) || key.code == KeyCode::Enter {
            fx.popup = Some(forms::service_type_popup(t));
        } else if k.is(Cmd::ToggleActive, key) {
            let what = if t.active { "Retire" } else { "Restore" };
            fx.popup = Some(Popup::confirm(
                format!("{what} {}?", t.name),
                if t.active {
                    "New tickets can no longer choose it; old ones keep it."
                } else {
                    "New tickets can choose it again."
                },
                Then::send(SettingsCall::SaveServiceType(Box::new(pb::ServiceType {
                    active: !t.active,
                    ..t.clone()
                }))),
            ));
        } else {
            return false;
        }
        true
    }

    fn sla_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.targets.handle_move(key, ctx) {
            return true;
        }
        let Some(sla) = &self.sla else {
            return false;
        };
        let k = ctx.keys;
        if k.is(Cmd::Edit, key) || key.code == KeyCode::Enter {
            if let Some(t) = self.targets.selected() {
                fx.popup = Some(forms::target_popup(sla, t));
            }
        } else if k.is(Cmd::Hours, key) {
            fx.popup = Some(forms::hours_popup(sla));
        } else if k.is(Cmd::Holidays, key) {
            fx.popup = Some(forms::holidays_popup(sla));
        } else {
            return false;
        }
        true
    }

    fn work_type_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.work_types.handle_move(key, ctx) {
            return true;
        }
        let k = ctx.keys;
        if k.is(Cmd::AddUser, key) {
            fx.popup = Some(forms::work_type_popup(None));
        } else if k.is(Cmd::ClientsSeeTime, key) {
            if let Some(on) = self.clients_see_time {
                fx.send(SettingsCall::SetClientsSeeTime(!on));
            }
        } else if let Some(w) = self.work_types.selected() {
            if k.is(Cmd::Edit, key) {
                fx.popup = Some(forms::work_type_popup(Some(w)));
            } else if k.is(Cmd::ToggleActive, key) {
                fx.send(SettingsCall::SetWorkTypeActive {
                    id: w.id,
                    active: !w.active,
                });
            } else {
                return false;
            }
        } else {
            return false;
        }
        true
    }

    fn mail_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.mail.handle_move(key, ctx) {
            return true;
        }
        let Some(m) = self.mail.selected() else {
            return false;
        };
        if key.code == KeyCode::Enter {
            let mut lines = vec![
                format!("To: {}", m.recipient),
                format!("Subject: {}", m.subject),
                format!("Attempts: {} · last error: {}", m.attempts, m.last_error),
                String::new(),
            ];
            lines.extend(m.body.lines().map(str::to_owned));
            fx.popup = Some(Popup::info(format!("Mail {}", m.id), lines));
        } else if ctx.keys.is(Cmd::Retry, key) {
            fx.popup = Some(Popup::confirm(
                "Send it again?",
                format!("The message to {} goes back in the queue.", m.recipient),
                Then::send(SettingsCall::RetryMail { id: m.id }),
            ));
        } else {
            return false;
        }
        true
    }

    pub fn on_reply(&mut self, reply: &Reply, fx: &mut Effects) {
        match reply {
            Reply::StaffList(rows) => self.staff.set(rows.clone()),
            Reply::StaffAdded {
                staff,
                temporary_password,
            } => {
                fx.close_prompt = true;
                self.staff.upsert(staff.clone(), |s| s.id == staff.id);
                fx.popup = Some(Popup::info(
                    "Staff member added",
                    temporary_password_lines(&staff.email, temporary_password),
                ));
            }
            Reply::StaffChanged(s) => {
                fx.close_prompt = true;
                fx.ok(format!("{} {} is saved", s.first_name, s.last_name));
                self.staff.upsert(s.clone(), |r| r.id == s.id);
            }
            Reply::ServiceTypes(rows) => self.types.set(rows.clone()),
            Reply::ServiceTypeSaved(t) => {
                fx.close_prompt = true;
                fx.ok(format!("{} is saved", t.name));
                self.types.upsert(t.clone(), |r| r.id == t.id);
            }
            Reply::Sla(sla) => {
                if self.sla.is_some() {
                    fx.close_prompt = true;
                    fx.ok("The SLA settings are saved");
                }
                self.targets.set(sla.targets.clone());
                self.sla = Some(sla.clone());
            }
            Reply::WorkSetup { types, settings } => {
                self.work_types.set(types.clone());
                self.clients_see_time = Some(settings.clients_see_time);
            }
            Reply::WorkTypeSaved(w) => {
                fx.close_prompt = true;
                fx.ok(format!("{} is saved", w.name));
                self.work_types.upsert(w.clone(), |r| r.id == w.id);
            }
            Reply::WorkSettings(s) => {
                self.clients_see_time = Some(s.clients_see_time);
                fx.ok(if s.clients_see_time {
                    "Clients now see billable time on their tickets"
                } else {
                    "Clients no longer see time on their tickets"
                });
            }
            Reply::FailedMail(rows) => self.mail.set(rows.clone()),
            Reply::BackupStatus(status) => self.backup = Some(status.clone()),
            Reply::SshKeys(list) => self.host_key = Some(list.host_key_fingerprint.clone()),
            Reply::MailRetried(m) => {
                fx.ok(format!("The message to {} is queued again", m.recipient));
                self.mail.rows.retain(|r| r.id != m.id);
                let rest = std::mem::take(&mut self.mail.rows);
                self.mail.set(rest);
            }
            _ => {}
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [tabs, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let mut spans = vec![Span::styled(" Settings ", theme.title)];
        let late = self
            .backup
            .as_ref()
            .is_some_and(|b| Verdict::of(b, ctx.now).warns());
        for (section, name) in SECTIONS {
            let style = if section == self.section {
                theme.tab_active
            } else if section == Section::Backups && late {
                theme.warn
            } else {
                theme.muted
            };
            let mark = if section == Section::Backups && late {
                " ⚠"
            } else {
                ""
            };
            spans.push(Span::styled(format!(" {name}{mark} "), style));
        }
        spans.push(Span::styled(" ←/→", theme.muted));
        frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
        match self.section {
            Section::Staff => self.render_staff(frame, body, ctx),
            Section::Catalog => self.render_catalog(frame, body, ctx),
            Section::Sla => self.render_sla(frame, body, ctx),
            Section::WorkTypes => self.render_work_types(frame, body, ctx),
            Section::Mail => self.render_mail(frame, body, ctx),
            Section::Backups => self.render_backups(frame, body, ctx),
        }
    }

    fn render_backups(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [heading, text, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(Line::styled(" Scheduled backups", theme.muted)),
            heading,
        );
        let mut body = match &self.backup {
            Some(status) => backup::lines(status, ctx),
            None => vec![Line::styled(" Loading…", theme.muted)],
        };
        match self.host_key.as_deref() {
            Some("") => body.extend([
                Line::default(),
                Line::styled(" This server runs no SSH gateway", theme.muted),
            ]),
            Some(host_key) => body.extend([
                Line::default(),
                Line::from(vec![
                    Span::styled(" SSH gateway host key: ", theme.muted),
                    Span::styled(host_key.to_owned(), theme.accent),
                ]),
                Line::styled(
                    " Clients check it the first time `ssh` asks about the host.",
                    theme.muted,
                ),
            ]),
            None => {}
        }
        frame.render_widget(Paragraph::new(body).wrap(Wrap { trim: false }), text);
        frame.render_widget(
            Paragraph::new(Line::styled(
                format::hints(&["←/→ section", "Esc back"], usize::from(hints.width)),
                theme.muted,
            )),
            hints,
        );
    }

    fn render_staff(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let chrome = Chrome {
            heading: Line::styled(format!(" Staff · {}", self.staff.rows.len()), theme.muted),
            empty: "No staff.",
            hints: &[
                "a add",
                "e edit",
                "l role",
                "d disable/enable",
                "←/→ section",
                "Esc back",
            ],
        };
        let columns: (&[&str], &[Constraint]) = (
            &["Name", "E-mail", "Role", "State"],
            &[
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(15),
                Constraint::Length(9),
            ],
        );
        self.staff
            .render(frame, area, ctx, chrome, columns, |s, w| {
                Row::new(vec![
                    Cell::from(format::fit(
                        &format!("{} {}", s.first_name, s.last_name),
                        w[0],
                    )),
                    Cell::from(format::fit(&s.email, w[1])),
                    Cell::from(format::role(s.role())),
                    if s.active {
                        Cell::from(Span::styled("active", theme.ok))
                    } else {
                        Cell::from(Span::styled("disabled", theme.muted))
                    },
                ])
            });
    }

    fn render_catalog(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let chrome = Chrome {
            heading: Line::styled(
                format!(" Service types · {}", self.types.rows.len()),
                theme.muted,
            ),
            empty: "No service types.",
            hints: &[
                "a add",
                "e edit",
                "d retire/restore",
                "←/→ section",
                "Esc back",
            ],
        };
        let columns: (&[&str], &[Constraint]) = (
            &["Name", "Order", "Fields", "State"],
            &[
                Constraint::Length(24),
                Constraint::Length(6),
                Constraint::Fill(1),
                Constraint::Length(8),
            ],
        );
        self.types
            .render(frame, area, ctx, chrome, columns, |t, w| {
                let fields = t
                    .fields
                    .iter()
                    .map(|f| format!("{} ({})", f.label, kind(f.kind())))
                    .collect::<Vec<_>>()
                    .join(", ");
                Row::new(vec![
                    Cell::from(format::fit(&t.name, w[0])),
                    Cell::from(t.sort_order.to_string()),
                    Cell::from(format::fit(&format::or_dash(fields), w[2])),
                    if t.active {
                        Cell::from(Span::styled("active", theme.ok))
                    } else {
                        Cell::from(Span::styled("retired", theme.muted))
                    },
                ])
            });
    }

    fn render_sla(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let about = self
            .sla
            .as_ref()
            .map(|s| forms::sla_lines(s, ctx))
            .unwrap_or_default();
        let [table, rest] =
            Layout::vertical([Constraint::Length(9), Constraint::Fill(1)]).areas(area);
        let chrome = Chrome {
            heading: Line::styled(" Targets by priority", theme.muted),
            empty: "No targets.",
            hints: &[
                "e edit targets",
                "h hours",
                "H holidays",
                "←/→ section",
                "Esc back",
            ],
        };
        let columns: (&[&str], &[Constraint]) = (
            &["Priority", "Response", "Resolution", "Clock"],
            &[
                Constraint::Length(14),
                Constraint::Length(10),
                Constraint::Length(11),
                Constraint::Fill(1),
            ],
        );
        self.targets
            .render(frame, table, ctx, chrome, columns, |t, _| {
                Row::new(vec![
                    Cell::from(format!("{} {}", t.priority, t.name)),
                    Cell::from(minutes(t.response_minutes)),
                    Cell::from(minutes(t.resolution_minutes)),
                    Cell::from(clock(t.clock())),
                ])
            });
        frame.render_widget(Paragraph::new(about), rest);
    }

    fn render_work_types(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let see = match self.clients_see_time {
            Some(true) => "clients see billable time on their tickets",
            Some(false) => "clients do not see time",
            None => "",
        };
        let chrome = Chrome {
            heading: Line::from(vec![
                Span::styled(
                    format!(" Work types · {} · ", self.work_types.rows.len()),
                    theme.muted,
                ),
                Span::styled(see, theme.accent),
            ]),
            empty: "No work types.",
            hints: &[
                "a add",
                "e rename",
                "d retire/restore",
                "c clients see time",
                "Esc back",
            ],
        };
        let columns: (&[&str], &[Constraint]) = (
            &["Name", "State"],
            &[Constraint::Fill(1), Constraint::Length(8)],
        );
        self.work_types
            .render(frame, area, ctx, chrome, columns, |w, width| {
                Row::new(vec![
                    Cell::from(format::fit(&w.name, width[0])),
                    if w.active {
                        Cell::from(Span::styled("active", theme.ok))
                    } else {
                        Cell::from(Span::styled("retired", theme.muted))
                    },
                ])
            });
    }

    fn render_mail(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let chrome = Chrome {
            heading: Line::styled(
                format!(" Mail the sender gave up on · {}", self.mail.rows.len()),
                theme.muted,
            ),
            empty: "No failed mail.",
            hints: &["Enter read", "r retry", "←/→ section", "Esc back"],
        };
        let columns: (&[&str], &[Constraint]) = (
            &["Failed", "To", "Subject", "Tries", "Last error"],
            &[
                Constraint::Length(10),
                Constraint::Fill(1),
                Constraint::Fill(2),
                Constraint::Length(5),
                Constraint::Fill(1),
            ],
        );
        let (now, tz) = (ctx.now, ctx.tz);
        self.mail.render(frame, area, ctx, chrome, columns, |m, w| {
            Row::new(vec![
                Cell::from(format::short_time(m.failed_at.as_ref(), now, tz)),
                Cell::from(format::fit(&m.recipient, w[1])),
                Cell::from(format::fit(&m.subject, w[2])),
                Cell::from(m.attempts.to_string()),
                Cell::from(Span::styled(format::fit(&m.last_error, w[4]), theme.error)),
            ])
        });
    }
}
