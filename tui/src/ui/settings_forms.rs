//! The prompts of the Settings screen and what they send: a staff member,
//! a service type with its fields (one a line), an SLA target, business
//! hours, holidays and a work type. Each checks what it can before asking.

use portal_proto::pb::{self, FieldKind, SlaClock, StaffRole};
use ratatui::text::{Line, Span};

use super::Ctx;
use super::form::{Field, FieldId, Form};
use super::format;
use super::popup::{Popup, PromptPopup, Submit};
use super::settings::{ROLES, clock, kind};
use crate::action::SettingsCall;

/// The fields of the Settings prompts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingField {
    FirstName,
    LastName,
    Email,
    Role,
    Name,
    Description,
    SortOrder,
    Active,
    Fields,
    Response,
    Resolution,
    Clock,
    TimeZone,
    Days,
    Start,
    End,
    AtRisk,
    Holidays,
    Save,
}

impl FieldId for SettingField {
    fn server_name(self) -> Option<&'static str> {
        use SettingField as F;
        match self {
            F::FirstName => Some("first_name"),
            F::LastName => Some("last_name"),
            F::Email => Some("email"),
            F::Role => Some("role"),
            F::Name => Some("name"),
            F::Description => Some("description"),
            F::SortOrder => Some("sort_order"),
            F::Fields => Some("fields"),
            F::TimeZone => Some("time_zone"),
            F::Days => Some("business_days"),
            F::Start => Some("business_start_minute"),
            F::End => Some("business_end_minute"),
            F::AtRisk => Some("at_risk_percent"),
            F::Holidays => Some("holidays"),
            F::Response | F::Resolution | F::Clock => Some("targets"),
            F::Active | F::Save => None,
        }
    }
}

use SettingField as F;

fn prompt(title: impl Into<String>, submit: Submit, fields: Vec<Field>) -> Popup {
    Popup::Prompt(PromptPopup::new(title, submit, fields).width(76))
}

pub fn add_staff_popup() -> Popup {
    prompt(
        "Add a staff member",
        Submit::send(|form: &mut Form| {
            form.clear_errors();
            form.check_required();
            let email = form.text(F::Email);
            if !email.is_empty() && !email.contains('@') {
                form.set_error(F::Email, "not an e-mail address");
            }
            if form.has_errors() {
                form.focus_first_error();
                return None;
            }
            Some(SettingsCall::AddStaff(pb::CreateStaffRequest {
                first_name: form.text(F::FirstName),
                last_name: form.text(F::LastName),
                email,
                role: role_at(form.choice(F::Role)).into(),
            }))
        }),
        vec![
            Field::line(F::FirstName, "First name", "").required(),
            Field::line(F::LastName, "Last name", "").required(),
            Field::line(F::Email, "E-mail", "").required(),
            Field::choice(
                F::Role,
                "Role",
                ROLES.iter().map(|r| format::role(*r).to_owned()).collect(),
                0,
            ),
            Field::button(F::Save, "Add"),
        ],
    )
}

fn role_at(i: usize) -> StaffRole {
    ROLES.get(i).copied().unwrap_or(StaffRole::Technician)
}

pub fn staff_name_popup(s: &pb::StaffMember) -> Popup {
    let before = s.clone();
    prompt(
        format!("Edit {}", s.email),
        Submit::send(move |form: &mut Form| {
            form.clear_errors();
            if !form.check_required() {
                form.focus_first_error();
                return None;
            }
            Some(SettingsCall::UpdateStaff(pb::UpdateStaffRequest {
                staff_id: before.id,
                first_name: form.text(F::FirstName),
                last_name: form.text(F::LastName),
                role: before.role,
                active: before.active,
            }))
        }),
        vec![
            Field::line(F::FirstName, "First name", &s.first_name).required(),
            Field::line(F::LastName, "Last name", &s.last_name).required(),
            Field::button(F::Save, "Save"),
        ],
    )
}

/// A field of a service type as one line: `key | Label | kind | required |
/// choice, choice`.
fn field_line(f: &pb::FieldDef) -> String {
    let mut parts = vec![
        f.key.clone(),
        f.label.clone(),
        kind(f.kind()).to_owned(),
        if f.required { "required" } else { "optional" }.to_owned(),
    ];
    if !f.choices.is_empty() {
        parts.push(f.choices.join(", "));
    }
    parts.join(" | ")
}

const KINDS: [FieldKind; 5] = [
    FieldKind::Text,
    FieldKind::Multiline,
    FieldKind::Date,
    FieldKind::Choice,
    FieldKind::YesNo,
];

