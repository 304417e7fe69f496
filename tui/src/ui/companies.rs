//! The Companies tab (staff): the provider's client companies, searched by
//! name; one company's details, preferences, contacts (its users, which a
//! provider Admin manages as a company Admin would) and subscriptions. Provider Admins create
//! and edit companies and reach the Settings, pending requests and the
//! audit log from here.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::admin_views::AdminViews;
use super::form::{Field, FieldId, Form};
use super::popup::{Popup, PromptField, PromptPopup, Submit};
use super::rows::{Chrome, Rows};
use super::subscriptions::Subscriptions;
use super::users::Users;
use super::{Catalog, Ctx, Effects, HelpLines, Screen, format, help_line, plain_help, team};
use crate::action::{AccountCall, AdminCall, KnowledgeCall, Reply};
use crate::keys::Cmd;

/// What the tab shows.
#[derive(Debug, Clone, Default)]
pub enum View {
    #[default]
    List,
    /// One company and its contacts.
    Company(Box<Users>),
    /// Settings, pending requests or the audit log.
    Admin,
}

#[derive(Debug, Clone, Default)]
pub struct Companies {
    pub list: Rows<pb::Company>,
    pub query: String,
    pub view: View,
    pub admin: AdminViews,
    /// The open company's subscriptions, over its page while shown.
    pub subscriptions: Option<Subscriptions>,
}

/// The fields of the company form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CompanyField {
    Name,
    Phone,
    Line1,
    Line2,
    City,
    Region,
    PostalCode,
    Country,
    PaymentTerms,
    Sites,
    Active,
    Save,
}

impl FieldId for CompanyField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Name => Some("company.name"),
            Self::Phone => Some("company.phone"),
            Self::Line1 => Some("company.address.line1"),
            Self::Line2 => Some("company.address.line2"),
            Self::City => Some("company.address.city"),
            Self::Region => Some("company.address.region"),
            Self::PostalCode => Some("company.address.postal_code"),
            Self::Country => Some("company.address.country"),
            Self::PaymentTerms => Some("company.payment_terms_days"),
            Self::Sites => Some("company.sites"),
            Self::Active | Self::Save => None,
        }
    }
}

/// The fields of the company preferences form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PreferenceField {
    RequirePo,
    UsersSeeAll,
    /// A contact subscribed to every new ticket of the company, by id.
    Subscriber(i64),
    Save,
}

impl FieldId for PreferenceField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Subscriber(_) => Some("preferences.default_subscriber_ids"),
            Self::RequirePo | Self::UsersSeeAll | Self::Save => None,
        }
    }
}

/// The fields of the related-companies form: a box per company.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RelatedField {
    Company(i64),
    Save,
}

impl FieldId for RelatedField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Company(_) => Some("related_company_ids"),
            Self::Save => None,
        }
    }
}

impl Companies {
    /// The account team of the company in view, to show or (provider
    /// Admins) edit once it comes.
    fn ask_team(&self, fx: &mut Effects) {
        if let Some(c) = self.company() {
            fx.send(KnowledgeCall::Team { company_id: c.id });
        }
    }

    pub fn load(&self, fx: &mut Effects) {
        fx.send(AdminCall::Companies {
            query: self.query.clone(),
        });
    }

    fn company(&self) -> Option<&pb::Company> {
        match &self.view {
            View::Company(users) => {
                let id = users.company.as_ref().map(|(id, _)| *id)?;
                self.list.rows.iter().find(|c| c.id == id)
            }
            _ => self.list.selected(),
        }
    }

    fn open(&mut self, fx: &mut Effects) {
        if let Some(c) = self.list.selected() {
            let mut users = Users::of_company(c.id, &c.name);
            users.load(fx);
            self.view = View::Company(Box::new(users));
            self.subscriptions = None;
        }
    }

    fn list_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.list.handle_move(key, ctx) {
            return true;
        }
        let admin = ctx.is_admin();
        match key.code {
            KeyCode::Enter => self.open(fx),
            _ if ctx.keys.is(Cmd::Filter, key) => fx.popup = Some(search_popup(&self.query)),
            _ if ctx.keys.is(Cmd::AddUser, key) && admin => {
                fx.popup = Some(company_popup(&pb::Company {
                    active: true,
                    ..pb::Company::default()
                }));
            }
            _ if ctx.keys.is(Cmd::Edit, key) && admin => {
                if let Some(c) = self.list.selected() {
                    fx.popup = Some(company_popup(c));
                }
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ if ctx.keys.is(Cmd::Team, key) => self.ask_team(fx),
            _ => return self.admin.open_key(key, ctx, fx),
        }
        true
    }

