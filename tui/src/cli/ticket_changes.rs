//! `portal tickets new|reply|status|attach|download|export|subscribe|assign|priority`:
//! changes to one ticket, through the same calls as the full-screen client.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use portal_proto::pb;

use super::exit::{Done, Failure};
use super::output::{Format, Out};
use super::text::{self, Source};
use super::tickets::{self, StatusArg};
use super::{Ctx, may_save_to};
use crate::client::every_page;
use tokio_stream::StreamExt;

use crate::action::{Reply, TicketCall};
use crate::ui::format;
use crate::{client, local_files};

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The service type, by name or id (`portal tickets types`).
    #[arg(long = "type")]
    service_type: String,
    #[arg(long)]
    title: String,
    /// A field of the service type, as key=value; repeat for more.
    #[arg(long = "field", value_name = "KEY=VALUE")]
    fields: Vec<String>,
    /// The description from FILE, or `-` for stdin.
    #[arg(long, value_name = "FILE")]
    description: Option<PathBuf>,
    /// Write the description in $EDITOR even without a terminal.
    #[arg(short, long)]
    edit: bool,
    #[arg(long)]
    po_number: Option<String>,
    /// Your phone for this ticket, where it differs from your profile.
    #[arg(long)]
    phone: Option<String>,
    /// Your e-mail for this ticket, where it differs from your profile.
    #[arg(long)]
    email: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long)]
    due_date: Option<String>,
    /// An emergency (priority 1).
    #[arg(long)]
    emergency: bool,
    /// Raise it for this contact id (Admins, Managers and staff).
    #[arg(long)]
    contact: Option<i64>,
    /// Staff: the company id.
    #[arg(long)]
    company: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ReplyArgs {
    number: i64,
    /// The text.
    #[arg(short = 'm', long, conflicts_with = "file")]
    message: Option<String>,
    /// The text from FILE, or `-` for stdin.
    #[arg(short = 'F', long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Write the text in $EDITOR even without a terminal.
    #[arg(short, long)]
    edit: bool,
    #[command(flatten)]
    kind: PostKindArgs,
}

/// What kind of post a reply is: a discussion post unless one says otherwise.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct PostKindArgs {
    /// Staff: an internal note, never shown to the client.
    #[arg(long)]
    internal: bool,
    /// Staff: the resolution.
    #[arg(long)]
    resolution: bool,
    /// A chat message: from a client, the chat then waits for staff
    /// (docs/TICKETS.md, "Chat").
    #[arg(long)]
    chat: bool,
}

