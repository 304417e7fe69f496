//! The administration views a tab opens over itself: the provider Admin's
//! Settings, pending requests and the audit log. The Companies tab opens
//! them for staff, the Account tab for a client Admin; Esc goes back.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::audit::Audit;
use super::form::Form;
use super::requests::Requests;
use super::settings::Settings;
use super::{Ctx, Effects, HelpLines, help_line};
use crate::action::Reply;
use crate::keys::Cmd;

/// Which view is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Open {
    #[default]
    None,
    Settings,
    Requests,
    Audit,
}

#[derive(Debug, Clone, Default)]
pub struct AdminViews {
    pub open: Open,
    pub settings: Settings,
    pub requests: Requests,
    pub audit: Audit,
}

fn is_provider_admin(ctx: &Ctx) -> bool {
    ctx.is_staff() && ctx.is_admin()
}

/// Staff and client Admins resolve pending requests.
fn resolves_requests(ctx: &Ctx) -> bool {
    ctx.is_staff() || ctx.is_admin()
}

impl AdminViews {
    pub fn is_open(&self) -> bool {
        self.open != Open::None
    }

    pub fn title(&self) -> &'static str {
        match self.open {
            Open::None => "",
            Open::Settings => "Settings",
            Open::Requests => "Pending requests",
            Open::Audit => "Audit log",
        }
    }

    /// The keys that open a view, for the help of the tab under them.
    pub fn open_help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = Vec::new();
        if is_provider_admin(ctx) {
            lines.push(help_line(
                ctx.keys,
                Cmd::Settings,
                "settings: staff, catalog, SLA, work types, failed mail",
            ));
        }
        if resolves_requests(ctx) {
            lines.push(help_line(
                ctx.keys,
                Cmd::Requests,
                "pending password and access requests",
            ));
        }
        if ctx.is_admin() {
            lines.push(help_line(ctx.keys, Cmd::Audit, "the audit log"));
        }
        lines
    }

    /// Opens a view on its key; false when the key is none of them.
    pub fn open_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if ctx.keys.is(Cmd::Settings, key) && is_provider_admin(ctx) {
            self.open = Open::Settings;
            self.settings.load(fx);
        } else if ctx.keys.is(Cmd::Requests, key) && resolves_requests(ctx) {
            self.open = Open::Requests;
            Requests::load(fx);
        } else if ctx.keys.is(Cmd::Audit, key) && ctx.is_admin() {
            self.open = Open::Audit;
            self.audit.load(fx);
        } else {
            return false;
        }
        true
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        match self.open {
            Open::None => Vec::new(),
            Open::Settings => self.settings.help(ctx),
            Open::Requests => Requests::help(ctx),
            Open::Audit => Audit::help(ctx),
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if key.code == KeyCode::Esc {
            self.open = Open::None;
            return true;
        }
        match self.open {
            Open::None => false,
            Open::Settings => self.settings.handle_key(key, ctx, fx),
            Open::Requests => self.requests.handle_key(key, ctx, fx),
            Open::Audit => self.audit.handle_key(key, ctx, fx),
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        match self.open {
            Open::None => {}
            Open::Settings => self.settings.render(frame, area, ctx),
            Open::Requests => self.requests.render(frame, area, ctx),
            Open::Audit => self.audit.render(frame, area, ctx),
        }
    }

    pub fn on_reply(&mut self, reply: &Reply, _ctx: &Ctx, fx: &mut Effects) {
        self.settings.on_reply(reply, fx);
        self.requests.on_reply(reply, fx);
        self.audit.on_reply(reply);
    }

    /// A filter form this view opened was sent.
    pub fn on_form(&mut self, form: &mut Form, ctx: &Ctx, fx: &mut Effects) -> bool {
        match self.open {
            Open::Audit => self.audit.on_form(form, ctx, fx),
            _ => true,
        }
    }

    pub fn refresh(&mut self, fx: &mut Effects) {
        match self.open {
            Open::None => {}
            Open::Settings => self.settings.load(fx),
            Open::Requests => Requests::load(fx),
            Open::Audit => self.audit.load(fx),
        }
    }
}
