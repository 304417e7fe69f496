//! "These may help": as a ticket's title is typed, the new-ticket form
//! names up to three knowledge articles that match it (docs/KNOWLEDGE.md);
//! F2 picks one to read in a popup, the form kept as it was.

use portal_proto::pb;
use ratatui::text::{Line, Span};

use super::popup::{Popup, Then};
use super::{Ctx, Effects, format, markdown};
use crate::action::{ArticlesFor, KnowledgeCall, Reply};
use crate::keys::{Cmd, KeyMap};
use crate::theme::Theme;

/// At most this many articles are named.
const SHOWN: u32 = 3;

/// A title shorter than this asks for nothing yet.
const MIN_CHARS: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct Suggestions {
    /// The newest search asked for; older answers are dropped.
    seq: u64,
    /// The title last searched for.
    asked: String,
    pub articles: Vec<pb::Article>,
}

impl Suggestions {
    /// The title may have changed: asks for the articles matching it.
    pub fn on_title(&mut self, title: &str, fx: &mut Effects) {
        let title = title.trim();
        if title == self.asked {
            return;
        }
        title.clone_into(&mut self.asked);
        self.seq += 1;
        if title.chars().count() < MIN_CHARS {
            self.articles.clear();
            return;
        }
        fx.send(KnowledgeCall::List {
            to: ArticlesFor::Suggestions,
            seq: self.seq,
            search: title.to_owned(),
            archived: false,
            cursor: String::new(),
            page_size: SHOWN,
        });
    }

    /// The articles to pick from, to read one.
    pub fn pick(&self, fx: &mut Effects) {
        if self.articles.is_empty() {
            fx.info("No article matches the title yet");
            return;
        }
        let items = self
            .articles
            .iter()
            .map(|a| {
                let read = KnowledgeCall::Get {
                    to: ArticlesFor::Suggestions,
                    id: a.id,
                };
                (a.title.clone(), Then::send(read))
            })
            .collect();
        fx.popup = Some(Popup::pick("These may help", items));
    }

    pub fn on_reply(&mut self, reply: &Reply, ctx: &Ctx, fx: &mut Effects) {
        match reply {
            Reply::Articles {
                to: ArticlesFor::Suggestions,
                seq,
                list,
            } if *seq == self.seq => self.articles.clone_from(&list.articles),
            Reply::Article {
                to: ArticlesFor::Suggestions,
                article,
            } => fx.popup = Some(read_popup(article, ctx.theme)),
            _ => {}
        }
    }

    /// The form's line naming the articles, when any match, in `width`.
    pub fn line(&self, keys: &KeyMap, theme: &Theme, width: usize) -> Option<Line<'static>> {
        if self.articles.is_empty() {
            return None;
        }
        let lead = format!("These may help ({} to read): ", keys.label(Cmd::MayHelp));
        let titles: Vec<&str> = self.articles.iter().map(|a| a.title.as_str()).collect();
        let room = width.saturating_sub(lead.chars().count());
        Some(Line::from(vec![
            Span::styled(lead, theme.accent),
            Span::styled(format::fit(&titles.join(" · "), room), theme.text),
        ]))
    }
}

/// An article to read over the form.
fn read_popup(article: &pb::Article, theme: &Theme) -> Popup {
    let mut lines = vec![
        Line::styled(format!("By {}", article.author_name), theme.muted),
        Line::default(),
    ];
    lines.extend(markdown::lines(&article.body, theme));
    Popup::Read {
        title: article.title.clone(),
        lines,
        scroll: 0,
    }
}
