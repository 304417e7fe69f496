//! The knowledge library (docs/KNOWLEDGE.md), on the Tickets tab: the
//! articles one may read, searched by their words, one read with its
//! Markdown drawn; provider Admins and Technicians write, edit and archive
//! them (the body in the built-in editor or `$EDITOR`).

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::form::{Field, FieldId, Form};
use super::popup::{Popup, PromptPopup, Submit, Then};
use super::{Ctx, Effects, HelpLines, Nav, Screen, format, help_line, markdown, moved, plain_help};
use crate::action::{ApiError, ArticlesFor, KnowledgeCall, Reply, Request};
use crate::keys::Cmd;
use crate::local_files;
use crate::page_size::PageSize;

/// The article editor's fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArticleField {
    Title,
    Audience,
    Body,
}

impl FieldId for ArticleField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Title => Some("article.title"),
            Self::Audience => Some("article.company_id"),
            Self::Body => Some("article.body"),
        }
    }
}

/// The search prompt's one field.
#[derive(Debug, Clone, Copy, PartialEq)]
struct SearchField;

impl FieldId for SearchField {
    fn server_name(self) -> Option<&'static str> {
        Some("search")
    }
}

/// The article open for reading.
#[derive(Debug, Clone)]
pub struct Reading {
    pub article: pb::Article,
    pub scroll: u16,
}

#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    pub rows: Vec<pb::Article>,
    pub state: TableState,
    /// What the list is searched for ("" lists them all).
    pub search: String,
    /// Staff: archived articles are listed too.
    pub archived: bool,
    /// The newest list asked for; older answers are dropped.
    pub seq: u64,
    pub loaded: bool,
    pub error: Option<String>,
    /// Where the next page starts; "" when there is none.
    pub next_cursor: String,
    /// The page asked for goes after the rows shown.
    pub appending: bool,
    pub page_size: PageSize,
    pub reading: Option<Reading>,
}

/// Whether `me` writes articles: the provider's Admins and Technicians.
pub fn writes(me: &pb::Identity) -> bool {
    me.staff && matches!(me.role(), pb::StaffRole::Admin | pb::StaffRole::Technician)
}

/// Who an article is for, as the list and the reader say it.
pub fn audience(a: &pb::Article) -> String {
    if a.company_id == 0 {
        "Everyone".to_owned()
    } else {
        format!("{} only", a.company_name)
    }
}

impl Knowledge {
    pub fn load(&mut self, fx: &mut Effects) {
        self.seq += 1;
        self.appending = false;
        fx.send(self.list_call(String::new()));
    }

    fn list_call(&self, cursor: String) -> KnowledgeCall {
        KnowledgeCall::List {
            to: ArticlesFor::Library,
            seq: self.seq,
            search: self.search.clone(),
            archived: self.archived,
            cursor,
            page_size: self.page_size.0,
        }
    }

    fn selected(&self) -> Option<&pb::Article> {
        self.state.selected().and_then(|i| self.rows.get(i))
    }

    /// The article the keys act on: the one read, else the selected one.
    fn current(&self) -> Option<&pb::Article> {
        self.reading
            .as_ref()
            .map(|r| &r.article)
            .or(self.selected())
    }