/// `key=value` pairs checked against the type's fields before sending, with
/// the server's field names (`fields.<key>`).
fn field_values(
    service_type: &pb::ServiceType,
    given: &[String],
) -> Result<Vec<pb::FieldValue>, Failure> {
    let mut values = Vec::new();
    for pair in given {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(Failure::invalid(
                "field",
                format!("{pair:?} is not key=value"),
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        let Some(def) = service_type.fields.iter().find(|f| f.key == key) else {
            return Err(Failure::invalid(
                &format!("fields.{key}"),
                format!(
                    "not a field of {}; `portal tickets types` lists them",
                    service_type.name
                ),
            ));
        };
        if !def.choices.is_empty() && !def.choices.iter().any(|c| c == value) {
            return Err(Failure::invalid(
                &format!("fields.{key}"),
                format!("must be one of: {}", def.choices.join(", ")),
            ));
        }
        values.push(pb::FieldValue {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    for def in service_type.fields.iter().filter(|f| f.required) {
        if !values
            .iter()
            .any(|v| v.key == def.key && !v.value.is_empty())
        {
            return Err(Failure::invalid(
                &format!("fields.{}", def.key),
                format!(
                    "required ({}); give it with --field {}=…",
                    def.label, def.key
                ),
            ));
        }
    }
    Ok(values)
}

pub async fn new(ctx: &Ctx, args: &NewArgs, out: &mut Out) -> Done {
    let types = tickets::service_types(ctx).await?;
    let service_type = tickets::find_type(&types, &args.service_type, "type")?;
    let fields = field_values(service_type, &args.fields)?;
    if args.title.trim().is_empty() {
        return Err(Failure::invalid("title", "required"));
    }
    let description = text::read(
        &Source {
            text: None,
            file: args.description.as_deref(),
            edit: args.edit,
        },
        "description",
    )?;
    let create = pb::CreateTicketRequest {
        title: args.title.clone(),
        description,
        service_type_id: service_type.id,
        fields,
        site_id: 0,
        due_date: args.due_date.clone().unwrap_or_default(),
        emergency: args.emergency,
        po_number: args.po_number.clone().unwrap_or_default(),
        contact_phone: args.phone.clone().unwrap_or_default(),
        contact_email: args.email.clone().unwrap_or_default(),
        contact_id: args.contact.unwrap_or_default(),
        company_id: args.company.unwrap_or_default(),
        priority: 0,
        chat: false,
    };
    let Reply::Created(ticket) = ctx
        .client
        .request(TicketCall::CreateTicket(create).into())
        .await?
    else {
        return Err(Failure::other("unexpected answer to raising a ticket"));
    };
    match out.format {
        Format::Json => out.json(ticket.as_ref()),
        Format::Table | Format::Csv => out.line(&ticket.number.to_string()),
    }
}

pub async fn reply(ctx: &Ctx, args: &ReplyArgs, out: &mut Out) -> Done {
    let kind = if args.kind.internal {
        pb::PostKind::InternalNote
    } else if args.kind.resolution {
        pb::PostKind::Resolution
    } else {
        pb::PostKind::Discussion
    };
    let body = text::read(
        &Source {
            text: args.message.as_deref(),
            file: args.file.as_deref(),
            edit: args.edit,
        },
        "body",
    )?;
    let entry = ctx
        .client
        .tickets()
        .add_post(ctx.client.authed(pb::AddPostRequest {
            number: args.number,
            kind: kind.into(),
            body,
            chat: args.kind.chat,
        }))
        .await?
        .into_inner();
    match out.format {
        Format::Json => out.json(&entry),
        Format::Table | Format::Csv => {
            eprintln!("Posted to #{}.", args.number);
            Ok(())
        }
    }
}

/// Prints a changed ticket: the message as JSON, else `#N: what` on stderr.
fn changed(out: &mut Out, ticket: &pb::Ticket, what: &str) -> Done {
    match out.format {
        Format::Json => out.json(ticket),
        Format::Table | Format::Csv => {
            eprintln!("#{}: {what}", ticket.number);
            Ok(())
        }
    }
}

pub async fn status(
    ctx: &Ctx,
    number: i64,
    status: StatusArg,
    note: Option<String>,
    out: &mut Out,
) -> Done {
    let call = TicketCall::ChangeStatus {
        number,
        status: status.pb(),
        note: note.unwrap_or_default(),
    };
    let Reply::StatusChanged(ticket) = ctx.client.request(call.into()).await? else {
        return Err(Failure::other("unexpected answer to a status change"));
    };
    let what = format!("status is now {}", format::status(ticket.status()));
    changed(out, &ticket, &what)
}

pub async fn priority(
    ctx: &Ctx,
    number: i64,
    priority: i32,
    note: Option<String>,
    out: &mut Out,
) -> Done {
    let ticket = ctx
        .client
        .tickets()
        .set_priority(ctx.client.authed(pb::SetPriorityRequest {
            number,
            priority,
            note: note.unwrap_or_default(),
        }))
        .await?
        .into_inner();
    let what = format!("priority is now {}", format::priority(ticket.priority));
    changed(out, &ticket, &what)
}

/// `portal tickets rate`: the requester's rating of a closed ticket
/// (docs/TICKETS.md, "Ratings").
pub async fn rate(
    ctx: &Ctx,
    number: i64,
    score: u32,
    comment: Option<String>,
    out: &mut Out,
) -> Done {
    let rating = ctx
        .client
        .tickets()
        .rate_ticket(ctx.client.authed(pb::RateTicketRequest {
            number,
            score,
            comment: comment.unwrap_or_default(),
        }))
        .await?
        .into_inner();
    match out.format {
        Format::Json => out.json(&rating),
        Format::Table | Format::Csv => {
            eprintln!("#{number}: rated {}/5. Thank you.", rating.score);
            Ok(())
        }
    }
}

/// `portal tickets ratings`: staff list the ratings given, newest first,
/// every page.
pub async fn ratings(
    ctx: &Ctx,
    company: Option<i64>,
    technician: Option<i64>,
    out: &mut Out,
) -> Done {
    let all = every_page(|page| {
        let mut tickets = ctx.client.tickets();
        let request = ctx.client.authed(pb::ListRatingsRequest {
            company_id: company.unwrap_or_default(),
            staff_id: technician.unwrap_or_default(),
            page: Some(page),
        });
        async move {
            let list = tickets.list_ratings(request).await?.into_inner();
            Ok((list.ratings, list.next_cursor))
        }
    })
    .await?;
    if out.format == Format::Json {
        for r in &all {
            out.json(r)?;
        }
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|r| {
            vec![
                format!("#{}", r.ticket_number),
                r.score.to_string(),
                format::time(r.rated_at.as_ref(), out.tz),
                r.contact_name.clone(),
                r.company_name.clone(),
                r.staff_name.clone(),
                r.comment.clone(),
            ]
        })
        .collect();
    let header = [
        "ticket",
        "score",
        "rated",
        "requester",
        "company",
        "technician",
        "comment",
    ];
    out.rows(&header, &rows)
}

/// What `portal tickets assign` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    Primary,
    AddOther,
    RemoveOther,
}

pub async fn assign(ctx: &Ctx, number: i64, staff: &str, how: Assignment, out: &mut Out) -> Done {
    if how != Assignment::Primary && staff.eq_ignore_ascii_case("none") {
        return Err(Failure::usage("--add and --remove name a staff member"));
    }
    let staff_id = if staff.eq_ignore_ascii_case("none") {
        0
    } else if let Ok(id) = staff.parse::<i64>() {
        id
    } else {
        let everyone = ctx.client.all_staff().await;
        let wanted = staff.to_lowercase();
        let matches: Vec<&pb::StaffMember> = everyone
            .iter()
            .filter(|s| {
                s.email.eq_ignore_ascii_case(staff)
                    || format!("{} {}", s.first_name, s.last_name)
                        .to_lowercase()
                        .contains(&wanted)
            })
            .collect();
        match matches.as_slice() {
            [one] => one.id,
            [] => {
                return Err(Failure::invalid(
                    "staff",
                    format!("nobody matches {staff:?}"),
                ));
            }
            _ => {
                return Err(Failure::invalid(
                    "staff",
                    format!(
                        "{staff:?} matches {} people; give the e-mail",
                        matches.len()
                    ),
                ));
            }
        }
    };
    let tickets = ctx.client.tickets();
    let other = || ctx.client.authed(pb::AssigneeRequest { number, staff_id });
    let ticket = match how {
        Assignment::Primary => {
            tickets
                .clone()
                .assign(ctx.client.authed(pb::AssignRequest {
                    number,
                    staff_id,
                    board: String::new(),
                }))
                .await?
        }
        Assignment::AddOther => tickets.clone().add_assignee(other()).await?,
        Assignment::RemoveOther => tickets.clone().remove_assignee(other()).await?,
    }
    .into_inner();
    changed(
        out,
        &ticket,
        &format!("assigned to {}", format::assigned(&ticket)),
    )
}

pub async fn subscribe(
    ctx: &Ctx,
    number: i64,
    mut contacts: Vec<i64>,
    remove: bool,
    out: &mut Out,
) -> Done {
    if contacts.is_empty() {
        if ctx.me.staff {
            return Err(Failure::usage("staff name the contact ids to subscribe"));
        }
        contacts.push(ctx.me.id);
    }
    let mut subscribers = Vec::new();
    for contact_id in contacts {
        let request = ctx
            .client
            .authed(pb::SubscriberRequest { number, contact_id });
        let mut tickets = ctx.client.tickets();
        let answer = if remove {
            tickets.remove_subscriber(request).await?
        } else {
            tickets.add_subscriber(request).await?
        };
        subscribers = answer.into_inner().subscribers;
    }
    let response = pb::SubscribersResponse { subscribers };
    match out.format {
        Format::Json => out.json(&response),
        Format::Table | Format::Csv => {
            let rows: Vec<Vec<String>> = response
                .subscribers
                .iter()
                .map(|s| vec![s.contact_id.to_string(), s.name.clone(), s.email.clone()])
                .collect();
            out.rows(&["contact_id", "name", "email"], &rows)
        }
    }
}

pub async fn attach(ctx: &Ctx, number: i64, files: &[PathBuf], out: &mut Out) -> Done {
    local_files::check()?;
    for path in files {
        let name = path.display().to_string();
        let shown = name.clone();
        let attachment = ctx
            .client
            .upload_with_progress(number, path, move |sent, size| {
                let percent = (sent * 100).checked_div(size).unwrap_or(100);
                eprint!("\r{shown}: {percent}% of {size} bytes");
                let _ = std::io::stderr().flush();
            })
            .await?;
        eprintln!("\r{name}: attached to #{number} as {}", attachment.id);
        if out.format == Format::Json {
            out.json(&attachment)?;
        }
    }
    Ok(())
}

pub async fn download(
    ctx: &Ctx,
    number: i64,
    which: &str,
    output: Option<PathBuf>,
    out: &mut Out,
) -> Done {
    may_save_to(output.as_deref())?;
    let Reply::Ticket(detail) = ctx
        .client
        .request(TicketCall::Get { number }.into())
        .await?
    else {
        return Err(Failure::other("unexpected answer to getting a ticket"));
    };
    let attachment = detail
        .attachments
        .iter()
        .find(|a| a.id.to_string() == which)
        .or_else(|| detail.attachments.iter().find(|a| a.file_name == which))
        .ok_or_else(|| Failure::not_found(format!("#{number} has no attachment {which:?}")))?;
    let path =
        output.unwrap_or_else(|| PathBuf::from(safe_name(&attachment.file_name, "attachment")));
    if path == Path::new("-") {
        // Attachments are at most 64 MiB: held, then written out whole.
        let mut data = Vec::new();
        ctx.client
            .download_into(attachment.id, &mut data, &path)
            .await?;
        return out.bytes(&data);
    }
    let call = TicketCall::Download {
        attachment_id: attachment.id,
        path: path.clone(),
    };
    let Reply::Downloaded { bytes, .. } = ctx.client.request(call.into()).await? else {
        return Err(Failure::other("unexpected answer to a download"));
    };
    eprintln!("Saved {} ({bytes} bytes).", path.display());
    Ok(())
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    number: i64,
    /// As PDF.
    #[arg(long, required_unless_present = "text", conflicts_with = "text")]
    pdf: bool,
    /// As plain text (UTF-8, 78 columns).
    #[arg(long)]
    text: bool,
    /// The sign-off form instead of the ticket.
    #[arg(long)]
    sign_off: bool,
    /// Where to save it (`-` for stdout); default: the server's file name
    /// here. An existing file is never overwritten.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub async fn export(ctx: &Ctx, args: ExportArgs, out: &mut Out) -> Done {
    let format = if args.text {
        pb::ExportFormat::Text
    } else {
        pb::ExportFormat::Pdf
    };
    let document = if args.sign_off {
        pb::ExportDocument::SignOff
    } else {
        pb::ExportDocument::Ticket
    };
    may_save_to(args.output.as_deref())?;
    let (name, pieces) = ctx.client.export(args.number, document, format).await?;
    let path = args
        .output
        .unwrap_or_else(|| PathBuf::from(safe_name(&name, "export")));
    if path == Path::new("-") {
        let mut pieces = std::pin::pin!(pieces);
        while let Some(piece) = pieces.next().await {
            out.bytes(&piece?)?;
        }
        return Ok(());
    }
    let bytes = client::save_new_file(&path, pieces).await?;
    eprintln!("Saved {} ({bytes} bytes).", path.display());
    Ok(())
}

/// A server-given file name made safe to create here: no directories.
fn safe_name(name: &str, fallback: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    if base.is_empty() || base == "." || base == ".." {
        fallback.to_owned()
    } else {
        base.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset_type() -> pb::ServiceType {
        pb::ServiceType {
            name: "Password reset".into(),
            fields: vec![
                pb::FieldDef {
                    key: "account".into(),
                    label: "Account".into(),
                    required: true,
                    ..Default::default()
                },
                pb::FieldDef {
                    key: "urgency".into(),
                    choices: vec!["low".into(), "high".into()],
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn fields_are_checked_before_sending_and_named_as_the_server_does() {
        let t = reset_type();
        let given = |pairs: &[&str]| {
            field_values(
                &t,
                &pairs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            )
        };
        assert_eq!(given(&["account=uma"]).expect("ok").len(), 1);
        let missing = given(&[]).expect_err("required");
        assert!(
            missing.message.starts_with("fields.account: required"),
            "{missing:?}"
        );
        let unknown = given(&["account=u", "colour=red"]).expect_err("unknown");
        assert!(unknown.message.starts_with("fields.colour:"), "{unknown:?}");
        let choice = given(&["account=u", "urgency=mild"]).expect_err("choice");
        assert_eq!(choice.message, "fields.urgency: must be one of: low, high");
        assert!(given(&["account"]).is_err());
    }

    #[test]
    fn downloaded_names_stay_in_this_folder() {
        assert_eq!(safe_name("../../etc/passwd", "attachment"), "passwd");
        assert_eq!(safe_name("..\\x.txt", "attachment"), "x.txt");
        assert_eq!(safe_name("..", "attachment"), "attachment");
    }
}