    fn company_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let admin = ctx.is_admin();
        if let Some(subscriptions) = &mut self.subscriptions {
            if key.code == KeyCode::Esc {
                self.subscriptions = None;
                return true;
            }
            return subscriptions.handle_key(key, ctx, fx);
        }
        if key.code == KeyCode::Esc {
            self.view = View::List;
            return true;
        }
        if ctx.keys.is(Cmd::Subscriptions, key) {
            if let Some(c) = self.company() {
                let subscriptions = Subscriptions::of_company(c.id);
                subscriptions.load(fx);
                self.subscriptions = Some(subscriptions);
            }
            return true;
        }
        if ctx.keys.is(Cmd::EditCompany, key) && admin {
            if let Some(c) = self.company() {
                fx.popup = Some(company_popup(c));
            }
            return true;
        }
        if ctx.keys.is(Cmd::Preferences, key) && admin {
            if let (Some(c), View::Company(users)) = (self.company(), &self.view) {
                fx.popup = Some(preferences_popup(c, &users.rows));
            }
            return true;
        }
        if ctx.keys.is(Cmd::RelatedCompanies, key) && admin {
            if let View::Company(users) = &self.view
                && let Some(contact) = users.selected()
            {
                fx.popup = Some(related_popup(contact, &self.list.rows));
            }
            return true;
        }
        if ctx.keys.is(Cmd::Team, key) {
            self.ask_team(fx);
            return true;
        }
        match &mut self.view {
            View::Company(users) => users.handle_key(key, ctx, fx),
            _ => false,
        }
    }

    fn render_list(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let mut heading = vec![
            Span::styled(" Companies ", theme.title),
            Span::styled(format!("· {}", self.list.rows.len()), theme.muted),
        ];
        if !self.query.is_empty() {
            heading.push(Span::styled(
                format!(" · matching “{}”", self.query),
                theme.accent,
            ));
        }
        let hints: &[&str] = if ctx.is_admin() {
            &[
                "Enter open",
                "/ search",
                "a add",
                "e edit",
                "T team",
                "S settings",
                "R requests",
                "A audit",
            ]
        } else {
            &["Enter open", "/ search", "T team", "R requests"]
        };
        let chrome = Chrome {
            heading: Line::from(heading),
            empty: "No companies match.",
            hints,
        };
        let columns: (&[&str], &[Constraint]) = (
            &["Name", "Phone", "Terms", "Sites", "State"],
            &[
                Constraint::Fill(2),
                Constraint::Fill(1),
                Constraint::Length(10),
                Constraint::Length(5),
                Constraint::Length(8),
            ],
        );
        self.list.render(frame, area, ctx, chrome, columns, |c, w| {
            Row::new(vec![
                Cell::from(format::fit(&c.name, w[0])),
                Cell::from(format::fit(&c.phone, w[1])),
                Cell::from(terms(c.payment_terms_days)),
                Cell::from(c.sites.len().to_string()),
                if c.active {
                    Cell::from(Span::styled("active", theme.ok))
                } else {
                    Cell::from(Span::styled("inactive", theme.muted))
                },
            ])
        });
    }

    fn render_company(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let lines = self
            .company()
            .map(|c| company_lines(c, ctx))
            .unwrap_or_default();
        let [top, rest] =
            Layout::vertical([Constraint::Length(lines.len() as u16), Constraint::Fill(1)])
                .areas(area);
        frame.render_widget(Paragraph::new(lines), top);
        if let View::Company(users) = &mut self.view {
            users.render(frame, rest, ctx);
        }
    }
}

fn terms(days: u32) -> String {
    if days == 0 {
        "on receipt".to_owned()
    } else {
        format!("{days} days")
    }
}