    fn list_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if ctx.keys.is(Cmd::PageSize, key) {
            self.page_size = self.page_size.next();
            fx.page_size_chosen("knowledge", self.page_size);
            self.load(fx);
            return true;
        }
        let i = self.state.selected().unwrap_or(0);
        if let Some(to) = moved(ctx.keys, key, i, self.rows.len(), 10) {
            self.state.select(Some(to));
            // At the last row, the next page.
            if to + 1 == self.rows.len() && !self.next_cursor.is_empty() && !self.appending {
                self.appending = true;
                fx.send(self.list_call(self.next_cursor.clone()));
            }
            return true;
        }
        match key.code {
            KeyCode::Esc => fx.nav = Some(Nav::TicketList),
            KeyCode::Enter => {
                if let Some(a) = self.selected() {
                    let id = a.id;
                    fx.send(KnowledgeCall::Get {
                        to: ArticlesFor::Library,
                        id,
                    });
                }
            }
            _ if ctx.keys.is(Cmd::Filter, key) => fx.popup = Some(search_popup(&self.search)),
            _ if ctx.keys.is(Cmd::ToggleView, key) && ctx.is_staff() => {
                self.archived = !self.archived;
                self.load(fx);
            }
            _ => return false,
        }
        true
    }

    fn reading_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let Some(reading) = &mut self.reading else {
            return false;
        };
        if key.code == KeyCode::Esc {
            self.reading = None;
        } else if let Some(to) = super::scrolled(ctx.keys, key, reading.scroll) {
            reading.scroll = to;
        } else if ctx.keys.is(Cmd::Edit, key) && writes(ctx.me) {
            fx.popup = Some(editor(Some(&reading.article), ctx));
        } else {
            return false;
        }
        true
    }

    fn writer_keys(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if !writes(ctx.me) {
            return false;
        }
        if ctx.keys.is(Cmd::NewArticle, key) {
            fx.popup = Some(editor(None, ctx));
        } else if ctx.keys.is(Cmd::Archive, key) {
            let Some(a) = self.current() else {
                return true;
            };
            let (question, what) = if a.archived {
                ("Restore this article?", "Clients can read it again.")
            } else {
                (
                    "Archive this article?",
                    "Clients no longer see it; staff still do.",
                )
            };
            fx.popup = Some(Popup::confirm(
                question,
                format!("“{}”: {what}", a.title),
                Then::send(KnowledgeCall::Archive {
                    id: a.id,
                    archived: !a.archived,
                }),
            ));
        } else {
            return false;
        }
        true
    }

    fn on_list(&mut self, seq: u64, list: &pb::ListArticlesResponse, fx: &mut Effects) {
        if seq != self.seq {
            return;
        }
        if std::mem::take(&mut self.appending) {
            self.rows.extend(list.articles.iter().cloned());
        } else {
            self.rows.clone_from(&list.articles);
        }
        self.next_cursor.clone_from(&list.next_cursor);
        self.loaded = true;
        self.error = None;
        let selected = (!self.rows.is_empty())
            .then(|| self.state.selected().unwrap_or(0).min(self.rows.len() - 1));
        self.state.select(selected);
        if self.rows.is_empty() && !self.search.is_empty() {
            fx.info(format!("No article matches “{}”", self.search));
        }
    }

    fn render_list(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let mut head = vec![
            Span::styled(" Knowledge ", theme.title),
            Span::styled(
                match self.rows.len() {
                    1 => "· 1 article".to_owned(),
                    n => format!("· {n} articles"),
                },
                theme.muted,
            ),
        ];
        if !self.search.is_empty() {
            head.push(Span::styled(
                format!(" · matching “{}”", self.search),
                theme.accent,
            ));
        }
        if self.archived {
            head.push(Span::styled(" · archived shown", theme.muted));
        }
        frame.render_widget(Paragraph::new(Line::from(head)), header);
        match (&self.error, self.loaded) {
            (Some(e), _) => frame.render_widget(
                Paragraph::new(Line::styled(format!(" ✗ {e}"), theme.error)),
                body,
            ),
            (None, false) => frame.render_widget(
                Paragraph::new(Line::styled(" Loading articles…", theme.muted)),
                body,
            ),
            (None, true) if self.rows.is_empty() => {
                let text = if self.search.is_empty() {
                    " No articles yet."
                } else {
                    " No article matches. / searches again, Esc leaves."
                };
                frame.render_widget(Paragraph::new(Line::styled(text, theme.muted)), body);
            }
            (None, true) => self.render_table(frame, body, ctx),
        }
        let mut hints = vec!["Enter read", "/ search"];
        if writes(ctx.me) {
            hints.extend(["n new", "d archive"]);
        }
        if ctx.is_staff() {
            hints.push("v archived");
        }
        hints.push("Esc back");
        let hints = format::hints_with(&hints, "? help", usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }

    fn render_table(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let rows = self.rows.iter().map(|a| {
            let title = if a.archived {
                Line::from(vec![
                    Span::styled(a.title.clone(), theme.muted),
                    Span::styled(" (archived)", theme.warn),
                ])
            } else {
                Line::styled(a.title.clone(), theme.text)
            };
            Row::new([
                Cell::from(title),
                Cell::from(Span::styled(audience(a), theme.muted)),
                Cell::from(format::short_time(a.updated_at.as_ref(), ctx.now, ctx.tz)),
            ])
        });
        let audience_width = if area.width >= 100 { 32 } else { 24 };
        let table = Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(audience_width),
                Constraint::Length(10),
            ],
        )
        .header(Row::new(["Title", "For", "Updated"]).style(theme.muted))
        .row_highlight_style(theme.selected);
        frame.render_stateful_widget(table, area, &mut self.state);
    }

    fn render_article(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let Some(reading) = &mut self.reading else {
            return;
        };
        let a = &reading.article;
        let [title, meta, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let mut head = vec![Span::styled(format!(" {} ", a.title), theme.title)];
        if a.archived {
            head.push(Span::styled("(archived)", theme.warn));
        }
        frame.render_widget(Paragraph::new(Line::from(head)), title);
        let updated = format::short_time(a.updated_at.as_ref(), ctx.now, ctx.tz);
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " For {} · by {} · updated {updated}",
                    audience(a).to_lowercase(),
                    a.author_name
                ),
                theme.muted,
            )),
            meta,
        );
        let text = markdown::lines(&a.body, theme);
        let inner = body.inner(Margin::new(1, 0));
        let paragraph = Paragraph::new(text).wrap(Wrap { trim: false });
        // Never scrolled past the last line.
        let height = paragraph.line_count(inner.width) as u16;
        reading.scroll = reading.scroll.min(height.saturating_sub(inner.height));
        frame.render_widget(paragraph.scroll((reading.scroll, 0)), inner);
        let mut hints = vec!["↑/↓ scroll"];
        if writes(ctx.me) {
            hints.extend(["e edit", "d archive"]);
        }
        hints.push("Esc list");
        let hints = format::hints_with(&hints, "? help", usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

impl Screen for Knowledge {
    fn title(&self) -> &'static str {
        "Knowledge"
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = if self.reading.is_some() {
            vec![
                plain_help("↑/↓ j/k PgUp/PgDn", "scroll"),
                plain_help("Esc", "back to the list"),
            ]
        } else {
            vec![
                plain_help("↑/↓ j/k g/G PgUp/PgDn", "move"),
                plain_help("Enter", "read the selected article"),
                help_line(ctx.keys, Cmd::Filter, "search titles and text"),
                help_line(ctx.keys, Cmd::PageSize, "articles a page: 25, 50, 100"),
                plain_help("Esc", "back to the tickets"),
            ]
        };
        if writes(ctx.me) {
            lines.push(help_line(ctx.keys, Cmd::NewArticle, "write a new article"));
            if self.reading.is_some() {
                lines.push(help_line(ctx.keys, Cmd::Edit, "edit this article"));
            }
            lines.push(help_line(ctx.keys, Cmd::Archive, "archive or restore it"));
        }
        if ctx.is_staff() && self.reading.is_none() {
            lines.push(help_line(
                ctx.keys,
                Cmd::ToggleView,
                "show or hide archived articles",
            ));
        }
        lines.push(help_line(ctx.keys, Cmd::Refresh, "refresh"));
        lines
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.writer_keys(key, ctx, fx) {
            return true;
        }
        if ctx.keys.is(Cmd::Refresh, key) {
            self.refresh(fx);
            return true;
        }
        if self.reading.is_some() {
            return self.reading_keys(key, ctx, fx);
        }
        self.list_keys(key, ctx, fx)
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        if self.reading.is_some() {
            self.render_article(frame, area, ctx);
        } else {
            self.render_list(frame, area, ctx);
        }
    }

    fn on_reply(&mut self, reply: &Reply, _ctx: &Ctx, fx: &mut Effects) {
        match reply {
            Reply::Articles {
                to: ArticlesFor::Library,
                seq,
                list,
            } => self.on_list(*seq, list, fx),
            Reply::Article {
                to: ArticlesFor::Library,
                article,
            } => {
                let scroll = match &self.reading {
                    Some(r) if r.article.id == article.id => r.scroll,
                    _ => 0,
                };
                self.reading = Some(Reading {
                    article: (**article).clone(),
                    scroll,
                });
            }
            Reply::ArticleSaved(article) => {
                fx.close_prompt = true;
                fx.ok(format!("Saved “{}”", article.title));
                if self.reading.is_some() || !article.archived {
                    self.reading = Some(Reading {
                        article: (**article).clone(),
                        scroll: 0,
                    });
                }
                self.load(fx);
            }
            _ => {}
        }
    }

    fn on_failed(&mut self, request: &Request, error: &ApiError, _fx: &mut Effects) {
        if let Request::Knowledge(KnowledgeCall::List {
            to: ArticlesFor::Library,
            ..
        }) = request
        {
            self.error = Some(error.text());
        }
    }

    fn on_form(&mut self, form: &mut Form, _ctx: &Ctx, fx: &mut Effects) -> bool {
        self.search = form.text(SearchField);
        self.reading = None;
        self.state.select(Some(0));
        self.load(fx);
        true
    }

    fn refresh(&mut self, fx: &mut Effects) {
        self.load(fx);
        if let Some(r) = &self.reading {
            fx.send(KnowledgeCall::Get {
                to: ArticlesFor::Library,
                id: r.article.id,
            });
        }
    }
}

