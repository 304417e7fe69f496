//! "Our account team" (docs/KNOWLEDGE.md): the provider's people for one's
//! company (account manager, primary technician, after-hours line), on the
//! Account tab; the provider Admin sets them from the Companies tab.

use crossterm::event::KeyEvent;
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::form::{Field, FieldId, Form};
use super::popup::{Popup, PromptPopup, Submit};
use super::{Ctx, Effects, HelpLines, format, help_line, plain_help};
use crate::action::{ApiError, KnowledgeCall, Reply, Request};
use crate::keys::Cmd;
use crate::theme::Theme;

#[derive(Debug, Clone, Default)]
pub struct Team {
    pub team: Option<pb::AccountTeam>,
    /// Why the team could not be read.
    pub error: Option<String>,
}

impl Team {
    pub fn load(&self, fx: &mut Effects) {
        fx.send(KnowledgeCall::Team { company_id: 0 });
    }

    pub fn help(ctx: &Ctx) -> HelpLines {
        vec![
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
            plain_help("Esc", "back to My Account"),
        ]
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if ctx.keys.is(Cmd::Refresh, key) {
            self.load(fx);
            return true;
        }
        false
    }

    pub fn on_reply(&mut self, reply: &Reply, ctx: &Ctx) {
        // Only one's own company's team: staff read others' on Companies.
        if let Reply::Team(team) | Reply::TeamSaved(team) = reply
            && !ctx.is_staff()
        {
            self.team = Some((**team).clone());
            self.error = None;
        }
    }

    pub fn on_failed(&mut self, request: &Request, error: &ApiError) {
        if let Request::Knowledge(KnowledgeCall::Team { .. }) = request {
            self.error = Some(error.text());
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let company = self.team.as_ref().map_or("", |t| t.company_name.as_str());
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" Our account team ", theme.title),
                Span::styled(format!("· {company}"), theme.muted),
            ])),
            header,
        );
        let lines = match (&self.error, &self.team) {
            (Some(e), _) => vec![Line::styled(format!("✗ {e}"), theme.error)],
            (None, None) => vec![Line::styled("Loading your account team…", theme.muted)],
            (None, Some(team)) => lines(team, ctx),
        };
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            body.inner(Margin::new(1, 0)),
        );
        let hints = format::hints_with(
            &["Esc back", "Ctrl-R refresh"],
            "? help",
            usize::from(footer.width),
        );
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

/// A person of the team: name and e-mail, or who to ask when unset.
fn person(label: &str, member: Option<&pb::TeamMember>, theme: &Theme) -> Vec<Line<'static>> {
    let label = Span::styled(format!("{label:<22}"), theme.muted);
    match member {
        Some(m) => vec![
            Line::from(vec![label, Span::styled(m.name.clone(), theme.text)]),
            Line::from(vec![
                Span::raw(" ".repeat(22)),
                Span::styled(m.email.clone(), theme.accent),
            ]),
        ],
        None => vec![Line::from(vec![
            label,
            Span::styled("not named yet", theme.muted),
        ])],
    }
}

fn lines(team: &pb::AccountTeam, ctx: &Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let mut lines = vec![
        Line::styled(
            "The people at your provider who look after your company.",
            theme.text,
        ),
        Line::default(),
    ];
    lines.extend(person(
        "Account manager",
        team.account_manager.as_ref(),
        theme,
    ));
    lines.push(Line::default());
    lines.extend(person(
        "Primary technician",
        team.technician.as_ref(),
        theme,
    ));
    lines.push(Line::default());
    let phone = if team.after_hours_phone.is_empty() {
        Span::styled("none", theme.muted)
    } else {
        Span::styled(team.after_hours_phone.clone(), theme.accent)
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{:<22}", "After-hours line"), theme.muted),
        phone,
    ]));
    lines.push(Line::default());
    lines.push(Line::styled(
        "For anything else, raise a ticket: the whole team sees it.",
        theme.muted,
    ));
    if let Some(at) = &team.updated_at {
        lines.push(Line::styled(
            format!(
                "Last set {} by {}",
                format::short_time(Some(at), ctx.now, ctx.tz),
                team.updated_by
            ),
            theme.muted,
        ));
    }
    lines
}

/// A company's account team as text, for staff who may not change it.
pub fn summary(team: &pb::AccountTeam) -> Vec<String> {
    let who = |m: Option<&pb::TeamMember>| {
        m.map_or_else(
            || "nobody yet".to_owned(),
            |m| format!("{} <{}>", m.name, m.email),
        )
    };
    vec![
        format!("Account manager:    {}", who(team.account_manager.as_ref())),
        format!("Primary technician: {}", who(team.technician.as_ref())),
        format!(
            "After-hours line:   {}",
            format::or_dash(team.after_hours_phone.clone())
        ),
    ]
}

/// The account team editor's fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TeamField {
    Manager,
    Technician,
    Phone,
}

impl FieldId for TeamField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Manager => Some("account_manager_staff_id"),
            Self::Technician => Some("technician_staff_id"),
            Self::Phone => Some("after_hours_phone"),
        }
    }
}

/// The provider Admin's editor of `team`: the manager and technician
/// among the active staff (or nobody), and the after-hours phone.
pub fn editor(team: &pb::AccountTeam, staff: &[pb::StaffMember]) -> Popup {
    let active: Vec<&pb::StaffMember> = staff.iter().filter(|s| s.active).collect();
    let mut options = vec!["(nobody)".to_owned()];
    options.extend(
        active
            .iter()
            .map(|s| format!("{} {}", s.first_name, s.last_name)),
    );
    let ids: Vec<i64> = std::iter::once(0)
        .chain(active.iter().map(|s| s.id))
        .collect();
    let index = |m: Option<&pb::TeamMember>| {
        let id = m.map_or(0, |m| m.staff_id);
        ids.iter().position(|i| *i == id).unwrap_or(0)
    };
    let manager = index(team.account_manager.as_ref());
    let technician = index(team.technician.as_ref());
    let company_id = team.company_id;
    let make = move |form: &mut Form| {
        form.clear_errors();
        let pick = |f: TeamField| ids.get(form.choice(f)).copied().unwrap_or(0);
        Some(KnowledgeCall::SetTeam(pb::SetAccountTeamRequest {
            company_id,
            account_manager_staff_id: pick(TeamField::Manager),
            technician_staff_id: pick(TeamField::Technician),
            after_hours_phone: form.text(TeamField::Phone),
        }))
    };
    Popup::Prompt(
        PromptPopup::new(
            format!("Account team of {}", team.company_name),
            Submit::send(make),
            vec![
                Field::choice(
                    TeamField::Manager,
                    "Account manager",
                    options.clone(),
                    manager,
                ),
                Field::choice(
                    TeamField::Technician,
                    "Primary technician",
                    options,
                    technician,
                ),
                Field::line(
                    TeamField::Phone,
                    "After-hours phone",
                    &team.after_hours_phone,
                ),
            ],
        )
        .hint("Shown to the company's people on Account → Our account team.")
        .width(84),
    )
}