/// The fields typed one a line; the first line that is not one, with why.
pub fn parse_fields(text: &str) -> Result<Vec<pb::FieldDef>, String> {
    let mut fields = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let at = |why: &str| format!("line {}: {why}", n + 1);
        let [key, label, kind_name, rest @ ..] = parts.as_slice() else {
            return Err(at("key | Label | kind | required | choices"));
        };
        let kind = KINDS
            .iter()
            .find(|k| kind(**k) == *kind_name)
            .ok_or_else(|| at("kind is text, multiline, date, choice or yes/no"))?;
        let required = match rest.first().copied() {
            None | Some("optional" | "") => false,
            Some("required") => true,
            Some(_) => return Err(at("say required or optional")),
        };
        let choices: Vec<String> = rest
            .get(1)
            .map(|c| {
                c.split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if (*kind == FieldKind::Choice) == choices.is_empty() {
            return Err(at("choices go with the choice kind, and only with it"));
        }
        fields.push(pb::FieldDef {
            key: (*key).to_owned(),
            label: (*label).to_owned(),
            kind: (*kind).into(),
            required,
            choices,
        });
    }
    Ok(fields)
}

pub fn service_type_popup(t: &pb::ServiceType) -> Popup {
    let before = t.clone();
    let title = if t.id == 0 {
        "New service type".to_owned()
    } else {
        format!("Edit {}", t.name)
    };
    let fields = t
        .fields
        .iter()
        .map(field_line)
        .collect::<Vec<_>>()
        .join("\n");
    Popup::Prompt(
        PromptPopup::new(
            title,
            Submit::send(move |form: &mut Form| service_type_request(form, &before)),
            vec![
                Field::line(F::Name, "Name", &t.name).required(),
                Field::line(F::Description, "Description", &t.description),
                Field::line(F::SortOrder, "Sort order", &t.sort_order.to_string()),
                Field::toggle(F::Active, "Active", t.active),
                Field::multi(F::Fields, "Fields, one a line", &fields),
                Field::button(F::Save, "Save"),
            ],
        )
        .hint("A field: key | Label | text/multiline/date/choice/yes/no | required | a, b")
        .width(88),
    )
}

pub fn service_type_request(form: &mut Form, before: &pb::ServiceType) -> Option<SettingsCall> {
    form.clear_errors();
    form.check_required();
    let order = form.text(F::SortOrder).parse::<i32>();
    if order.is_err() {
        form.set_error(F::SortOrder, "a whole number");
    }
    let fields = parse_fields(&form.raw(F::Fields));
    if let Err(why) = &fields {
        form.set_error(F::Fields, why.clone());
    }
    let (Ok(sort_order), Ok(fields)) = (order, fields) else {
        form.focus_first_error();
        return None;
    };
    if form.has_errors() {
        form.focus_first_error();
        return None;
    }
    Some(SettingsCall::SaveServiceType(Box::new(pb::ServiceType {
        name: form.text(F::Name),
        description: form.text(F::Description),
        sort_order,
        active: form.on(F::Active),
        fields,
        ..before.clone()
    })))
}

const CLOCKS: [SlaClock; 3] = [SlaClock::Business, SlaClock::Always, SlaClock::None];

fn number(form: &mut Form, field: SettingField, max: i64) -> i64 {
    match form.text(field).parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => n,
        _ => {
            form.set_error(field, format!("a whole number from 0 to {max}"));
            0
        }
    }
}

pub fn target_popup(sla: &pb::SlaSettings, t: &pb::SlaTargetSetting) -> Popup {
    let (settings, priority) = (sla.clone(), t.priority);
    let clock_at = CLOCKS.iter().position(|c| *c == t.clock()).unwrap_or(0);
    prompt(
        format!("Targets for {} {}", t.priority, t.name),
        Submit::send(move |form: &mut Form| {
            form.clear_errors();
            let response = number(form, F::Response, 525_600);
            let resolution = number(form, F::Resolution, 525_600);
            if form.has_errors() {
                form.focus_first_error();
                return None;
            }
            let mut settings = settings.clone();
            for t in &mut settings.targets {
                if t.priority == priority {
                    t.response_minutes = response;
                    t.resolution_minutes = resolution;
                    t.clock = CLOCKS
                        .get(form.choice(F::Clock))
                        .copied()
                        .unwrap_or(SlaClock::Business)
                        .into();
                }
            }
            Some(SettingsCall::SaveSla(Box::new(settings)))
        }),
        vec![
            Field::line(
                F::Response,
                "Response (minutes, 0 none)",
                &t.response_minutes.to_string(),
            ),
            Field::line(
                F::Resolution,
                "Resolution (minutes)",
                &t.resolution_minutes.to_string(),
            ),
            Field::choice(
                F::Clock,
                "Clock",
                CLOCKS.iter().map(|c| clock(*c).to_owned()).collect(),
                clock_at,
            ),
            Field::button(F::Save, "Save"),
        ],
    )
}

