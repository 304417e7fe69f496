//! A company's users: Admins add them, set levels, reset passwords and
//! disable them; Managers see and edit their details. The Account tab shows
//! the caller's own company; the Companies tab any company, for staff.

use crossterm::event::KeyEvent;
use portal_proto::pb::PhoneKind::{Direct, Mobile};
use portal_proto::pb::{self, AccessLevel};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::account::DetailsField;
use super::form::{Field, FieldId, Form};
use super::popup::{Popup, PromptPopup, Submit, Then};
use super::{Catalog, Ctx, Effects, HelpLines, format, help_line, moved, plain_help};
use crate::action::{AccountCall, Reply};
use crate::keys::Cmd;

const LEVELS: [AccessLevel; 4] = [
    AccessLevel::User,
    AccessLevel::Manager,
    AccessLevel::Admin,
    AccessLevel::None,
];

#[derive(Debug, Clone, Default)]
pub struct Users {
    pub rows: Vec<pb::Contact>,
    pub state: TableState,
    pub loaded: bool,
    /// The company shown, for staff; `None` is the caller's own.
    pub company: Option<(i64, String)>,
}

impl Users {
    /// The users of `company_id`, as staff see them.
    pub fn of_company(company_id: i64, name: &str) -> Self {
        Self {
            company: Some((company_id, name.to_owned())),
            ..Self::default()
        }
    }

    pub fn load(&mut self, fx: &mut Effects) {
        match &self.company {
            None => fx.send(AccountCall::Users {
                query: String::new(),
            }),
            Some((company_id, _)) => fx.send(AccountCall::CompanyContacts {
                company_id: *company_id,
            }),
        }
    }

    fn company_id(&self, ctx: &Ctx) -> i64 {
        self.company
            .as_ref()
            .map_or(ctx.me.company_id, |(id, _)| *id)
    }

    /// Takes the answers about this company's users.
    pub fn on_reply(&mut self, reply: &Reply, ctx: &Ctx, fx: &mut Effects) {
        match reply {
            Reply::Users(rows) if self.company.is_none() => self.on_users(rows.clone()),
            Reply::CompanyContacts {
                company_id,
                contacts,
            } if self
                .company
                .as_ref()
                .is_some_and(|(id, _)| id == company_id) =>
            {
                self.on_users(contacts.clone());
            }
            Reply::UserAdded {
                contact,
                temporary_password,
            } if contact.company_id == self.company_id(ctx) => {
                fx.close_prompt = true;
                self.on_changed((**contact).clone());
                let lines = if temporary_password.is_empty() {
                    vec![format!(
                        "{} was added without portal access.",
                        contact.email
                    )]
                } else {
                    temporary_password_lines(&contact.email, temporary_password)
                };
                fx.popup = Some(Popup::info("User added", lines));
            }
            Reply::UserChanged(contact) if contact.company_id == self.company_id(ctx) => {
                fx.close_prompt = true;
                fx.ok(format!("{} is updated", contact.email));
                self.on_changed((**contact).clone());
            }
            Reply::TemporaryPassword {
                contact_id,
                password,
            } => {
                if let Some(c) = self.rows.iter().find(|c| c.id == *contact_id) {
                    fx.popup = Some(Popup::info(
                        "Password reset",
                        temporary_password_lines(&c.email, password),
                    ));
                }
            }
            _ => {}
        }
    }

    pub fn on_users(&mut self, rows: Vec<pb::Contact>) {
        self.loaded = true;
        self.rows = rows;
        let selected = if self.rows.is_empty() {
            None
        } else {
            Some(self.state.selected().unwrap_or(0).min(self.rows.len() - 1))
        };
        self.state.select(selected);
    }

    /// One user changed on the server.
    pub fn on_changed(&mut self, contact: pb::Contact) {
        match self.rows.iter_mut().find(|c| c.id == contact.id) {
            Some(row) => *row = contact,
            None => self.rows.push(contact),
        }
    }