fn company_lines(c: &pb::Company, ctx: &Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let row = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!(" {label:<14}"), theme.muted),
            Span::styled(format::or_dash(value), theme.text),
        ])
    };
    let a = c.address.clone().unwrap_or_default();
    let address = [
        &a.line1,
        &a.line2,
        &a.city,
        &a.region,
        &a.postal_code,
        &a.country,
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| s.as_str())
    .collect::<Vec<_>>()
    .join(", ");
    let p = c.preferences.clone().unwrap_or_default();
    let yes = |on: bool| if on { "yes" } else { "no" };
    vec![
        Line::from(vec![
            Span::styled(format!(" {}", c.name), theme.title),
            Span::styled(
                if c.active { "" } else { "  (inactive)" }.to_owned(),
                theme.muted,
            ),
        ]),
        row("Address", address),
        row(
            "Phone · terms",
            format!("{} · {}", c.phone, terms(c.payment_terms_days)),
        ),
        row(
            "Sites",
            c.sites
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        row(
            "Preferences",
            format!(
                "PO number required: {} · Users see all tickets: {}",
                yes(p.require_po_number),
                yes(p.users_see_all_tickets),
            ),
        ),
        Line::default(),
    ]
}

fn search_popup(query: &str) -> Popup {
    let mut prompt = PromptPopup::new(
        "Search companies",
        Submit::ToScreen,
        vec![Field::line(PromptField::Text, "Name", query)],
    )
    .hint("Part of the name; empty lists them all.");
    prompt.form.mark_clean();
    Popup::Prompt(prompt)
}

/// The form of a new or changed company.
pub fn company_popup(c: &pb::Company) -> Popup {
    use CompanyField as F;
    let a = c.address.clone().unwrap_or_default();
    let sites = c
        .sites
        .iter()
        .map(|s| s.name.clone())
        .collect::<Vec<_>>()
        .join("\n");
    let title = if c.id == 0 {
        "New company".to_owned()
    } else {
        format!("Edit {}", c.name)
    };
    let company = c.clone();
    Popup::Prompt(
        PromptPopup::new(
            title,
            Submit::send(move |form: &mut Form| company_request(form, &company)),
            vec![
                Field::line(F::Name, "Name", &c.name).required(),
                Field::line(F::Phone, "Phone", &c.phone),
                Field::line(F::Line1, "Address", &a.line1),
                Field::line(F::Line2, "Address 2", &a.line2),
                Field::line(F::City, "City", &a.city),
                Field::line(F::Region, "State/region", &a.region),
                Field::line(F::PostalCode, "Postal code", &a.postal_code),
                Field::line(F::Country, "Country", &a.country),
                Field::line(
                    F::PaymentTerms,
                    "Payment terms (days)",
                    &c.payment_terms_days.to_string(),
                ),
                Field::multi(F::Sites, "Sites, one a line", &sites),
                Field::toggle(F::Active, "Active", c.active),
                Field::button(F::Save, "Save"),
            ],
        )
        .width(72),
    )
}

/// The company as the form says; sites keep their ids by name.
pub fn company_request(form: &mut Form, before: &pb::Company) -> Option<AdminCall> {
    use CompanyField as F;
    form.clear_errors();
    form.check_required();
    let terms = form.text(F::PaymentTerms);
    let days = if terms.is_empty() {
        Some(0)
    } else {
        terms.parse::<u32>().ok()
    };
    if days.is_none() {
        form.set_error(F::PaymentTerms, "a whole number of days (0 = on receipt)");
    }
    if form.has_errors() {
        form.focus_first_error();
        return None;
    }
    let sites = form
        .raw(F::Sites)
        .lines()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            before
                .sites
                .iter()
                .find(|s| s.name == name)
                .cloned()
                .unwrap_or_else(|| pb::Site {
                    name: name.to_owned(),
                    ..pb::Site::default()
                })
        })
        .collect();
    Some(AdminCall::SaveCompany(Box::new(pb::Company {
        name: form.text(F::Name),
        phone: form.text(F::Phone),
        address: Some(pb::Address {
            line1: form.text(F::Line1),
            line2: form.text(F::Line2),
            city: form.text(F::City),
            region: form.text(F::Region),
            postal_code: form.text(F::PostalCode),
            country: form.text(F::Country),
        }),
        payment_terms_days: days.unwrap_or_default(),
        sites,
        active: form.on(F::Active),
        ..before.clone()
    })))
}