fn hhmm(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn minute_of(form: &mut Form, field: SettingField) -> i32 {
    let text = form.text(field);
    let parsed = text.split_once(':').and_then(|(h, m)| {
        let (h, m) = (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?);
        ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 24 * 60)
            .then_some(h * 60 + m)
    });
    parsed.unwrap_or_else(|| {
        form.set_error(field, "a time as HH:MM");
        0
    })
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn days_text(days: &[i32]) -> String {
    days.iter()
        .filter_map(|d| WEEKDAYS.get(usize::try_from(*d - 1).ok()?))
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn hours_popup(sla: &pb::SlaSettings) -> Popup {
    let settings = sla.clone();
    prompt(
        "Business hours",
        Submit::send(move |form: &mut Form| {
            form.clear_errors();
            form.check_required();
            let mut days = Vec::new();
            for word in form
                .text(F::Days)
                .split([' ', ','])
                .filter(|w| !w.is_empty())
            {
                match WEEKDAYS.iter().position(|d| d.eq_ignore_ascii_case(word)) {
                    Some(i) => days.push(i32::try_from(i).unwrap_or(0) + 1),
                    None => form.set_error(F::Days, "weekdays as Mon Tue Wed Thu Fri Sat Sun"),
                }
            }
            let start = minute_of(form, F::Start);
            let end = minute_of(form, F::End);
            let at_risk = number(form, F::AtRisk, 99);
            if form.has_errors() {
                form.focus_first_error();
                return None;
            }
            Some(SettingsCall::SaveSla(Box::new(pb::SlaSettings {
                time_zone: form.text(F::TimeZone),
                business_days: days,
                business_start_minute: start,
                business_end_minute: end,
                at_risk_percent: i32::try_from(at_risk).unwrap_or(25),
                ..settings.clone()
            })))
        }),
        vec![
            Field::line(F::TimeZone, "Time zone (IANA)", &sla.time_zone).required(),
            Field::line(F::Days, "Business days", &days_text(&sla.business_days)),
            Field::line(F::Start, "Opens (HH:MM)", &hhmm(sla.business_start_minute)),
            Field::line(F::End, "Closes (HH:MM)", &hhmm(sla.business_end_minute)),
            Field::line(
                F::AtRisk,
                "At risk under (% left)",
                &sla.at_risk_percent.to_string(),
            ),
            Field::button(F::Save, "Save"),
        ],
    )
}

pub fn holidays_popup(sla: &pb::SlaSettings) -> Popup {
    let settings = sla.clone();
    let text = sla
        .holidays
        .iter()
        .map(|h| format!("{} {}", h.day, h.name))
        .collect::<Vec<_>>()
        .join("\n");
    Popup::Prompt(
        PromptPopup::new(
            "Holidays",
            Submit::send(move |form: &mut Form| {
                form.clear_errors();
                let mut holidays = Vec::new();
                for (n, line) in form.raw(F::Holidays).lines().enumerate() {
                    let line = line.trim();
                    if line.is_empty() {
                        continue;
                    }
                    let (day, name) = line.split_once(' ').unwrap_or((line, ""));
                    if chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err() {
                        form.set_error(
                            F::Holidays,
                            format!("line {}: starts with YYYY-MM-DD", n + 1),
                        );
                        form.focus_first_error();
                        return None;
                    }
                    holidays.push(pb::Holiday {
                        day: day.to_owned(),
                        name: name.trim().to_owned(),
                    });
                }
                Some(SettingsCall::SaveSla(Box::new(pb::SlaSettings {
                    holidays,
                    ..settings.clone()
                })))
            }),
            vec![
                Field::multi(F::Holidays, "One a line", &text),
                Field::button(F::Save, "Save"),
            ],
        )
        .hint("YYYY-MM-DD and a name, e.g. 2026-12-25 Christmas Day")
        .width(76),
    )
}

pub fn work_type_popup(w: Option<&pb::WorkType>) -> Popup {
    let id = w.map(|w| w.id);
    prompt(
        w.map_or_else(
            || "New work type".to_owned(),
            |w| format!("Rename {}", w.name),
        ),
        Submit::send(move |form: &mut Form| {
            form.clear_errors();
            if !form.check_required() {
                form.focus_first_error();
                return None;
            }
            let name = form.text(F::Name);
            Some(match id {
                Some(id) => SettingsCall::RenameWorkType { id, name },
                None => SettingsCall::CreateWorkType { name },
            })
        }),
        vec![
            Field::line(F::Name, "Name", w.map_or("", |w| w.name.as_str())).required(),
            Field::button(F::Save, "Save"),
        ],
    )
}

/// The SLA's hours, days, zone, at-risk share and holidays, to read.
pub fn sla_lines(s: &pb::SlaSettings, ctx: &Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let row = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!(" {label:<16}"), theme.muted),
            Span::styled(value, theme.text),
        ])
    };
    let holidays = if s.holidays.is_empty() {
        "none".to_owned()
    } else {
        s.holidays
            .iter()
            .map(|h| format!("{} {}", h.day, h.name))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    vec![
        row(
            "Business hours",
            format!(
                "{} {}–{} ({})",
                days_text(&s.business_days),
                hhmm(s.business_start_minute),
                hhmm(s.business_end_minute),
                s.time_zone
            ),
        ),
        row(
            "At risk",
            format!("under {}% of a target left", s.at_risk_percent),
        ),
        row("Holidays", holidays),
    ]
}