    pub fn selected(&self) -> Option<&pb::Contact> {
        self.state.selected().and_then(|i| self.rows.get(i))
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = vec![
            plain_help("↑/↓ j/k g/G PgUp/PgDn", "move"),
            help_line(ctx.keys, Cmd::Edit, "edit the user's details"),
        ];
        if ctx.is_admin() {
            lines.extend([
                help_line(
                    ctx.keys,
                    Cmd::AddUser,
                    "add a user (the temporary password shows once)",
                ),
                help_line(ctx.keys, Cmd::Level, "change the security level"),
                help_line(ctx.keys, Cmd::ResetPassword, "reset the password"),
                help_line(ctx.keys, Cmd::ToggleActive, "disable / enable"),
            ]);
        }
        lines.extend([
            plain_help(
                "Esc",
                if self.company.is_some() {
                    "back to the company"
                } else {
                    "back to My Account"
                },
            ),
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
        ]);
        lines
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let len = self.rows.len();
        let i = self.state.selected().unwrap_or(0);
        let admin = ctx.is_admin();
        if let Some(to) = moved(ctx.keys, key, i, len, 10) {
            self.state.select(Some(to));
            return true;
        }
        match key.code {
            _ if ctx.keys.is(Cmd::AddUser, key) && admin => {
                fx.popup = Some(add_user_popup(self.company_id(ctx)));
            }
            _ if ctx.keys.is(Cmd::Edit, key) => {
                if let Some(c) = self.selected() {
                    fx.popup = Some(edit_user_popup(c));
                }
            }
            _ if ctx.keys.is(Cmd::Level, key) && admin => {
                if let Some(c) = self.selected() {
                    let items = LEVELS
                        .iter()
                        .map(|l| {
                            let set = AccountCall::SetAccess {
                                contact_id: c.id,
                                access: *l,
                            };
                            (format::access(*l).to_owned(), Then::send(set))
                        })
                        .collect();
                    let title = format!("Level for {}", Catalog::contact_name(c));
                    fx.popup = Some(Popup::pick(title, items));
                }
            }
            _ if ctx.keys.is(Cmd::ResetPassword, key) && admin => {
                if let Some(c) = self.selected() {
                    fx.popup = Some(Popup::confirm(
                        "Reset password?",
                        format!(
                            "{} gets a temporary password to change at next sign-in.",
                            Catalog::contact_name(c)
                        ),
                        Then::send(AccountCall::ResetPassword { contact_id: c.id }),
                    ));
                }
            }
            _ if ctx.keys.is(Cmd::ToggleActive, key) && admin => {
                if let Some(c) = self.selected() {
                    let (title, what) = if c.active {
                        ("Disable user?", "can no longer sign in")
                    } else {
                        ("Enable user?", "can sign in again")
                    };
                    fx.popup = Some(Popup::confirm(
                        title,
                        format!("{} {what}.", Catalog::contact_name(c)),
                        Then::send(AccountCall::SetActive {
                            contact_id: c.id,
                            active: !c.active,
                        }),
                    ));
                }
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ => return false,
        }
        true
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" Users ", theme.title),
                Span::styled(format!("· {} ", self.rows.len()), theme.muted),
                Span::styled(
                    self.company
                        .as_ref()
                        .map_or_else(|| ctx.me.company_name.clone(), |(_, name)| name.clone()),
                    theme.muted,
                ),
                Span::styled(
                    format!(" · times {}", format::zone(ctx.tz, ctx.now)),
                    theme.muted,
                ),
            ])),
            header,
        );
        let widths = [
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(9),
            Constraint::Length(8),
            Constraint::Length(10),
        ];
        let fit = format::column_widths(&widths, body.width);
        let rows = self.rows.iter().map(|c| {
            let state = if !c.active {
                Span::styled("disabled", theme.muted)
            } else if c.locked {
                Span::styled("locked", theme.warn)
            } else {
                Span::styled("active", theme.ok)
            };
            // The provider's view marks contacts related to other companies
            // (docs/ROLES.md, "Related contacts"); a client Admin's does not.
            let related = c.related_company_ids.len();
            let name = if self.company.is_some() && related > 0 {
                let mark = format!(" +{related} related");
                let room = fit[0].saturating_sub(mark.chars().count());
                Line::from(vec![
                    Span::raw(format::fit(&Catalog::contact_name(c), room)),
                    Span::styled(mark, theme.muted),
                ])
            } else {
                Line::raw(format::fit(&Catalog::contact_name(c), fit[0]))
            };
            Row::new(vec![
                Cell::from(name),
                Cell::from(format::fit(&c.email, fit[1])),
                Cell::from(format::access(c.access())),
                Cell::from(state),
                Cell::from(format::short_time(
                    c.last_login_at.as_ref(),
                    ctx.now,
                    ctx.tz,
                )),
            ])
        });
        let table = Table::new(rows, widths)
            .header(Row::new(["Name", "E-mail", "Level", "State", "Last in"]).style(theme.muted))
            .row_highlight_style(theme.selected);
        frame.render_stateful_widget(table, body, &mut self.state);
        let mut hints = vec!["Esc back", "e edit"];
        if ctx.is_admin() {
            let disabled = self.selected().is_some_and(|c| !c.active);
            hints.extend([
                "a add",
                "l level",
                if disabled { "d enable" } else { "d disable" },
                "P reset password",
            ]);
            // The Companies tab's own keys over a company's users.
            if self.company.is_some() {
                hints.extend(["C company", "o preferences", "r related"]);
            }
        }
        let hints = format::hints(&hints, usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

/// The fields of the add-a-user prompt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AddUserField {
    Email,
    FirstName,
    LastName,
    Level,
    Add,
}

