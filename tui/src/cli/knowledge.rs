//! `portal kb …` (the knowledge library) and `portal team` (one's
//! company's account team), docs/CLI.md.

use clap::Subcommand;
use portal_proto::pb;

use super::Ctx;
use super::exit::Done;
use super::output::{Format, Out};
use crate::client::every_page;
use crate::ui::format;
use crate::ui::knowledge::audience;
use crate::ui::team;

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// The articles you may read, newest first; with --search, the best
    /// matches of any of its words.
    #[command(
        after_help = "Examples:\n  portal kb list\n  portal kb list --search 'vpn from home'"
    )]
    List {
        #[arg(short = 's', long)]
        search: Option<String>,
    },
    /// One article: its title, who it is for, and its Markdown text.
    #[command(after_help = "Example:\n  portal kb show 3 | less")]
    Show { id: i64 },
}

pub async fn kb(ctx: &Ctx, command: KbCommand, out: &mut Out) -> Done {
    match command {
        KbCommand::List { search } => list(ctx, search.unwrap_or_default(), out).await,
        KbCommand::Show { id } => show(ctx, id, out).await,
    }
}

async fn list(ctx: &Ctx, search: String, out: &mut Out) -> Done {
    let all = every_page(|page| {
        let mut tickets = ctx.client.tickets();
        let request = ctx.client.authed(pb::ListArticlesRequest {
            search: search.clone(),
            include_archived: false,
            page: Some(page),
        });
        async move {
            let list = tickets.list_articles(request).await?.into_inner();
            Ok((list.articles, list.next_cursor))
        }
    })
    .await?;
    if out.format == Format::Json {
        for a in &all {
            out.json(a)?;
        }
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.title.clone(),
                audience(a),
                format::time(a.updated_at.as_ref(), out.tz),
            ]
        })
        .collect();
    out.rows(&["id", "title", "for", "updated"], &rows)
}

async fn show(ctx: &Ctx, id: i64, out: &mut Out) -> Done {
    let a = ctx
        .client
        .tickets()
        .get_article(ctx.client.authed(pb::GetArticleRequest { id }))
        .await?
        .into_inner();
    if out.format == Format::Json {
        return out.json(&a);
    }
    out.line(&a.title)?;
    out.line(&format!(
        "For {} · by {} · updated {}",
        audience(&a).to_lowercase(),
        a.author_name,
        format::time(a.updated_at.as_ref(), out.tz)
    ))?;
    out.line("")?;
    out.line(&a.body)
}

/// `portal team`: one's company's account team.
pub async fn team(ctx: &Ctx, out: &mut Out) -> Done {
    let team = ctx
        .client
        .account()
        .get_account_team(ctx.client.authed(pb::GetAccountTeamRequest::default()))
        .await?
        .into_inner();
    if out.format == Format::Json {
        return out.json(&team);
    }
    out.line(&format!("Account team of {}", team.company_name))?;
    for line in team::summary(&team) {
        out.line(&line)?;
    }
    Ok(())
}