fn search_popup(current: &str) -> Popup {
    Popup::Prompt(
        PromptPopup::new(
            "Search the articles",
            Submit::ToScreen,
            vec![Field::line(SearchField, "Words", current)],
        )
        .hint("Words of the title or text; empty lists every article."),
    )
}

/// The article editor: a new article (`None`) or `article`'s text. Its
/// audience is everyone or one of the companies staff may raise tickets for.
fn editor(article: Option<&pb::Article>, ctx: &Ctx) -> Popup {
    let companies: Vec<(i64, String)> = ctx
        .catalog
        .companies
        .iter()
        .map(|c| (c.id, c.name.clone()))
        .collect();
    let mut options = vec!["Everyone (public)".to_owned()];
    options.extend(companies.iter().map(|(_, name)| format!("{name} only")));
    let ids: Vec<i64> = std::iter::once(0)
        .chain(companies.iter().map(|(id, _)| *id))
        .collect();
    let (id, title, body, company) = article.map_or((0, "", "", 0), |a| {
        (a.id, a.title.as_str(), a.body.as_str(), a.company_id)
    });
    let index = ids.iter().position(|c| *c == company).unwrap_or(0);
    let heading = if id == 0 {
        "New article"
    } else {
        "Edit article"
    };
    let make = move |form: &mut Form| {
        form.clear_errors();
        let company_id = ids.get(form.choice(ArticleField::Audience)).copied()?;
        form.check_required().then(|| KnowledgeCall::Save {
            id,
            article: pb::ArticleInput {
                title: form.text(ArticleField::Title),
                body: form.raw(ArticleField::Body),
                company_id,
            },
        })
    };
    let mut hint = "Markdown: # heading, **bold**, `code`, - lists, [text](link).".to_owned();
    if local_files::check().is_ok() {
        hint.push_str(" Ctrl-E: $EDITOR");
    }
    Popup::Prompt(
        PromptPopup::new(
            heading,
            Submit::send(make),
            vec![
                Field::line(ArticleField::Title, "Title", title).required(),
                Field::choice(ArticleField::Audience, "For", options, index),
                Field::multi(ArticleField::Body, "Text", body).required(),
            ],
        )
        .hint(hint)
        .width(90),
    )
}