/// The preferences of `c`, with a box per contact of `contacts` (the
/// company's) for who is subscribed to its new tickets: the Companies tab's
/// for staff, the Account tab's for a client Admin.
pub fn preferences_popup(c: &pb::Company, contacts: &[pb::Contact]) -> Popup {
    use PreferenceField as F;
    let p = c.preferences.clone().unwrap_or_default();
    let company_id = c.id;
    // Who is subscribed but not listed (inactive, or not loaded) stays so.
    let active: Vec<&pb::Contact> = contacts.iter().filter(|c| c.active).collect();
    let listed: Vec<i64> = active.iter().map(|c| c.id).collect();
    let kept: Vec<i64> = p
        .default_subscriber_ids
        .iter()
        .copied()
        .filter(|id| !listed.contains(id))
        .collect();
    let mut fields = vec![
        Field::toggle(F::RequirePo, "PO number required", p.require_po_number),
        Field::toggle(
            F::UsersSeeAll,
            "Users see all tickets",
            p.users_see_all_tickets,
        ),
    ];
    for contact in active {
        fields.push(Field::toggle(
            F::Subscriber(contact.id),
            &format!("Subscribe {}", Catalog::contact_name(contact)),
            p.default_subscriber_ids.contains(&contact.id),
        ));
    }
    fields.push(Field::button(F::Save, "Save"));
    Popup::Prompt(
        PromptPopup::new(
            format!("Preferences of {}", c.name),
            Submit::send(move |form: &mut Form| {
                let mut default_subscriber_ids = kept.clone();
                default_subscriber_ids.extend(
                    listed
                        .iter()
                        .copied()
                        .filter(|id| form.on(F::Subscriber(*id))),
                );
                Some(AdminCall::SavePreferences {
                    company_id,
                    preferences: pb::CompanyPreferences {
                        require_po_number: form.on(F::RequirePo),
                        users_see_all_tickets: form.on(F::UsersSeeAll),
                        default_subscriber_ids,
                    },
                })
            }),
            fields,
        )
        .hint("subscribed contacts are told of every new ticket of the company")
        .width(72),
    )
}

/// A box per company of `companies` (the list on show) but the contact's
/// own, ticked where it is related: a provider Admin relates a contact to
/// other companies, so that it may follow their tickets.
pub fn related_popup(contact: &pb::Contact, companies: &[pb::Company]) -> Popup {
    use RelatedField as F;
    let contact_id = contact.id;
    let others: Vec<&pb::Company> = companies
        .iter()
        .filter(|c| c.id != contact.company_id)
        .collect();
    let listed: Vec<i64> = others.iter().map(|c| c.id).collect();
    // Related companies not in the list on show (a search) stay related.
    let kept: Vec<i64> = contact
        .related_company_ids
        .iter()
        .copied()
        .filter(|id| !listed.contains(id))
        .collect();
    let mut fields: Vec<Field> = others
        .iter()
        .map(|c| {
            Field::toggle(
                F::Company(c.id),
                &c.name,
                contact.related_company_ids.contains(&c.id),
            )
        })
        .collect();
    fields.push(Field::button(F::Save, "Save"));
    Popup::Prompt(
        PromptPopup::new(
            format!("Related companies of {}", Catalog::contact_name(contact)),
            Submit::send(move |form: &mut Form| {
                let mut company_ids = kept.clone();
                company_ids.extend(listed.iter().copied().filter(|id| form.on(F::Company(*id))));
                Some(AccountCall::SetRelatedCompanies {
                    contact_id,
                    company_ids,
                })
            }),
            fields,
        )
        .hint("Staff may then subscribe it to those companies' tickets.")
        .width(72),
    )
}