impl FieldId for AddUserField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Email => Some("email"),
            Self::FirstName => Some("details.first_name"),
            Self::LastName => Some("details.last_name"),
            Self::Level => Some("access"),
            Self::Add => None,
        }
    }
}

fn add_user_popup(company_id: i64) -> Popup {
    Popup::Prompt(
        PromptPopup::new(
            "Add a user",
            Submit::send(move |form: &mut Form| add_user_request(form, company_id)),
            vec![
                Field::line(AddUserField::Email, "E-mail", "").required(),
                Field::line(AddUserField::FirstName, "First name", "").required(),
                Field::line(AddUserField::LastName, "Last name", "").required(),
                Field::choice(
                    AddUserField::Level,
                    "Level",
                    LEVELS
                        .iter()
                        .map(|l| format::access(*l).to_owned())
                        .collect(),
                    0,
                ),
                Field::button(AddUserField::Add, "Add"),
            ],
        )
        .hint("The temporary password is shown once; pass it on safely."),
    )
}

/// The new user of `company_id` the form describes.
pub fn add_user_request(form: &mut Form, company_id: i64) -> Option<AccountCall> {
    form.clear_errors();
    form.check_required();
    let email = form.text(AddUserField::Email);
    if !email.is_empty() && !email.contains('@') {
        form.set_error(AddUserField::Email, "not an e-mail address");
    }
    if form.has_errors() {
        form.focus_first_error();
        return None;
    }
    Some(AccountCall::AddUser(pb::AddUserRequest {
        company_id,
        email,
        details: Some(pb::ContactDetails {
            first_name: form.text(AddUserField::FirstName),
            last_name: form.text(AddUserField::LastName),
            ..Default::default()
        }),
        access: LEVELS
            .get(form.choice(AddUserField::Level))
            .copied()
            .unwrap_or(AccessLevel::User)
            .into(),
    }))
}

fn edit_user_popup(contact: &pb::Contact) -> Popup {
    use DetailsField as F;
    let d = contact.details.clone().unwrap_or_default();
    let phone = |kind: pb::PhoneKind| {
        d.phones
            .iter()
            .find(|p| p.kind() == kind)
            .cloned()
            .unwrap_or_default()
    };
    let (direct, mobile) = (phone(Direct), phone(Mobile));
    Popup::Prompt(PromptPopup::new(
        format!("Edit {}", contact.email),
        {
            let contact = contact.clone();
            Submit::send(move |form: &mut Form| update_user_request(form, &contact))
        },
        vec![
            Field::line(F::FirstName, "First name", &d.first_name).required(),
            Field::line(F::LastName, "Last name", &d.last_name).required(),
            Field::line(F::Title, "Title", &d.title),
            Field::line(F::Phone(Direct), "Direct phone", &direct.number),
            Field::line(F::Extension(Direct), "  ext.", &direct.extension),
            Field::line(F::Phone(Mobile), "Mobile", &mobile.number),
            Field::line(F::Extension(Mobile), "  ext.", &mobile.extension),
            Field::button(F::Save, "Save"),
        ],
    ))
}

/// The update for the edit form, keeping what the form does not show.
pub fn update_user_request(form: &mut Form, contact: &pb::Contact) -> Option<AccountCall> {
    use DetailsField as F;
    form.clear_errors();
    if !form.check_required() {
        form.focus_first_error();
        return None;
    }
    let mut d = contact.details.clone().unwrap_or_default();
    d.first_name = form.text(F::FirstName);
    d.last_name = form.text(F::LastName);
    d.title = form.text(F::Title);
    d.phones.retain(|p| !matches!(p.kind(), Direct | Mobile));
    for kind in [Direct, Mobile] {
        let number = form.text(F::Phone(kind));
        if !number.is_empty() {
            d.phones.push(pb::Phone {
                kind: kind.into(),
                number,
                extension: form.text(F::Extension(kind)),
            });
        }
    }
    Some(AccountCall::UpdateUser(pb::UpdateUserRequest {
        contact_id: contact.id,
        details: Some(d),
        email: String::new(),
    }))
}

pub fn temporary_password_lines(email: &str, password: &str) -> Vec<String> {
    vec![
        format!("Temporary password for {email}:"),
        String::new(),
        format!("    {password}"),
        String::new(),
        "It is shown only this once. They must change it when they sign in.".to_owned(),
    ]
}
