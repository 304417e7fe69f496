//! Popup answers: a confirmation or pick does what its screen said
//! ([`Then`]); a small form is checked and sent to the server.

use super::{App, EditTarget, Phase};
use crate::action::{AuthCall, Request, TicketCall};
use crate::ui::form::Field;
use crate::ui::popup::{Outcome, Popup, Prompt, Then, expand_home};
use crate::ui::{Effects, TabId, account, users};

impl App {
    pub(super) fn on_popup(&mut self, outcome: Outcome, fx: &mut Effects) {
        match outcome {
            Outcome::Keep => {}
            Outcome::Close => {
                self.popups.pop();
            }
            Outcome::Open(popup) => self.popups.push(*popup),
            Outcome::Then(then) => {
                self.popups.pop();
                self.then(then, fx);
            }
            Outcome::Submitted => self.on_submit(fx),
            Outcome::ExternalEdit(i) => {
                if let Some(Popup::Prompt(p)) = self.popups.last() {
                    let text = p.form.fields.get(i).map(Field::value).unwrap_or_default();
                    self.edit = Some((EditTarget::Prompt(i), text));
                }
            }
        }
    }

    /// Does what the screen that opened a confirmation or picker asked for.
    fn then(&mut self, then: Then, fx: &mut Effects) {
        match then {
            Then::Send(request) => fx.send(*request),
            Then::Open(popup) => fx.popup = Some(*popup),
            Then::Nav(nav) => fx.nav = Some(nav),
            Then::CloseBelow => {
                self.popups.pop();
            }
            Then::Answer(answer) => {
                let Phase::Main(main) = &mut self.phase else {
                    return;
                };
                let shared = main.shared();
                let ctx = shared.ctx(&self.theme, &self.keys, self.now);
                main.screen(main.tab).on_answer(answer, &ctx, fx);
            }
        }
    }

    /// A prompt's Ctrl-S: check it, then send it and keep it open (marked
    /// as sending) until the server answers.
    pub(super) fn on_submit(&mut self, fx: &mut Effects) {
        let Some(Popup::Prompt(prompt)) = self.popups.last_mut() else {
            return;
        };
        prompt.error = None;
        let form = &mut prompt.form;
        let request = match &prompt.what {
            Prompt::Post { number, kind } => {
                let body = form.raw("body").trim_end().to_owned();
                if body.trim().is_empty() {
                    form.set_error("body", "write something first");
                    None
                } else {
                    Some(Request::from(TicketCall::AddPost {
                        number: *number,
                        kind: *kind,
                        body,
                    }))
                }
            }
            Prompt::AddTask { number } => form.check_required().then(|| {
                Request::from(TicketCall::AddTask {
                    number: *number,
                    text: form.text("text"),
                })
            }),
            Prompt::Attach { number } => {
                let path = expand_home(form.raw("path").trim());
                if path.is_empty() {
                    form.set_error("path", "which file?");
                    None
                } else {
                    Some(Request::from(TicketCall::Upload {
                        number: *number,
                        path: path.into(),
                    }))
                }
            }
            Prompt::SavePath { attachment_id } => {
                let path = expand_home(form.raw("path").trim());
                if path.is_empty() {
                    form.set_error("path", "where to?");
                    None
                } else {
                    Some(Request::from(TicketCall::Download {
                        attachment_id: *attachment_id,
                        path: path.into(),
                    }))
                }
            }
            Prompt::StatusNote { number, status } => form.check_required().then(|| {
                Request::from(TicketCall::ChangeStatus {
                    number: *number,
                    status: *status,
                    note: form.text("note"),
                })
            }),
            Prompt::ForgotPassword => {
                let email = form.text("email");
                if email.contains('@') {
                    Some(Request::from(AuthCall::ForgotPassword { email }))
                } else {
                    form.set_error("email", "enter your e-mail");
                    None
                }
            }
            Prompt::RequestAccess => {
                let email = form.text("email");
                if email.contains('@') {
                    Some(Request::from(AuthCall::RequestAccess {
                        email,
                        message: form.text("message"),
                    }))
                } else {
                    form.set_error("email", "enter your e-mail");
                    None
                }
            }
            Prompt::ChangePassword => account::password_request(form).map(Request::from),
            Prompt::AddUser => users::add_user_request(form).map(Request::from),
            Prompt::EditUser { contact_id } => match &self.phase {
                Phase::Main(main) => {
                    match main.account.users.rows.iter().find(|c| c.id == *contact_id) {
                        Some(contact) => {
                            users::update_user_request(form, contact).map(Request::from)
                        }
                        None => None,
                    }
                }
                Phase::Login(_) => None,
            },
            Prompt::Filter => {
                if let Phase::Main(main) = &mut self.phase {
                    let list = if main.tab == TabId::Triage {
                        &mut main.triage
                    } else {
                        &mut main.tickets
                    };
                    if list.apply_filter_panel(form, &main.catalog, fx) {
                        self.popups.pop();
                    }
                }
                return;
            }
        };
        match request {
            Some(request) => {
                prompt.sent = Some(Box::new(request.clone()));
                fx.send(request);
            }
            None => prompt.form.focus_first_error(),
        }
    }
}