impl Screen for Companies {
    fn title(&self) -> &'static str {
        match &self.view {
            View::List => "Companies",
            View::Company(_) => "Company",
            View::Admin => self.admin.title(),
        }
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        match &self.view {
            View::Admin => self.admin.help(ctx),
            View::Company(_) if self.subscriptions.is_some() => self
                .subscriptions
                .as_ref()
                .map(|s| s.help(ctx))
                .unwrap_or_default(),
            View::Company(users) => {
                let mut lines = users.help(ctx);
                lines.push(help_line(
                    ctx.keys,
                    Cmd::Subscriptions,
                    "the company's subscriptions and renewals",
                ));
                lines.push(team_help(ctx));
                if ctx.is_admin() {
                    lines.push(help_line(ctx.keys, Cmd::EditCompany, "edit the company"));
                    lines.push(help_line(
                        ctx.keys,
                        Cmd::Preferences,
                        "the company's preferences",
                    ));
                    lines.push(help_line(
                        ctx.keys,
                        Cmd::RelatedCompanies,
                        "the user's related companies (their tickets it may follow)",
                    ));
                }
                lines
            }
            View::List => {
                let mut lines = vec![
                    plain_help("↑/↓ j/k g/G PgUp/PgDn", "move"),
                    plain_help("Enter", "the company and its contacts"),
                    help_line(ctx.keys, Cmd::Filter, "search by name"),
                ];
                if ctx.is_admin() {
                    lines.push(help_line(ctx.keys, Cmd::AddUser, "add a company"));
                    lines.push(help_line(ctx.keys, Cmd::Edit, "edit the company"));
                }
                lines.push(team_help(ctx));
                lines.extend(self.admin.open_help(ctx));
                lines.push(help_line(ctx.keys, Cmd::Refresh, "refresh"));
                lines
            }
        }
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        match &self.view {
            View::List => {
                let handled = self.list_keys(key, ctx, fx);
                if self.admin.is_open() {
                    self.view = View::Admin;
                }
                handled
            }
            View::Company(_) => self.company_keys(key, ctx, fx),
            View::Admin => {
                let handled = self.admin.handle_key(key, ctx, fx);
                if !self.admin.is_open() {
                    self.view = View::List;
                }
                handled
            }
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        match &self.view {
            View::List => self.render_list(frame, area, ctx),
            View::Company(_) => match &mut self.subscriptions {
                Some(subscriptions) => subscriptions.render(frame, area, ctx),
                None => self.render_company(frame, area, ctx),
            },
            View::Admin => self.admin.render(frame, area, ctx),
        }
    }

    fn on_reply(&mut self, reply: &Reply, ctx: &Ctx, fx: &mut Effects) {
        match reply {
            Reply::Companies(rows) => self.list.set(rows.clone()),
            Reply::CompanySaved(c) if ctx.is_staff() => {
                fx.close_prompt = true;
                fx.ok(format!("{} is saved", c.name));
                self.list.upsert((**c).clone(), |r| r.id == c.id);
            }
            // Staff read a company's team here; provider Admins edit it.
            Reply::Team(team) if ctx.is_staff() => {
                fx.popup = Some(if ctx.is_admin() {
                    team::editor(team, &ctx.catalog.staff)
                } else {
                    Popup::info(
                        format!("Account team of {}", team.company_name),
                        team::summary(team),
                    )
                });
            }
            Reply::TeamSaved(team) if ctx.is_staff() => {
                fx.close_prompt = true;
                fx.ok(format!(
                    "The account team of {} is saved",
                    team.company_name
                ));
            }
            _ => {}
        }
        if let View::Company(users) = &mut self.view {
            users.on_reply(reply, ctx, fx);
        }
        if let Some(subscriptions) = &mut self.subscriptions {
            subscriptions.on_reply(reply, fx);
        }
        self.admin.on_reply(reply, ctx, fx);
    }

    fn on_form(&mut self, form: &mut Form, ctx: &Ctx, fx: &mut Effects) -> bool {
        if let View::Admin = self.view {
            return self.admin.on_form(form, ctx, fx);
        }
        self.query = form.text(PromptField::Text);
        self.load(fx);
        true
    }

    fn refresh(&mut self, fx: &mut Effects) {
        match &mut self.view {
            View::List => self.load(fx),
            View::Company(users) => users.load(fx),
            View::Admin => self.admin.refresh(fx),
        }
    }
}

fn team_help(ctx: &Ctx) -> (String, String) {
    let what = if ctx.is_admin() {
        "the company's account team: set its manager, technician, after-hours line"
    } else {
        "the company's account team"
    };
    help_line(ctx.keys, Cmd::Team, what)
}
