//! `portal users …` (client Admins: their company's users) and
//! `portal companies …` (staff).

use clap::{Subcommand, ValueEnum};
use portal_proto::pb;

use super::Ctx;
use super::exit::{Done, Failure};
use super::output::{Format, Out};
use crate::action::{AccountCall, Reply};
use crate::client::every_page;
use crate::ui::format;

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Your company's users, inactive ones included.
    #[command(after_help = "Example:\n  portal users list --csv > users.csv")]
    List {
        /// Only those whose name or e-mail contains this.
        #[arg(short = 'q', long)]
        query: Option<String>,
    },
    /// Add a user; prints the temporary password, shown this once.
    #[command(
        after_help = "Example:\n  portal users add --email kim@harbor.example --first Kim --last Lee --level user"
    )]
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        first: String,
        #[arg(long)]
        last: String,
        #[arg(long, value_enum, default_value = "user")]
        level: LevelArg,
    },
    /// Change a user's access level.
    #[command(after_help = "Example:\n  portal users level 17 manager")]
    Level {
        contact_id: i64,
        #[arg(value_enum)]
        level: LevelArg,
    },
    /// Reset a user's password; prints the temporary one.
    #[command(after_help = "Example:\n  portal users reset 17")]
    Reset { contact_id: i64 },
    /// Disable a user (or enable again with --enable).
    #[command(after_help = "Example:\n  portal users disable 17")]
    Disable {
        contact_id: i64,
        #[arg(long)]
        enable: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    None,
    User,
    Manager,
    Admin,
}

impl LevelArg {
    fn pb(self) -> pb::AccessLevel {
        match self {
            LevelArg::None => pb::AccessLevel::None,
            LevelArg::User => pb::AccessLevel::User,
            LevelArg::Manager => pb::AccessLevel::Manager,
            LevelArg::Admin => pb::AccessLevel::Admin,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CompaniesCommand {
    /// Client companies.
    #[command(after_help = "Example:\n  portal companies list -q harbor")]
    List {
        #[arg(short = 'q', long)]
        query: Option<String>,
        /// Include inactive companies.
        #[arg(long)]
        inactive: bool,
    },
    /// One company, with its sites.
    #[command(after_help = "Example:\n  portal companies show 2")]
    Show { company_id: i64 },
}

fn name(c: &pb::Contact) -> String {
    let d = c.details.clone().unwrap_or_default();
    format!("{} {}", d.first_name, d.last_name)
}

fn contact_row(c: &pb::Contact) -> Vec<String> {
    vec![
        c.id.to_string(),
        name(c),
        c.email.clone(),
        format::access(c.access()).to_owned(),
        if c.active { "yes" } else { "no" }.to_owned(),
    ]
}

/// Prints one changed contact.
fn contact(out: &mut Out, c: &pb::Contact) -> Done {
    match out.format {
        Format::Json => out.json(c),
        Format::Table | Format::Csv => out.rows(
            &["id", "name", "email", "access", "active"],
            &[contact_row(c)],
        ),
    }
}

pub async fn users(ctx: &Ctx, command: UsersCommand, out: &mut Out) -> Done {
    let call = match command {
        UsersCommand::List { query } => AccountCall::Users {
            query: query.unwrap_or_default(),
        },
        UsersCommand::Add {
            email,
            first,
            last,
            level,
        } => AccountCall::AddUser(pb::AddUserRequest {
            company_id: 0,
            email,
            details: Some(pb::ContactDetails {
                first_name: first,
                last_name: last,
                use_company_address: true,
                ..Default::default()
            }),
            access: level.pb().into(),
        }),
        UsersCommand::Level { contact_id, level } => AccountCall::SetAccess {
            contact_id,
            access: level.pb(),
        },
        UsersCommand::Reset { contact_id } => AccountCall::ResetPassword { contact_id },
        UsersCommand::Disable { contact_id, enable } => AccountCall::SetActive {
            contact_id,
            active: enable,
        },
    };
    match ctx.client.request(call.into()).await? {
        Reply::Users(contacts) => match out.format {
            Format::Json => contacts.iter().try_for_each(|c| out.json(c)),
            Format::Table | Format::Csv => {
                let rows: Vec<Vec<String>> = contacts.iter().map(contact_row).collect();
                out.rows(&["id", "name", "email", "access", "active"], &rows)
            }
        },
        Reply::UserAdded {
            contact: added,
            temporary_password,
        } => {
            let response = pb::AddUserResponse {
                contact: Some(*added),
                temporary_password,
            };
            match out.format {
                Format::Json => out.json(&response),
                Format::Table | Format::Csv => {
                    let c = response.contact.unwrap_or_default();
                    eprintln!("Added {} ({}) as {}.", name(&c), c.email, c.id);
                    out.line(&response.temporary_password)
                }
            }
        }
        Reply::UserChanged(changed) => contact(out, &changed),
        Reply::TemporaryPassword { password, .. } => match out.format {
            Format::Json => out.json(&pb::TemporaryPassword {
                temporary_password: password,
            }),
            Format::Table | Format::Csv => out.line(&password),
        },
        other => Err(Failure::other(format!("unexpected answer: {other:?}"))),
    }
}

pub async fn companies(ctx: &Ctx, command: CompaniesCommand, out: &mut Out) -> Done {
    match command {
        CompaniesCommand::List { query, inactive } => {
            let all = every_page(|page| {
                let mut staff = ctx.client.staff();
                let request = ctx.client.authed(pb::ListCompaniesRequest {
                    query: query.clone().unwrap_or_default(),
                    include_inactive: inactive,
                    page: Some(page),
                });
                async move {
                    let list = staff.list_companies(request).await?.into_inner();
                    Ok((list.companies, list.next_cursor))
                }
            })
            .await?;
            if out.format == Format::Json {
                return all.iter().try_for_each(|c| out.json(c));
            }
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.name.clone(),
                        c.phone.clone(),
                        c.sites.len().to_string(),
                        if c.active { "yes" } else { "no" }.to_owned(),
                    ]
                })
                .collect();
            out.rows(&["id", "name", "phone", "sites", "active"], &rows)
        }
        CompaniesCommand::Show { company_id } => {
            if company_id <= 0 {
                return Err(Failure::invalid("company_id", "a company id, e.g. 2"));
            }
            let company = ctx
                .client
                .account()
                .get_company(ctx.client.authed(pb::GetCompanyRequest { company_id }))
                .await?
                .into_inner();
            if out.format == Format::Json {
                return out.json(&company);
            }
            let a = company.address.clone().unwrap_or_default();
            out.line(&format!("{}  {}", company.id, company.name))?;
            out.line(&format!(
                "{}, {} {}, {}",
                a.line1, a.postal_code, a.city, a.country
            ))?;
            out.line(&format!("Phone: {}", company.phone))?;
            let rows: Vec<Vec<String>> = company
                .sites
                .iter()
                .map(|s| vec![s.id.to_string(), s.name.clone()])
                .collect();
            out.rows(&["site", "name"], &rows)
        }
    }
}
